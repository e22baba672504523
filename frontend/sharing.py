"""Sharing a profile: the share card image, the embeddable card, links to add badges to LinkedIn.

The card and the embed show what an anonymous visitor sees whoever asks (they are made to be shown elsewhere):
members-only profiles answer 404 there. The embed is the only page that may be framed, and uses no cookies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from credentials.views import origin_of
from frontend import selectors
from frontend.cards import render_card

# Framable by any site; everything else of the default policy stays (no script at all on this page).
EMBED_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *"
)
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def _public_member(username: str) -> Any:
    """The profile as anyone sees it (never the caller's session: cards are shown to third parties)."""
    member = selectors.profile_of(None, username)
    if member is None:
        raise Http404("No such member")
    return member


def _top_skills(member: Any, n: int = 5) -> list[Any]:
    return sorted(member.listed_skills, key=lambda ms: (-ms.score, ms.position, ms.pk))[:n]


@require_GET
def card_png(request: HttpRequest, username: str) -> HttpResponse:
    member = _public_member(username)
    skills = [(ms.skill.name, float(ms.score), ms.endorsement_count) for ms in _top_skills(member)]
    host = origin_of(request).split("://", 1)[1]
    key = f"card:{member.pk}:{hash((member.profile.name, member.profile.headline, tuple(skills), host))}"
    png = cache.get(key)
    if png is None:
        png = render_card(
            name=member.profile.name, handle=member.username, headline=member.profile.headline, skills=skills, host=host
        )
        cache.set(key, png, 3600)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
@xframe_options_exempt
def embed(request: HttpRequest, username: str) -> HttpResponse:
    member = _public_member(username)
    origin = origin_of(request)
    context = {
        "member": member,
        "skills": _top_skills(member),
        "profile_url": f"{origin}/m/{member.username}/",
        "credential_url": f"{origin}/m/{member.username}/credential",
    }
    response = render(request, "frontend/embed.html", context)
    response["Content-Security-Policy"] = EMBED_CSP
    response["Cache-Control"] = "public, max-age=300"
    # Nothing here depends on the visitor; no cookie is read or set.
    response.cookies.clear()
    return response


def linkedin_url(badge: Any, page_url: str) -> str:
    """LinkedIn's add-to-profile link for a certification: name, issuing organisation, dates, the public badge
    page as the credential URL and the badge's public id as the credential id."""
    params: dict[str, Any] = {"startTask": "CERTIFICATION_NAME", "name": badge.name or "Open Badge"}
    if badge.issuer_name:
        params["organizationName"] = badge.issuer_name
    if badge.issued_on:
        params["issueYear"], params["issueMonth"] = badge.issued_on.year, badge.issued_on.month
    if badge.expires_at:
        params["expirationYear"], params["expirationMonth"] = badge.expires_at.year, badge.expires_at.month
    params["certUrl"] = page_url
    params["certId"] = badge.public_id
    return f"{LINKEDIN_ADD}?{urlencode(params)}"
