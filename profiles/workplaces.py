"""Verified workplaces: a verified e-mail address at a domain of a verified organisation.

Read-side only; organisations are verified by instance staff (admin, `seed_trust`). The
self-service path (DNS TXT record, organisation admins) is designed in docs/weighting.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from profiles.models import Organisation, OrganisationDomain

MAX_DOMAIN = 253


def normalise_domain(value: str) -> str:
    """'@Northwind.Example.' -> 'northwind.example' (IDNA to its ASCII form); '' when it is no domain."""
    value = (value or "").strip().lower().lstrip("@").rstrip(".")
    if not value or len(value) > MAX_DOMAIN or " " in value or "@" in value or "." not in value:
        return ""
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return value


def email_domain(email: str) -> str:
    return normalise_domain(email.rsplit("@", 1)[1]) if "@" in (email or "") else ""


def _verified_domains() -> dict[str, Organisation]:
    return {
        d.domain: d.organisation
        for d in OrganisationDomain.objects.filter(organisation__verified=True).select_related("organisation")
    }


def organisation_for_domain(domain: str, domains: dict[str, Organisation]) -> Organisation | None:
    """The verified organisation owning `domain` or a parent of it (eng.northwind.example -> northwind.example)."""
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        found = domains.get(".".join(parts[i:]))
        if found is not None:
            return found
    return None


def verified_workplaces(user_ids: Iterable[int] | None = None) -> dict[int, Organisation]:
    """member id -> their verified workplace, for `user_ids` (None: every member). Two queries.

    A member with verified addresses at several verified organisations works at the one whose
    address is the member's primary, else the lowest organisation id (deterministic).
    """
    from allauth.account.models import EmailAddress

    domains = _verified_domains()
    if not domains:
        return {}
    rows = EmailAddress.objects.filter(verified=True)
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    found: dict[int, tuple[bool, int, Organisation]] = {}
    for user_id, email, primary in rows.values_list("user_id", "email", "primary").order_by("user_id", "pk"):
        org = organisation_for_domain(email_domain(email), domains)
        if org is None:
            continue
        key = (not primary, org.pk, org)
        if user_id not in found or key[:2] < found[user_id][:2]:
            found[user_id] = key
    return {user_id: value[2] for user_id, value in found.items()}


def verified_workplace(user: object) -> Organisation | None:
    pk = getattr(user, "pk", None)
    return verified_workplaces([pk]).get(pk) if pk is not None else None


def attach_workplaces(users: list[object]) -> None:
    """Set `listed_workplace` (an Organisation or None) on each of `users`, in two queries for all of them:
    a list of members shows its workplaces without a query per member (vouch.querysets.after_fetch)."""
    found = verified_workplaces([u.pk for u in users])  # type: ignore[attr-defined]
    for user in users:
        user.listed_workplace = found.get(user.pk)  # type: ignore[attr-defined]


def workplace_of(user: object) -> Organisation | None:
    """The member's verified workplace: attached by attach_workplaces, else two queries."""
    if hasattr(user, "listed_workplace"):
        return user.listed_workplace
    return verified_workplace(user)
