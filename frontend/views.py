"""Web pages. Views only call services, selectors and permission predicates; no domain logic lives here.

Every form posts to its own URL and redirects after success (post/redirect/get); on bad input
the page is rendered again with the errors (status 400) and nothing is written, because the
services validate everything before they write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from frontend import selectors
from frontend.forms import AddSkillForm, BlockForm, ProfileForm, ReorderForm, SearchForm, call_service
from profiles import services as profile_services
from profiles.permissions import can_edit_profile
from skills import services as skill_services

PAGE_SIZE = 20


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the page the form was on (same-site paths only), else `default`."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(default)


# --- Home and search ---------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    page = None
    skill_name = ""
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        skill_name = form.cleaned_data["skill"].strip()
        if not skill_name and query and skill_services.find_skill(query) is not None and not request.GET.get("text"):
            # "kubernetes" typed in the header search means the skill: rank by it.
            skill_name, query = query, ""
        if query or skill_name:
            results = selectors.member_results(request.user, skill=skill_name or None, search=query or None)
            page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    skill = skill_services.find_skill(skill_name) if skill_name else None
    context = {
        "form": form,
        "page": page,
        "query": query,
        "skill_name": skill.name if skill else skill_name,
        "skill": skill,
        "header_query": request.GET.get("q", ""),
        "popular_skills": skill_services.search_skills("", first=12) if page is None else [],
        "page_query": _page_query(request),
    }
    return render(request, "frontend/home.html", context)


def _page_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Profiles -----------------------------------------------------------------------


@require_GET
def member(request: HttpRequest, username: str) -> HttpResponse:
    profile_member = selectors.visible_member(request.user, username)
    if profile_member is None:
        raise Http404("No such member")
    context: dict[str, Any] = {
        "member": profile_member,
        "skills": profile_member.listed_skills,
        "is_owner": can_edit_profile(request.user, profile_member),
        "nav": "profile" if can_edit_profile(request.user, profile_member) else None,
    }
    context["top_score"] = max((ms.score for ms in profile_member.listed_skills), default=0)
    return render(request, "frontend/member.html", context)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return redirect("member", username=request.user.username)


# --- Settings: profile -------------------------------------------------------------------


def _profile_initial(user: Any) -> dict[str, Any]:
    p = user.profile
    return {
        "display_name": p.display_name,
        "headline": p.headline,
        "seniority": p.seniority,
        "title": p.title,
        "organisation": p.organisation,
        "visibility": p.visibility,
    }


@login_required
def settings_profile(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            avatar = data.pop("avatar")
            if call_service(form, profile_services.update_profile, request.user, avatar=avatar, **data) is not None:
                messages.success(request, "Your profile is saved.")
                return redirect("settings")
        status = 400
    else:
        form = ProfileForm(initial=_profile_initial(request.user))
        status = 200
    return render(request, "frontend/settings/profile.html", {"form": form, "nav": "settings", "tab": "profile"}, status=status)


# --- Settings: skills -----------------------------------------------------------------------


def _skills_page(request: HttpRequest, add_form: AddSkillForm, status: int = 200) -> HttpResponse:
    context = {"skills": selectors.own_skills(request.user), "add_form": add_form, "nav": "settings", "tab": "skills"}
    return render(request, "frontend/settings/skills.html", context, status=status)


@login_required
def settings_skills(request: HttpRequest) -> HttpResponse:
    return _skills_page(request, AddSkillForm())


@login_required
@require_POST
def skill_add(request: HttpRequest) -> HttpResponse:
    form = AddSkillForm(request.POST)
    if form.is_valid():
        ms = call_service(form, skill_services.add_skill, request.user, name=form.cleaned_data["name"])
        if ms is not None:
            messages.success(request, f"Added {ms.skill.name}.")
            return redirect("settings_skills")
    return _skills_page(request, form, status=400)


@login_required
@require_POST
def skill_remove(request: HttpRequest, member_skill_id: int) -> HttpResponse:
    form = AddSkillForm()
    if call_service(form, skill_services.remove_skill, request.user, member_skill_id=member_skill_id) is None and form.errors:
        raise Http404("No such skill")
    messages.success(request, "Skill removed.")
    return redirect("settings_skills")


@login_required
@require_POST
def skill_move(request: HttpRequest, member_skill_id: int) -> HttpResponse:
    ids = [ms.pk for ms in selectors.own_skills(request.user)]
    if member_skill_id not in ids:
        raise Http404("No such skill")
    i = ids.index(member_skill_id)
    j = i - 1 if request.POST.get("direction") == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        skill_services.reorder_skills(request.user, member_skill_ids=ids)
    return redirect(f"{reverse('settings_skills')}#skill-{member_skill_id}")


@login_required
@require_POST
def skill_reorder(request: HttpRequest) -> HttpResponse:
    form = ReorderForm(request.POST)
    if form.is_valid() and call_service(
        form, skill_services.reorder_skills, request.user, member_skill_ids=form.cleaned_data["order"]
    ) is not None:
        messages.success(request, "Order saved.")
        return redirect("settings_skills")
    messages.error(request, "That order could not be saved: " + "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("settings_skills")


@login_required
@require_POST
def skill_endorsements(request: HttpRequest, member_skill_id: int) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    form = AddSkillForm()
    ms = call_service(
        form, skill_services.set_endorsements_enabled, request.user, member_skill_id=member_skill_id, enabled=enabled
    )
    if ms is None:
        raise Http404("No such skill")
    messages.success(request, f"Endorsements for {ms.skill.name} are {'on' if enabled else 'off'}.")
    return redirect(f"{reverse('settings_skills')}#skill-{member_skill_id}")


# --- Settings: blocked members -----------------------------------------------------------------


def _blocks_page(request: HttpRequest, form: BlockForm, status: int = 200) -> HttpResponse:
    context = {"blocks": selectors.blocked_members(request.user), "form": form, "nav": "settings", "tab": "blocks"}
    return render(request, "frontend/settings/blocks.html", context, status=status)


@login_required
def settings_blocks(request: HttpRequest) -> HttpResponse:
    return _blocks_page(request, BlockForm())


@login_required
@require_POST
def block(request: HttpRequest) -> HttpResponse:
    form = BlockForm(request.POST)
    if form.is_valid():
        target = selectors.member_by_username(request.user, form.cleaned_data["username"])
        if target is None:
            form.add_error("username", "No member with that username.")
        elif call_service(form, profile_services.block_member, request.user, member=target) is not None:
            messages.success(request, f"{target.profile.name} can no longer endorse you or ask you for endorsements.")
            return _back(request, reverse("settings_blocks"))
    return _blocks_page(request, form, status=400)


@login_required
@require_POST
def unblock(request: HttpRequest) -> HttpResponse:
    form = BlockForm(request.POST)
    if form.is_valid():
        target = selectors.member_by_username(request.user, form.cleaned_data["username"])
        if target is not None:
            profile_services.unblock_member(request.user, member=target)
            messages.success(request, f"{target.profile.name} is no longer blocked.")
    return _back(request, reverse("settings_blocks"))


# --- Requests and notifications (filled in as the endorsements and notifications services land) ---


@login_required
def requests_page(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/requests.html", {"nav": "requests"})


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/notifications.html", {"nav": "notifications"})
