"""Open Badges 2.0 verification (hosted and signed), following the 1EdTech verification procedure, plus the
legacy 1.0/1.1 and 0.5 assertions that are still in circulation (legacy.py holds the version-specific parts)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlsplit

from joserfc import jws as jose_jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from . import codes, recipient
from .fetcher import Fetcher, FetchError
from .model import Abort, BadgeError, Run
from .util import (
    as_list,
    as_object,
    decode_jws_checked,
    evidence_items,
    first_text,
    has_prefix,
    host_of,
    is_http_url,
    is_iri,
    node_id,
    origin_of,
    origin_tuple,
    parse_datetime,
    safe_url,
    same_origin,
    sniff_image_kind,
    strip_fragment,
    types_of,
)

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB1_CONTEXT = "https://w3id.org/openbadges/v1"
HOSTED_TYPES = {"hosted", "HostedBadge"}
SIGNED_TYPES = {"signed", "SignedBadge"}
ALLOWED_JWS_ALGS = {"RS256"}  # OB 2.0 signed badges: RS256 only. "none", HS*, and everything else are refused.


class _Registry(jose_jws.JWSRegistry):
    max_payload_length = 1_000_000  # joserfc's default (128 kB) would refuse large but legitimate assertions


JWS_REGISTRY = _Registry(algorithms=sorted(ALLOWED_JWS_ALGS))


def _norm_ctx(url: str) -> str:
    return url.rstrip("/").replace("http://", "https://", 1)


def context_urls(doc: dict[str, Any]) -> list[str]:
    return [_norm_ctx(c) for c in as_list(doc.get("@context")) if isinstance(c, str)]


def detect_version(doc: dict[str, Any]) -> str | None:
    """ "2.0", "1.1", "1.0", "0.5" or None when this is not an OB 0.5–2.0 assertion at all."""
    ctx = context_urls(doc)
    if OB2_CONTEXT in ctx:
        return "2.0"
    if OB1_CONTEXT in ctx:
        return "1.1"
    if "@context" in doc:
        # A context we do not know; if it otherwise looks like an OB 2.0 assertion, report it as such so the
        # context check fails with CONTEXT_UNKNOWN rather than "unrecognised input".
        return "2.0" if ("verification" in doc or "type" in doc or "id" in doc) else None
    if isinstance(doc.get("verify"), dict) or "uid" in doc:
        return "1.0"
    if isinstance(doc.get("badge"), dict) and isinstance(doc.get("recipient"), str):
        return "0.5"
    return None


def hosted_url_of(doc: dict[str, Any], version: str) -> str | None:
    """Where the issuer hosts this assertion (the only copy we trust), if anywhere."""
    if version == "2.0":
        ident = doc.get("id")
        return ident if is_http_url(ident) else None
    if version in ("1.0", "1.1"):
        verify = doc.get("verify")
        url = verify.get("url") if isinstance(verify, dict) and verify.get("type") == "hosted" else None
        if is_http_url(url):
            return url
        ident = doc.get("id")
        return ident if is_http_url(ident) else None
    return None


def _origin_allowed(url: str, entry: str) -> bool:
    """An allowedOrigins entry admits ``url``. A full origin (``https://host:port``) must equal the URL's origin; a
    bare host (the spec's "host registered name", optionally with ``:port``) must equal its host, on the default
    port of the URL's scheme unless a port is given."""
    target = origin_tuple(url)
    if target is None:
        return False
    if "://" in entry:
        return origin_tuple(entry) == target and not urlsplit(entry).path.strip("/")
    wanted = origin_tuple("https://" + entry.strip("/"))
    if wanted is None or "/" in entry.strip("/"):
        return False
    explicit_port = urlsplit("https://" + entry).port is not None
    _, host, port = target
    return wanted[1] == host and (port == wanted[2] if explicit_port else port == {"http": 80, "https": 443}[target[0]])


def _data_uri_bytes(uri: str) -> bytes | None:
    head, sep, data = uri.partition(",")
    if not sep:
        return None
    try:
        return base64.b64decode(data, validate=False) if head.endswith(";base64") else data.encode()
    except ValueError:
        return None


class OB2Verifier:
    def __init__(self, run: Run, fetcher: Fetcher) -> None:
        self.run = run
        self.fetcher = fetcher
        self.r = run.result

    # --- entry points ---------------------------------------------------------------------------------------
    def verify_hosted(self, url: str, *, hops: int = 0) -> None:
        """Fetch the assertion from its issuer and verify that copy."""
        run = self.run
        self.r.verification_method = "hosted"
        try:
            response, doc = self.fetcher.fetch_json(url)
        except FetchError as exc:
            if exc.status == 410:
                self._revoked_by_gone(url, exc)
                raise Abort(codes.REVOKED) from exc
            run.failed(
                "Fetch hosted assertion",
                exc.code,
                f"The assertion at {url} could not be fetched ({exc.code}: {exc.message})",
                fatal=True,
            )
            raise  # unreachable
        run.passed("Fetch hosted assertion", f"Fetched the assertion from {url}.")
        if not isinstance(doc, dict):
            run.failed(
                "Fetch hosted assertion", codes.TYPE_INVALID, "The hosted document is not a JSON object.", fatal=True
            )
        self.verify_hosted_document(url, doc, hops=hops)

    def verify_fetched_document(self, url: str, doc: dict[str, Any]) -> None:
        """A document fetched from a URL the member gave: the same verdict as the same JSON baked in an image."""
        version = detect_version(doc)
        verification = doc.get("verification") if version == "2.0" else doc.get("verify")
        vtype = verification.get("type") if isinstance(verification, dict) else None
        if doc.get("revoked") is not True and vtype in SIGNED_TYPES:
            self.r.spec_version = version
            self.run.failed(
                "Verification type",
                codes.JWS_MALFORMED,
                "A signed assertion must be supplied as its JWS, not as bare JSON.",
                fatal=True,
            )
        self.verify_hosted_document(url, doc)

    def verify_hosted_document(self, url: str, doc: dict[str, Any], *, hops: int = 0) -> None:
        run = self.run
        if doc.get("revoked") is True:
            self.r.identity = f"ob2:{strip_fragment(url)}"
            self.r.revocation_reason = first_text(doc.get("revocationReason"))
            self.r.spec_version = "2.0"
            run.failed(
                "Revocation",
                codes.REVOKED,
                "The issuer marks this assertion as revoked"
                + (f": {self.r.revocation_reason}" if self.r.revocation_reason else "."),
            )
            raise Abort(codes.REVOKED)
        version = detect_version(doc)
        if version is None:
            run.failed(
                "Recognise assertion",
                codes.INPUT_UNRECOGNISED,
                "The hosted document is not an Open Badges assertion.",
                fatal=True,
            )
        assert version is not None
        self.r.spec_version = version
        if version == "0.5":
            from .legacy import verify_ob05

            verify_ob05(self, doc, hosted_url=url)
            return
        declared = hosted_url_of(doc, version)
        if declared is not None and strip_fragment(declared) != strip_fragment(url):
            if hops == 0:
                # The document we were given points at its canonical location: trust only that copy.
                run.passed("Locate hosted assertion", f"The document names {declared} as its hosted location.")
                self.verify_hosted(declared, hops=1)
                return
            run.failed(
                "Hosted assertion id",
                codes.ASSERTION_ID_MISMATCH,
                f"The assertion fetched from {url} identifies itself as {declared}.",
                fatal=True,
            )
        if declared is None and version == "2.0":
            run.failed(
                "Hosted assertion id",
                codes.ASSERTION_ID_MISMATCH,
                "A hosted assertion must have an http(s) id.",
                fatal=True,
            )
        run.passed("Hosted assertion id", "The assertion identifies itself by the address it was fetched from.")
        if version in ("1.0", "1.1"):
            from .legacy import verify_ob10

            verify_ob10(self, doc, hosted_url=url)
            return
        self.verify_assertion(doc, hosted_url=url)

    def verify_local_json(self, doc: dict[str, Any]) -> None:
        """JSON that was pasted or baked: it only tells us where the issuer hosts the real assertion."""
        run = self.run
        if doc.get("revoked") is True and is_http_url(doc.get("id")):
            self.verify_hosted(doc["id"])
            return
        version = detect_version(doc)
        if version is None:
            run.failed(
                "Recognise assertion", codes.INPUT_UNRECOGNISED, "The JSON is not an Open Badges assertion.", fatal=True
            )
        assert version is not None
        self.r.spec_version = version
        verification = doc.get("verification") if version == "2.0" else doc.get("verify")
        vtype = verification.get("type") if isinstance(verification, dict) else None
        if vtype in SIGNED_TYPES:
            run.failed(
                "Verification type",
                codes.JWS_MALFORMED,
                "A signed assertion must be supplied as its JWS, not as bare JSON.",
                fatal=True,
            )
        url = hosted_url_of(doc, version)
        if url is None:
            run.failed(
                "Locate hosted assertion",
                codes.LEGACY_UNVERIFIABLE if version == "0.5" else codes.PROPERTY_MISSING,
                "The assertion does not say where its issuer hosts it, so it cannot be verified.",
                fatal=True,
            )
        run.passed(
            "Locate hosted assertion", f"The supplied JSON names {url}; only the copy fetched from there is used."
        )
        assert url is not None
        self.verify_hosted(url, hops=1)

    def verify_signed(self, token: str) -> None:
        run = self.run
        self.r.verification_method = "signed"
        _header, payload, raw = decode_jws_checked(
            run, token, step="Decode signature", allowed=ALLOWED_JWS_ALGS, refusal="OB 2.0 signed badges use RS256."
        )
        run.passed("Signature algorithm", "RS256.")
        version = detect_version(payload) or "2.0"
        self.r.spec_version = version
        self.r.identity = (
            f"ob2:{payload['id']}" if is_iri(payload.get("id")) else f"jws:{hashlib.sha256(raw).hexdigest()}"
        )
        verification = as_object(payload.get("verification"))
        if verification.get("type") not in SIGNED_TYPES:
            run.failed(
                "Verification type",
                codes.VERIFICATION_TYPE_INVALID,
                "The signed payload does not declare signed verification.",
                fatal=True,
            )
        # The payload is not trusted yet; we read it only to find which issuer and key to check it against.
        badge = self._badge_class(payload)
        issuer = self._issuer(badge)
        key_doc, key_id = self._signing_key(verification.get("creator"), issuer)
        try:
            pub = RSAKey.import_key(key_doc["publicKeyPem"])
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            run.failed("Signing key", codes.SIGNING_KEY_INVALID, f"{key_id} is not an RSA public key.", fatal=True)
            raise BadgeError(codes.SIGNING_KEY_INVALID) from exc
        if pub.is_private:
            run.failed("Signing key", codes.SIGNING_KEY_INVALID, "The published key is a private key.", fatal=True)
        try:
            jose_jws.deserialize_compact(token.strip(), pub, algorithms=sorted(ALLOWED_JWS_ALGS), registry=JWS_REGISTRY)
        except (JoseError, ValueError) as exc:
            run.failed(
                "Signature", codes.JWS_SIGNATURE_INVALID, f"The signature does not verify with {key_id}.", fatal=True
            )
            raise BadgeError(codes.JWS_SIGNATURE_INVALID) from exc
        run.passed("Signature", f"RS256 signature verifies with the issuer's key {key_id}.")
        self.r.assertion = payload
        self.verify_assertion(payload, hosted_url=None, badge=badge, issuer=issuer)
        self._revocation_list(payload, issuer)

    # --- the shared procedure ----------------------------------------------------------------------------------
    def verify_assertion(
        self,
        doc: dict[str, Any],
        *,
        hosted_url: str | None,
        badge: dict[str, Any] | None = None,
        issuer: dict[str, Any] | None = None,
    ) -> None:
        run, r = self.run, self.r
        r.assertion = doc
        r.spec_version = "2.0"
        ctx = context_urls(doc)
        if OB2_CONTEXT not in ctx:
            shown = doc.get("@context") if isinstance(doc.get("@context"), str) else "an unsupported value"
            run.failed("JSON-LD context", codes.CONTEXT_UNKNOWN, f"@context is {shown}, not {OB2_CONTEXT}.", fatal=True)
        run.passed("JSON-LD context", f"{OB2_CONTEXT}.")
        if "Assertion" not in types_of(doc):
            run.failed(
                "Type", codes.TYPE_INVALID, f"type is {doc.get('type')!r}; it must include Assertion.", fatal=True
            )
        run.passed("Type", "Assertion.")
        self._required(doc, "Assertion", ["id", "recipient", "badge", "verification", "issuedOn"])
        if not is_iri(doc.get("id")):
            run.failed("Assertion id", codes.PROPERTY_INVALID, "id must be an IRI.", fatal=True)
        if r.identity is None:
            r.identity = f"ob2:{doc['id']}"
        verification = doc.get("verification")
        vtype = verification.get("type") if isinstance(verification, dict) else None
        expected = HOSTED_TYPES if hosted_url is not None else SIGNED_TYPES
        if vtype not in expected:
            run.failed(
                "Verification type",
                codes.VERIFICATION_TYPE_INVALID,
                f"verification.type is {vtype!r}, expected {'hosted' if hosted_url else 'signed'}.",
                fatal=True,
            )
        run.passed("Verification type", str(vtype))
        if badge is None:
            badge = self._badge_class(doc)
        if issuer is None:
            issuer = self._issuer(badge)
        if hosted_url is not None:
            self._scope(doc["id"], issuer, verification if isinstance(verification, dict) else {})
        self._metadata(badge, issuer, doc)
        self._badge_image(badge.get("image"))
        self._dates(doc.get("issuedOn"), doc.get("expires"), legacy=False)
        self._recipient(doc.get("recipient"))

    # --- pieces ---------------------------------------------------------------------------------------------
    def _required(self, doc: dict[str, Any], what: str, props: list[str]) -> None:
        missing = [p for p in props if doc.get(p) in (None, "", [], {})]
        if missing:
            self.run.failed(
                f"{what} properties", codes.PROPERTY_MISSING, f"{what} is missing {', '.join(missing)}.", fatal=True
            )
        self.run.passed(f"{what} properties", f"{what} has {', '.join(props)}.")

    def _fetch_node(self, value: Any, what: str, unavailable: str, *, allow_embedded: bool) -> dict[str, Any]:
        """The node as its publisher serves it.

        An object with an http(s) id is trusted only as fetched from that id: an embedded copy (inline in an
        assertion or a baked image) is ignored, whatever it says. ``allow_embedded`` admits an embedded object
        without an http(s) id (e.g. a BadgeClass with a ``urn:uuid`` id inside a hosted assertion, which the issuer
        served itself). The returned copy carries the id it was fetched from as ``id``.
        """
        url = node_id(value)
        if not is_http_url(url):
            if allow_embedded and isinstance(value, dict) and not (set(value) <= {"id", "@id"}):
                return value
            self.run.failed(
                what, unavailable, f"{what} must be identified by the http(s) URL that publishes it.", fatal=True
            )
        assert url is not None
        try:
            _, doc = self.fetcher.fetch_json(url)
        except FetchError as exc:
            self.run.failed(what, unavailable, f"{what} at {url} could not be fetched ({exc.code}).", fatal=True)
            raise
        if not isinstance(doc, dict):
            self.run.failed(what, unavailable, f"{what} at {url} is not a JSON object.", fatal=True)
        if isinstance(value, dict) and not (set(value) <= {"id", "@id"}):
            self.run.passed(f"{what} source", f"The embedded {what} was replaced by the copy published at {url}.")
        declared = node_id(doc.get("id"))
        if declared is not None and strip_fragment(declared) != strip_fragment(url):
            # The reference validator warns here too. We go on with the document the issuer serves at url, and
            # it is known by that url: a document cannot claim another publisher's id.
            self.run.warn(what, codes.PROPERTY_INVALID, f"{what} fetched from {url} declares id {declared}.")
        return {**doc, "id": url}

    def _badge_class(self, assertion: dict[str, Any], *, allow_embedded: bool = True) -> dict[str, Any]:
        badge = self._fetch_node(
            assertion.get("badge"), "BadgeClass", codes.BADGECLASS_UNAVAILABLE, allow_embedded=allow_embedded
        )
        if "BadgeClass" not in types_of(badge):
            self.run.failed("BadgeClass", codes.TYPE_INVALID, "The badge is not a BadgeClass.", fatal=True)
        missing = [p for p in ("name", "description", "image", "criteria", "issuer") if not badge.get(p)]
        if missing:
            self.run.failed(
                "BadgeClass", codes.BADGECLASS_UNAVAILABLE, f"BadgeClass is missing {', '.join(missing)}.", fatal=True
            )
        self.run.passed("BadgeClass", f"BadgeClass {first_text(badge.get('name'))!r} fetched and well-formed.")
        return badge

    def _issuer(self, badge: dict[str, Any]) -> dict[str, Any]:
        # Never embedded: the issuer's id decides the verification scope and owns the keys, so only the profile
        # published at that id counts (an inline Issuer naming a real issuer's id and listing an attacker's key, or
        # allowedOrigins for the attacker's host, is replaced by the real one).
        issuer = self._fetch_node(badge.get("issuer"), "Issuer", codes.ISSUER_UNAVAILABLE, allow_embedded=False)
        if not ({"Issuer", "Profile"} & set(types_of(issuer))):
            self.run.failed("Issuer", codes.TYPE_INVALID, "The issuer is not an Issuer Profile.", fatal=True)
        if not first_text(issuer.get("name")) or not is_iri(issuer.get("id")):
            self.run.failed("Issuer", codes.ISSUER_UNAVAILABLE, "The issuer profile lacks an id or a name.", fatal=True)
        self.run.passed("Issuer", f"Issuer {first_text(issuer.get('name'))!r} fetched and well-formed.")
        self._bind_issuer(issuer["id"])
        return issuer

    def _bind_issuer(self, issuer_url: str) -> None:
        """The issuer profile was fetched from its own URL: the badge is bound to that domain (docs/openbadges.md,
        trust model). Plain http is not (anyone on the path could have answered), except for hosts the deployment
        allows explicitly (local issuers, tests)."""
        r = self.r
        r.issuer_id = issuer_url
        secure = issuer_url.lower().startswith("https://") or self.fetcher.host_allowed(host_of(issuer_url))
        r.issuer_binding = "domain-bound" if secure else None

    def _scope(self, assertion_id: str, issuer: dict[str, Any], verification: dict[str, Any]) -> None:
        """Hosted verification policy: the assertion must live where the issuer says its assertions live.

        Origins are compared as origins (scheme, host and port); startsWith as URL prefixes on the same origin.
        """
        policy = as_object(issuer.get("verification"))
        allowed_origins = [o.strip() for o in as_list(policy.get("allowedOrigins")) if isinstance(o, str) and o.strip()]
        starts_with = [s for s in as_list(policy.get("startsWith")) if isinstance(s, str) and s]
        origin = origin_of(assertion_id)
        ok = True
        detail = ""
        if allowed_origins:
            ok = any(_origin_allowed(assertion_id, entry) for entry in allowed_origins)
            detail = f"origin {origin} {'is' if ok else 'is not'} in the issuer's allowedOrigins"
        elif not starts_with:
            # The default policy: the assertion lives on the issuer profile's origin. (A startsWith policy names
            # full URL prefixes, scheme/host/port included, so it replaces this default, as in the reference.)
            issuer_origin = origin_of(issuer.get("id", ""))
            ok = bool(origin) and same_origin(assertion_id, issuer.get("id", ""))
            detail = f"origin {origin} {'matches' if ok else 'differs from'} the issuer's origin {issuer_origin}"
        if ok and starts_with:
            ok = any(has_prefix(assertion_id, prefix) for prefix in starts_with)
            detail = f"id {'starts' if ok else 'does not start'} with the issuer's startsWith {', '.join(starts_with)}"
        if not ok:
            self.run.failed(
                "Issuer verification scope",
                codes.OUTSIDE_ISSUER_SCOPE,
                f"The assertion is outside the issuer's verification scope: {detail}.",
            )
        else:
            self.run.passed("Issuer verification scope", f"The assertion's {detail}.")

    def _signing_key(self, creator: Any, issuer: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The key, bound both ways from fetched documents: the issuer profile (fetched from its id) lists it, and
        the key (fetched from its id) names that profile as its owner. A key embedded in the signed payload or in
        an inline issuer is never used."""
        run = self.run
        published = as_list(issuer.get("publicKey"))
        listed_ids = [k for k in (node_id(k) for k in published) if k]
        key_url = node_id(creator) if creator else (listed_ids[0] if len(listed_ids) == 1 else None)
        if not key_url:
            run.failed(
                "Signing key",
                codes.SIGNING_KEY_UNAVAILABLE,
                "Neither verification.creator nor a single issuer publicKey names the key.",
                fatal=True,
            )
        assert key_url is not None
        if strip_fragment(key_url) not in {strip_fragment(k) for k in listed_ids} and key_url not in listed_ids:
            run.failed(
                "Signing key",
                codes.SIGNING_KEY_NOT_LISTED,
                f"{key_url} is not among the publicKey entries of the issuer profile published at {issuer.get('id')}.",
                fatal=True,
            )
        if is_http_url(key_url):
            try:
                _, key_doc = self.fetcher.fetch_json(key_url)
            except FetchError as exc:
                run.failed(
                    "Signing key",
                    codes.SIGNING_KEY_UNAVAILABLE,
                    f"The key {key_url} could not be fetched ({exc.code}).",
                    fatal=True,
                )
                raise
        else:
            # A key without an http(s) id can only be one the (fetched) issuer profile itself carries.
            key_doc = next(
                (k for k in published if isinstance(k, dict) and node_id(k) == key_url and k.get("publicKeyPem")),
                None,
            )
        if not isinstance(key_doc, dict) or not isinstance(key_doc.get("publicKeyPem"), str):
            run.failed("Signing key", codes.SIGNING_KEY_INVALID, f"{key_url} has no publicKeyPem.", fatal=True)
        assert isinstance(key_doc, dict)
        owner = node_id(key_doc.get("owner"))
        if owner is None or strip_fragment(owner) != strip_fragment(str(issuer.get("id"))):
            run.failed(
                "Signing key owner",
                codes.SIGNING_KEY_OWNER_MISMATCH,
                f"The key's owner {owner!r} is not the issuer {issuer.get('id')!r}.",
                fatal=True,
            )
        run.passed("Signing key", f"{key_url} is published by the issuer and owned by it.")
        return key_doc, key_url

    def _revocation_list(self, assertion: dict[str, Any], issuer: dict[str, Any]) -> None:
        url = node_id(issuer.get("revocationList"))
        if not url:
            self.run.passed("Revocation list", "The issuer publishes no revocation list.")
            return
        try:
            _, rlist = self.fetcher.fetch_json(url)
        except FetchError as exc:
            self.run.failed(
                "Revocation list",
                codes.REVOCATION_LIST_UNAVAILABLE,
                f"The revocation list {url} could not be fetched ({exc.code}).",
            )
            return
        entries = as_list(rlist.get("revokedAssertions")) if isinstance(rlist, dict) else []
        ids = {assertion.get("id"), assertion.get("uid")} - {None}
        for entry in entries:
            entry_id = node_id(entry)
            if entry_id in ids or (isinstance(entry, dict) and entry.get("uid") in ids):
                reason = first_text(entry.get("revocationReason")) if isinstance(entry, dict) else None
                self.r.revocation_reason = reason
                self.run.failed(
                    "Revocation list",
                    codes.REVOKED,
                    "The issuer's revocation list revokes this assertion" + (f": {reason}" if reason else "."),
                )
                return
        self.run.passed("Revocation list", "Not on the issuer's revocation list.")

    def _metadata(self, badge: dict[str, Any], issuer: dict[str, Any], assertion: dict[str, Any] | None = None) -> None:
        r = self.r
        r.badge_name = first_text(badge.get("name"))
        r.badge_description = first_text(badge.get("description"))
        r.badge_image_url = safe_url(node_id(badge.get("image")))
        r.badge_class_id = node_id(badge.get("id")) if badge.get("id") else None
        criteria = badge.get("criteria")
        r.criteria_url = safe_url(node_id(criteria))
        if isinstance(criteria, dict):
            r.criteria_narrative = first_text(criteria.get("narrative"))
        r.issuer_name = first_text(issuer.get("name"))
        r.issuer_url = safe_url(issuer.get("url"))
        r.issuer_id = node_id(issuer.get("id")) if issuer.get("id") else None
        if assertion is not None:
            r.evidence = evidence_items(assertion.get("evidence"))

    def _badge_image(self, image: Any) -> None:
        """The BadgeClass image is required and must really be a PNG or SVG (BADGR refuses others too)."""
        url = node_id(image)
        if not url:
            self.run.failed("Badge image", codes.BADGE_IMAGE_UNAVAILABLE, "The BadgeClass has no image.")
            return
        if url.startswith("data:"):
            body, ctype = _data_uri_bytes(url), url[5:].split(";", 1)[0].split(",", 1)[0]
            if body is None:
                self.run.failed("Badge image", codes.BADGE_IMAGE_INVALID, "The image data URI is malformed.")
                return
        else:
            try:
                response = self.fetcher.fetch_image(url)
            except FetchError as exc:
                # An image over the limit says so (FETCH_TOO_LARGE); anything else is "unavailable".
                code = exc.code if exc.code == codes.FETCH_TOO_LARGE else codes.BADGE_IMAGE_UNAVAILABLE
                self.run.failed("Badge image", code, f"The badge image {url} could not be fetched ({exc.code}).")
                return
            body, ctype = response.body, response.content_type
        kind = sniff_image_kind(body)
        if kind is None:
            self.run.failed(
                "Badge image",
                codes.BADGE_IMAGE_INVALID,
                f"The badge image is not a PNG or SVG (served as {ctype or 'unknown'}).",
            )
            return
        self.r.image_bytes = body
        self.r.image_content_type = "image/png" if kind == "png" else "image/svg+xml"
        self.run.passed("Badge image", f"The badge image is a {kind.upper()}.")

    def _dates(self, issued: Any, expires: Any, *, legacy: bool) -> None:
        run, r = self.run, self.r
        try:
            # OB 2.0: an ISO 8601 date-time with a time zone; Unix timestamps and bare dates are 1.x only.
            r.issued_on = parse_datetime(issued, allow_date_only=legacy, allow_timestamp=legacy)
        except BadgeError as exc:
            run.failed("Issue date", codes.DATE_INVALID, f"issuedOn: {exc.message}")
            return
        if r.issued_on > run.now:
            run.failed("Issue date", codes.ISSUED_IN_FUTURE, f"Issued on {r.issued_on.isoformat()}, in the future.")
        else:
            run.passed("Issue date", f"Issued on {r.issued_on.isoformat()}.")
        if expires in (None, ""):
            run.passed("Expiry", "The badge does not expire.")
            return
        try:
            r.expires_at = parse_datetime(expires, allow_date_only=legacy, allow_timestamp=legacy)
        except BadgeError as exc:
            run.failed("Expiry", codes.DATE_INVALID, f"expires: {exc.message}")
            return
        if r.expires_at < r.issued_on:
            run.failed(
                "Expiry", codes.EXPIRES_BEFORE_ISSUED, f"Expires {r.expires_at.isoformat()}, before it was issued."
            )
        if r.expires_at <= run.now:
            run.failed("Expiry", codes.EXPIRED, f"Expired on {r.expires_at.isoformat()}.")
        elif r.expires_at >= r.issued_on:
            run.passed("Expiry", f"Valid until {r.expires_at.isoformat()}.")

    def _recipient(self, value: Any, *, salt: str | None = None, legacy_string: bool = False) -> None:
        run = self.run
        if legacy_string:
            identity, rtype, hashed = value, "email", None
        else:
            if (
                not isinstance(value, dict)
                or not isinstance(value.get("identity"), str)
                or not isinstance(value.get("type"), str)
            ):
                run.failed("Recipient", codes.RECIPIENT_INVALID, "recipient needs a type and an identity.")
                return
            identity, rtype = value["identity"], value["type"]
            hashed_raw = value.get("hashed", False)
            if not isinstance(hashed_raw, bool):
                run.failed("Recipient", codes.RECIPIENT_INVALID, "recipient.hashed must be a boolean.")
                return
            hashed = hashed_raw
            salt = value.get("salt") if isinstance(value.get("salt"), str) else None
        if not isinstance(identity, str):
            run.failed("Recipient", codes.RECIPIENT_INVALID, "The recipient identity is not a string.")
            return
        try:
            matched = recipient.identity_matches(rtype, identity, hashed=hashed, salt=salt, identities=run.identities)
        except BadgeError as exc:
            run.failed("Recipient", exc.code, exc.message)
            return
        self.r.recipient_matched = matched
        if matched:
            run.passed("Recipient", f"Issued to a verified {rtype} of this member.")
        else:
            run.failed(
                "Recipient",
                codes.RECIPIENT_MISMATCH,
                f"The badge's {rtype} recipient is none of this member's verified addresses.",
            )

    def _revoked_by_gone(self, url: str, exc: FetchError) -> None:
        """410 Gone from the assertion's own URL means revoked (OB 2.0 §Hosted verification)."""
        self.r.identity = self.r.identity or f"ob2:{strip_fragment(url)}"
        reason = None
        if exc.body:
            try:
                from . import jsonsafe

                body = jsonsafe.loads(exc.body)
                if isinstance(body, dict):
                    reason = first_text(body.get("revocationReason"))
            except BadgeError:
                pass
        self.r.revocation_reason = reason
        self.run.failed(
            "Revocation", codes.REVOKED, f"The issuer answers 410 Gone for {url}" + (f": {reason}" if reason else ".")
        )
