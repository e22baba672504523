"""JSON parsing with a nesting-depth guard.

CPython's json module recurses per nesting level, so hostile input such as ``[[[[…]]]]`` 10,000 deep ends in a
RecursionError (or worse, a C stack overflow in some builds). We measure the depth *before* parsing and refuse
anything deeper than ``MAX_DEPTH``.

The scan is linear in the input: two possessive regex passes (strings out, then everything but brackets) and a
running sum, all C loops. It replaced a regex ``"(?:[^"\\]|\\.)*"`` that was quadratic on runs of escaped quotes
(a 32 KB paste held the GIL for seconds). Unbalanced or unterminated input is left for ``json.loads`` to refuse.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from . import codes
from .model import BadgeError

MAX_DEPTH = 64
MAX_JSON_BYTES = 1_000_000

# A string literal, possessive (never backtracks) and also matching an unterminated string up to the end of the
# text, so a failed match is never retried from a quote inside it: every character is looked at a bounded number
# of times. Strings are removed in one C-level pass, then everything but brackets, then the running depth is the
# C-level accumulate over +1/-1.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """The deepest bracket nesting outside string literals. Linear in len(text), no Python loop per character."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(0, max(accumulate(map(_DELTA.__getitem__, brackets))))


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
