"""Baked-data extraction: PNG chunk walking (never pixels), SVG via defusedxml, text classification."""

from __future__ import annotations

import io

import pytest

from badges.openbadges import BadgeError, BadgeSource, codes, extract
from badges.openbadges.extract import extract_png, extract_svg, parse_text

from .conftest import A, requires_vectors, vector_bytes
from .pngutil import SIGNATURE, chunk, ihdr, itxt, png


def _code(fn, *args) -> str:
    with pytest.raises(BadgeError) as err:
        fn(*args)
    return err.value.code


@requires_vectors
def test_baked_png_yields_the_hosted_assertion_json() -> None:
    item = extract(BadgeSource.from_image(vector_bytes("ob2/baked-hosted-assertion.png")))
    assert (item.kind, item.container, item.ob3) == ("json", "png", False)
    assert item.value["id"] == A


@requires_vectors
def test_ob3_png_keyword_marks_the_payload_as_a_credential() -> None:
    item = extract(BadgeSource.from_image(vector_bytes("ob3/baked-eddsa-json.png")))
    assert item.ob3 is True and item.kind == "json"


@requires_vectors
def test_svg_verify_attribute_wins_over_body() -> None:
    item = extract(BadgeSource.from_image(vector_bytes("ob2/baked-hosted-assertion.svg")))
    assert (item.kind, item.value) == ("url", A)


def test_svg_jws_body_is_accepted_without_verify_attribute() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b"<openbadges:assertion><![CDATA[aGVhZA.cGF5bG9hZA.c2ln]]></openbadges:assertion></svg>"
    )
    item = extract_svg(svg)
    assert (item.kind, item.value) == ("jws", "aGVhZA.cGF5bG9hZA.c2ln")


def test_legacy_text_chunk_with_url_is_read() -> None:
    data = png(chunk(b"tEXt", b"openbadges\x00https://issuer.example/a/1"))
    item = extract_png(data)
    assert (item.kind, item.value) == ("url", "https://issuer.example/a/1")


def test_compressed_itxt_is_inflated() -> None:
    item = extract_png(png(itxt(b"openbadges", '{"id": "https://i.example/1"}', compressed=True)))
    assert item.value == {"id": "https://i.example/1"}


def test_png_without_badge_chunk_has_a_code() -> None:
    assert _code(extract_png, png(chunk(b"tEXt", b"Software\x00x"))) == codes.PNG_NO_BADGE


@pytest.mark.parametrize("cut", [8, 12, 30, 60, -13, -1])
def test_truncated_png_has_a_code(cut: int) -> None:
    data = png(itxt(b"openbadges", "https://i.example/1"))
    assert _code(extract_png, data[:cut]) == codes.PNG_TRUNCATED


def test_png_with_bad_crc_on_the_badge_chunk_is_corrupt() -> None:
    good = itxt(b"openbadges", "https://i.example/1")
    bad = good[:-4] + b"\x00\x00\x00\x00"
    assert _code(extract_png, png(bad)) == codes.PNG_CORRUPT


def test_png_not_starting_with_ihdr_is_corrupt() -> None:
    data = SIGNATURE + chunk(b"tEXt", b"openbadges\x00https://x.example/") + ihdr() + chunk(b"IEND", b"")
    assert _code(extract_png, data) == codes.PNG_CORRUPT


def test_absurd_chunk_length_is_corrupt_not_a_huge_read() -> None:
    data = SIGNATURE + ihdr() + b"\xff\xff\xff\xffIDAT"
    assert _code(extract_png, data) == codes.PNG_CORRUPT


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        out = super().read(size)
        self.bytes_read += len(out)
        return out


def test_twenty_megabyte_png_is_read_by_seeking_past_pixel_data() -> None:
    idat = chunk(b"IDAT", bytes(20_000_000))
    data = png(idat, itxt(b"openbadges", "https://issuer.example/assertions/20mb"))
    assert len(data) > 20_000_000
    stream = CountingStream(data)

    item = extract_png(stream)

    assert item.value == "https://issuer.example/assertions/20mb"
    # Headers and the badge chunk only; IDAT was skipped with a seek. (Speed is in `make bench`.)
    assert stream.bytes_read < 1_000


def test_svg_external_entity_is_refused() -> None:
    svg = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="&xxe;"/></svg>'
    )
    assert _code(extract_svg, svg) == codes.SVG_FORBIDDEN_ENTITY


def test_svg_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    svg = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol0 "lol">{entities}]>'
        '<svg xmlns="http://www.w3.org/2000/svg">&lol9;</svg>'
    ).encode()
    assert _code(extract_svg, svg) == codes.SVG_FORBIDDEN_ENTITY


def test_malformed_svg_has_a_code() -> None:
    assert _code(extract_svg, b"<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>") == codes.SVG_INVALID


@pytest.mark.parametrize(
    "text,kind",
    [
        ('  {"id": "x"}  ', "json"),
        ("eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln", "jws"),
        ("https://issuer.example/a/1", "url"),
    ],
)
def test_text_is_classified(text: str, kind: str) -> None:
    assert parse_text(text).kind == kind


@pytest.mark.parametrize(
    "text,code",
    [
        ("hello there", codes.INPUT_UNRECOGNISED),
        ("   ", codes.INPUT_EMPTY),
        ("[1, 2]", codes.INPUT_UNRECOGNISED),
        ("{not json", codes.JSON_INVALID),
        ("[" * 10_000 + "]" * 10_000, codes.JSON_TOO_DEEP),
        ('{"a": NaN}', codes.JSON_INVALID),
    ],
)
def test_bad_text_has_a_code(text: str, code: str) -> None:
    assert _code(parse_text, text) == code


def test_brackets_inside_strings_do_not_count_towards_depth() -> None:
    item = parse_text('{"s": "' + "[" * 5000 + '"}')
    assert item.value["s"] == "[" * 5000
