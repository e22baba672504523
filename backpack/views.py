"""Pages of badge collections: the owner's management page and each collection's public page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from backpack import services
from backpack.models import BadgeCollection
from backpack.permissions import shown_badges, visible_collections
from badges.models import Badge
from frontend.forms import VouchForm, call_service, flash_errors, service_or_404
from profiles.actors import AuthenticatedHttpRequest, is_signed_in


def _badge_ids(request: AuthenticatedHttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("badges") if v.isdigit()][: services.MAX_BADGES + 1]


def _run(request: AuthenticatedHttpRequest, done: str, fn: Callable[..., object], **kwargs: Any) -> HttpResponse:
    """Run a collection service; a collection named in the URL and not found (or not the actor's) is a 404."""
    if "collection_id" in kwargs:
        result = service_or_404(request, fn, request.user, what="collection", **kwargs)
    else:
        form = VouchForm()
        result = call_service(form, fn, request.user, **kwargs)
        if not result:
            flash_errors(request, form)
    if result:
        messages.success(request, done)
    return redirect("collections")


@login_required
@require_GET
def collections_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    collections = list(
        BadgeCollection.objects.filter(owner=request.user).prefetch_related("badges").order_by("name", "id")
    )
    for c in collections:  # what the template reads of each, beside the row
        c.badge_ids = {b.pk for b in c.badges.all()}  # type: ignore[attr-defined]
        c.page_url = request.build_absolute_uri(f"/c/{c.public_id}/")  # type: ignore[attr-defined]
    badges = list(Badge.objects.filter(owner=request.user).order_by("name", "id"))
    context = {"collections": collections, "badges": badges, "nav": "badges"}
    return render(request, "backpack/collections.html", context)


@login_required
@require_POST
def collection_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _run(
        request,
        "Collection created.",
        services.create_collection,
        name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
        public=request.POST.get("public") == "1",
        badge_ids=_badge_ids(request),
    )


@login_required
@require_POST
def collection_update(request: AuthenticatedHttpRequest, collection_id: int) -> HttpResponse:
    return _run(
        request,
        "Collection saved.",
        services.update_collection,
        collection_id=collection_id,
        name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
        public=request.POST.get("public") == "1",
        badge_ids=_badge_ids(request),
    )


@login_required
@require_POST
def collection_delete(request: AuthenticatedHttpRequest, collection_id: int) -> HttpResponse:
    return _run(request, "Collection deleted.", services.delete_collection, collection_id=collection_id)


@require_GET
def collection_page(request: HttpRequest, public_id: str) -> HttpResponse:
    collection = (
        visible_collections(request.user).select_related("owner__profile").filter(public_id=public_id[:32]).first()
    )
    if collection is None:
        raise Http404("No such collection")
    context = {
        "collection": collection,
        "badges": list(shown_badges(request.user, collection)),
        "is_owner": is_signed_in(request.user) and collection.owner_id == request.user.pk,
        "page_url": request.build_absolute_uri(),
    }
    return render(request, "backpack/collection.html", context)
