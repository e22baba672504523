"""Web pages. Views only call services, selectors and permission predicates; no domain logic lives here.

Every form posts to its own URL and redirects after success (post/redirect/get); on bad input
the page is rendered again with the errors (status 400) and nothing is written, because the
services validate everything before they write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend import selectors
from frontend.forms import (
    AddSkillForm,
    BadgeImportForm,
    BlockForm,
    DeleteAccountForm,
    EndorseForm,
    EndorsementSettingsForm,
    MutedKindsForm,
    ProfileForm,
    ReorderForm,
    RequestForm,
    RespondForm,
    SearchForm,
    VouchForm,
    call_service,
    flash_errors,
    service_or_404,
)
from profiles import account
from profiles import services as profile_services
from profiles.actors import AuthenticatedHttpRequest, is_signed_in
from profiles.permissions import can_confirm_seniority, can_edit_profile
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
    page = None
    skill = None
    skill_name = query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        skill_name = form.cleaned_data["skill"].strip()
        if not skill_name and query and not request.GET.get("text") and skill_services.find_skill(query) is not None:
            # "kubernetes" typed in the header search means the skill: rank by it.
            skill_name, query = query, ""
        skill = skill_services.find_skill(skill_name) if skill_name else None
        if (query or skill is not None) and not (skill_name and skill is None):
            results = selectors.member_results(request.user, skill=skill.name if skill else None, search=query or None)
            page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
            if skill is not None and page.number == 1:
                from insights.services import record_search

                record_search(request, skill)  # a demand signal, counted once per visitor a day (docs/insights.md)
            if skill is not None:
                _place_results(page.object_list, skill)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "skill_name": skill.name if skill else skill_name,
        "skill": skill,
        "unknown_skill": bool(skill_name) and skill is None,
        "did_you_mean": _did_you_mean(skill_name if skill is None else "", query, page),
        "header_query": request.GET.get("q", ""),
        "popular_skills": skill_services.search_skills("", first=12)
        if page is None or not page.paginator.count
        else [],
        "page_query": _page_query(request),
    }
    return render(request, "frontend/home.html", context)


def _place_results(members: Any, skill: Any) -> None:
    """Each result's listing of the searched skill (`m.listing`, with its verified badges) and where it stands
    among everyone listing the skill (`m.rank_text`: "1st of 19 with Python"), in one query for the page."""
    from skills.ranking import rank_text, ranks

    rows = list(members)
    for m in rows:
        m.listing = next((ms for ms in m.listed_skills if ms.skill_id == skill.pk), None)
        m.badges_shown = [b for b in (m.listing.evidence if m.listing else []) if b.status == "VERIFIED"]
    standing = ranks(m.listing.pk for m in rows if m.listing is not None)
    for m in rows:
        m.rank_text = rank_text(*standing.get(m.listing.pk, (1, 1)), skill.name) if m.listing else ""


def _did_you_mean(unknown_skill: str, query: str, page: Any) -> list[Any]:
    """Skills close to what was typed, when it found no skill or no one (a typo such as "kubernets")."""
    typed = unknown_skill or (query if page is not None and page.paginator.count == 0 else "")
    return skill_services.similar_skills(typed, first=3) if typed else []


def _page_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Profiles -----------------------------------------------------------------------


def _member_page(request: HttpRequest, username: str, endorse_form: EndorseForm | None = None) -> HttpResponse:
    profile_member = selectors.profile_of(request.user, username)
    if profile_member is None:
        raise Http404("No such member")
    skills = profile_member.listed_skills  # type: ignore[attr-defined]  # profile_of's Prefetch(to_attr=...)
    is_owner = can_edit_profile(request.user, profile_member)
    states = selectors.my_endorsement_states(request.user, profile_member)
    mine = {skill_id: pk for skill_id, (pk, _pending) in states.items()}
    refusal, per_skill = selectors.endorse_refusals(request.user, profile_member, skills, given=mine)
    open_skills = [(ms.skill.name, ms.skill.name) for ms in skills if ms.pk not in per_skill]
    # One relationship per endorser and member: a second endorsement says what the first said.
    kept = _kept_relationship(request.user, profile_member) if mine else None
    if endorse_form is None and refusal is None:
        chosen = request.GET.get("skill", "")
        initial = {
            "relationship": kept[0] if kept else "PEER",
            **({"skill": chosen} if (chosen, chosen) in open_skills else {}),
        }
        endorse_form = EndorseForm(skills=open_skills, initial=initial)
    from backpack.permissions import profile_collections
    from profiles.workplaces import verified_workplace
    from skills.ranking import rank_text, ranks

    if not is_owner:
        from insights.services import record_profile_view

        record_profile_view(request, profile_member, [ms.skill_id for ms in skills])
    standing = ranks(ms.pk for ms in skills)
    for ms in skills:
        ms.refusal = per_skill.get(ms.pk)
        ms.my_endorsement_id = mine.get(ms.skill_id)
        ms.my_endorsement_pending = states.get(ms.skill_id, (0, False))[1]
        ms.rank_text = rank_text(*standing.get(ms.pk, (1, 1)), ms.skill.name)
        ms.can_endorse = endorse_form is not None and ms.pk not in per_skill and not ms.my_endorsement_id
    ask_form = None
    if is_signed_in(request.user) and not is_owner:
        own = [(ms.skill.name, ms.skill.name) for ms in selectors.own_skills(request.user)]
        if own:
            ask_form = RequestForm(
                skills=own, initial={"recipient": profile_member.username, "relationship": "PEER"}, auto_id="ask_%s"
            )
    context: dict[str, Any] = {
        "member": profile_member,
        "skills": skills,
        "is_owner": is_owner,
        "nav": "profile" if is_owner else None,
        "endorse_refusal": refusal,
        "endorse_form": endorse_form,
        "top_score": max((ms.score for ms in skills), default=0),
        "share": _share_links(request, profile_member, skills),
        "workplace": verified_workplace(profile_member),
        "collections": profile_collections(request.user, profile_member),
        "kept_relationship": kept[1] if kept else None,
        "blocked_by_me": selectors.has_blocked(request.user, profile_member),
        "seniority_confirmed": profile_member.profile.seniority_confirmed == profile_member.profile.seniority,
        "can_confirm_seniority": is_signed_in(request.user) and can_confirm_seniority(request.user, profile_member),
        "ask_form": ask_form,
    }
    return render(
        request,
        "frontend/member.html",
        context,
        status=400 if endorse_form is not None and endorse_form.errors else 200,
    )


def _share_links(request: HttpRequest, member: Any, skills: list[Any]) -> dict[str, str]:
    """Absolute links for Open Graph / Twitter tags and the share box (docs/credentials.md, "Sharing")."""
    from credentials.views import origin_of

    origin = origin_of(request)
    base = f"{origin}/m/{member.username}"
    top = sorted(skills, key=lambda ms: -ms.score)[:3]
    summary = ", ".join(f"{ms.skill.name} ({ms.endorsement_count})" for ms in top)
    description = member.profile.headline or ""
    if summary:
        description = (description + " · " if description else "") + f"Endorsed on Vouch for {summary}."
    return {
        "url": base + "/",
        "card": base + "/card.png",
        "embed": base + "/embed",
        "embed_code": f'<iframe src="{base}/embed" width="360" height="300" frameborder="0" '
        f'title="{member.profile.name} on Vouch"></iframe>',
        "credential": base + "/credential",
        "description": description or f"{member.profile.name} on Vouch: weighted, explained skill endorsements.",
    }


def _kept_relationship(viewer: Any, member: Any) -> tuple[str, str] | None:
    """The relationship `viewer`'s endorsements of `member` give, and how it reads ("their manager")."""
    from endorsements.models import Relationship
    from endorsements.policy import pair_relationship

    kept = pair_relationship(viewer, member)
    return (kept, Relationship(kept).label.lower()) if kept else None


@require_GET
def member(request: HttpRequest, username: str) -> HttpResponse:
    return _member_page(request, username)


@require_GET
def how_scores_work(request: HttpRequest) -> HttpResponse:
    """Public: how endorsements are weighed and scored, in plain words (docs/weighting.md for the detail)."""
    from endorsements import trust, weighting

    context = {
        "w": weighting,
        "t": trust,
        "full_pool": weighting.score([], [weighting.POOL_CAP]),
        "one_manager": weighting.score([3.0]),
        "seniority": [
            (weighting.SENIORITY_LABEL[level], factor) for level, factor in weighting.SENIORITY_FACTOR.items()
        ],
    }
    return render(request, "frontend/how_scores_work.html", context)


@login_required
@require_POST
def endorse(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    from endorsements import services as endorsement_services

    target = selectors.member_by_username(request.user, username)
    if target is None:
        raise Http404("No such member")
    skills = selectors.own_skills(target)
    form = EndorseForm(request.POST, skills=[(ms.skill.name, ms.skill.name) for ms in skills])
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            endorsement_services.endorse,
            request.user,
            member=target,
            skill=data["skill"],
            relationship=data["relationship"],
            comment=data["comment"],
        )
        if done:
            from endorsements.policy import relationship_notice

            endorsement = done.value
            said = f"You endorsed {target.profile.name} for {endorsement.skill.name}."
            if endorsement.pending_review:
                said += f" It shows once {target.profile.name} reviews it."
            if endorsement.relationship != data["relationship"]:
                said += " " + relationship_notice(target, data["relationship"], endorsement.relationship)
            messages.success(request, said)
            return redirect("member", username=target.username)
    return _member_page(request, target.username, endorse_form=form)


@login_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, endorsement_id: int) -> HttpResponse:
    from endorsements import services as endorsement_services

    if service_or_404(
        request,
        endorsement_services.withdraw_endorsement,
        request.user,
        endorsement_id=endorsement_id,
        what="endorsement",
    ):
        messages.success(request, "Your endorsement is withdrawn.")
    return _back(request, reverse("home"))


@login_required
@require_POST
def reconfirm(request: AuthenticatedHttpRequest, endorsement_id: int) -> HttpResponse:
    """The endorser re-confirms their endorsement from the member's page ("Still true? Yes")."""
    from endorsements import services as endorsement_services

    if service_or_404(
        request,
        endorsement_services.reconfirm_endorsement,
        request.user,
        endorsement_id=endorsement_id,
        what="endorsement",
    ):
        messages.success(request, "Re-confirmed: your endorsement counts in full again.")
    return _back(request, reverse("home"))


@login_required
@require_POST
def ask_reconfirm(request: AuthenticatedHttpRequest, endorsement_id: int) -> HttpResponse:
    """The endorsed member asks "Still true?" from their endorsements page (TOO_RECENT and the like are flashed)."""
    from endorsements import services as endorsement_services

    if service_or_404(
        request,
        endorsement_services.request_reconfirmation,
        request.user,
        endorsement_id=endorsement_id,
        what="endorsement",
    ):
        messages.success(request, "Asked. They get a notification and an e-mail with a one-click link.")
    return _back(request, reverse("settings_endorsements"))


@require_http_methods(["GET", "POST"])
def reconfirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed "Still true?" link: GET shows the endorsement and one button (link scanners fetch links);
    POST re-confirms it. Works signed out: the link is the endorser's (endorsements.reconfirm_links)."""
    from endorsements import services as endorsement_services

    endorsement = endorsement_services.endorsement_for_link(token)
    status, done = 200, False
    if endorsement is None:
        status = 400
    elif request.method == "POST":
        result = call_service(VouchForm(), endorsement_services.reconfirm_by_link, token)
        endorsement = result.value if result else None
        status, done = (200, True) if result else (400, False)
    context = {
        "endorsement": endorsement,
        "done": done,
        "is_endorser": endorsement is not None
        and is_signed_in(request.user)
        and request.user.pk == endorsement.endorser_id,
    }
    response = render(request, "frontend/reconfirm.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def set_hidden(request: AuthenticatedHttpRequest, endorsement_id: int) -> HttpResponse:
    from endorsements import services as endorsement_services

    hidden = request.POST.get("hidden") == "1"
    if service_or_404(
        request,
        endorsement_services.set_endorsement_hidden,
        request.user,
        endorsement_id=endorsement_id,
        hidden=hidden,
        what="endorsement",
    ):
        messages.success(
            request, "Endorsement hidden: only you can see it now." if hidden else "Endorsement shown: it counts now."
        )
    return _back(request, reverse("settings_endorsements"))


@login_required
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a login lands (LOGIN_REDIRECT_URL). A member who never named themselves (the first login after
    confirming the e-mail) is asked once per session to complete their profile first (docs/weighting.md,
    "Seniority of a new member")."""
    if not request.user.profile.display_name and not request.session.get("welcomed"):
        request.session["welcomed"] = True
        return redirect(reverse("settings") + "?welcome=1")
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
def settings_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    welcome = (request.GET.get("welcome") or request.POST.get("welcome")) == "1"
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, welcome=welcome)
        if form.is_valid():
            data = dict(form.cleaned_data)
            avatar = data.pop("avatar")
            if call_service(form, profile_services.update_profile, request.user, avatar=avatar, **data):
                if welcome:
                    messages.success(request, "Welcome to Vouch. Next: list the skills you want people to vouch for.")
                    return redirect("settings_skills")
                messages.success(request, "Your profile is saved.")
                return redirect("settings")
        status = 400
    else:
        initial = _profile_initial(request.user)
        if welcome:
            initial["seniority"] = ""  # asked, not assumed: nothing is preselected
        form = ProfileForm(initial=initial, welcome=welcome)
        status = 200
    context = {"form": form, "nav": "settings", "tab": "profile", "welcome": welcome}
    return render(request, "frontend/settings/profile.html", context, status=status)


# --- Settings: skills -----------------------------------------------------------------------


def _skills_page(request: AuthenticatedHttpRequest, add_form: AddSkillForm, status: int = 200) -> HttpResponse:
    context = {"skills": selectors.own_skills(request.user), "add_form": add_form, "nav": "settings", "tab": "skills"}
    return render(request, "frontend/settings/skills.html", context, status=status)


@login_required
def settings_skills(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _skills_page(request, AddSkillForm())


@login_required
@require_POST
def skill_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AddSkillForm(request.POST)
    if form.is_valid():
        added = call_service(form, skill_services.add_skill, request.user, name=form.cleaned_data["name"])
        if added:
            messages.success(request, f"Added {added.value.skill.name}.")
            return redirect("settings_skills")
    return _skills_page(request, form, status=400)


@login_required
@require_POST
def skill_remove(request: AuthenticatedHttpRequest, member_skill_id: int) -> HttpResponse:
    if service_or_404(
        request, skill_services.remove_skill, request.user, member_skill_id=member_skill_id, what="skill"
    ):
        messages.success(request, "Skill removed.")
    return redirect("settings_skills")


@login_required
@require_POST
def skill_move(request: AuthenticatedHttpRequest, member_skill_id: int) -> HttpResponse:
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
def skill_reorder(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReorderForm(request.POST)
    if form.is_valid() and call_service(
        form, skill_services.reorder_skills, request.user, member_skill_ids=form.cleaned_data["order"]
    ):
        messages.success(request, "Order saved.")
        return redirect("settings_skills")
    messages.error(request, "That order could not be saved: " + "; ".join(form.error_messages()))
    return redirect("settings_skills")


@login_required
@require_POST
def skill_endorsements(request: AuthenticatedHttpRequest, member_skill_id: int) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    done = service_or_404(
        request,
        skill_services.set_endorsements_enabled,
        request.user,
        member_skill_id=member_skill_id,
        enabled=enabled,
        what="skill",
    )
    if done:
        messages.success(request, f"Endorsements for {done.value.skill.name} are {'on' if enabled else 'off'}.")
    return redirect(f"{reverse('settings_skills')}#skill-{member_skill_id}")


# --- Settings: blocked members -----------------------------------------------------------------


def _blocks_page(request: AuthenticatedHttpRequest, form: BlockForm, status: int = 200) -> HttpResponse:
    context = {"blocks": selectors.blocked_members(request.user), "form": form, "nav": "settings", "tab": "blocks"}
    return render(request, "frontend/settings/blocks.html", context, status=status)


@login_required
def settings_blocks(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _blocks_page(request, BlockForm())


@login_required
@require_POST
def confirm_seniority(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    """An organisation admin (or staff) confirms the member's declared seniority; 404 for anyone else."""
    target = selectors.member_by_username(request.user, username)
    if target is None or not can_confirm_seniority(request.user, target):
        raise Http404("No such member")
    profile_services.confirm_seniority(request.user, member=target)
    level = target.profile.get_seniority_display()
    messages.success(request, f"{target.profile.name}’s seniority ({level}) is confirmed.")
    return redirect("member", username=target.username)


@login_required
@require_POST
def block(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Blocking asks first: a post without `confirm=1` (the profile's button, the settings form) answers the
    confirmation page, whose button posts again with it. No JavaScript needed."""
    form = BlockForm(request.POST)
    if form.is_valid():
        target = selectors.member_by_username(request.user, form.cleaned_data["username"])
        if target is None:
            form.add_error("username", "No member with that username.")
        elif request.POST.get("confirm") != "1" and target.pk != request.user.pk:
            back = request.POST.get("next") or ""
            back = back if back.startswith("/") and not back.startswith("//") else ""
            context = {"target": target, "next": back, "nav": "settings", "tab": "blocks"}
            return render(request, "frontend/settings/block_confirm.html", context)
        elif call_service(form, profile_services.block_member, request.user, member=target):
            messages.success(
                request,
                f"{target.profile.name} is blocked: they can no longer endorse you or ask you for endorsements.",
            )
            return _back(request, reverse("settings_blocks"))
    return _blocks_page(request, form, status=400)


@login_required
@require_POST
def unblock(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BlockForm(request.POST)
    if form.is_valid():
        target = selectors.member_by_username(request.user, form.cleaned_data["username"])
        if target is not None:
            profile_services.unblock_member(request.user, member=target)
            messages.success(request, f"{target.profile.name} is no longer blocked.")
    return _back(request, reverse("settings_blocks"))


# --- Settings: your data (download, delete) ---------------------------------------------------------


def _data_page(request: AuthenticatedHttpRequest, form: DeleteAccountForm, status: int = 200) -> HttpResponse:
    return render(
        request, "frontend/settings/data.html", {"form": form, "nav": "settings", "tab": "data"}, status=status
    )


@login_required
def settings_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _data_page(request, DeleteAccountForm())


@login_required
@require_GET
def export_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = account.export_member_data(request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="vouch-{request.user.username}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    if not form.is_valid() or not call_service(
        form, account.delete_account, request.user, password=form.cleaned_data["password"]
    ):
        return _data_page(request, form, status=400)
    logout(request)
    messages.success(request, "Your account and everything it held are deleted.")
    return redirect("home")


# --- Settings: endorsements received, notification preferences -----------------------------------


def _endorsements_page(
    request: AuthenticatedHttpRequest, form: EndorsementSettingsForm | None = None, status: int = 200
) -> HttpResponse:
    from endorsements.selectors import awaiting_review

    profile = request.user.profile
    form = form or EndorsementSettingsForm(
        initial={"who_may_endorse": profile.who_may_endorse, "review_before_showing": profile.review_before_showing}
    )
    received = selectors.received_endorsements(request.user)
    context = {
        "endorsements": [e for e in received if not e.pending_review],
        "review_queue": list(awaiting_review(request.user)[:100]),
        "settings_form": form,
        "nav": "settings",
        "tab": "endorsements",
    }
    return render(request, "frontend/settings/endorsements.html", context, status=status)


@login_required
def settings_endorsements(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _endorsements_page(request)


@login_required
@require_POST
def endorsement_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    from endorsements.policy import update_endorsement_settings

    form = EndorsementSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            update_endorsement_settings,
            request.user,
            who_may_endorse=data["who_may_endorse"],
            review_before_showing=data["review_before_showing"],
        )
        if done:
            messages.success(request, "Your endorsement settings are saved.")
            return redirect(f"{reverse('settings_endorsements')}#who-may-endorse")
    return _endorsements_page(request, form, status=400)


def _kind_choices() -> list[tuple[str, str]]:
    from frontend.templatetags.vouch import KIND_LABELS

    return list(KIND_LABELS.items())


@login_required
def settings_notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    from notifications import services as notification_services

    status = 200
    prefs = notification_services.preferences_of(request.user)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "resume-email":
            notification_services.resume_email(request.user)
            messages.success(request, "We will e-mail you again.")
            return redirect("settings_notifications")
        if action == "revoke-links":
            notification_services.revoke_unsubscribe_links(request.user)
            messages.success(request, "Unsubscribe links in e-mails sent so far no longer work.")
            return redirect("settings_notifications")
        form = MutedKindsForm(request.POST, kinds=_kind_choices(), channels=prefs["channels"])
        if form.is_valid() and call_service(
            form,
            notification_services.update_preferences,
            request.user,
            muted_kinds=form.muted_kinds(prefs["muted_kinds"]),
            channels=form.channel_pairs(),
        ):
            messages.success(request, "Notification preferences saved.")
            return redirect("settings_notifications")
        status = 400
    else:
        form = MutedKindsForm(
            kinds=_kind_choices(),
            channels=prefs["channels"],
            initial={"live": [k for k, _ in _kind_choices() if k not in prefs["muted_kinds"]]},
        )
    context = {"form": form, "email": prefs["email"], "nav": "settings", "tab": "notifications"}
    return render(request, "frontend/settings/notifications.html", context, status=status)


# --- One-click unsubscribe (RFC 8058), no login ------------------------------------------------------------------


# Mail providers POST "List-Unsubscribe=One-Click" with no cookie or CSRF token: the signed token is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks first (link scanners fetch links); POST unsubscribes. A bad token: a clear page, nothing changed."""
    from frontend.templatetags.vouch import KIND_LABELS
    from notifications import services as notification_services
    from notifications.mail import DIGEST, BadToken

    try:
        user, kind = notification_services.unsubscribe_target(token)
        changed = notification_services.unsubscribe(token)[1] if request.method == "POST" else []
    except BadToken as exc:
        response = render(request, "frontend/unsubscribe.html", {"bad": exc.reason}, status=400)
        response["Cache-Control"] = "no-store"
        return response
    what = "the daily digest" if kind == DIGEST else f"e-mail when “{KIND_LABELS.get(kind, kind).lower()}”"
    context = {
        "done": request.method == "POST",
        "what": what,
        "changed": [KIND_LABELS.get(k, k) for k in changed],
        "address": user.email,
    }
    response = render(request, "frontend/unsubscribe.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- Endorsement requests ------------------------------------------------------------------------


def _requests_page(
    request: AuthenticatedHttpRequest, form: RequestForm | None = None, status: int = 200
) -> HttpResponse:
    skills = selectors.own_skills(request.user)
    if form is None:
        initial = {
            "relationship": "MANAGER",
            "recipient": request.GET.get("to", ""),
            "skill": request.GET.get("skill", ""),
        }
        form = RequestForm(skills=[(ms.skill.name, ms.skill.name) for ms in skills], initial=initial)
    from endorsements.reminders import outbox_states, unseen_notification_ids

    incoming = selectors.requests_of(request.user, direction="INCOMING")
    outgoing = selectors.requests_of(request.user, direction="OUTGOING")
    states = outbox_states(list(outgoing))
    for r in outgoing:
        r.state = states.get(r.pk, {})
    unseen = unseen_notification_ids(request.user, [r for r in incoming if r.effective_status == "PENDING"])
    from endorsements.suggestions import whom_to_ask

    chosen = request.GET.get("skill", "") or (form.data.get("skill", "") if form.is_bound else "")
    listing = next((ms for ms in skills if ms.skill.name == chosen), skills[0] if skills else None)
    context = {
        "form": form,
        "suggest_skill": listing.skill if listing else None,
        "skill_choices": [ms.skill.name for ms in skills],
        "now": timezone.now(),
        "unseen_ids": ",".join(str(pk) for pk in unseen),
        "suggestions": whom_to_ask(request.user, listing.skill if listing else None) if listing else [],
        "has_skills": bool(skills),
        "incoming_pending": [r for r in incoming if r.effective_status == "PENDING"],
        "incoming_done": [r for r in incoming if r.effective_status != "PENDING"],
        "outgoing": outgoing,
        "respond_form": RespondForm(),
        "nav": "requests",
    }
    return render(request, "frontend/requests.html", context, status=status)


@login_required
@require_GET
def requests_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _requests_page(request)


@login_required
@require_POST
def request_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    from endorsements import services as endorsement_services

    skills = selectors.own_skills(request.user)
    form = RequestForm(request.POST, skills=[(ms.skill.name, ms.skill.name) for ms in skills])
    if form.is_valid():
        data = form.cleaned_data
        recipient = selectors.recipient_username(request.user, data["recipient"])
        done = call_service(
            form,
            endorsement_services.request_endorsement,
            request.user,
            recipient=recipient,
            skill=data["skill"],
            relationship=data["relationship"],
            message=data["message"],
        )
        if done:
            asked = done.value
            messages.success(request, f"Asked {asked.recipient.profile.name} to endorse your {asked.skill.name}.")
            return _back(request, reverse("requests"))
    return _requests_page(request, form, status=400)


@login_required
@require_POST
def request_respond(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    from endorsements import services as endorsement_services

    accept = request.POST.get("accept") == "1"
    form = RespondForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            endorsement_services.respond_to_endorsement_request,
            request.user,
            request_id=request_id,
            accept=accept,
            comment=form.cleaned_data["comment"],
        )
        if done:
            name = done.value.requester.profile.name
            messages.success(
                request,
                f"You endorsed {name} for {done.value.skill.name}." if accept else f"You declined {name}’s request.",
            )
            return redirect("requests")
    if "NOT_FOUND" in form.error_codes() or selectors.request_for(request.user, request_id) is None:
        raise Http404("No such request")
    flash_errors(request, form)
    return redirect("requests")


@login_required
@require_POST
def request_cancel(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    from endorsements import services as endorsement_services

    if service_or_404(
        request, endorsement_services.cancel_endorsement_request, request.user, request_id=request_id, what="request"
    ):
        messages.success(request, "Request cancelled.")
    return redirect("requests")


@login_required
@require_POST
def request_remind(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    from endorsements.reminders import remind_endorsement_request

    done = service_or_404(request, remind_endorsement_request, request.user, request_id=request_id, what="request")
    if done:
        asked = done.value
        messages.success(request, f"Reminded {asked.recipient.profile.name} of your request for {asked.skill.name}.")
    return redirect(reverse("requests") + f"#request-{request_id}")


# --- Notifications --------------------------------------------------------------------------------


@login_required
@require_GET
def notifications_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    from notifications import services as notification_services

    unread_only = request.GET.get("filter") == "unread"
    qs = notification_services.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": unread_only, "nav": "notifications"}
    return render(request, "frontend/notifications.html", context)


@login_required
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    from notifications import services as notification_services

    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()][: notification_services.MARK_READ_MAX_IDS]
    which: dict[str, Any] = {"ids": ids} if ids else {"all": True}
    service_or_404(request, notification_services.mark_read, request.user, **which, what="notification")
    return _back(request, reverse("notifications"))


# --- Badges ---------------------------------------------------------------------------------------


def _skill_choices(member: Any) -> list[tuple[str, str]]:
    return [(str(ms.pk), ms.skill.name) for ms in selectors.own_skills(member)]


def _badges_page(
    request: AuthenticatedHttpRequest, form: BadgeImportForm | None = None, status: int = 200
) -> HttpResponse:
    choices = _skill_choices(request.user)
    context = {
        "form": form or BadgeImportForm(skills=choices),
        "badges": selectors.own_badges(request.user),
        "skill_choices": choices,
        "nav": "badges",
    }
    return render(request, "frontend/badges.html", context, status=status)


@login_required
@require_GET
def badges_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _badges_page(request)


@login_required
@require_POST
def badge_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    from badges import services as badge_services
    from badges.precheck import precheck_source

    form = BadgeImportForm(request.POST, request.FILES, skills=_skill_choices(request.user))
    if form.is_valid():
        data = form.cleaned_data
        sources = {"url": data["url"] or None, "assertion": data["assertion"] or None, "image": data["image"] or None}
        call_service(form, precheck_source, **sources)  # not a badge at all, or unreachable: a form error
        badge = (
            None
            if form.errors
            else call_service(
                form,
                badge_services.import_badge,
                request.user,
                **sources,
                member_skill_id=int(data["member_skill"]) if data["member_skill"] else None,
            )
        )
        if badge:
            messages.success(request, "Badge imported. Verification results appear below.")
            return redirect(f"{reverse('badges')}#badge-{badge.value.public_id}")
    return _badges_page(request, form, status=400)


def _badge_action(request: AuthenticatedHttpRequest, fn: Any, done: str, **kwargs: Any) -> HttpResponse:
    if service_or_404(request, fn, request.user, **kwargs, what="badge"):
        messages.success(request, done)
    return _back(request, reverse("badges"))


@login_required
@require_POST
def badge_attach(request: AuthenticatedHttpRequest, badge_id: int) -> HttpResponse:
    from badges import services as badge_services

    raw = request.POST.get("member_skill", "")
    if not raw:
        return _badge_action(request, badge_services.detach_badge, "Badge detached.", badge_id=badge_id)
    if not raw.isdigit():
        raise Http404("No such skill")
    return _badge_action(
        request, badge_services.attach_badge, "Badge attached.", badge_id=badge_id, member_skill_id=int(raw)
    )


@login_required
@require_POST
def badge_public(request: AuthenticatedHttpRequest, badge_id: int) -> HttpResponse:
    from badges import services as badge_services

    public = request.POST.get("public") == "1"
    return _badge_action(
        request,
        badge_services.set_badge_public,
        "Badge is public." if public else "Badge is private: only you see it.",
        badge_id=badge_id,
        public=public,
    )


@login_required
@require_POST
def badge_reverify(request: AuthenticatedHttpRequest, badge_id: int) -> HttpResponse:
    from badges import services as badge_services

    return _badge_action(request, badge_services.reverify_badge, "Checked again.", badge_id=badge_id)


@login_required
@require_POST
def badge_delete(request: AuthenticatedHttpRequest, badge_id: int) -> HttpResponse:
    from badges import services as badge_services

    if service_or_404(request, badge_services.delete_badge, request.user, badge_id=badge_id, what="badge"):
        messages.success(request, "Badge removed.")
    return redirect("badges")


@require_GET
def badge_page(request: HttpRequest, ident: str) -> HttpResponse:
    from badges.permissions import is_evidence, is_owner
    from badges.selectors import badge_for_page, report_for
    from badges.trust import issuer_host

    badge = badge_for_page(request.user, ident)
    if badge is None:
        raise Http404("No such badge")
    report = report_for(request.user, badge) or {}
    context = {
        "badge": badge,
        "report": report,
        "checks": report.get("checks") or [],
        "is_owner": is_owner(request.user, badge),
        "counts_as_evidence": is_evidence(badge),
        "issuer_host": issuer_host(badge.issuer_id) or "",
        "nav": "badges" if is_owner(request.user, badge) else None,
    }
    return render(request, "frontend/badge.html", context)
