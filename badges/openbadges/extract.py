"""Recognise what was imported and pull the Open Badges payload out of it.

* PNG: read as a stream of chunk headers; only ``tEXt``/``iTXt``/``zTXt`` chunks are read, everything else (IDAT…)
  is skipped with a seek, so extraction cost does not grow with pixel data and pixels are never decoded.
* SVG: parsed with defusedxml (entity declarations and external references refused, which stops XXE and
  billion-laughs); ``openbadges:assertion`` (OB 1/2) and ``openbadges:credential`` (OB 3) elements.
* Text: JSON (depth-guarded), a compact JWS / VC-JWT, or an http(s) URL.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from dataclasses import dataclass
from typing import IO, Any, Literal

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET

from . import codes, jsonsafe
from .model import BadgeError, BadgeSource

MAX_IMAGE_BYTES = 32_000_000  # an upload larger than this is refused before reading chunks
MAX_SVG_BYTES = 5_000_000
MAX_TEXT_BYTES = 1_000_000
MAX_TEXT_CHUNK = 2_000_000  # a PNG text chunk larger than this cannot be a badge; skipped like pixel data

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORDS = {b"openbadges": False, b"openbadgecredential": True}  # keyword -> is OB 3.0
SVG_ELEMENTS = {"assertion": False, "credential": True}

_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_URL = re.compile(r"^https?://\S+$", re.I)
_ANY_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")

PayloadKind = Literal["url", "json", "jws"]


@dataclass(frozen=True)
class Extracted:
    kind: PayloadKind  # what the payload is
    value: Any  # URL or JWS string, or the parsed JSON object
    container: str  # "png", "svg", "text" or "url"
    ob3: bool = False  # found under an OB 3.0 key (openbadgecredential / openbadges:credential)


def sniff_image(data: bytes) -> str | None:
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and b"<svg" in data[:65536].lower():
        return "svg"
    return None


def parse_text(text: str, *, container: str = "text", ob3: bool = False) -> Extracted:
    """Classify pasted or embedded text as JSON, compact JWS or URL."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise BadgeError(codes.INPUT_TOO_LARGE, f"Text larger than {MAX_TEXT_BYTES} bytes.")
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise BadgeError(codes.INPUT_EMPTY)
    if stripped[0] in "{[":
        data = jsonsafe.loads(stripped, max_bytes=MAX_TEXT_BYTES)
        if not isinstance(data, dict):
            raise BadgeError(codes.INPUT_UNRECOGNISED, "JSON input must be an object.")
        return Extracted("json", data, container, ob3)
    if _JWS.match(stripped):
        return Extracted("jws", stripped, container, ob3)
    if _URL.match(stripped):
        return Extracted("url", stripped, container, ob3)
    raise BadgeError(codes.INPUT_UNRECOGNISED)


# --- PNG ----------------------------------------------------------------------------------------------------------
def _read_exact(stream: IO[bytes], n: int) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise BadgeError(codes.PNG_TRUNCATED)
    return data


def _decode_text_chunk(ctype: bytes, data: bytes) -> tuple[bytes, str] | None:
    """Return (keyword, text) of a tEXt/iTXt/zTXt chunk, or None when it is not one of ours."""
    keyword, sep, rest = data.partition(b"\x00")
    if not sep or keyword not in PNG_KEYWORDS:
        return None
    try:
        if ctype == b"tEXt":
            return keyword, rest.decode("latin-1")
        if ctype == b"zTXt":
            return keyword, _inflate(rest[1:]).decode("latin-1")
        # iTXt: compression flag, compression method, language tag \0, translated keyword \0, text
        if len(rest) < 2:
            raise BadgeError(codes.PNG_CORRUPT, "Malformed iTXt chunk.")
        flag, body = rest[0], rest[2:]
        _lang, _, body = body.partition(b"\x00")
        _translated, _, body = body.partition(b"\x00")
        if flag:
            body = _inflate(body)
        return keyword, body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadgeError(codes.PNG_CORRUPT, "Badge text chunk is not valid text.") from exc


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_TEXT_CHUNK)
    except zlib.error as exc:
        raise BadgeError(codes.PNG_CORRUPT, "Compressed text chunk is damaged.") from exc
    if d.unconsumed_tail:
        raise BadgeError(codes.INPUT_TOO_LARGE, "Compressed badge text is too large.")
    return out


def read_png_badge(stream: IO[bytes]) -> tuple[bytes, str]:
    """Walk the chunk headers of a seekable PNG stream; return (keyword, text) of the badge chunk."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if _read_exact(stream, 8) != PNG_SIGNATURE:
        raise BadgeError(codes.IMAGE_NOT_RECOGNISED)
    found: tuple[bytes, str] | None = None
    first = True
    while True:
        header = stream.read(8)
        if len(header) < 8:
            raise BadgeError(codes.PNG_TRUNCATED, "PNG ends before its IEND chunk.")
        length, ctype = struct.unpack(">I4s", header)
        if length > 0x7FFFFFFF or not ctype.isalpha():
            raise BadgeError(codes.PNG_CORRUPT, "Invalid PNG chunk header.")
        if first and ctype != b"IHDR":
            raise BadgeError(codes.PNG_CORRUPT, "PNG does not start with IHDR.")
        first = False
        end = stream.tell() + length + 4  # data + CRC
        if end > size:
            raise BadgeError(codes.PNG_TRUNCATED)
        if ctype in (b"tEXt", b"iTXt", b"zTXt") and length <= MAX_TEXT_CHUNK and found is None:
            data = _read_exact(stream, length)
            crc = struct.unpack(">I", _read_exact(stream, 4))[0]
            if zlib.crc32(ctype + data) != crc:
                raise BadgeError(codes.PNG_CORRUPT, f"CRC mismatch in {ctype.decode()} chunk.")
            found = _decode_text_chunk(ctype, data)
        else:
            stream.seek(end)  # skip pixel data and everything else without reading it
        if ctype == b"IEND":
            break
    if found is None:
        raise BadgeError(codes.PNG_NO_BADGE)
    return found


def extract_png(data: bytes | IO[bytes]) -> Extracted:
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    keyword, text = read_png_badge(stream)
    return parse_text(text, container="png", ob3=PNG_KEYWORDS[keyword])


# --- SVG ----------------------------------------------------------------------------------------------------------
def extract_svg(data: bytes) -> Extracted:
    if len(data) > MAX_SVG_BYTES:
        raise BadgeError(codes.INPUT_TOO_LARGE, f"SVG larger than {MAX_SVG_BYTES} bytes.")
    try:
        # A DOCTYPE alone is allowed (real badges carry the SVG 1.1 one; expat never loads it), but any entity
        # declaration or external reference is refused: that is XXE and billion-laughs.
        root = DefusedET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadgeError(codes.SVG_FORBIDDEN_ENTITY) from exc
    except (SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError subclass
        raise BadgeError(codes.SVG_INVALID, f"SVG is not well-formed: {str(exc)[:120]}") from exc
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag.startswith("{"):
            continue
        namespace, _, local = tag[1:].partition("}")
        if local not in SVG_ELEMENTS or not ("openbadges" in namespace or "imsglobal" in namespace):
            continue
        ob3 = SVG_ELEMENTS[local]
        verify = (element.get("verify") or "").strip()
        if verify:  # the baking spec: verify holds the hosted URL or the signature
            return parse_text(verify, container="svg", ob3=ob3)
        body = (element.text or "").strip()
        if body:  # CDATA body: JSON, or (as openbadges-bakery writes it) a JWS
            return parse_text(body, container="svg", ob3=ob3)
        raise BadgeError(codes.SVG_NO_BADGE, "The Open Badges element is empty.")
    raise BadgeError(codes.SVG_NO_BADGE)


# --- entry point ----------------------------------------------------------------------------------------------------
def extract_image(data: bytes) -> Extracted:
    if len(data) > MAX_IMAGE_BYTES:
        raise BadgeError(codes.INPUT_TOO_LARGE, f"Image larger than {MAX_IMAGE_BYTES} bytes.")
    kind = sniff_image(data)
    if kind == "png":
        return extract_png(data)
    if kind == "svg":
        return extract_svg(data)
    raise BadgeError(codes.IMAGE_NOT_RECOGNISED)


def extract(source: BadgeSource) -> Extracted:
    """Recognise a BadgeSource. URLs are returned as-is (the verifier fetches them)."""
    given = [v for v in (source.url, source.text, source.data) if v is not None]
    if len(given) != 1:
        raise BadgeError(codes.INPUT_AMBIGUOUS if given else codes.INPUT_EMPTY)
    if source.url is not None:
        url = source.url.strip()
        if not url:
            raise BadgeError(codes.INPUT_EMPTY)
        if not _ANY_URL.match(url):
            raise BadgeError(codes.FETCH_BAD_URL)
        return Extracted("url", url, "url")  # scheme and host are checked by the fetcher (FETCH_BAD_SCHEME …)
    if source.text is not None:
        return parse_text(source.text)
    assert source.data is not None
    if not source.data:
        raise BadgeError(codes.INPUT_EMPTY)
    return extract_image(bytes(source.data))
