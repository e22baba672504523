"""Small helpers shared by the OB 2.0 and OB 3.0 verifiers."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from typing import Any, TypeGuard
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
    if isinstance(value, (int, float)) and not allow_timestamp:
        raise BadgeError(
            codes.DATE_INVALID, f"{value!r} is a timestamp; an ISO 8601 date-time with a time zone is required."
        )
    if isinstance(value, (int, float)):
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
    if text.isdigit():
        raise BadgeError(
            codes.DATE_INVALID, f"{text!r} is a timestamp; an ISO 8601 date-time with a time zone is required."
        )
    if not _DATETIME.match(text):
        raise BadgeError(codes.DATE_INVALID, f"{text!r} is not an ISO 8601 date-time with a time zone.")
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadgeError(codes.DATE_INVALID, f"{text} is not a real date-time.") from exc
    if parsed.tzinfo is None:
        raise BadgeError(codes.DATE_INVALID, f"{text} has no time zone.")
    return parsed


def as_object(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (a property that must be an object and is not)."""
    return value if isinstance(value, dict) else {}


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


def is_http_url(value: Any) -> TypeGuard[str]:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_tuple(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the port made explicit; None for anything else or a bad port."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


def same_origin(a: str, b: str) -> bool:
    """Scheme, host and port all equal (RFC 6454), default ports made explicit."""
    oa, ob = origin_tuple(a), origin_tuple(b)
    return oa is not None and oa == ob


def origin_of(url: str) -> str:
    o = origin_tuple(url)
    if o is None:
        return ""
    scheme, host, port = o
    return f"{scheme}://{host}" + ("" if port == _DEFAULT_PORTS[scheme] else f":{port}")


def has_prefix(url: str, prefix: str) -> bool:
    """``url`` starts with ``prefix`` as a URL: same origin, and the path continues the prefix's path exactly.

    A prefix ``https://a.org`` does not admit ``https://a.org.evil.com/…`` (different origin), and the comparison is
    on the URLs as given (no case folding of the path).
    """
    if not (isinstance(url, str) and isinstance(prefix, str)) or not same_origin(url, prefix):
        return False
    u, p = urlsplit(url), urlsplit(prefix)
    rest_u = u.path + ("?" + u.query if u.query else "")
    rest_p = p.path + ("?" + p.query if p.query else "")
    if not rest_p or rest_p == "/":
        return True
    return rest_u.startswith(rest_p)


def safe_url(value: Any) -> str | None:
    """``value`` if it is an absolute http(s) URL without credentials or control characters, else None.

    Every URL the report shows or the pages link (issuer url, criteria, evidence, image) goes through this: a
    ``javascript:``/``data:`` URL, a relative one or one with whitespace is never stored as a link.
    """
    if not isinstance(value, str) or len(value) > 2000:
        return None
    if any(ord(c) < 0x21 or c in "\x7f<>\"'`" for c in value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return value


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


def evidence_items(value: Any, limit: int = 20) -> list[dict[str, str | None]]:
    """OB 2.0/3.0 ``evidence``: IRIs or Evidence objects -> [{url, name, narrative}], URLs through :func:`safe_url`
    (an entry whose URL is not http(s) keeps its name/narrative but no link)."""
    out: list[dict[str, str | None]] = []
    for item in as_list(value)[:limit]:
        if isinstance(item, str):
            url = safe_url(item)
            if url:
                out.append({"url": url, "name": None, "narrative": None})
        elif isinstance(item, dict):
            entry = {
                "url": safe_url(node_id(item)),
                "name": (first_text(item.get("name")) or "")[:300] or None,
                "narrative": (first_text(item.get("narrative")) or "")[:2000] or None,
            }
            if any(entry.values()):
                out.append(entry)
    return out
