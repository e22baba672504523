"""Badge collections: create, change, delete (actor first, one transaction each, ValidationError with a code)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backpack.error_codes import CollectionErrorCode
from backpack.models import BadgeCollection
from backpack.permissions import can_edit_collection
from badges.models import Badge
from profiles.models import User
from vouch.errors import Code, not_found
from vouch.errors import error as _error

MAX_COLLECTIONS = 50
MAX_BADGES = 200


def _name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise _error("name", "Give the collection a name.", Code.REQUIRED)
    if len(name) > 80:
        raise _error("name", "At most 80 characters.", Code.MAX_LENGTH)
    return name


def _description(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > 500:
        raise _error("description", "At most 500 characters.", Code.MAX_LENGTH)
    return text


def _own_badges(actor: User, badge_ids: Iterable[int]) -> list[Badge]:
    ids = list(dict.fromkeys(int(i) for i in badge_ids))
    if len(ids) > MAX_BADGES:
        raise _error("badgeIds", f"At most {MAX_BADGES} badges in a collection.", Code.TOO_MANY_IDS)
    badges = list(Badge.objects.filter(owner=actor, pk__in=ids))
    if len(badges) != len(ids):
        raise not_found("badgeIds", "badge")  # someone else's or no such badge: never say which
    return badges


def _own(actor: User, collection_id: int) -> BadgeCollection:
    collection = BadgeCollection.objects.select_for_update().filter(pk=collection_id, owner=actor).first()
    if collection is None or not can_edit_collection(actor, collection):
        raise not_found("collectionId", "collection")
    return collection


def _save(collection: BadgeCollection, badges: list[Badge] | None) -> BadgeCollection:
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError as exc:
        raise _error(
            "name", "You already have a collection with that name.", CollectionErrorCode.DUPLICATE_NAME
        ) from exc
    if badges is not None:
        collection.badges.set(badges)
    return collection


@transaction.atomic
def create_collection(
    actor: User, *, name: str, description: str = "", public: bool = False, badge_ids: Iterable[int] = ()
) -> BadgeCollection:
    User.objects.select_for_update().filter(pk=actor.pk).first()  # the count below holds under concurrency
    if BadgeCollection.objects.filter(owner=actor).count() >= MAX_COLLECTIONS:
        raise _error(None, f"At most {MAX_COLLECTIONS} collections.", CollectionErrorCode.TOO_MANY_COLLECTIONS)
    collection = BadgeCollection(
        owner=actor, name=_name(name), description=_description(description), public=bool(public)
    )
    return _save(collection, _own_badges(actor, badge_ids))


@transaction.atomic
def update_collection(
    actor: User,
    *,
    collection_id: int,
    name: str | None = None,
    description: str | None = None,
    public: bool | None = None,
    badge_ids: Iterable[int] | None = None,
) -> BadgeCollection:
    collection = _own(actor, collection_id)
    if name is not None:
        collection.name = _name(name)
    if description is not None:
        collection.description = _description(description)
    if public is not None:
        collection.public = bool(public)
    badges = _own_badges(actor, badge_ids) if badge_ids is not None else None
    collection.updated_at = timezone.now()
    return _save(collection, badges)


@transaction.atomic
def delete_collection(actor: User, *, collection_id: int) -> None:
    """Deletes the collection only; its badges stay."""
    _own(actor, collection_id).delete()
