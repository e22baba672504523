"""GraphQL for badge collections: `badgeCollection(id:)`, `badgeCollections(username:)` and the create/update/delete
mutations. A collection's badges are what the caller may see of them (the owner: all; others: VERIFIED public
ones), prefetched in one query for the whole answer."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene import relay
from graphene_django import DjangoObjectType

from backpack import services
from backpack.models import BadgeCollection
from backpack.permissions import visible_collections
from badges.selectors import visible_badges
from vouch.graphql.ids import decode_id
from vouch.graphql.mutations import VouchMutation
from vouch.graphql.selection import below, selected_paths


def collection_queryset(viewer: Any, paths: frozenset[str]) -> QuerySet[BadgeCollection]:
    qs = visible_collections(viewer).select_related("owner__profile").order_by("id")
    if any(p == "badges" or p.startswith("badges.") for p in paths):
        badges = visible_badges(viewer, below(paths, "badges")).order_by("-issued_on", "id")
        qs = qs.prefetch_related(Prefetch("badges", queryset=badges, to_attr="shown_badges"))
    return qs


class BadgeCollectionType(DjangoObjectType):
    """A named group of a member's badges; public ones can be shared (pageUrl)."""

    class Meta:
        model = BadgeCollection
        name = "BadgeCollection"
        fields = ("id", "name", "description", "public", "created_at", "updated_at")
        interfaces = (relay.Node,)

    public_id = graphene.String(required=True, description="The id in the collection's page address /c/<publicId>/.")
    owner = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    badges = graphene.List(
        graphene.NonNull("badges.schema.BadgeType"),
        required=True,
        description="The badges you may see in it: all for the owner, verified public ones for anyone else.",
    )
    page_url = graphene.String(required=True)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[BadgeCollection], info: Any) -> QuerySet[BadgeCollection]:
        return collection_queryset(info.context.user, selected_paths(info))

    @staticmethod
    def resolve_badges(collection: BadgeCollection, info: Any) -> list[Any]:
        shown = getattr(collection, "shown_badges", None)
        if shown is None:  # a payload read without a badges selection path prefetch
            return list(visible_badges(info.context.user).filter(collections=collection).order_by("-issued_on", "id"))
        return shown

    @staticmethod
    def resolve_page_url(collection: BadgeCollection, info: Any) -> str:
        return info.context.build_absolute_uri(f"/c/{collection.public_id}/")


class BackpackQueries(graphene.ObjectType):
    badge_collection = graphene.Field(
        BadgeCollectionType,
        id=graphene.ID(required=True, description="The collection's GraphQL id or its publicId."),
        description="A collection you may see (yours, or a public one of a member you may see), or null.",
    )
    badge_collections = graphene.List(
        graphene.NonNull(BadgeCollectionType),
        required=True,
        username=graphene.String(required=True),
        description="The member's collections you may see (at most 50 exist per member).",
    )

    @staticmethod
    def resolve_badge_collection(root: Any, info: Any, id: str) -> BadgeCollection | None:
        qs = collection_queryset(info.context.user, selected_paths(info))
        try:
            pk = decode_id(id, "BadgeCollection")
        except Exception:  # not a global id: try it as a public id
            return qs.filter(public_id=id[:32]).first()
        return qs.filter(pk=pk).first()

    @staticmethod
    def resolve_badge_collections(root: Any, info: Any, username: str) -> list[BadgeCollection]:
        qs = collection_queryset(info.context.user, selected_paths(info))
        return list(qs.filter(owner__username=username.strip().lower()[:64]))


def _payload(info: Any, actor: Any, pk: int) -> BadgeCollection:
    return collection_queryset(actor, below(selected_paths(info), "collection")).get(pk=pk)


def _badge_pks(ids: list[str] | None) -> list[int] | None:
    if ids is None:
        return None
    return [decode_id(i, "Badge", field="badgeIds") for i in ids]


class CreateBadgeCollection(VouchMutation):
    class Input:
        name = graphene.String(required=True)
        description = graphene.String()
        public = graphene.Boolean(description="Shared at its page and on your profile (default: private).")
        badge_ids = graphene.List(graphene.NonNull(graphene.ID), description="Your badges to put in it.")

    collection = graphene.Field(BadgeCollectionType)

    @classmethod
    def perform(cls, info: Any, actor: Any, name: str, **data: Any) -> CreateBadgeCollection:
        collection = services.create_collection(
            actor,
            name=name,
            description=data.get("description") or "",
            public=bool(data.get("public")),
            badge_ids=_badge_pks(data.get("badge_ids")) or [],
        )
        return cls(collection=_payload(info, actor, collection.pk))


class UpdateBadgeCollection(VouchMutation):
    """Change what is given; badgeIds replaces the collection's badges."""

    class Input:
        collection_id = graphene.ID(required=True)
        name = graphene.String()
        description = graphene.String()
        public = graphene.Boolean()
        badge_ids = graphene.List(graphene.NonNull(graphene.ID))

    collection = graphene.Field(BadgeCollectionType)

    @classmethod
    def perform(cls, info: Any, actor: Any, collection_id: str, **data: Any) -> UpdateBadgeCollection:
        pk = decode_id(collection_id, "BadgeCollection", field="collectionId")
        services.update_collection(
            actor,
            collection_id=pk,
            name=data.get("name"),
            description=data.get("description"),
            public=data.get("public"),
            badge_ids=_badge_pks(data.get("badge_ids")),
        )
        return cls(collection=_payload(info, actor, pk))


class DeleteBadgeCollection(VouchMutation):
    """Delete a collection; its badges stay."""

    class Input:
        collection_id = graphene.ID(required=True)

    deleted_collection_id = graphene.ID()

    @classmethod
    def perform(cls, info: Any, actor: Any, collection_id: str, **_: Any) -> DeleteBadgeCollection:
        pk = decode_id(collection_id, "BadgeCollection", field="collectionId")
        services.delete_collection(actor, collection_id=pk)
        return cls(deleted_collection_id=collection_id)


class BackpackMutations(graphene.ObjectType):
    create_badge_collection = CreateBadgeCollection.Field()
    update_badge_collection = UpdateBadgeCollection.Field()
    delete_badge_collection = DeleteBadgeCollection.Field()
