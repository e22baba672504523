"""Reading badges: the querysets GraphQL and the pages share, and what a viewer may see of a report.

Entry points for other apps:
* `badge_for_page(viewer, ident)` — the badge behind `/b/<ident>/` (public id or GraphQL id) or None;
* `report_for(viewer, badge)` — the verification report as `viewer` may see it (recipient identity redacted
  for everyone but the owner);
* `badges_prefetch(viewer, paths)` / `listed_badges(viewer, paths)` / `badge_queryset(viewer, paths)` — query-driven
  prefetching (CONVENTIONS 6);
* `verified_badge_pairs(member_ids, skill_ids)` — the endorsement weighting's hard-to-fake signal.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from badges.models import Badge
from badges.permissions import evidence_q, is_owner, visible_badges_q
from profiles.actors import is_signed_in
from vouch.graphql.selection import below, wants

# Never needed to show a badge, and up to megabytes each: not loaded by list queries.
_HEAVY = ("source_data", "source_text")
REDACTED = "[hidden]"
# GraphQL fields of Badge that read the stored report.
REPORT_FIELDS = (
    "verificationReport",
    "verificationChecks",
    "recipientMatched",
    "specVersion",
    "verificationMethod",
    "evidence",
)


def badge_queryset(viewer: Any, paths: frozenset[str] = frozenset()) -> QuerySet[Badge]:
    """Badges with what the selection below a `badges` field needs; visibility is applied by the caller."""
    qs = Badge.objects.defer(*_HEAVY).order_by("-created_at", "-id")
    if not any(wants(paths, name) for name in REPORT_FIELDS):
        qs = qs.defer("verification_report")
    if wants(paths, "memberSkill"):
        qs = qs.select_related("member_skill__skill")
        if wants(below(paths, "memberSkill"), "member"):
            qs = qs.select_related("member_skill__member__profile")
    if wants(paths, "owner"):
        qs = qs.select_related("owner__profile")
    return qs


def listed_badges(viewer: Any, paths: frozenset[str] = frozenset(), *, evidence_only: bool = False) -> QuerySet[Badge]:
    """The badges `viewer` may see under a member or a listing the caller already knows `viewer` may see.
    `evidence_only` for the proof listed under a skill: a self-issued or unconfirmed issuer's badge is not."""
    return badge_queryset(viewer, paths).filter(visible_badges_q(viewer, evidence_only=evidence_only))


def badges_prefetch(
    viewer: Any, paths: frozenset[str], *, lookup: str = "badges", evidence_only: bool = False
) -> Prefetch:
    """For `Member.badges` (lookup "badges") and `MemberSkill.badges` (evidence_only): one query for all rows."""
    return Prefetch(lookup, queryset=listed_badges(viewer, paths, evidence_only=evidence_only), to_attr="listed_badges")


def visible_badges(viewer: Any, paths: frozenset[str] = frozenset()) -> QuerySet[Badge]:
    """Every badge `viewer` may see, owner visibility included (for node(id:), badge(id:), pages)."""
    from profiles.permissions import visible_members

    qs = listed_badges(viewer, paths)
    if is_signed_in(viewer):
        return qs.filter(owner__is_active=True)
    return qs.filter(owner__in=visible_members(viewer))


def badge_for_page(viewer: Any, ident: str, paths: frozenset[str] = frozenset()) -> Badge | None:
    """The badge at `/b/<ident>/`: `ident` is its public id (what `Badge.pageUrl` uses) or its GraphQL id.

    None when there is no such badge or `viewer` may not see it (a private or unverified badge of someone else),
    so the page answers 404 in both cases.
    """
    ident = (ident or "").strip()
    if not ident or len(ident) > 200:
        return None
    qs = visible_badges(viewer, paths | {"owner", "memberSkill", "verificationReport"})
    badge = qs.filter(public_id=ident).first()
    if badge is None:
        from django.core.exceptions import ValidationError

        from vouch.ids import decode_id

        try:
            pk = decode_id(ident, "Badge")
        except ValidationError:
            return None
        badge = qs.filter(pk=pk).first()
    return badge


def _redact(value: Any) -> Any:
    """Remove every way the stored assertion/credential names its recipient (address, hash, salt, subject id)."""
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("recipient", "salt", "identifier", "identity", "identityHash", "email", "telephone"):
            out[key] = REDACTED
        elif key == "credentialSubject":
            subjects = item if isinstance(item, list) else [item]
            cleaned = []
            for subject in subjects:
                if isinstance(subject, dict):
                    subject = {k: (REDACTED if k == "id" else v) for k, v in subject.items()}
                cleaned.append(_redact(subject))
            out[key] = cleaned if isinstance(item, list) else cleaned[0]
        elif key == "sub":  # a VC-JWT's subject claim
            out[key] = REDACTED
        else:
            out[key] = _redact(item)
    return out


def report_for(viewer: Any, badge: Badge) -> dict[str, Any] | None:
    """The verification report as `viewer` may see it.

    The owner sees it as stored. Anyone else sees it with the recipient identity removed from the stored
    assertion: that the recipient matched one of the member's verified addresses is stated by
    `recipient_matched` and the "Recipient" check, never by showing the address or its hash.
    """
    report = badge.verification_report
    if report is None:
        return None
    if is_owner(viewer, badge):
        return report
    shown = copy.deepcopy(report)
    if "assertion" in shown:
        shown["assertion"] = _redact(shown["assertion"])
    return shown


def verified_badge_pairs(member_ids: Iterable[int], skill_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(member_id, skill_id) pairs where the member holds evidence for the skill, in one query (for bulk weighing).

    Evidence = a VERIFIED, public, unexpired badge of a confirmed or domain-bound issuer, attached to the member's
    listing of that skill. A private badge counts for nobody but its owner, and a self-issued (did:key) or
    unconfirmed issuer's badge proves nothing, so neither lends standing.
    """
    members, skills = list(member_ids), list(skill_ids)
    if not members or not skills:
        return set()
    rows = (
        Badge.objects.filter(evidence_q(), owner_id__in=members, member_skill__skill_id__in=skills)
        .values_list("owner_id", "member_skill__skill_id")
        .distinct()
    )
    return {(owner_id, skill_id) for owner_id, skill_id in rows}


def verified_badge_dates(member_ids: Iterable[int], skill_ids: Iterable[int]) -> dict[tuple[int, int], Any]:
    """As verified_badge_pairs, with how old each pair's evidence is, in one query: {(member, skill): issued}
    where `issued` is None when one of the pair's badges states its validity (an expiry: it counts in full
    until then), else the newest badge's issue date (its import date when it states none). Freshness in
    endorsements.weighting decays what an undated-validity badge lends."""
    members, skills = list(member_ids), list(skill_ids)
    if not members or not skills:
        return {}
    rows = Badge.objects.filter(evidence_q(), owner_id__in=members, member_skill__skill_id__in=skills).values_list(
        "owner_id", "member_skill__skill_id", "issued_on", "created_at", "expires_at"
    )
    out: dict[tuple[int, int], Any] = {}
    for owner_id, skill_id, issued_on, created_at, expires_at in rows:
        key = (owner_id, skill_id)
        when = None if expires_at is not None else (issued_on or created_at)
        if key in out and (out[key] is None or (when is not None and when <= out[key])):
            continue
        out[key] = when
    return out
