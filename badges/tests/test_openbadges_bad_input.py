"""Hostile and broken input: every case is a FAILED result with a code, never an exception from verify()."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings
from typing import Any

import base58
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from joserfc import jws
from joserfc.jwk import OKPKey, RSAKey

from badges.openbadges import BadgeSource, Fetcher, codes, verify

from .conftest import (
    CTX2,
    NOBODY,
    NOW,
    OB2_BASE,
    OB3_CTX,
    PUBLIC_IP,
    A,
    make_fetcher,
    requires_vectors,
    vector_bytes,
    vector_text,
)
from .pngutil import chunk, png


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def run(source: BadgeSource, routes: dict[str, Any] | None = None, identities: list[str] | None = None, **kwargs: Any):
    fetcher, server = make_fetcher(routes or {}, **kwargs)
    result = verify(source, fetcher=fetcher, now=NOW, identities=[NOBODY] if identities is None else identities)
    json.dumps(result.to_report())
    return result, server


def assert_failed(result: Any, code: str) -> None:
    assert result.status == "FAILED"
    assert code in result.errors, result.errors


# --- images and text --------------------------------------------------------------------------------------------
def test_png_with_no_badge_fails_with_code() -> None:
    result, _ = run(BadgeSource.from_image(png(chunk(b"tEXt", b"Comment\x00hi"))))
    assert_failed(result, codes.PNG_NO_BADGE)


def test_truncated_png_fails_with_code() -> None:
    data = png(chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + A.encode()))
    result, server = run(BadgeSource.from_image(data[: len(data) // 2]))
    assert_failed(result, codes.PNG_TRUNCATED)
    assert server.total == 0


def test_two_hundred_megabyte_upload_is_refused_unread() -> None:
    result, _ = run(BadgeSource.from_image(b"\x89PNG\r\n\x1a\n" + bytes(200_000_000)))
    assert_failed(result, codes.INPUT_TOO_LARGE)


def test_oversize_pasted_text_is_refused() -> None:
    result, _ = run(BadgeSource.from_text('{"a": "' + "x" * 1_100_000 + '"}'))
    assert_failed(result, codes.INPUT_TOO_LARGE)


def test_svg_with_external_entity_fails_with_code() -> None:
    svg = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "http://169.254.169.254/">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b"<openbadges:assertion>&xxe;</openbadges:assertion></svg>"
    )
    result, server = run(BadgeSource.from_image(svg, "image/svg+xml"))
    assert_failed(result, codes.SVG_FORBIDDEN_ENTITY)
    assert server.total == 0


def test_svg_billion_laughs_fails_with_code() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    svg = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "lol">{entities}]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&l9;</text></svg>'
    ).encode()
    result, _ = run(BadgeSource.from_image(svg))
    assert_failed(result, codes.SVG_FORBIDDEN_ENTITY)


def test_json_nested_ten_thousand_deep_fails_with_code() -> None:
    result, _ = run(BadgeSource.from_text('{"a": ' * 10_000 + "1" + "}" * 10_000))
    assert_failed(result, codes.JSON_TOO_DEEP)


def test_json_nested_ten_thousand_deep_from_a_url_fails_with_code() -> None:
    deep = ("[" * 10_000 + "]" * 10_000).encode()
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=deep, headers={"Content-Type": "application/json"})
    )
    fetcher = Fetcher(transport=transport, resolver=lambda h: [PUBLIC_IP])
    result = verify(BadgeSource.from_url(A), fetcher=fetcher, now=NOW, identities=[NOBODY])
    assert_failed(result, codes.JSON_TOO_DEEP)


@pytest.mark.parametrize(
    "source,code",
    [
        (BadgeSource(), codes.INPUT_EMPTY),
        (BadgeSource(url=A, text="{}"), codes.INPUT_AMBIGUOUS),
        (BadgeSource.from_image(b""), codes.INPUT_EMPTY),
        (BadgeSource.from_image(b"GIF89a\x01\x00"), codes.IMAGE_NOT_RECOGNISED),
        (BadgeSource.from_text("just some words"), codes.INPUT_UNRECOGNISED),
        (BadgeSource.from_text('{"hello": "world"}'), codes.INPUT_UNRECOGNISED),
        (BadgeSource.from_text("e30.e30.e30.e30"), codes.INPUT_UNRECOGNISED),
        (BadgeSource.from_url("not a url"), codes.FETCH_BAD_URL),
        (BadgeSource.from_url("file:///etc/passwd"), codes.FETCH_BAD_SCHEME),
    ],
)
def test_unusable_input_fails_with_code(source: BadgeSource, code: str) -> None:
    result, server = run(source)
    assert_failed(result, code)
    assert server.total == 0


# --- JWS algorithm attacks -------------------------------------------------------------------------------------------
def _payload() -> dict[str, Any]:
    token = vector_text("ob2/signed-assertion.jws").strip()
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


@requires_vectors
def test_jws_with_alg_none_fails() -> None:
    token = b64(b'{"alg":"none"}') + "." + b64(json.dumps(_payload()).encode()) + "."
    result, server = run(BadgeSource.from_text(token), {**OB2_BASE, **CTX2})
    assert_failed(result, codes.JWS_ALG_NOT_ALLOWED)
    assert server.total == 0


@requires_vectors
def test_jws_hs256_signed_with_the_issuer_public_key_as_secret_fails() -> None:
    secret = json.loads(vector_text("ob2/key1.json"))["publicKeyPem"].encode()
    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(_payload()).encode())
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    result, _ = run(BadgeSource.from_text(f"{signing_input}.{b64(sig)}"), {**OB2_BASE, **CTX2})
    assert_failed(result, codes.JWS_ALG_NOT_ALLOWED)


@requires_vectors
def test_jws_signed_by_a_key_the_issuer_does_not_own_fails() -> None:
    attacker = RSAKey.import_key(generate_private_key(65537, 2048))
    token = jws.serialize_compact({"alg": "RS256"}, json.dumps(_payload()), attacker)
    result, _ = run(BadgeSource.from_text(token), {**OB2_BASE, **CTX2})
    assert_failed(result, codes.JWS_SIGNATURE_INVALID)


# --- SSRF through verify() ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/badge.json",
        "http://10.1.2.3/badge.json",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://0.0.0.0:8000/x",
    ],
)
def test_url_at_private_address_fails_without_a_request(url: str) -> None:
    result, server = run(BadgeSource.from_url(url))
    assert_failed(result, codes.FETCH_BLOCKED_ADDRESS)
    assert server.total == 0


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/a.json", "http://127.0.0.1:8000/"]
)
def test_url_redirecting_to_private_address_fails(target: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == A:
            return httpx.Response(302, headers={"Location": target})
        raise AssertionError(f"must not be requested: {request.url}")

    fetcher = Fetcher(transport=httpx.MockTransport(handler), resolver=lambda h: [PUBLIC_IP])
    result = verify(BadgeSource.from_url(A), fetcher=fetcher, now=NOW, identities=[NOBODY])
    assert_failed(result, codes.FETCH_BLOCKED_ADDRESS)


@requires_vectors
def test_assertion_naming_a_private_badgeclass_url_fails() -> None:
    doc = json.loads(vector_text("ob2/assertion-hosted-basic.json"))
    doc["badge"] = "http://169.254.169.254/latest/meta-data/"
    fetcher = Fetcher(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=doc)), resolver=lambda h: [PUBLIC_IP]
    )
    result = verify(BadgeSource.from_url(A), fetcher=fetcher, now=NOW, identities=[NOBODY])
    assert_failed(result, codes.BADGECLASS_UNAVAILABLE)
    assert any("FETCH_BLOCKED_ADDRESS" in c.message for c in result.checks)


# --- recipients ----------------------------------------------------------------------------------------------------
@requires_vectors
def test_assertion_hashed_for_someone_else_fails_recipient_check() -> None:
    result, _ = run(
        BadgeSource.from_url(A),
        {A: "ob2/assertion-hosted-basic.json", **OB2_BASE, **CTX2},
        identities=["mallory@example.org", "nobody@example.org.evil"],
    )
    assert_failed(result, codes.RECIPIENT_MISMATCH)
    assert result.recipient_matched is False


@requires_vectors
def test_member_without_verified_addresses_matches_nothing() -> None:
    result, _ = run(BadgeSource.from_url(A), {A: "ob2/assertion-hosted-basic.json", **OB2_BASE, **CTX2}, identities=[])
    assert_failed(result, codes.RECIPIENT_MISMATCH)


# --- OB 3.0 VC-JWT -----------------------------------------------------------------------------------------------
def _did_key(private: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + base58.b58encode(b"\xed\x01" + raw).decode()


def _vc(issuer: str, subject: str) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2f0a5f8e-6b1e-4a4e-9b61-0d4b1a0b7c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Did Key Academy"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Rust",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": subject,
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "pepper",
                    "identityHash": "sha256$" + hashlib.sha256(b"ada@example.org" + b"pepper").hexdigest(),
                }
            ],
            "achievement": {
                "id": "https://academy.example/achievements/rust",
                "type": ["Achievement"],
                "name": "Rust",
                "description": "Writes Rust.",
                "criteria": {"narrative": "Shipped a crate."},
            },
        },
    }


def _vcjwt(header_extra: dict[str, Any] | None = None, claims: dict[str, Any] | None = None) -> tuple[str, str]:
    private = Ed25519PrivateKey.generate()
    did = _did_key(private)
    vc = _vc(did, "mailto:ada@example.org")
    payload = {**vc, "iss": did, "sub": "mailto:ada@example.org", "jti": vc["id"], "nbf": 1704067200, **(claims or {})}
    key = OKPKey.import_key(private)
    header = {"alg": "EdDSA", "kid": f"{did}#{did[8:]}", **(header_extra or {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc: "EdDSA is deprecated via RFC 9864" (OB 3.0 still names it)
        return jws.serialize_compact(header, json.dumps(payload), key, algorithms=["EdDSA"]), did


def test_vc_jwt_from_a_did_key_issuer_verifies_and_matches_hashed_email() -> None:
    token, did = _vcjwt()
    result, server = run(BadgeSource.from_text(token), OB3_CTX, identities=["Ada@Example.org"])
    assert result.status == "VERIFIED", result.errors
    assert result.recipient_matched is True
    assert (result.spec_version, result.verification_method, result.issuer_id) == ("3.0", "vc-jwt", did)
    assert server.total == 0


def test_vc_jwt_past_exp_is_expired() -> None:
    token, _ = _vcjwt(claims={"exp": 1706745600})  # 2024-02-01
    result, _ = run(BadgeSource.from_text(token), OB3_CTX, identities=["ada@example.org"])
    assert result.status == "EXPIRED"
    assert result.errors == [codes.EXPIRED]


def test_vc_jwt_with_iss_not_the_issuer_fails() -> None:
    token, _ = _vcjwt(claims={"iss": "https://someone-else.example/"})
    result, _ = run(BadgeSource.from_text(token), OB3_CTX, identities=["ada@example.org"])
    assert_failed(result, codes.VCJWT_ISS_MISMATCH)


def test_vc_jwt_with_a_private_key_in_the_header_is_refused() -> None:
    private = RSAKey.import_key(generate_private_key(65537, 2048))
    vc = _vc("https://issuer.example/", "mailto:ada@example.org")
    token = jws.serialize_compact(
        {"alg": "RS256", "jwk": private.as_dict(private=True)},
        json.dumps({**vc, "iss": "https://issuer.example/", "sub": "mailto:ada@example.org"}),
        private,
        registry=_big_header_registry(),
    )
    result, _ = run(BadgeSource.from_text(token), OB3_CTX, identities=["ada@example.org"])
    assert_failed(result, codes.VCJWT_PRIVATE_KEY_IN_HEADER)


def test_vc_jwt_with_alg_none_is_refused() -> None:
    vc = _vc("https://issuer.example/", "mailto:ada@example.org")
    token = b64(b'{"alg":"none"}') + "." + b64(json.dumps(vc).encode()) + "."
    result, _ = run(BadgeSource.from_text(token), OB3_CTX, identities=["ada@example.org"])
    assert_failed(result, codes.JWS_ALG_NOT_ALLOWED)


def _big_header_registry():
    from badges.openbadges.ob3 import JWS_REGISTRY

    return JWS_REGISTRY


# --- robustness -----------------------------------------------------------------------------------------------------
@requires_vectors
@pytest.mark.parametrize(
    "name",
    [
        "ob2/baked-hosted-assertion.png",
        "ob3/baked-eddsa-json.png",
        "ob2/baked-signed-assertion.svg",
        "ob3/baked-vc-jwt-embedded-jwk.svg",
    ],
)
def test_every_truncation_of_a_baked_badge_fails_cleanly(name: str) -> None:
    data = vector_bytes(name)
    fetcher, _ = make_fetcher({})
    for cut in range(0, len(data), max(1, len(data) // 97)):
        result = verify(BadgeSource.from_image(data[:cut]), fetcher=fetcher, now=NOW, identities=[NOBODY])
        assert result.status == "FAILED"
        assert result.errors and codes.INTERNAL_ERROR not in result.errors, (cut, result.errors)
