"""Public documents of portable proof: DID documents, credentials, status lists, the profile presentation.

All are JSON for machines: cross-origin readable (no cookies are needed; a cross-origin request carries none, so
it sees what an anonymous visitor sees), never framed, and 404 for anything the caller may not see.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credentials import issuing, services
from credentials.models import LinkedProfile
from profiles.actors import AuthenticatedHttpRequest


def origin_of(request: HttpRequest) -> str:
    """The origin documents are issued under: VOUCH_ORIGIN, or the one the request came to (its Host is one of
    ALLOWED_HOSTS)."""
    configured: str = settings.VOUCH_ORIGIN
    return configured or f"{request.scheme}://{request.get_host()}"


def _json(doc: dict[str, Any], content_type: str, *, max_age: int = 30) -> HttpResponse:
    response = HttpResponse(json.dumps(doc, ensure_ascii=False, indent=2), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    # Short: a withdrawal must show in the status list within 30 s (API contract), and caches must not mix the
    # anonymous and the signed-in answer.
    response["Cache-Control"] = f"max-age={max_age}"
    response["Vary"] = "Cookie"
    return response


@require_GET
def instance_did(request: HttpRequest) -> HttpResponse:
    return _json(services.did_document(origin_of(request)), issuing.DID_MEDIA_TYPE, max_age=300)


@require_GET
def member_did(request: HttpRequest, username: str) -> HttpResponse:
    member = services.member_for_documents(request.user, username)
    if member is None:
        raise Http404("No such member")
    return _json(services.did_document(origin_of(request), member), issuing.DID_MEDIA_TYPE, max_age=300)


@require_GET
def status_list(request: HttpRequest, username: str, number: int) -> HttpResponse:
    member = services.member_for_documents(request.user, username)
    doc = services.signed_status_list(origin_of(request), member, number) if member is not None else None
    if doc is None:
        raise Http404("No such status list")
    return _json(doc, issuing.CREDENTIAL_MEDIA_TYPE, max_age=10)


@require_GET
def endorsement_credential(request: HttpRequest, public_id: str) -> HttpResponse:
    pk = issuing.parse_public_id(public_id)
    found = services.credential_facts(request.user, pk) if pk is not None else None
    if found is None:
        raise Http404("No such credential")
    facts, _withdrawn = found
    return _json(services.signed_credential(facts, origin_of(request)), issuing.CREDENTIAL_MEDIA_TYPE, max_age=60)


@require_GET
def profile_credential(request: HttpRequest, username: str) -> HttpResponse:
    member = services.member_for_documents(request.user, username)
    if member is None:
        raise Http404("No such member")
    doc = services.profile_presentation(origin_of(request), member)
    response = _json(doc, issuing.PRESENTATION_MEDIA_TYPE, max_age=60)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{member.username}-vouch.json"'
    return response


# --- linked profiles (a page of the member's settings) ---------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def linked_profiles(request: AuthenticatedHttpRequest) -> HttpResponse:
    error = None
    value = ""
    if request.method == "POST":
        value = str(request.POST.get("profile", ""))[:300]
        try:
            services.link_profile(request.user, profile=value)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Profile linked. Link this profile back from the other instance too.")
            return redirect("linked_profiles")
    own = issuing.member_did(origin_of(request), request.user.username)
    links = [
        {"pk": pk, "did": did, "url": services.linked_profile_url(did)}
        for pk, did in LinkedProfile.objects.filter(member=request.user)
        .order_by("created_at", "id")
        .values_list("pk", "did")
    ]
    context = {
        "links": links,
        "own_did": own,
        "own_url": issuing.profile_url(origin_of(request), request.user.username),
        "error": error,
        "value": value,
        "nav": "settings",
        "tab": "linked",
    }
    return render(request, "credentials/linked_profiles.html", context, status=400 if error else 200)


@login_required
@require_POST
def unlink_profile(request: AuthenticatedHttpRequest, link_id: int) -> HttpResponse:
    try:
        services.unlink_profile(request.user, link_id=link_id)
    except ValidationError as exc:
        raise Http404("No such linked profile") from exc
    messages.success(request, "Profile unlinked.")
    return redirect("linked_profiles")
