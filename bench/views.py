"""The baseline of the profile benchmark: what a Django developer would write without GraphQL.

A plain function view returning the same data as bench/profile_query.py's GraphQL document,
with the same visibility rules (the app's permission functions), querysets written by hand
(select_related + a sliced Prefetch for the top 3 endorsements per skill), JsonResponse.
Served only by the bench's server (bench/urls.py via bench/settings.py), never in production.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, JsonResponse

from badges.models import Badge
from badges.permissions import visible_badges_q
from endorsements.permissions import visible_endorsements
from profiles.permissions import visible_members
from skills.models import MemberSkill


def _badges(viewer: object) -> Prefetch:
    qs = Badge.objects.filter(visible_badges_q(viewer)).only("id", "owner_id", "member_skill_id", "name", "issuer_name")
    return Prefetch("badges", queryset=qs.order_by("-created_at", "-id"), to_attr="shown_badges")


def profile_json(request: HttpRequest, username: str) -> JsonResponse:
    viewer = request.user
    member = visible_members(viewer).select_related("profile").filter(username=username.lower()).first()
    if member is None:
        raise Http404
    top = (
        visible_endorsements(viewer, member_visible=True)
        .filter(hidden=False)
        .select_related("endorser__profile")
        .only("id", "member_skill_id", "weight", "explanation", "endorser__username", "endorser__profile__display_name")
        .order_by("-weight", "id")
    )
    listings = (
        MemberSkill.objects.filter(member=member)
        .select_related("skill")
        .prefetch_related(Prefetch("endorsements", queryset=top[:3], to_attr="top"), _badges(viewer))
        .order_by("position", "id")
    )
    member_badges = Badge.objects.filter(visible_badges_q(viewer), owner=member).only("name", "issuer_name")
    profile = member.profile
    return JsonResponse(
        {
            "member": {
                "username": member.username,
                "displayName": profile.display_name or member.username,
                "headline": profile.headline,
                "seniority": profile.seniority,
                "badges": [
                    {"name": b.name, "issuerName": b.issuer_name} for b in member_badges.order_by("-created_at", "-id")
                ],
                "skills": [
                    {
                        "skill": {"name": ms.skill.name, "slug": ms.skill.slug},
                        "score": ms.score,
                        "endorsementCount": ms.endorsement_count,
                        "topEndorsements": [
                            {
                                "weight": e.weight,
                                "weightExplanation": e.explanation,
                                "endorser": {
                                    "username": e.endorser.username,
                                    "displayName": e.endorser.profile.display_name or e.endorser.username,
                                },
                            }
                            for e in ms.top
                        ],
                        "badges": [{"name": b.name, "issuerName": b.issuer_name} for b in ms.shown_badges],
                    }
                    for ms in listings
                ],
            }
        }
    )
