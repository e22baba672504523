"""Small helpers shared by the OB 2.0 and OB 3.0 verifiers."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from . import codes, jsonsafe
from .model import BadgeError, Run

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(value: Any, *, allow_date_only: bool = False, allow_timestamp: bool = True) -> datetime:
    """An aware datetime from an ISO 8601 string with a time zone (or a Unix timestamp / legacy bare date).

    A datetime without a zone is refused: its instant is unknown.
    """
    if isinstance(value, bool):
        raise BadgeError(codes.DATE_INVALID, f"{value!r} is not a date.")
    if isinstance(value, (int, float)) and allow_timestamp:
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise BadgeError(codes.DATE_INVALID, f"{value!r} is not a valid timestamp.") from exc
    if not isinstance(value, str):
        raise BadgeError(codes.DATE_INVALID, f"{value!r} is not a date.")
    text = value.strip()
    if allow_timestamp and text.isdigit() and len(text) >= 9:
        return parse_datetime(int(text), allow_timestamp=True)
    if allow_date_only and _DATE.match(text):
        try:
            d = date.fromisoformat(text)
        except ValueError as exc:
            raise BadgeError(codes.DATE_INVALID, f"{text} is not a real date.") from exc
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    if not _DATETIME.match(text):
        raise BadgeError(codes.DATE_INVALID, f"{text!r} is not an ISO 8601 date-time with a time zone.")
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadgeError(codes.DATE_INVALID, f"{text} is not a real date-time.") from exc
    if parsed.tzinfo is None:
        raise BadgeError(codes.DATE_INVALID, f"{text} has no time zone.")
    return parsed


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def types_of(doc: Any) -> list[str]:
    if not isinstance(doc, dict):
        return []
    return [t for t in as_list(doc.get("type", doc.get("@type"))) if isinstance(t, str)]


def node_id(value: Any) -> str | None:
    """The id of a linked node given as an IRI string or an object with ``id``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        ident = value.get("id", value.get("@id"))
        return ident if isinstance(ident, str) else None
    return None


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = (parts.hostname or "").lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def b64url_decode(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (ValueError, TypeError) as exc:
        raise BadgeError(codes.JWS_MALFORMED, "A JWS segment is not base64url.") from exc


def jws_parts(token: str) -> tuple[dict[str, Any], Any, bytes]:
    """Decode a compact JWS *without* verifying it: (header, payload JSON, raw payload bytes)."""
    segments = token.strip().split(".")
    if len(segments) != 3:
        raise BadgeError(codes.JWS_MALFORMED, "A compact JWS has three segments.")
    header = jsonsafe.loads(b64url_decode(segments[0]))
    if not isinstance(header, dict):
        raise BadgeError(codes.JWS_MALFORMED, "The JWS header is not a JSON object.")
    raw = b64url_decode(segments[1])
    payload = jsonsafe.loads(raw)
    if not isinstance(payload, dict):
        raise BadgeError(codes.JWS_MALFORMED, "The JWS payload is not a JSON object.")
    return header, payload, raw


def decode_jws_checked(
    run: Run, token: str, *, step: str, allowed: set[str], refusal: str
) -> tuple[dict[str, Any], Any, bytes]:
    """jws_parts() for a verifier: a malformed token fails `step`, an algorithm outside `allowed` fails
    "Signature algorithm" (`refusal` says what is allowed); both fatal. Nothing is verified yet."""
    try:
        header, payload, raw = jws_parts(token)
    except BadgeError as exc:
        run.failed(step, exc.code, exc.message, fatal=True)
        raise
    alg = header.get("alg")
    if alg not in allowed:
        run.failed(
            "Signature algorithm", codes.JWS_ALG_NOT_ALLOWED, f"Algorithm {alg!r} is refused; {refusal}", fatal=True
        )
    return header, payload, raw


def first_text(*values: Any) -> str | None:
    for v in values:
        if isinstance(v, str) and v.strip():
            return v
        if isinstance(v, dict):  # language maps / value objects
            inner = v.get("@value")
            if isinstance(inner, str):
                return inner
    return None


def sniff_image_kind(body: bytes) -> str | None:
    from .extract import sniff_image

    return sniff_image(body)
