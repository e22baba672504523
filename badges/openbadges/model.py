"""Value types shared by the verifier and its callers (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NoReturn, overload

from . import codes

Status = Literal["VERIFIED", "FAILED", "REVOKED", "EXPIRED"]
STATUSES: tuple[Status, ...] = ("VERIFIED", "FAILED", "REVOKED", "EXPIRED")


@dataclass(frozen=True)
class BadgeSource:
    """What a member imported: exactly one of ``url``, ``text`` or ``data`` (image bytes)."""

    url: str | None = None
    text: str | None = None
    data: bytes | None = None
    content_type: str | None = None  # of ``data``, as the upload claimed; only a hint, bytes are sniffed
    filename: str | None = None

    @classmethod
    def from_url(cls, url: str) -> BadgeSource:
        return cls(url=url)

    @classmethod
    def from_text(cls, text: str) -> BadgeSource:
        return cls(text=text)

    @classmethod
    def from_image(cls, data: bytes, content_type: str | None = None, filename: str | None = None) -> BadgeSource:
        return cls(data=data, content_type=content_type, filename=filename)

    @property
    def kind(self) -> str:
        return "url" if self.url is not None else "text" if self.text is not None else "image"


@dataclass(frozen=True)
class Check:
    """One line of the verification report. ``warning`` checks never change the status."""

    name: str
    passed: bool
    code: str | None = None
    message: str = ""
    warning: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "code": self.code,
            "message": self.message,
            "warning": self.warning,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class VerificationResult:
    status: Status
    errors: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    spec_version: str | None = None  # "3.0", "2.0", "1.1", "1.0", "0.5"
    verification_method: str | None = None  # "hosted", "signed", "vc-jwt", "data-integrity"
    identity: str | None = None  # stable de-duplication key, e.g. "ob2:https://issuer/assertions/1"
    badge_name: str | None = None
    badge_description: str | None = None
    badge_image_url: str | None = None
    badge_class_id: str | None = None
    criteria_url: str | None = None
    criteria_narrative: str | None = None
    issuer_name: str | None = None
    issuer_url: str | None = None
    issuer_id: str | None = None
    issued_on: datetime | None = None
    expires_at: datetime | None = None
    recipient_matched: bool = False
    revocation_reason: str | None = None
    assertion: Any = None  # the canonical (trusted) assertion / credential JSON
    # How the issuer's identity is established (docs/openbadges.md, "Trust model"): "domain-bound" (its profile or
    # DID document was fetched from the domain it names, and lists the key), "self-issued" (did:key: the key is the
    # identifier, anyone can mint one), None (neither: not evidence).
    issuer_binding: str | None = None
    # sha256 of the verifying public key (SubjectPublicKeyInfo DER), "sha256:<hex>", for pinned keys; None when
    # no key was involved (hosted OB 2.0).
    key_fingerprint: str | None = None
    evidence: list[dict[str, str | None]] = field(default_factory=list)  # [{url, name, narrative}], URLs http(s)
    checked_at: datetime | None = None
    # Bytes of the BadgeClass image as fetched during verification, so the caller can store it without fetching
    # again. Not part of to_report() (not JSON).
    image_bytes: bytes | None = field(default=None, repr=False)
    image_content_type: str | None = None

    def to_report(self) -> dict[str, Any]:
        """A JSON-serialisable dict for storage (what Badge.verification_report holds)."""
        return {
            "status": self.status,
            "errors": list(self.errors),
            "checks": [c.to_dict() for c in self.checks],
            "spec_version": self.spec_version,
            "verification_method": self.verification_method,
            "identity": self.identity,
            "badge": {
                "name": self.badge_name,
                "description": self.badge_description,
                "image_url": self.badge_image_url,
                "id": self.badge_class_id,
                "criteria_url": self.criteria_url,
                "criteria_narrative": self.criteria_narrative,
            },
            "issuer": {
                "name": self.issuer_name,
                "url": self.issuer_url,
                "id": self.issuer_id,
                "binding": self.issuer_binding,
                "key_fingerprint": self.key_fingerprint,
            },
            "evidence": [dict(e) for e in self.evidence],
            "issued_on": _iso(self.issued_on),
            "expires_at": _iso(self.expires_at),
            "recipient_matched": self.recipient_matched,
            "revocation_reason": self.revocation_reason,
            "assertion": self.assertion,
            "checked_at": _iso(self.checked_at),
            "image_content_type": self.image_content_type,
        }


class Abort(Exception):
    """Raised inside a run to stop verification; the checks recorded so far explain why."""


class BadgeError(Exception):
    """An error with a stable code, raised by extraction and parsing helpers."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(message or codes.message_for(code))
        self.code = code
        self.message = message or codes.message_for(code)


class Run:
    """Mutable state of one verification: the report being written plus the facts that decide the status."""

    def __init__(self, now: datetime, identities: tuple[str, ...], linked: tuple[str, ...] = ()) -> None:
        self.now = now
        self.identities = identities
        self.linked = linked  # did:web identities on other instances the member claims (confirmed when used)
        self.result = VerificationResult(status="FAILED", checked_at=now)
        self.revoked = False
        self.expired = False
        self.hops = 0  # URLs followed from one document to another (a baked image naming a URL, ...)

    def passed(self, name: str, message: str = "") -> None:
        self.result.checks.append(Check(name, True, None, message))

    def warn(self, name: str, code: str, message: str | None = None) -> None:
        self.result.checks.append(Check(name, False, code, message or codes.message_for(code), warning=True))

    @overload
    def failed(self, name: str, code: str, message: str | None = None, *, fatal: Literal[True]) -> NoReturn: ...
    @overload
    def failed(self, name: str, code: str, message: str | None = None, *, fatal: bool = False) -> None: ...
    def failed(self, name: str, code: str, message: str | None = None, *, fatal: bool = False) -> None:
        """Record a failed check; `fatal` ends the run (raises Abort), which the type says (NoReturn)."""
        self.result.checks.append(Check(name, False, code, message or codes.message_for(code)))
        if code not in self.result.errors:
            self.result.errors.append(code)
        if code == codes.EXPIRED:
            self.expired = True
        if code == codes.REVOKED:
            self.revoked = True
        if fatal:
            raise Abort(code)

    def finish(self) -> VerificationResult:
        """Status precedence (docs/openbadges.md): REVOKED > FAILED > EXPIRED > VERIFIED.

        A revocation is only ever recorded from an authentic source (the hosted id itself, or a list consulted after
        the signature/proof verified), so it wins; any other error means we cannot vouch for the badge (FAILED);
        an expiry alone means the badge was genuine but is no longer current (EXPIRED).
        """
        r = self.result
        other_errors = [e for e in r.errors if e not in (codes.EXPIRED, codes.REVOKED)]
        if self.revoked:
            r.status = "REVOKED"
        elif other_errors:
            r.status = "FAILED"
        elif self.expired:
            r.status = "EXPIRED"
        else:
            r.status = "VERIFIED"
        return r
