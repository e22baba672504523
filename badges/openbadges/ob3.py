"""Open Badges 3.0: OpenBadgeCredential / AchievementCredential secured as a VC-JWT or with an embedded
DataIntegrityProof (cryptosuite eddsa-rdfc-2022), plus validity dates, credentialStatus and recipient identifiers.

Key trust (docs/openbadges.md, "OB 3.0 keys"): a key is accepted only if it is *bound* to the credential's issuer:
the verification method / ``kid`` must belong to the issuer's id (same document, or a did:key equal to the issuer).
Keys that the credential itself carries (a Multikey in the verificationMethod fragment, a public ``jwk`` header) are
then looked up in the issuer's published document when it can be fetched: listed → confirmed; the document lists
keys but not this one → KEY_NOT_BOUND_TO_ISSUER; no document → the warning ISSUER_KEY_UNCONFIRMED (fatal when the
caller asks for ``strict_key_binding``).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import warnings
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jwk as jose_jwk
from joserfc import jws as jose_jws
from joserfc.errors import JoseError
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from . import codes, keys, recipient
from .fetcher import Fetcher, FetchError, bundled_context
from .model import Abort, BadgeError, Run
from .util import (
    as_list,
    as_object,
    decode_jws_checked,
    evidence_items,
    first_text,
    is_http_url,
    node_id,
    parse_datetime,
    safe_url,
    types_of,
)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
# EndorsementCredential: an OB 3.0 endorsement (e.g. one a Vouch instance issued, docs/credentials.md).
OB3_TYPES = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}
VCJWT_ALGS = {"RS256", "ES256", "EdDSA"}
PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
MULTIKEY_ED25519_PREFIX = b"\xed\x01"
MAX_STATUS_LIST_BYTES = 4_000_000


class _Registry(jose_jws.JWSRegistry):
    # joserfc caps the encoded header at 512 bytes; a header carrying an RSA ``jwk`` (as real OB 3.0 issuers
    # send) is ~700. 8 KB still bounds the work done on hostile input.
    max_header_length = 8192
    max_payload_length = 1_000_000


JWS_REGISTRY = _Registry(algorithms=sorted(VCJWT_ALGS))


# --- JSON-LD: only bundled contexts, never the network ----------------------------------------------------------
def _document_loader(url: str, options: Any = None) -> dict[str, Any]:
    doc = bundled_context(url)
    if doc is None:
        raise jsonld.JsonLdError(
            f"Context {url} is not bundled; contexts are never fetched.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": doc}


def canonicalize(doc: dict[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of ``doc``; safe mode rejects terms the contexts do not define."""
    try:
        return str(
            jsonld.normalize(
                doc,
                {
                    "algorithm": "URDNA2015",
                    "format": "application/n-quads",
                    "documentLoader": _document_loader,
                    "contextResolver": ContextResolver({}, _document_loader),
                    "safeMode": True,
                },
            )
        )
    except (jsonld.JsonLdError, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise BadgeError(codes.CANONICALIZATION_FAILED, f"Canonicalisation failed: {str(exc)[:200]}") from exc


def multikey_to_ed25519(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise BadgeError(codes.PROOF_KEY_UNAVAILABLE, "Multikey is not base58btc (z…).")
    try:
        raw = base58.b58decode(value[1:])
    except ValueError as exc:
        raise BadgeError(codes.PROOF_KEY_UNAVAILABLE, "Multikey is not valid base58.") from exc
    if not raw.startswith(MULTIKEY_ED25519_PREFIX) or len(raw) != 34:
        raise BadgeError(codes.PROOF_KEY_UNAVAILABLE, "Multikey is not an Ed25519 public key.")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


class OB3Verifier:
    def __init__(self, run: Run, fetcher: Fetcher, *, strict_key_binding: bool = False) -> None:
        self.run = run
        self.fetcher = fetcher
        self.r = run.result
        self.strict = strict_key_binding

    # --- Data Integrity --------------------------------------------------------------------------------------
    def verify_json(self, cred: dict[str, Any]) -> None:
        run = self.run
        self.r.spec_version = "3.0"
        self.r.verification_method = "data-integrity"
        self.r.assertion = cred
        self.r.identity = self._identity(cred)
        if not cred.get("proof"):
            run.failed(
                "Proof",
                codes.CREDENTIAL_NO_PROOF,
                "The credential has no proof, so nothing shows the issuer issued it.",
                fatal=True,
            )
        self._shape(cred)
        self._verify_proof(cred, record=True)
        self._content(cred)

    def _verify_proof(self, cred: dict[str, Any], *, record: bool, what: str = "Proof") -> None:
        """Verify one eddsa-rdfc-2022 proof; any failure is fatal (recorded under ``what``)."""
        run = self.run
        proofs = [p for p in as_list(cred.get("proof")) if isinstance(p, dict)]
        usable = [
            p for p in proofs if p.get("type") == "DataIntegrityProof" and p.get("cryptosuite") == "eddsa-rdfc-2022"
        ]
        if not usable:
            suites = ", ".join(sorted({str(p.get("cryptosuite") or p.get("type")) for p in proofs})) or "none"
            run.failed(
                what,
                codes.PROOF_UNSUPPORTED,
                f"Only DataIntegrityProof eddsa-rdfc-2022 is supported (found {suites}).",
                fatal=True,
            )
        proof = usable[0]
        if proof.get("proofPurpose") != "assertionMethod":
            run.failed(what, codes.PROOF_INVALID, "proofPurpose must be assertionMethod.", fatal=True)
        issuer_id = node_id(cred.get("issuer"))
        vm = proof.get("verificationMethod")
        vm = node_id(vm)
        if not vm or not issuer_id:
            run.failed(what, codes.PROOF_KEY_UNAVAILABLE, "The proof names no verificationMethod.", fatal=True)
        assert vm is not None and issuer_id is not None
        fragment = vm.partition("#")[2]
        embedded = None
        if fragment.startswith("z6Mk"):  # a self-asserted Multikey (the 1EdTech test-suite convention)
            try:
                embedded = keys.from_multibase(fragment)
            except BadgeError as exc:
                run.failed(what, exc.code, exc.message, fatal=True)
        resolved = keys.KeyResolver(run, self.fetcher).resolve(
            issuer_id, vm=vm, embedded=embedded, what=what, record=record
        )
        key = resolved.ed25519()
        if key is None:
            run.failed(what, codes.PROOF_KEY_UNAVAILABLE, f"{vm} is not an Ed25519 key.", fatal=True)
        assert key is not None
        if self.fetcher.run_remaining() <= 0:
            run.failed(what, codes.VERIFICATION_TIMEOUT, fatal=True)
        _bound_size(run, cred, what)
        value = proof.get("proofValue")
        if not isinstance(value, str) or not value.startswith("z"):
            run.failed(what, codes.PROOF_INVALID, "proofValue must be base58btc multibase.", fatal=True)
        try:
            signature = base58.b58decode(value[1:])
            unsecured = {k: v for k, v in cred.items() if k != "proof"}
            config = {k: v for k, v in proof.items() if k != "proofValue"}
            config["@context"] = cred.get("@context")
            hash_data = (
                hashlib.sha256(canonicalize(config).encode()).digest()
                + hashlib.sha256(canonicalize(unsecured).encode()).digest()
            )
        except BadgeError as exc:
            run.failed(what, exc.code, exc.message, fatal=True)
            raise
        except ValueError as exc:
            run.failed(what, codes.PROOF_INVALID, "proofValue is not valid base58.", fatal=True)
            raise BadgeError(codes.PROOF_INVALID) from exc
        try:
            key.verify(signature, hash_data)
        except InvalidSignature as exc:
            run.failed(what, codes.PROOF_INVALID, f"The eddsa-rdfc-2022 proof does not verify with {vm}.", fatal=True)
            raise BadgeError(codes.PROOF_INVALID) from exc
        if record:
            run.passed(what, f"eddsa-rdfc-2022 proof verifies with {vm}.")

    # --- VC-JWT ------------------------------------------------------------------------------------------------
    def verify_jwt(self, token: str) -> None:
        run, r = self.run, self.r
        r.spec_version = "3.0"
        r.verification_method = "vc-jwt"
        header, payload, _raw = decode_jws_checked(
            run, token, step="Decode token", allowed=VCJWT_ALGS, refusal="VC-JWT allows RS256, ES256 and EdDSA."
        )
        alg = header["alg"]
        run.passed("Signature algorithm", str(alg))
        jwk = header.get("jwk")
        if isinstance(jwk, dict) and PRIVATE_JWK_MEMBERS & set(jwk):
            run.failed(
                "Signing key",
                codes.VCJWT_PRIVATE_KEY_IN_HEADER,
                "The header carries private key material; such a token is never trusted.",
                fatal=True,
            )
        cred = payload.get("vc") if isinstance(payload.get("vc"), dict) else payload
        r.assertion = cred
        r.identity = self._identity(cred)
        self._shape(cred)
        issuer_id = node_id(cred.get("issuer"))
        assert issuer_id is not None
        key = self._jwt_key(header, issuer_id)
        try:
            with warnings.catch_warnings():
                # OB 3.0 names "EdDSA"; joserfc flags it as deprecated by RFC 9864 (renamed, not weakened).
                warnings.simplefilter("ignore", jose_jwk.SecurityWarning)
                jose_jws.deserialize_compact(token.strip(), key, algorithms=[str(alg)], registry=JWS_REGISTRY)
        except (JoseError, ValueError, TypeError) as exc:
            run.failed("Signature", codes.JWS_SIGNATURE_INVALID, f"The {alg} signature does not verify.", fatal=True)
            raise BadgeError(codes.JWS_SIGNATURE_INVALID) from exc
        run.passed("Signature", f"{alg} signature verifies.")
        self._jwt_claims(payload, cred, issuer_id)
        self._content(cred)

    def _jwt_key(self, header: dict[str, Any], issuer_id: str) -> Any:
        run = self.run
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        jwk = header.get("jwk") if isinstance(header.get("jwk"), dict) else None
        embedded = None
        if jwk is not None:
            try:
                embedded = keys.from_jwk(jwk)
            except BadgeError as exc:
                run.failed("Signing key", exc.code, exc.message, fatal=True)
        resolved = keys.KeyResolver(run, self.fetcher).resolve(issuer_id, vm=kid, embedded=embedded, what="Signing key")
        try:
            key = resolved.jose()
        except (JoseError, ValueError, TypeError, BadgeError) as exc:
            run.failed(
                "Signing key", codes.SIGNING_KEY_INVALID, f"The signing key is unusable: {str(exc)[:120]}", fatal=True
            )
            raise BadgeError(codes.SIGNING_KEY_INVALID) from exc
        run.passed("Signing key", f"Key {kid or 'of the issuer'} is bound to the issuer {issuer_id}.")
        return key

    def _jwt_claims(self, payload: dict[str, Any], cred: dict[str, Any], issuer_id: str) -> None:
        run = self.run
        iss = payload.get("iss")
        if not iss:
            run.failed("Token claims", codes.VCJWT_ISS_MISSING, "The token has no iss claim.")
        elif iss != issuer_id:
            run.failed("Token claims", codes.VCJWT_ISS_MISMATCH, f"iss {iss} is not the issuer {issuer_id}.")
        subject_id = node_id(next(iter(as_list(cred.get("credentialSubject"))), None))
        sub = payload.get("sub")
        if not sub:
            run.failed(
                "Token claims",
                codes.VCJWT_SUB_MISSING,
                "The token has no sub claim (OB 3.0 requires sub = credentialSubject.id).",
            )
        elif subject_id is not None and sub != subject_id:
            run.failed("Token claims", codes.VCJWT_SUB_MISMATCH, "sub differs from credentialSubject.id.")
        jti = payload.get("jti")
        if jti is not None and cred.get("id") is not None and jti != cred.get("id"):
            run.failed("Token claims", codes.VCJWT_JTI_MISMATCH, "jti differs from the credential id.")
        for claim, code in (("nbf", codes.NOT_YET_VALID), ("exp", codes.EXPIRED)):
            value = payload.get(claim)
            if value is None:
                continue
            try:
                when = parse_datetime(value, allow_timestamp=True)
            except BadgeError:
                run.failed("Token claims", codes.DATE_INVALID, f"{claim} is not a NumericDate.")
                continue
            if claim == "nbf" and when > run.now:
                run.failed("Token validity", code, f"Not valid before {when.isoformat()}.")
            if claim == "exp" and when <= run.now:
                run.failed("Token validity", code, f"Expired on {when.isoformat()}.")
        if not [c for c in run.result.checks if c.name == "Token claims" and not c.passed]:
            run.passed("Token claims", "iss, sub and jti agree with the credential.")

    # --- shared content checks ---------------------------------------------------------------------------------
    def _identity(self, cred: dict[str, Any]) -> str:
        ident = cred.get("id")
        if isinstance(ident, str) and ident:
            return f"ob3:{ident}"
        digest = hashlib.sha256(json.dumps(cred, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        return f"ob3-sha256:{digest}"

    def _shape(self, cred: dict[str, Any]) -> None:
        run = self.run
        contexts = [c for c in as_list(cred.get("@context")) if isinstance(c, str)]
        if (
            not contexts
            or contexts[0] not in (VC_V2, VC_V1)
            or not any(c.startswith(OB3_CONTEXT_PREFIX) for c in contexts)
        ):
            run.failed(
                "JSON-LD context",
                codes.CONTEXT_UNKNOWN,
                "@context must start with the VC context and include the OB 3.0 context.",
                fatal=True,
            )
        run.passed("JSON-LD context", ", ".join(contexts))
        types = set(types_of(cred))
        if "VerifiableCredential" not in types or not (types & OB3_TYPES):
            run.failed(
                "Type",
                codes.TYPE_INVALID,
                "type must include VerifiableCredential and OpenBadgeCredential.",
                fatal=True,
            )
        run.passed("Type", ", ".join(sorted(types)))
        if not node_id(cred.get("issuer")) or not cred.get("credentialSubject"):
            run.failed(
                "Credential properties",
                codes.PROPERTY_MISSING,
                "The credential needs an issuer with an id and a credentialSubject.",
                fatal=True,
            )
        run.passed("Credential properties", "issuer and credentialSubject present.")

    def _content(self, cred: dict[str, Any]) -> None:
        self._metadata(cred)
        self._dates(cred)
        self._status(cred)
        self._recipient(cred)

    def _metadata(self, cred: dict[str, Any]) -> None:
        r = self.r
        subject = next((s for s in as_list(cred.get("credentialSubject")) if isinstance(s, dict)), {})
        achievement = as_object(subject.get("achievement"))
        raw_issuer = cred.get("issuer")
        issuer: dict[str, Any] = raw_issuer if isinstance(raw_issuer, dict) else {"id": raw_issuer}
        r.badge_name = first_text(achievement.get("name"), cred.get("name"))
        r.badge_description = first_text(achievement.get("description"), cred.get("description"))
        image = achievement.get("image") or cred.get("image")
        r.badge_image_url = safe_url(node_id(image))
        r.badge_class_id = node_id(achievement.get("id")) if achievement.get("id") else None
        criteria = achievement.get("criteria")
        if isinstance(criteria, dict):
            r.criteria_url = safe_url(criteria.get("id"))
            r.criteria_narrative = first_text(criteria.get("narrative"))
        r.issuer_name = first_text(issuer.get("name"))
        r.issuer_url = safe_url(issuer.get("url"))
        r.issuer_id = node_id(issuer)
        r.evidence = evidence_items(cred.get("evidence"))

    def _dates(self, cred: dict[str, Any]) -> None:
        run, r = self.run, self.r
        start_prop = "validFrom" if "validFrom" in cred else "issuanceDate"
        end_prop = "validUntil" if "validUntil" in cred else "expirationDate"
        start = end = None
        for prop, target in ((start_prop, "start"), (end_prop, "end")):
            if cred.get(prop) is None:
                continue
            try:
                value = parse_datetime(cred[prop], allow_timestamp=False)
            except BadgeError as exc:
                run.failed("Validity period", codes.DATE_INVALID, f"{prop}: {exc.message}")
                return
            if target == "start":
                start = value
            else:
                end = value
        awarded = cred.get("awardedDate")
        try:
            r.issued_on = parse_datetime(awarded, allow_timestamp=False) if awarded else start
        except BadgeError:
            r.issued_on = start
        r.expires_at = end
        if start is None:
            run.failed("Validity period", codes.PROPERTY_MISSING, f"{start_prop} is required.")
            return
        if end is not None and end < start:
            run.failed("Validity period", codes.EXPIRES_BEFORE_ISSUED, f"{end_prop} is before {start_prop}.")
        if start > run.now:
            run.failed("Validity period", codes.NOT_YET_VALID, f"Not valid before {start.isoformat()}.")
        if end is not None and end <= run.now:
            run.failed("Validity period", codes.EXPIRED, f"Expired on {end.isoformat()}.")
        if start <= run.now and (end is None or end > run.now):
            run.passed(
                "Validity period",
                f"Valid from {start.isoformat()}" + (f" until {end.isoformat()}." if end else ", no end date."),
            )

    def _status(self, cred: dict[str, Any]) -> None:
        entries = [s for s in as_list(cred.get("credentialStatus")) if isinstance(s, dict)]
        if not entries:
            self.run.passed("Credential status", "The credential declares no status method.")
            return
        for entry in entries:
            stype = entry.get("type")
            if stype == "BitstringStatusListEntry":
                self._bitstring(cred, entry)
            elif stype in ("1EdTechRevocationList", "1EdTechRevocationListStatus"):
                self._revocation_list(cred, entry)
            else:
                self.run.failed(
                    "Credential status",
                    codes.STATUS_UNSUPPORTED,
                    f"Status method {stype!r} is not supported, so revocation cannot be checked.",
                )

    def _bitstring(self, cred: dict[str, Any], entry: dict[str, Any]) -> None:
        run = self.run
        url = entry.get("statusListCredential")
        purpose = entry.get("statusPurpose")
        try:
            index = int(entry.get("statusListIndex", ""))  # a string per the spec; ints are tolerated
        except (TypeError, ValueError):
            run.failed("Credential status", codes.STATUS_LIST_INVALID, "statusListIndex is not a number.")
            return
        if not is_http_url(url) or index < 0:
            run.failed("Credential status", codes.STATUS_LIST_INVALID, "statusListCredential must be a URL.")
            return
        try:
            _, listcred = self.fetcher.fetch_json(url)
        except FetchError as exc:
            run.failed(
                "Credential status",
                codes.STATUS_LIST_UNAVAILABLE,
                f"The status list {url} could not be fetched ({exc.code}).",
            )
            return
        if not isinstance(listcred, dict) or "BitstringStatusListCredential" not in types_of(listcred):
            run.failed("Credential status", codes.STATUS_LIST_INVALID, "Not a BitstringStatusListCredential.")
            return
        if node_id(listcred.get("issuer")) != node_id(cred.get("issuer")):
            run.failed(
                "Credential status",
                codes.STATUS_LIST_INVALID,
                "The status list is issued by someone other than the credential's issuer.",
            )
            return
        try:
            self._verify_proof(listcred, record=False, what="Status list proof")
        except Abort:
            # The list's proof failed: its content cannot be trusted, but the credential's own proof is fine.
            # _verify_proof already recorded the reason under "Status list proof"; mark the list invalid.
            run.failed("Credential status", codes.STATUS_LIST_INVALID, "The status list's proof does not verify.")
            return
        subject = as_object(listcred.get("credentialSubject"))
        if subject.get("statusPurpose") not in (None, purpose) and purpose not in as_list(subject.get("statusPurpose")):
            run.failed("Credential status", codes.STATUS_LIST_INVALID, "statusPurpose differs from the list's.")
            return
        encoded = subject.get("encodedList")
        try:
            bits = _decode_bitstring(encoded)
        except BadgeError as exc:
            run.failed("Credential status", exc.code, exc.message)
            return
        if index >= len(bits) * 8:
            run.failed("Credential status", codes.STATUS_LIST_INVALID, "statusListIndex is outside the list.")
            return
        set_bit = (bits[index // 8] >> (7 - index % 8)) & 1  # bit 0 is the most significant bit of byte 0
        if not set_bit:
            run.passed("Credential status", f"Not {purpose or 'revoked'} (status list {url}, index {index}).")
        elif purpose == "suspension":
            run.failed("Credential status", codes.SUSPENDED, "The issuer has suspended this credential.")
        else:
            run.failed("Credential status", codes.REVOKED, "The issuer's status list marks this credential revoked.")

    def _revocation_list(self, cred: dict[str, Any], entry: dict[str, Any]) -> None:
        run = self.run
        url = node_id(entry)
        if not is_http_url(url):
            run.failed("Credential status", codes.STATUS_LIST_INVALID, "The revocation list id is not a URL.")
            return
        assert url is not None
        try:
            _, rlist = self.fetcher.fetch_json(url)
        except FetchError as exc:
            run.failed(
                "Credential status",
                codes.STATUS_LIST_UNAVAILABLE,
                f"The revocation list {url} could not be fetched ({exc.code}).",
            )
            return
        revoked = (
            as_list(rlist.get("revokedCredentials", rlist.get("revokedAssertions"))) if isinstance(rlist, dict) else []
        )
        for item in revoked:
            if node_id(item) == cred.get("id"):
                reason = first_text(item.get("revocationReason")) if isinstance(item, dict) else None
                self.r.revocation_reason = reason
                run.failed(
                    "Credential status",
                    codes.REVOKED,
                    "The issuer's revocation list revokes this credential" + (f": {reason}" if reason else "."),
                )
                return
        run.passed("Credential status", f"Not on the issuer's revocation list {url}.")

    def _recipient(self, cred: dict[str, Any]) -> None:
        run = self.run
        subjects = [s for s in as_list(cred.get("credentialSubject")) if isinstance(s, dict)]
        matched = False
        try:
            for subject in subjects:
                sid = subject.get("id")
                if isinstance(sid, str):
                    if sid.lower().startswith("mailto:"):
                        matched |= recipient.identity_matches(
                            "email", sid, hashed=False, salt=None, identities=run.identities
                        )
                    else:
                        matched |= recipient.identity_matches(
                            "id", sid, hashed=False, salt=None, identities=run.identities
                        )
                for ident in as_list(subject.get("identifier")):
                    if not isinstance(ident, dict) or not isinstance(ident.get("identityHash"), str):
                        continue
                    itype = str(ident.get("identityType") or "emailAddress")
                    hashed = ident.get("hashed")
                    matched |= recipient.identity_matches(
                        itype,
                        ident["identityHash"],
                        hashed=bool(hashed) if isinstance(hashed, bool) else None,
                        salt=ident.get("salt") if isinstance(ident.get("salt"), str) else None,
                        identities=run.identities,
                    )
        except BadgeError as exc:
            run.failed("Recipient", exc.code, exc.message)
            return
        linked = None
        if not matched:
            linked = next((s["id"] for s in subjects if isinstance(s.get("id"), str) and s["id"] in run.linked), None)
        if linked is not None:
            if self._names_member_back(linked):
                self.r.recipient_matched = True
                run.passed(
                    "Recipient",
                    f"Issued to {linked}, a profile this member linked, whose DID document names this member back.",
                )
            else:
                self.r.recipient_matched = False
                run.failed(
                    "Recipient",
                    codes.RECIPIENT_MISMATCH,
                    f"Issued to {linked}, which this member linked, but its DID document does not name this member "
                    "(alsoKnownAs), so the link is not confirmed.",
                )
            return
        self.r.recipient_matched = matched
        if matched:
            run.passed("Recipient", "Issued to a verified identity of this member.")
        else:
            run.failed(
                "Recipient",
                codes.RECIPIENT_MISMATCH,
                "The credential subject is none of this member's verified identities.",
            )

    def _names_member_back(self, did: str) -> bool:
        """The DID document of ``did`` (over https, through the safe fetcher) lists one of the member's own
        identities under ``alsoKnownAs``."""
        url = keys.did_web_url(did, self.fetcher)
        if url is None:
            return False
        try:
            _, doc = self.fetcher.fetch_json(url)
        except FetchError:
            return False
        if not isinstance(doc, dict) or doc.get("id") != did:
            return False
        names = {a for a in as_list(doc.get("alsoKnownAs"))[:50] if isinstance(a, str)}
        return bool(names & set(self.run.identities))


MAX_CANONICAL_NODES = 5_000


def _bound_size(run: Run, doc: Any, what: str) -> None:
    """Canonicalisation is super-linear in the worst case: refuse documents with more JSON values than any real
    credential carries before spending CPU on them."""
    count = 0
    stack = [doc]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_CANONICAL_NODES:
            run.failed(what, codes.INPUT_TOO_COMPLEX, f"More than {MAX_CANONICAL_NODES} JSON values.", fatal=True)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _decode_bitstring(encoded: Any) -> bytes:
    if not isinstance(encoded, str) or not encoded:
        raise BadgeError(codes.STATUS_LIST_INVALID, "encodedList is missing.")
    import base64

    text = encoded[1:] if encoded[0] == "u" else encoded  # multibase base64url; older lists omit the prefix
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as gz:
            data = gz.read(MAX_STATUS_LIST_BYTES + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise BadgeError(codes.STATUS_LIST_INVALID, "encodedList is not base64url GZIP data.") from exc
    if len(data) > MAX_STATUS_LIST_BYTES:
        raise BadgeError(codes.STATUS_LIST_INVALID, "The status list is too large.")
    return data
