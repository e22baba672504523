"""JSON parsing with a nesting-depth guard.

CPython's json module recurses per nesting level, so hostile input such as ``[[[[…]]]]`` 10,000 deep ends in a
RecursionError (or worse, a C stack overflow in some builds). We measure the depth with a regex scan that skips
string literals *before* parsing and refuse anything deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import codes
from .model import BadgeError

MAX_DEPTH = 64
MAX_JSON_BYTES = 1_000_000

# A JSON string literal, or one structural bracket. Strings are matched first so brackets inside them are skipped.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def json_depth(text: str) -> int:
    depth = deepest = 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:  # stop early: no need to scan the rest of a hostile document
                    return deepest
        elif tok in "]}":
            depth -= 1
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def loads(data: str | bytes, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse JSON or raise :class:`BadgeError` with JSON_INVALID / JSON_TOO_DEEP / INPUT_TOO_LARGE."""
    if len(data) > max_bytes:
        raise BadgeError(codes.INPUT_TOO_LARGE, f"JSON larger than {max_bytes} bytes.")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadgeError(codes.JSON_INVALID, "JSON is not UTF-8.") from exc
    else:
        text = data
    if json_depth(text) > MAX_DEPTH:
        raise BadgeError(codes.JSON_TOO_DEEP, f"JSON nested deeper than {MAX_DEPTH} levels.")
    try:
        return json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise BadgeError(codes.JSON_INVALID, f"JSON could not be parsed: {str(exc)[:200]}") from exc
