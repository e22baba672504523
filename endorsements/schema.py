"""GraphQL for endorsements (queries and mutations composed in vouch/graphql/schema.py).

No query per row: a member's skills are fetched by skills.schema.member_skill_queryset,
which calls `prefetch_for_member_skills` here when the selection reaches endorsements.
That prefetch takes the top ENDORSEMENT_WINDOW + 1 endorsements of every listing in ONE
query (Django's sliced Prefetch, a ROW_NUMBER() window per listing), and the
`endorsements(first, after)` connection, `topEndorsements` and `topEndorsers` are served
from it. Only a page reaching beyond that window (a cursor deep into one listing) costs
one query for that listing.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection as db_connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.utils import timezone
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphql import GraphQLError
from graphql_relay import cursor_to_offset, offset_to_cursor

from endorsements import services
from endorsements.models import Endorsement, EndorsementRequest, Relationship, RequestStatus
from endorsements.permissions import visible_endorsements, visible_requests
from vouch.graphql.connections import CountableConnection
from vouch.graphql.ids import decode_id
from vouch.graphql.mutations import VouchMutation, require_user
from vouch.graphql.selection import below, selected_paths, wants

# How many endorsements per listing the profile prefetch holds (topEndorsements' limit too).
ENDORSEMENT_WINDOW = 10
DEFAULT_PAGE = 20

RelationshipEnum = graphene.Enum(
    "Relationship",
    [(v, v) for v in Relationship.values],
    description="What the endorser was to the endorsed member: their MANAGER, a PEER, someone who reported to "
    "them (REPORT), or OTHER.",
)
RequestStatusEnum = graphene.Enum("RequestStatus", [(v, v) for v in RequestStatus.values])
RequestDirectionEnum = graphene.Enum(
    "RequestDirection",
    [("INCOMING", "INCOMING"), ("OUTGOING", "OUTGOING")],
    description="INCOMING: requests others sent you (your inbox). OUTGOING: requests you sent.",
)


def _is_owner(info: Any, member_id: int) -> bool:
    user = info.context.user
    return user.is_authenticated and user.pk == member_id


class EndorsementType(DjangoObjectType):
    """One member vouching for another's listed skill, with the weight it carries and why."""

    class Meta:
        model = Endorsement
        name = "Endorsement"
        fields = ("id", "comment", "weight", "created_at")
        interfaces = (relay.Node,)
        connection_class = CountableConnection

    endorser = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    member = graphene.Field(graphene.NonNull("profiles.schema.MemberType"), description="The endorsed member.")
    skill = graphene.Field(graphene.NonNull("skills.schema.SkillType"))
    member_skill = graphene.Field(graphene.NonNull("skills.schema.MemberSkillType"))
    relationship = graphene.Field(graphene.NonNull(RelationshipEnum))
    comment = graphene.String(required=True)
    weight = graphene.Float(required=True)
    weight_explanation = graphene.String(required=True, description="Why it weighs what it does, for people.")
    hidden = graphene.Boolean(description="Only to the endorsed member; null for anyone else.")
    created_at = graphene.DateTime(required=True)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Endorsement], info: Any) -> QuerySet[Endorsement]:
        return visible_endorsements(info.context.user, queryset).select_related(
            "endorser__profile", "member__profile", "skill"
        )

    @staticmethod
    def resolve_relationship(e: Endorsement, info: Any) -> str:
        return str(e.relationship)

    @staticmethod
    def resolve_weight_explanation(e: Endorsement, info: Any) -> str:
        return e.explanation

    @staticmethod
    def resolve_hidden(e: Endorsement, info: Any) -> bool | None:
        return e.hidden if _is_owner(info, e.member_id) else None


EndorsementConnection = EndorsementType._meta.connection


class EndorsementRequestType(DjangoObjectType):
    """A request for an endorsement, seen by its requester and its recipient only."""

    class Meta:
        model = EndorsementRequest
        name = "EndorsementRequest"
        fields = ("id", "message", "created_at", "responded_at", "expires_at")
        interfaces = (relay.Node,)
        connection_class = CountableConnection

    requester = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    recipient = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    skill = graphene.Field(graphene.NonNull("skills.schema.SkillType"))
    relationship = graphene.Field(
        graphene.NonNull(RelationshipEnum), description="What the recipient was to the requester."
    )
    message = graphene.String(required=True)
    status = graphene.Field(
        graphene.NonNull(RequestStatusEnum), description="A pending request past expiresAt reads EXPIRED."
    )
    created_at = graphene.DateTime(required=True)
    endorsement = graphene.Field(EndorsementType, description="The endorsement an accepted request created.")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[EndorsementRequest], info: Any) -> QuerySet[EndorsementRequest]:
        return visible_requests(info.context.user, queryset).select_related(
            "requester__profile", "recipient__profile", "skill"
        )

    @staticmethod
    def resolve_status(r: EndorsementRequest, info: Any) -> str:
        # str(): a status just assigned in memory is a Django enum member, not the plain value.
        return str(r.effective_status)

    @staticmethod
    def resolve_relationship(r: EndorsementRequest, info: Any) -> str:
        return str(r.relationship)

    @staticmethod
    def resolve_endorsement(r: EndorsementRequest, info: Any) -> Endorsement | None:
        e = r.endorsement if r.endorsement_id else None
        # A hidden endorsement is the endorsed member's (the requester's) business only.
        if e is not None and e.hidden and not _is_owner(info, e.member_id):
            return None
        return e


EndorsementRequestConnection = EndorsementRequestType._meta.connection


# --- prefetching under MemberSkill ---------------------------------------------------------
def _endorsement_select(qs: QuerySet[Endorsement], node_paths: frozenset[str]) -> QuerySet[Endorsement]:
    related = []
    if wants(node_paths, "endorser"):
        related.append("endorser__profile")
    if wants(node_paths, "member"):
        related.append("member__profile")
    if wants(node_paths, "skill"):
        related.append("skill")
    if wants(node_paths, "memberSkill"):
        related.append("member_skill__skill")
    return qs.select_related(*related) if related else qs


def _node_paths(paths: frozenset[str]) -> frozenset[str]:
    """What is selected on endorsement nodes under a MemberSkill (connection, top lists)."""
    top_endorsers = frozenset("endorser." + p for p in below(paths, "topEndorsers")) | (
        frozenset({"endorser"}) if wants(paths, "topEndorsers") else frozenset()
    )
    return below(paths, "endorsements.edges.node") | below(paths, "topEndorsements") | top_endorsers


def prefetch_for_member_skills(qs: QuerySet[Any], viewer: Any, paths: frozenset[str]) -> QuerySet[Any]:
    """Called by skills.schema.member_skill_queryset: what the selection under `skills` needs of endorsements."""
    if not (wants(paths, "endorsements") or wants(paths, "topEndorsements") or wants(paths, "topEndorsers")):
        return qs
    # weight_inputs (JSON) is never exposed: not fetched, not decoded per row.
    window = (
        _endorsement_select(visible_endorsements(viewer, member_visible=True), _node_paths(paths))
        .defer("weight_inputs")
        .order_by("-weight", "id")
    )
    if db_connection.vendor == "postgresql":
        rows = _endorsement_select(Endorsement.objects.all(), _node_paths(paths)).defer("weight_inputs")
        qs = _windowed_listings(qs, viewer, rows)
    else:
        qs = qs.prefetch_related(
            Prefetch("endorsements", queryset=window[: ENDORSEMENT_WINDOW + 1], to_attr="endorsement_window")
        )
    if wants(paths, "endorsements.totalCount") and viewer is not None and viewer.is_authenticated:
        # The owner's total includes their hidden endorsements: counted in the same query.
        hidden = (
            Endorsement.objects.filter(member_skill=OuterRef("pk"), member_id=viewer.pk, hidden=True)
            .order_by()
            .values("member_skill")
            .annotate(n=Count("id"))
            .values("n")
        )
        qs = qs.annotate(own_hidden_count=Coalesce(Subquery(hidden, output_field=IntegerField()), 0))
    return qs


class _WindowBatch:
    """The top endorsement ids of a set of listings (chosen by the listing query), read lazily in bulk.

    A resolver asks `rows(ms, n)` for the first n of one listing; the first ask reads the first n
    of EVERY listing of the batch in one query, so a profile of 50 skills showing the top 3 reads
    150 rows, not the whole window (11 per listing) a later `endorsements(first: 10)` might need.
    """

    def __init__(self, listings: list[Any], rows: QuerySet[Endorsement]) -> None:
        self.listings, self.rows_queryset = listings, rows
        self.loaded: dict[int, Endorsement] = {}
        self.depth = 0

    def rows(self, ms: Any, needed: int) -> list[Endorsement]:
        if needed > self.depth:
            missing = [
                pk for other in self.listings for pk in other.endorsement_window_ids[:needed] if pk not in self.loaded
            ]
            if missing:
                self.loaded.update((e.pk, e) for e in self.rows_queryset.filter(pk__in=missing))
            self.depth = needed
        # In the order the listing query chose; a row deleted in between is simply left out.
        return [self.loaded[pk] for pk in ms.endorsement_window_ids[:needed] if pk in self.loaded]


class _WindowedListingIterable(ModelIterable):
    """Listings sharing one _WindowBatch (see _windowed_listings)."""

    rows_queryset: QuerySet[Endorsement]

    def __iter__(self) -> Any:
        listings = list(super().__iter__())
        for ms in listings:
            ms.endorsement_window_ids = ms.endorsement_window_ids or []
        batch = _WindowBatch(listings, self.rows_queryset)
        for ms in listings:
            ms.endorsement_batch = batch
        yield from listings


def _windowed_listings(qs: QuerySet[Any], viewer: Any, rows: QuerySet[Endorsement]) -> QuerySet[Any]:
    """PostgreSQL: the top endorsements of every listing chosen by an index scan per listing.

    Django's sliced Prefetch ranks with ROW_NUMBER() over EVERY visible endorsement of the
    listings, joined to their endorsers first: 10,000 wide rows sorted (spilling to disk) for
    a member with 10,000 endorsements, ~30 ms. Here the listing query itself picks each listing's
    top ids with `ARRAY(SELECT id ... ORDER BY weight DESC, id LIMIT n)`, which walks the
    (member_skill, -weight, id) index and stops after n rows; the rows are then read by primary
    key (`rows`: visibility was applied choosing the ids), only as many per listing as the
    resolvers ask for (_WindowBatch). Same two statements as the Prefetch for a profile, same
    rows in the same order (bench/profile_query.py checks it against hand-written SQL).
    """
    top_ids = (
        visible_endorsements(viewer, member_visible=True)
        .filter(member_skill_id=OuterRef("pk"))
        .order_by("-weight", "id")
        .values("pk")[: ENDORSEMENT_WINDOW + 1]
    )
    qs = qs.annotate(endorsement_window_ids=ArraySubquery(top_ids))
    qs._iterable_class = type("WindowedListingIterable", (_WindowedListingIterable,), {"rows_queryset": rows})
    return qs


def _window_size(ms: Any) -> int | None:
    """How many endorsements the prefetched window of `ms` holds (≤ ENDORSEMENT_WINDOW: all of them), or None."""
    ids = getattr(ms, "endorsement_window_ids", None)
    if ids is not None and hasattr(ms, "endorsement_batch"):
        return len(ids)
    window = getattr(ms, "endorsement_window", None)
    return None if window is None else len(window)


def _window_rows(ms: Any, needed: int) -> list[Endorsement]:
    """The first `needed` endorsements of the prefetched window of `ms` (call only when _window_size is not None)."""
    batch = getattr(ms, "endorsement_batch", None)
    if batch is not None:
        return batch.rows(ms, needed)
    return ms.endorsement_window[:needed]


def _listing_query(ms: Any, info: Any) -> QuerySet[Endorsement]:
    paths = _node_paths(selected_paths_under_skill(info))
    # The listing was reached through something the viewer may see (its member's profile, a mutation).
    viewer = info.context.user
    return (
        _endorsement_select(visible_endorsements(viewer, member_visible=True), paths)
        .defer("weight_inputs")
        .filter(member_skill_id=ms.pk)
        .order_by("-weight", "id")
    )


def selected_paths_under_skill(info: Any) -> frozenset[str]:
    # Re-root the current field's selection as if seen from the MemberSkill.
    name = info.field_name
    return frozenset(f"{name}.{p}" for p in selected_paths(info)) | {name}


def resolve_member_skill_endorsements(
    ms: Any, info: Any, first: int | None = None, after: str | None = None, **_: Any
) -> Any:
    """MemberSkill.endorsements: most weighty first, forward pagination (first/after)."""
    if _.get("last") is not None or _.get("before") is not None:
        raise GraphQLError("Page forward with `first` and `after`.", extensions={"code": "BAD_ARGUMENT"})
    if first is not None and first < 0:
        raise GraphQLError("`first` must be positive.", extensions={"code": "BAD_ARGUMENT"})
    limit = settings.GRAPHQL_MAX_PAGE_SIZE
    if first is not None and first > limit:
        # Refused like the root connections (graphene-django's RELAY_CONNECTION_MAX_LIMIT), not silently capped.
        raise GraphQLError(
            f"Requesting {first} records on the `{info.field_name}` connection exceeds the `first` limit of {limit} records.",
            extensions={"code": "BAD_ARGUMENT"},
        )
    first = DEFAULT_PAGE if first is None else first
    offset = 0
    if after:
        position = cursor_to_offset(after)
        if position is None or position < 0:
            raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_ARGUMENT"})
        offset = position + 1
    size = _window_size(ms)
    complete = size is not None and size <= ENDORSEMENT_WINDOW
    if size is not None and (complete or offset + first < size):
        rows = _window_rows(ms, offset + first + 1)[offset : offset + first + 1]
    else:
        rows = list(_listing_query(ms, info)[offset : offset + first + 1])
    has_next = len(rows) > first
    rows = rows[:first]
    edge_type = EndorsementConnection.Edge
    edges = [edge_type(node=row, cursor=offset_to_cursor(offset + i)) for i, row in enumerate(rows)]
    connection = EndorsementConnection(
        edges=edges,
        page_info=relay.PageInfo(
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=offset > 0,
            has_next_page=has_next,
        ),
    )
    if complete:
        assert size is not None
        connection.length = size
    elif not wants(selected_paths(info), "totalCount"):
        connection.length = 0  # not asked for: spare the owner's hidden-count query
    else:
        # The denormalised count of visible endorsements, plus the owner's hidden ones.
        hidden = 0
        if _is_owner(info, ms.member_id):
            hidden = getattr(ms, "own_hidden_count", None)
            if hidden is None:
                hidden = Endorsement.objects.filter(member_skill_id=ms.pk, hidden=True).count()
        connection.length = ms.endorsement_count + hidden
    return connection


def resolve_top_endorsements(ms: Any, info: Any, limit: int = 3) -> list[Endorsement]:
    """The most weighty VISIBLE endorsements (hidden ones are left out even for the owner)."""
    limit = max(1, min(limit, ENDORSEMENT_WINDOW))
    size = _window_size(ms)
    if size is not None:
        top = [e for e in _window_rows(ms, limit) if not e.hidden]
        if len(top) < limit and size > limit:  # hidden ones (the owner's view) took places: read on
            top = [e for e in _window_rows(ms, ENDORSEMENT_WINDOW + 1) if not e.hidden]
        top = top[:limit]
        if len(top) == limit or size <= ENDORSEMENT_WINDOW:
            return top
    return list(_listing_query(ms, info).filter(hidden=False)[:limit])


# --- queries -------------------------------------------------------------------------------
class EndorsementQueries(graphene.ObjectType):
    endorsement_requests = DjangoConnectionField(
        EndorsementRequestType,
        required=True,
        direction=graphene.Argument(RequestDirectionEnum, required=True),
        status=graphene.Argument(RequestStatusEnum),
        description="Your inbox (INCOMING) or outbox (OUTGOING), newest first. Signed-in members only "
        "(anonymous callers get the UNAUTHENTICATED error).",
    )

    @staticmethod
    def resolve_endorsement_requests(root: Any, info: Any, direction: Any, status: Any = None, **_: Any) -> Any:
        viewer = require_user(info)
        direction = getattr(direction, "value", direction)
        status = getattr(status, "value", status)
        qs = EndorsementRequest.objects.all()
        qs = qs.filter(recipient_id=viewer.pk) if direction == "INCOMING" else qs.filter(requester_id=viewer.pk)
        now = timezone.now()
        if status == RequestStatus.PENDING:
            qs = qs.filter(status=RequestStatus.PENDING, expires_at__gt=now)
        elif status == RequestStatus.EXPIRED:
            qs = qs.filter(Q(status=RequestStatus.EXPIRED) | Q(status=RequestStatus.PENDING, expires_at__lte=now))
        elif status:
            qs = qs.filter(status=status)
        node = below(selected_paths(info), "edges.node")
        related = ["requester__profile", "recipient__profile", "skill"]
        if wants(node, "endorsement"):
            related += ["endorsement"]
            end = below(node, "endorsement")
            related += [
                f"endorsement__{r}"
                for r in ("endorser__profile", "member__profile", "skill")
                if wants(end, r.split("__")[0])
            ]
        return qs.select_related(*related).order_by("-id")


# --- mutations -----------------------------------------------------------------------------
def _member_skill(endorsement: Endorsement) -> Any:
    from skills.models import MemberSkill

    return MemberSkill.objects.select_related("skill").filter(pk=endorsement.member_skill_id).first()


class RequestEndorsement(VouchMutation):
    """Ask a member to endorse one of your listed skills."""

    class Input:
        recipient = graphene.String(required=True, description="Username of the member you ask.")
        skill = graphene.String(required=True, description="One of your listed skills (any spelling).")
        relationship = RelationshipEnum(required=True, description="What the recipient was to you.")
        message = graphene.String(description="At most 500 characters.")

    endorsement_request = graphene.Field(EndorsementRequestType)

    @classmethod
    def perform(
        cls, info: Any, actor: Any, recipient: str, skill: str, relationship: Any, message: str | None = None, **_: Any
    ) -> RequestEndorsement:
        request = services.request_endorsement(
            actor, recipient=recipient, skill=skill, relationship=relationship, message=message or ""
        )
        return cls(endorsement_request=request)


class RespondToEndorsementRequest(VouchMutation):
    """Accept (endorsing, with an optional comment) or decline a request you received."""

    class Input:
        request_id = graphene.ID(required=True)
        accept = graphene.Boolean(required=True)
        comment = graphene.String(description="Kept with the endorsement when accepting (at most 1000 characters).")

    endorsement_request = graphene.Field(EndorsementRequestType)
    endorsement = graphene.Field(EndorsementType)

    @classmethod
    def perform(
        cls, info: Any, actor: Any, request_id: str, accept: bool, comment: str | None = None, **_: Any
    ) -> RespondToEndorsementRequest:
        pk = decode_id(request_id, "EndorsementRequest", field="requestId")
        request = services.respond_to_endorsement_request(actor, request_id=pk, accept=accept, comment=comment or "")
        return cls(endorsement_request=request, endorsement=request.endorsement if accept else None)


class CancelEndorsementRequest(VouchMutation):
    class Input:
        request_id = graphene.ID(required=True)

    endorsement_request = graphene.Field(EndorsementRequestType)

    @classmethod
    def perform(cls, info: Any, actor: Any, request_id: str, **_: Any) -> CancelEndorsementRequest:
        pk = decode_id(request_id, "EndorsementRequest", field="requestId")
        return cls(endorsement_request=services.cancel_endorsement_request(actor, request_id=pk))


class Endorse(VouchMutation):
    """Endorse a member for one of their listed skills."""

    class Input:
        member = graphene.String(required=True, description="Username of the member you endorse.")
        skill = graphene.String(required=True, description="One of their listed skills (any spelling).")
        relationship = RelationshipEnum(required=True, description="What you were to them.")
        comment = graphene.String(description="At most 1000 characters.")

    endorsement = graphene.Field(EndorsementType)
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")

    @classmethod
    def perform(
        cls, info: Any, actor: Any, member: str, skill: str, relationship: Any, comment: str | None = None, **_: Any
    ) -> Endorse:
        endorsement = services.endorse(
            actor, member=member, skill=skill, relationship=relationship, comment=comment or ""
        )
        return cls(endorsement=endorsement, member_skill=_member_skill(endorsement))


class WithdrawEndorsement(VouchMutation):
    """Take back an endorsement you gave. Nobody is notified."""

    class Input:
        endorsement_id = graphene.ID(required=True)

    withdrawn_endorsement_id = graphene.ID()
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")

    @classmethod
    def perform(cls, info: Any, actor: Any, endorsement_id: str, **_: Any) -> WithdrawEndorsement:
        pk = decode_id(endorsement_id, "Endorsement", field="endorsementId")
        withdrawn = services.withdraw_endorsement(actor, endorsement_id=pk)
        return cls(withdrawn_endorsement_id=endorsement_id, member_skill=_member_skill(withdrawn))


class SetEndorsementHidden(VouchMutation):
    """Hide an endorsement you received from everyone else (or show it again). The endorser is not told."""

    class Input:
        endorsement_id = graphene.ID(required=True)
        hidden = graphene.Boolean(required=True)

    endorsement = graphene.Field(EndorsementType)
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")

    @classmethod
    def perform(cls, info: Any, actor: Any, endorsement_id: str, hidden: bool, **_: Any) -> SetEndorsementHidden:
        pk = decode_id(endorsement_id, "Endorsement", field="endorsementId")
        endorsement = services.set_endorsement_hidden(actor, endorsement_id=pk, hidden=hidden)
        return cls(endorsement=endorsement, member_skill=_member_skill(endorsement))


class EndorsementMutations(graphene.ObjectType):
    request_endorsement = RequestEndorsement.Field()
    respond_to_endorsement_request = RespondToEndorsementRequest.Field()
    cancel_endorsement_request = CancelEndorsementRequest.Field()
    endorse = Endorse.Field()
    withdraw_endorsement = WithdrawEndorsement.Field()
    set_endorsement_hidden = SetEndorsementHidden.Field()
