"""/insights/: the network's scarce and rising skills and who issues their badges, as SVG charts with tables; for a
signed-in member, the skills to strengthen and whether views of their profile are counted. Reads rollups only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from insights import charts, selectors, services
from profiles.actors import AuthenticatedHttpRequest, is_signed_in


@require_GET
def insights_page(request: HttpRequest) -> HttpResponse:
    k = selectors.k()
    scarce = selectors.skill_insights(10)
    rising = selectors.rising_skills(8)
    with_issuers = [i for i in scarce if i.issuers][:5]
    context: dict[str, Any] = {
        "k": k,
        "window": settings.INSIGHTS_WINDOW_DAYS,
        "strong_score": settings.INSIGHTS_STRONG_SCORE,
        "scarce": scarce,
        "rising": rising,
        "with_issuers": with_issuers,
        "scarce_chart": charts.bar_chart(
            "scarce-chart",
            "Scarce skills: demand against members strong in them",
            f"For each of the {len(scarce)} scarcest skills, demand over the last {settings.INSIGHTS_WINDOW_DAYS} "
            f"days and the number of members with a score of at least {settings.INSIGHTS_STRONG_SCORE:g}.",
            ["Demand", "Members strong in it"],
            [(i.skill.name, [i.demand, i.strong_supply]) for i in scarce],
            k=k,
        ),
        "rising_chart": charts.bar_chart(
            "rising-chart",
            "Rising skills over the last 90 days",
            "Demand in each of the last three 30-day periods, oldest first, for the skills whose demand grew most.",
            ["61–90 days ago", "31–60 days ago", "Last 30 days"],
            [(r.skill.name, list(r.periods)) for r in rising],
            k=k,
        ),
        "issuer_charts": [
            charts.bar_chart(
                f"issuers-{i.skill.slug}",
                f"Who issues the verified {i.skill.name} badges members hold",
                f"Verified {i.skill.name} badges by issuer (issuers behind fewer than {k} are left out).",
                ["Verified badges"],
                [(c.name, [c.badges]) for c in i.issuers],
                k=k,
            )
            for i in with_issuers
        ],
        "nav": "insights",
    }
    if is_signed_in(request.user):
        context["suggestions"] = selectors.skills_to_strengthen(request.user)
        context["views_counted"] = services.views_counted(request.user)
    return render(request, "insights/insights.html", context)


@login_required
@require_POST
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    counted = services.set_views_counted(request.user, counted=request.POST.get("counted") == "1")
    messages.success(
        request,
        "Views of your profile are counted in skill insights again."
        if counted
        else "Views of your profile are no longer counted in skill insights.",
    )
    return redirect("/insights/#your-privacy")
