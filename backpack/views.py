"""Pages of badge collections: the owner's management page and each collection's public page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from backpack import services
from backpack.models import BadgeCollection
from backpack.permissions import shown_badges, visible_collections
from badges.models import Badge
from profiles.actors import AuthenticatedHttpRequest


def _badge_ids(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("badges") if v.isdigit()][: services.MAX_BADGES + 1]


def _run(request: HttpRequest, done: str, fn: object, **kwargs: object) -> HttpResponse:
    try:
        fn(request.user, **kwargs)  # type: ignore[operator]
    except ValidationError as exc:
        codes = (
            {e.code for e in exc.error_list}
            if not hasattr(exc, "error_dict")
            else {e.code for errors in exc.error_dict.values() for e in errors}
        )
        if "NOT_FOUND" in codes and "collection_id" in kwargs:
            raise Http404("No such collection") from exc
        for message in exc.messages:
            messages.error(request, message)
        return redirect("collections")
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
def collection_create(request: HttpRequest) -> HttpResponse:
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
def collection_update(request: HttpRequest, collection_id: int) -> HttpResponse:
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
def collection_delete(request: HttpRequest, collection_id: int) -> HttpResponse:
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
        "is_owner": request.user.is_authenticated and collection.owner_id == request.user.pk,
        "page_url": request.build_absolute_uri(),
    }
    return render(request, "backpack/collection.html", context)
