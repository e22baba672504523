"""Demo badges for the Northwind Labs network, verified for real and offline.

The demo needs badges that verify without network access (the seed runs before the server starts, and a demo
machine may be offline). So the demo issuer is an Open Badges 3.0 issuer identified by a `did:key`: its public key
*is* its identifier, so verifying its VC-JWT credentials (EdDSA) needs no fetch, and they keep verifying on every
`reverify_badges` run. The private key is generated fresh for each seed and thrown away: nobody, the demo included,
can issue more "Northwind Academy" credentials later. Each credential names its recipient by a salted sha256 of the
member's (verified) demo e-mail address, and goes through the normal import and verification path.

The key is a did:key, so the issuer is self-issued; the seed pins it in the issuer trust registry (a DID entry),
which makes its badges CONFIRMED and lets them count as evidence, offline.

What the demo shows: verified badges attached to skills, one that has expired (EXPIRED, visible to its owner only)
and one the owner keeps private.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
import warnings
from datetime import timedelta
from typing import Any

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import OKPKey

ISSUER_NAME = "Northwind Academy (demo issuer)"
# skill listed by the member -> (achievement name, description)
ACHIEVEMENTS = {
    "Kubernetes": ("Kubernetes in Production", "Operates workloads on Kubernetes: deployments, probes, autoscaling."),
    "Python": ("Python Craft", "Writes idiomatic, tested Python and reviews it for others."),
    "PostgreSQL": ("PostgreSQL Performance", "Reads query plans and designs indexes that serve them."),
    "Accessibility": ("Accessible Interfaces", "Builds interfaces that meet WCAG 2.2 AA."),
    "Terraform": ("Infrastructure as Code", "Manages cloud infrastructure with reviewed Terraform modules."),
    "React": ("React Foundations", "Builds accessible, tested React components."),
}
PER_ACHIEVEMENT = 2


class DemoIssuer:
    def __init__(self) -> None:
        self._key = Ed25519PrivateKey.generate()
        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.did = "did:key:z" + base58.b58encode(b"\xed\x01" + raw).decode()
        pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._jwk = OKPKey.import_key(pem)

    def credential(self, email: str, name: str, description: str, *, valid_from: Any, valid_until: Any = None) -> str:
        """A VC-JWT OpenBadgeCredential for `email` (hashed with a random salt)."""
        salt = uuid.uuid4().hex[:16]
        subject_id = f"urn:uuid:{uuid.uuid4()}"
        cred: dict[str, Any] = {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": f"urn:uuid:{uuid.uuid4()}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {
                "id": self.did,
                "type": ["Profile"],
                "name": ISSUER_NAME,
                "url": "https://academy.northwind.example/",
            },
            "validFrom": valid_from.isoformat(),
            "name": name,
            "credentialSubject": {
                "id": subject_id,
                "type": ["AchievementSubject"],
                "identifier": [
                    {
                        "type": "IdentityObject",
                        "identityType": "emailAddress",
                        "hashed": True,
                        "salt": salt,
                        "identityHash": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest(),
                    }
                ],
                "achievement": {
                    "id": f"https://academy.northwind.example/achievements/{name.lower().replace(' ', '-')}",
                    "type": ["Achievement"],
                    "name": name,
                    "description": description,
                    "criteria": {"narrative": description},
                },
            },
        }
        claims: dict[str, Any] = {
            "vc": cred,
            "iss": self.did,
            "sub": subject_id,
            "jti": cred["id"],
            "nbf": int(valid_from.timestamp()),
        }
        if valid_until is not None:
            cred["validUntil"] = valid_until.isoformat()
            claims["exp"] = int(valid_until.timestamp())
        header = {"alg": "EdDSA", "typ": "JWT", "kid": f"{self.did}#{self.did[len('did:key:') :]}"}
        with warnings.catch_warnings():
            # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864); OB 3.0 VC-JWT still names EdDSA.
            warnings.simplefilter("ignore")
            return jws.serialize_compact(header, json.dumps(claims).encode(), self._jwk, algorithms=["EdDSA"])


def seed(rng: random.Random, org: Any) -> None:
    """Give a few members who list a skill a verified badge for it (idempotent: skipped once badges exist)."""
    from allauth.account.models import EmailAddress

    from badges.models import Badge
    from badges.services import import_badge, verify_badge
    from skills.models import MemberSkill

    members = list(org.members.values())
    if not members or Badge.objects.filter(owner__in=members).exists():
        return
    issuer = DemoIssuer()
    # A did:key issuer is self-issued: anyone could mint one named "Northwind Academy". The seed vouches for this
    # one (it holds the key, then discards it), so its badges count as evidence like a confirmed issuer's.
    from badges.models import TrustedIssuer
    from badges.trust import set_trusted_issuer

    TrustedIssuer.objects.filter(name=ISSUER_NAME, kind=TrustedIssuer.Kind.DID).delete()  # an earlier seed's key
    set_trusted_issuer(
        None, kind=TrustedIssuer.Kind.DID, value=issuer.did, name=ISSUER_NAME, note="Pinned by seed_demo."
    )
    now = timezone.now()
    listings = list(
        MemberSkill.objects.filter(member__in=members, skill__name__in=ACHIEVEMENTS)
        .select_related("member", "skill")
        .order_by("member__username", "skill__name")
    )
    rng.shuffle(listings)
    given: dict[str, int] = {}
    made: list[Badge] = []
    for ms in listings:
        skill = ms.skill.name
        if given.get(skill, 0) >= PER_ACHIEVEMENT:
            continue
        email = EmailAddress.objects.filter(user=ms.member, verified=True).values_list("email", flat=True).first()
        if not email:
            continue
        given[skill] = given.get(skill, 0) + 1
        name, description = ACHIEVEMENTS[skill]
        issued = now - timedelta(days=rng.randint(30, 400))
        # The last badge of the run has expired already: the demo shows what an expired badge looks like.
        expired = len(made) == len(ACHIEVEMENTS) * PER_ACHIEVEMENT - 1
        token = issuer.credential(
            email, name, description, valid_from=issued, valid_until=(now - timedelta(days=3)) if expired else None
        )
        badge = import_badge(ms.member, assertion=token, member_skill_id=ms.pk, schedule=False)
        verify_badge(badge.pk)
        made.append(badge)
    if len(made) > 1:
        Badge.objects.filter(pk=made[0].pk).update(public=False)  # one badge its owner keeps private
