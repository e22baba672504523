"""OB 3.0 key binding: which public key may verify a credential of a given issuer (docs/openbadges.md, "Trust model").

A key counts only when a document the issuer controls names it:

* ``did:key`` issuer: the key *is* the identifier. Authentic, but self-issued: anyone can mint such an issuer
  with any ``name``. ``issuer_binding = "self-issued"`` (shown as such, never evidence).
* ``did:web`` issuer: its DID document (``https://host/.well-known/did.json`` or ``https://host/path/did.json``;
  plain http only for hosts the deployment allows) must list the verification method.
* ``https`` issuer id: the profile (or controller document) served at that id must list the method.

Keys the credential carries itself (a Multikey in the ``verificationMethod`` fragment, a public ``jwk`` header) are
used only when that document lists the same key. No document (404, an HTML page, not JSON, unreachable) means
``ISSUER_KEY_UNCONFIRMED``; a document that lists other keys means ``KEY_NOT_BOUND_TO_ISSUER``. Both are fatal.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwk import import_key as jose_import_key

from . import codes
from .fetcher import Fetcher, FetchError
from .model import BadgeError, Run
from .util import as_list, host_of, is_http_url, node_id, same_origin, strip_fragment

MULTIKEY_ED25519_PREFIX = b"\xed\x01"
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_DID_WEB_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
_DID_WEB_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=@-]+$")


@dataclass(frozen=True)
class PublicKey:
    """A public key as SubjectPublicKeyInfo DER; its fingerprint is what a trust registry pins."""

    der: bytes

    @property
    def fingerprint(self) -> str:
        return "sha256:" + hashlib.sha256(self.der).hexdigest()

    def crypto(self) -> Any:
        return serialization.load_der_public_key(self.der)

    def ed25519(self) -> Ed25519PublicKey | None:
        key = self.crypto()
        return key if isinstance(key, Ed25519PublicKey) else None

    def jose(self) -> Any:
        key = self.crypto()
        kty: Literal["OKP", "RSA", "EC"] | None = (
            "OKP"
            if isinstance(key, Ed25519PublicKey)
            else "RSA"
            if isinstance(key, RSAPublicKey)
            else "EC"
            if isinstance(key, EllipticCurvePublicKey)
            else None
        )
        if kty is None:
            raise BadgeError(codes.SIGNING_KEY_INVALID, "Unsupported key type.")
        pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return jose_import_key(pem, kty)


def from_ed25519(key: Ed25519PublicKey) -> PublicKey:
    return PublicKey(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def from_multibase(value: str) -> PublicKey:
    """``z6Mk…`` = base58btc(0xed01 + 32-byte Ed25519 key)."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 128:
        raise BadgeError(codes.PROOF_KEY_UNAVAILABLE, "Multikey is not base58btc (z…).")
    try:
        raw = base58.b58decode(value[1:])
    except ValueError as exc:
        raise BadgeError(codes.PROOF_KEY_UNAVAILABLE, "Multikey is not valid base58.") from exc
    if not raw.startswith(MULTIKEY_ED25519_PREFIX) or len(raw) != 34:
        raise BadgeError(codes.PROOF_KEY_UNAVAILABLE, "Multikey is not an Ed25519 public key.")
    try:
        return from_ed25519(Ed25519PublicKey.from_public_bytes(raw[2:]))
    except ValueError as exc:
        raise BadgeError(codes.PROOF_KEY_UNAVAILABLE, "Multikey is not an Ed25519 public key.") from exc


def from_jwk(jwk: Any) -> PublicKey:
    if not isinstance(jwk, dict):
        raise BadgeError(codes.SIGNING_KEY_INVALID, "The JWK is not an object.")
    if PRIVATE_JWK_MEMBERS & set(jwk):
        raise BadgeError(codes.SIGNING_KEY_INVALID, "The JWK holds private key material.")
    try:
        key = jose_import_key(jwk)
        if isinstance(key, OctKey):  # a shared secret is no public key (and has no DER form)
            raise ValueError("symmetric key")
        return PublicKey(key.as_der(private=False))
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise BadgeError(codes.SIGNING_KEY_INVALID, "The JWK is not a usable public key.") from exc


def method_key(method: dict[str, Any]) -> PublicKey | None:
    """The key material of a verification method / JWK entry, or None when it carries none usable."""
    try:
        if isinstance(method.get("publicKeyMultibase"), str):
            return from_multibase(method["publicKeyMultibase"])
        if isinstance(method.get("publicKeyJwk"), dict):
            return from_jwk(method["publicKeyJwk"])
    except BadgeError:
        return None
    return None


def did_web_url(did: str, fetcher: Fetcher) -> str | None:
    """did:web:example.com -> https://example.com/.well-known/did.json; did:web:example.com:u:alice ->
    https://example.com/u/alice/did.json. http only for the fetcher's plain_http_hosts (by default its
    allow-list: local issuers, tests)."""
    parts = did.split(":")
    if len(parts) < 3 or parts[0] != "did" or parts[1] != "web":
        return None
    host = unquote(parts[2])
    if not _DID_WEB_HOST.match(host):
        return None
    segments = [unquote(p) for p in parts[3:]]
    if any(not _DID_WEB_SEGMENT.match(s) or s in (".", "..") for s in segments):
        return None
    scheme = "http" if fetcher.plain_http_allowed(host.split(":", 1)[0]) else "https"
    path = "/" + "/".join(segments) + "/did.json" if segments else "/.well-known/did.json"
    return f"{scheme}://{host}{path}"


@dataclass
class IssuerDocument:
    url: str
    methods: list[dict[str, Any]]  # verification methods / JWKs with an absolute "id" (may be None for a JWK)
    refs: list[str]  # methods listed by reference only (absolute ids)
    assertion_ids: set[str] | None  # ids under assertionMethod, None when the document has no such list
    secure: bool  # fetched over https (or from an explicitly allowed local host)


def _absolute(ident: Any, base: str) -> str | None:
    if not isinstance(ident, str) or not ident:
        return None
    return base + ident if ident.startswith("#") else ident


class KeyResolver:
    def __init__(self, run: Run, fetcher: Fetcher) -> None:
        self.run = run
        self.fetcher = fetcher

    def document(self, issuer_id: str) -> IssuerDocument | None:
        """The document the issuer controls, or None when none answers with usable JSON."""
        if issuer_id.startswith("did:web:"):
            url = did_web_url(strip_fragment(issuer_id), self.fetcher)
            expected = strip_fragment(issuer_id)
        elif is_http_url(issuer_id):
            url, expected = strip_fragment(issuer_id), strip_fragment(issuer_id)
        else:
            return None
        if url is None:
            return None
        try:
            _, doc = self.fetcher.fetch_json(url)
        except FetchError:
            return None
        if not isinstance(doc, dict):
            return None
        declared = node_id(doc.get("id"))
        if declared is not None and strip_fragment(declared) != expected:
            return None  # a document about someone else
        base = expected
        methods: list[dict[str, Any]] = []
        refs: list[str] = []
        for prop in ("verificationMethod", "assertionMethod", "publicKey"):
            for m in as_list(doc.get(prop))[:50]:
                if isinstance(m, dict):
                    methods.append({**m, "id": _absolute(node_id(m), base)})
                elif (ref := _absolute(m, base)) is not None:
                    refs.append(ref)
        for jwk in as_list(doc.get("keys"))[:50]:  # a JWK Set
            if isinstance(jwk, dict):
                methods.append({"id": _absolute(jwk.get("kid"), base), "publicKeyJwk": jwk})
        if doc.get("kty"):
            methods.append({"id": _absolute(doc.get("kid"), base), "publicKeyJwk": doc})
        assertion_ids: set[str] | None = None
        if "assertionMethod" in doc:
            assertion_ids = {a for a in (_absolute(node_id(m), base) for m in as_list(doc["assertionMethod"])) if a}
        secure = url.startswith("https://") or self.fetcher.host_allowed(host_of(url))
        return IssuerDocument(url, methods, refs, assertion_ids, secure)

    def resolve(
        self,
        issuer_id: str,
        *,
        vm: str | None,
        embedded: PublicKey | None,
        what: str,
        record: bool = True,
    ) -> PublicKey:
        """The key bound to ``issuer_id`` (fatal failure recorded under ``what`` otherwise).

        ``vm``: the verification method / kid the credential names; ``embedded``: key material it carries itself.
        ``record``: set the result's binding and fingerprint (False for a status list's own proof).
        """
        run, r = self.run, self.run.result
        if issuer_id.startswith("did:key:"):
            did = strip_fragment(issuer_id)
            if vm is not None and strip_fragment(vm) != did:
                run.failed(what, codes.KEY_NOT_BOUND_TO_ISSUER, f"{vm} is not the issuer's did:key.", fatal=True)
            try:
                key = from_multibase(did[len("did:key:") :])
            except BadgeError as exc:
                run.failed(what, exc.code, exc.message, fatal=True)
                raise
            if embedded is not None and embedded.der != key.der:
                run.failed(
                    what, codes.KEY_NOT_BOUND_TO_ISSUER, "The embedded key is not the issuer's did:key.", fatal=True
                )
            if record:
                r.issuer_binding, r.key_fingerprint = "self-issued", key.fingerprint
                run.passed("Issuer key", "The issuer is a did:key: its identifier is the signing key.")
                run.warn(
                    "Issuer identity",
                    codes.ISSUER_SELF_ISSUED,
                    f"Self-issued: {did[:32]}… is a key anyone can create; the issuer's claimed name is not confirmed.",
                )
            return key
        doc = self.document(issuer_id)
        if doc is None:
            run.failed(
                what,
                codes.ISSUER_KEY_UNCONFIRMED,
                f"No document controlled by the issuer {issuer_id} (a did:web DID document or an https profile "
                "listing its keys) answers, so the key cannot be tied to the issuer.",
                fatal=True,
            )
        assert doc is not None
        chosen: tuple[str | None, PublicKey] | None = None
        if vm is not None:
            method = next((m for m in doc.methods if m.get("id") == vm), None)
            if method is not None:
                listed = method_key(method)
                if listed is None:
                    run.failed(what, codes.PROOF_KEY_UNAVAILABLE, f"{vm} carries no usable public key.", fatal=True)
                chosen = (vm, listed)
            elif vm in doc.refs and is_http_url(vm) and same_origin(vm, doc.url):
                chosen = (vm, self._fetch_ref(vm, what))
        if chosen is not None and embedded is not None and chosen[1].der != embedded.der:
            run.failed(what, codes.KEY_NOT_BOUND_TO_ISSUER, f"The issuer publishes another key as {vm}.", fatal=True)
        if chosen is None and embedded is not None:
            for m in doc.methods:
                listed = method_key(m)
                if listed is not None and listed.der == embedded.der:
                    chosen = (m.get("id"), listed)
                    break
        if chosen is None and vm is None and embedded is None:
            keyed = [(m.get("id"), k) for m in doc.methods if (k := method_key(m)) is not None]
            if len(keyed) == 1:
                chosen = keyed[0]
        if chosen is None:
            run.failed(
                what,
                codes.KEY_NOT_BOUND_TO_ISSUER,
                f"The issuer's document {doc.url} does not list the key that signed this credential.",
                fatal=True,
            )
        assert chosen is not None
        method_id, key = chosen
        if doc.assertion_ids is not None and method_id is not None and method_id not in doc.assertion_ids:
            run.failed(
                what,
                codes.KEY_NOT_BOUND_TO_ISSUER,
                f"{method_id} is not one of the issuer's assertionMethod keys.",
                fatal=True,
            )
        if record:
            r.issuer_binding = "domain-bound" if doc.secure else None
            r.key_fingerprint = key.fingerprint
            run.passed("Issuer key", f"The issuer's document {doc.url} lists the signing key.")
            if not doc.secure:
                run.warn(
                    "Issuer identity",
                    codes.ISSUER_KEY_UNCONFIRMED,
                    f"{doc.url} was fetched over plain http: the issuer's domain is not confirmed.",
                )
        return key

    def _fetch_ref(self, url: str, what: str) -> PublicKey:
        try:
            _, doc = self.fetcher.fetch_json(url)
        except FetchError as exc:
            self.run.failed(what, codes.PROOF_KEY_UNAVAILABLE, f"{url} could not be fetched ({exc.code}).", fatal=True)
            raise
        key = method_key(doc) if isinstance(doc, dict) else None
        if key is None and isinstance(doc, dict) and doc.get("kty"):
            key = method_key({"publicKeyJwk": doc})
        if key is None:
            self.run.failed(what, codes.PROOF_KEY_UNAVAILABLE, f"{url} holds no usable public key.", fatal=True)
        assert key is not None
        return key
