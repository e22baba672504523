"""Building and signing what Vouch issues (docs/credentials.md).

Pure functions over plain facts: no ORM here, so the documents are easy to test and reason about.

* An endorsement is an Open Badges 3.0 ``EndorsementCredential`` issued by the *endorser*, whose identifier is
  ``did:web:<host>:m:<username>`` (``/m/<username>/did.json``), signed by Vouch's key on their behalf.
* Its ``credentialStatus`` is a ``BitstringStatusListEntry`` in the endorser's own revocation list
  (``/m/<username>/status/<n>``), so the list has the same issuer as the credentials it covers.
* Proofs are Data Integrity ``eddsa-rdfc-2022``: RDFC-1.0 canonical N-Quads (pyld, bundled contexts only, safe
  mode, so an undefined term fails instead of silently escaping the signature) hashed with SHA-256, Ed25519.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import base58
from django.conf import settings
from django.utils.crypto import salted_hmac

from badges.openbadges.ob3 import canonicalize
from credentials.keys import Key

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CREDENTIAL_MEDIA_TYPE = "application/vc+ld+json"
PRESENTATION_MEDIA_TYPE = "application/vp+ld+json"
DID_MEDIA_TYPE = "application/did+ld+json"
# 16 KiB of bits: the minimum the Bitstring Status List spec asks for, so one index tells nothing by list size.
LIST_SIZE = 131_072
_PUBLIC_ID_SALT = "vouch.credentials.endorsement-id"


# --- identifiers ---------------------------------------------------------------------------------------------
def instance_did(origin: str) -> str:
    """``did:web`` of the instance at ``origin`` (a port is percent-encoded, as did:web requires)."""
    host = urlsplit(origin).netloc
    return "did:web:" + quote(host, safe="")


def member_did(origin: str, username: str) -> str:
    return f"{instance_did(origin)}:m:{quote(username, safe='')}"


def member_dids(username: str) -> list[str]:
    """The member's DIDs on this instance: under VOUCH_ORIGIN, or each configured host (ALLOWED_HOSTS, no
    wildcards) when the origin follows the request."""
    origins = [settings.VOUCH_ORIGIN] if settings.VOUCH_ORIGIN else []
    origins += [f"https://{h}" for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"]
    return list(dict.fromkeys(member_did(o, username) for o in origins))


def profile_url(origin: str, username: str) -> str:
    return f"{origin}/m/{quote(username, safe='')}/"


def _mac(pk: int, secret: str) -> str:
    digest = salted_hmac(_PUBLIC_ID_SALT, str(pk), secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest[:10]).decode().lower()


def public_id(pk: int) -> str:
    """The endorsement's public id: ``<pk>-<MAC>``. Unguessable, so credential URLs cannot be enumerated; no row
    needed. Derived from SECRET_KEY: keep a rotated key in SECRET_KEY_FALLBACKS so old URLs keep working."""
    return f"{pk}-{_mac(pk, settings.SECRET_KEY)}"


def parse_public_id(text: str) -> int | None:
    if not isinstance(text, str) or len(text) > 60 or "-" not in text:
        return None
    head, _, mac = text.partition("-")
    if not head.isdigit() or len(head) > 18:
        return None
    pk = int(head)
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if hmac.compare_digest(_mac(pk, secret), mac):
            return pk
    return None


def credential_url(origin: str, pk: int) -> str:
    return f"{origin}/e/{public_id(pk)}/credential"


def status_list_url(origin: str, username: str, number: int) -> str:
    return f"{origin}/m/{quote(username, safe='')}/status/{number}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- facts ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EndorsementFacts:
    """What an endorsement credential states; also what a withdrawal keeps (WithdrawnEndorsement.snapshot)."""

    pk: int
    endorser_username: str
    endorser_name: str
    member_username: str
    member_name: str
    skill_name: str
    comment: str
    relationship: str  # Relationship label, e.g. "Their manager"
    weight: float
    explanation: str
    given_at: str  # ISO 8601, UTC, seconds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EndorsementFacts:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def endorsement_credential(facts: EndorsementFacts, origin: str) -> dict[str, Any]:
    """The unsigned EndorsementCredential (only terms of VC 2.0 and OB 3.0.3: signing refuses anything else)."""
    url = credential_url(origin, facts.pk)
    number, index = divmod(facts.pk, LIST_SIZE)
    status_url = status_list_url(origin, facts.endorser_username, number)
    skill_url = f"{origin}/?skill={quote(facts.skill_name)}"
    weighing = f" Vouch weighs it {facts.weight:.2f}: {facts.explanation}" if facts.explanation else ""
    return {
        "@context": [VC_V2, OB_V3],
        "id": url,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"{facts.endorser_name} endorses {facts.member_name} for {facts.skill_name}",
        "description": (
            f"{facts.endorser_name} endorses {facts.member_name} for the skill {facts.skill_name} on Vouch "
            f"(relationship: {facts.relationship}).{weighing}"
        ),
        "issuer": {
            "id": member_did(origin, facts.endorser_username),
            "type": ["Profile"],
            "name": facts.endorser_name,
            "url": profile_url(origin, facts.endorser_username),
        },
        "validFrom": facts.given_at,
        "credentialSubject": {
            "id": member_did(origin, facts.member_username),
            "type": ["EndorsementSubject"],
            "endorsementComment": facts.comment,
            "name": facts.member_name,
            "url": profile_url(origin, facts.member_username),
            "description": f"Endorsed for {facts.skill_name}. Relationship: {facts.relationship}.",
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": facts.skill_name,
                    "targetUrl": skill_url,
                    "targetType": "ceasn:Competency",
                    "targetFramework": "Vouch skills",
                }
            ],
        },
        "credentialStatus": {
            "id": f"{status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_url,
        },
    }


def status_list_credential(
    origin: str, username: str, number: int, revoked_indexes: list[int], valid_from: datetime
) -> dict[str, Any]:
    url = status_list_url(origin, username, number)
    bits = bytearray(LIST_SIZE // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)  # bit 0 is the most significant bit of the first byte
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": member_did(origin, username),
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded,
        },
    }


# --- DID documents -------------------------------------------------------------------------------------------
def did_document(did: str, published: list[str], *, also_known_as: str | list[str] | None = None) -> dict[str, Any]:
    """A DID document listing every published key (current first, retired ones after, so old proofs verify).
    ``also_known_as``: the subject's other identifiers (its profile page, its linked profiles' DIDs)."""
    methods = [
        {"id": f"{did}#{key}", "type": "Multikey", "controller": did, "publicKeyMultibase": key} for key in published
    ]
    doc: dict[str, Any] = {"@context": [DID_V1, MULTIKEY_V1], "id": did}
    names = [also_known_as] if isinstance(also_known_as, str) else list(also_known_as or [])
    if names:
        doc["alsoKnownAs"] = names
    doc["verificationMethod"] = methods
    doc["assertionMethod"] = [m["id"] for m in methods]
    doc["authentication"] = [methods[0]["id"]]
    return doc


# --- proofs --------------------------------------------------------------------------------------------------
def sign(
    document: dict[str, Any], *, key: Key, controller: str, created: datetime, purpose: str = "assertionMethod"
) -> dict[str, Any]:
    """``document`` with a DataIntegrityProof (eddsa-rdfc-2022) by ``key``, a method of ``controller``."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": iso(created),
        "verificationMethod": f"{controller}#{key.multikey}",
        "proofPurpose": purpose,
    }
    config = {**proof, "@context": unsecured["@context"]}
    hash_data = (
        hashlib.sha256(canonicalize(config).encode()).digest()
        + hashlib.sha256(canonicalize(unsecured).encode()).digest()
    )
    proof["proofValue"] = "z" + base58.b58encode(key.sign(hash_data)).decode()
    return {**unsecured, "proof": proof}


def content_hash(*parts: Any) -> str:
    """A cache key for a signed document: the same content and key sign to the same bytes (Ed25519 is
    deterministic), so a signature is computed once per content, not per request."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(blob).hexdigest()
