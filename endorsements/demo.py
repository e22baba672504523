"""Demo endorsements and requests for the Northwind Labs network (called by `seed_demo`).

Everything goes through endorsements.services, so weights, scores, notifications and the
rules (caps, blocks, listed skills) are exactly what a real member would get. Deterministic
(its own seeded RNG, members in PEOPLE order) and idempotent: a pair already endorsed, or
already asked, is skipped.

What the demo shows: managers endorsing their reports (MANAGER), peers in the same team
(PEER), reports endorsing their managers (REPORT), a few cross-team endorsements (OTHER),
a few endorsements hidden by their member, pending requests in managers' inboxes, and
declined, accepted and cancelled ones, a member who reviews endorsements before they show (two
waiting), and one who takes endorsements only from colleagues and people she asked. Interns joined
recently, so their endorsements show how new accounts are weighed (docs/weighting.md).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from endorsements import services
from endorsements.models import Endorsement, EndorsementRequest
from profiles.models import User
from skills.models import MemberSkill

COMMENTS = {
    "MANAGER": [
        "Owned this end to end on our team and raised everyone's bar.",
        "I managed {name} for two years: consistently excellent here.",
        "The person I send hard {skill} problems to.",
        "",
    ],
    "PEER": ["Great to pair with on {skill}.", "Reviews my {skill} work and always improves it.", ""],
    "REPORT": ["Taught me most of what I know about {skill}.", "A manager who really knows {skill}.", ""],
    "OTHER": ["Gave a great internal talk on {skill}.", ""],
}
REQUEST_MESSAGES = [
    "Would you vouch for my {skill} work this quarter?",
    "Could you endorse my {skill}? It would help with my promotion case.",
    "",
]


def _backdate(org: Any, rng: random.Random) -> None:
    """Demo accounts are not brand new: members joined months or years ago, interns recently."""
    from profiles.demo import DEMO_DOMAIN

    now = timezone.now()
    for _username, user in org.members.items():
        days = rng.randint(30, 60) if user.profile.seniority == "INTERN" else rng.randint(200, 2000)
        if user.email.endswith("@" + DEMO_DOMAIN) and user.date_joined > now - timedelta(days=2):
            user.date_joined = now - timedelta(days=days)
            user.save(update_fields=["date_joined"])


def _skills(user: User) -> list[MemberSkill]:
    return list(MemberSkill.objects.filter(member=user).select_related("skill").order_by("position", "id"))


def _endorse(
    endorser: User, member: User, ms: MemberSkill, relationship: str, rng: random.Random
) -> Endorsement | None:
    # Draw before deciding, so a skipped (already made) endorsement leaves the RNG where a fresh run has it.
    comment = rng.choice(COMMENTS[relationship]).format(name=member.profile.name.split()[0], skill=ms.skill.name)
    if Endorsement.objects.filter(endorser=endorser, member=member, skill=ms.skill).exists():
        return None
    try:
        return services.endorse(endorser, member=member, skill=ms.skill, relationship=relationship, comment=comment)
    except ValidationError:  # a real refusal (turned off, blocked, cap): the demo respects it
        return None


def _request(
    requester: User, recipient: User, ms: MemberSkill, relationship: str, rng: random.Random
) -> EndorsementRequest | None:
    message = rng.choice(REQUEST_MESSAGES).format(skill=ms.skill.name)
    if EndorsementRequest.objects.filter(requester=requester, recipient=recipient, skill=ms.skill).exists():
        return None
    if Endorsement.objects.filter(endorser=recipient, member=requester, skill=ms.skill).exists():
        return None
    try:
        return services.request_endorsement(
            requester, recipient=recipient, skill=ms.skill, relationship=relationship, message=message
        )
    except ValidationError:
        return None


def seed(rng: random.Random, org: Any) -> None:
    # Our own RNG, so the badges seed that runs after this one draws the same numbers whatever we do.
    rng = random.Random(20260301)
    _backdate(org, rng)
    members: dict[str, User] = {u: User.objects.select_related("profile").get(pk=m.pk) for u, m in org.members.items()}
    skills = {u: _skills(m) for u, m in members.items()}
    order = list(members)  # PEOPLE order: deterministic
    from endorsements.policy import update_endorsement_settings

    # The member controls shown at the end take effect only there (a re-seed after deleting the
    # endorsements gives the same rows): everyone takes endorsements from anyone until then.
    for user in members.values():
        if user.profile.review_before_showing or user.profile.who_may_endorse != "ANYONE":
            update_endorsement_settings(user, who_may_endorse="ANYONE", review_before_showing=False)

    # Managers endorse their reports; reports endorse their managers back, sometimes.
    for username in order:
        manager_name = org.manager_of.get(username)
        if manager_name not in members:
            continue
        member, manager = members[username], members[manager_name]
        listed = skills[username]
        for ms in rng.sample(listed, k=min(len(listed), rng.randint(1, 2))):
            _endorse(manager, member, ms, "MANAGER", rng)
        if skills[manager_name] and rng.random() < 0.5:
            _endorse(member, manager, rng.choice(skills[manager_name]), "REPORT", rng)

    # Peers in the same team endorse a skill they share.
    for _team, usernames in org.teams.items():
        for username in usernames:
            peers = [p for p in usernames if p != username and p in members]
            for peer in rng.sample(peers, k=min(len(peers), 2)):
                shared = [ms for ms in skills[peer] if ms.skill_id in {s.skill_id for s in skills[username]}]
                if shared and rng.random() < 0.7:
                    _endorse(members[username], members[peer], rng.choice(shared), "PEER", rng)

    # A few cross-team endorsements.
    for _ in range(8):
        a, b = rng.sample(order, 2)
        if skills[b]:
            _endorse(members[a], members[b], rng.choice(skills[b]), "OTHER", rng)

    # A few members hide an endorsement they find unsuitable (the lightest OTHER/PEER one they got).
    for username in ("fatima", "noah", "elif"):
        if username not in members:
            continue
        e = (
            Endorsement.objects.filter(member=members[username], relationship__in=["OTHER", "PEER"])
            .order_by("weight", "id")
            .first()
        )
        if e is not None and not e.hidden:
            services.set_endorsement_hidden(members[username], endorsement_id=e.pk, hidden=True)

    # Requests: juniors and interns ask their managers and leads; some answered, one cancelled.
    made: list[EndorsementRequest] = []
    for username in order:
        member = members[username]
        if member.profile.seniority not in ("INTERN", "JUNIOR", "MID") or not skills[username]:
            continue
        manager_name = org.manager_of.get(username)
        if manager_name in members and rng.random() < 0.6:
            r = _request(member, members[manager_name], rng.choice(skills[username]), "MANAGER", rng)
            if r is not None:
                made.append(r)
    for i, r in enumerate(made):
        try:
            if i % 5 == 1:
                services.respond_to_endorsement_request(r.recipient, request_id=r.pk, accept=False)
            elif i % 5 == 2:
                services.respond_to_endorsement_request(
                    r.recipient, request_id=r.pk, accept=True, comment="Happy to: well deserved."
                )
            elif i % 7 == 3:
                services.cancel_endorsement_request(r.requester, request_id=r.pk)
        except ValidationError:
            continue

    # Member controls (docs/endorsements.md): Hana reviews new endorsements before they show, and two
    # cross-team ones wait in her queue; Grace takes endorsements only from colleagues and people she asked.
    if "hana" in members and skills["hana"]:
        update_endorsement_settings(members["hana"], review_before_showing=True)
        for endorser in ("lucas", "yuki"):
            if endorser in members:
                _endorse(members[endorser], members["hana"], skills["hana"][0], "OTHER", rng)
    if "grace" in members:
        update_endorsement_settings(members["grace"], who_may_endorse="ORGANISATION_AND_ASKED")

    _settle_trust(members)


def _settle_trust(members: dict[str, User]) -> None:
    """Northwind Labs is a verified organisation (profiles.demo): Maria, its admin, confirms the
    directors' seniority; then trust is recomputed and every endorsement re-weighed under it, as the
    scheduled job and `reweigh_endorsements` would (docs/weighting.md)."""
    from endorsements.scoring import reweigh_all
    from endorsements.trust_graph import recompute_trust
    from profiles.services import confirm_seniority

    admin = members.get("maria")
    if admin is not None:
        for user in members.values():
            if user.profile.seniority == "DIRECTOR" and not user.profile.seniority_confirmed:
                confirm_seniority(admin, member=user)
    recompute_trust()
    reweigh_all()
