"""MemberSkill.endorsements (forward pagination) and topEndorsements, served from the window prefetch.

Only a page reaching beyond the prefetched window (a cursor deep into one listing) costs one
query for that listing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from graphene import relay
from graphql import GraphQLError
from graphql_relay import cursor_to_offset, offset_to_cursor

from endorsements.models import Endorsement
from endorsements.schema.prefetch import (
    ENDORSEMENT_WINDOW,
    listing_query,
    own_hidden_filter,
    window_rows,
    window_size,
)
from endorsements.schema.types import EndorsementConnection, is_owner
from vouch.graphql.selection import selected_paths, wants

DEFAULT_PAGE = 20


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
            f"Requesting {first} records on the `{info.field_name}` connection exceeds the `first` limit of "
            f"{limit} records.",
            extensions={"code": "BAD_ARGUMENT"},
        )
    first = DEFAULT_PAGE if first is None else first
    offset = 0
    if after:
        position = cursor_to_offset(after)
        if position is None or position < 0:
            raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_ARGUMENT"})
        offset = position + 1
    size = window_size(ms)
    complete = size is not None and size <= ENDORSEMENT_WINDOW
    if size is not None and (complete or offset + first < size):
        rows = window_rows(ms, offset + first + 1)[offset : offset + first + 1]
    else:
        rows = list(listing_query(ms, info)[offset : offset + first + 1])
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
        # The denormalised count of visible endorsements, plus the hidden ones the viewer sees: the owner's
        # hidden ones, or an endorser's own waiting for review.
        hidden = 0
        viewer = info.context.user
        counted = getattr(ms, "own_hidden_count", None)  # annotated by the prefetch when it could
        if is_owner(info, ms.member_id):
            if counted is None:
                counted = Endorsement.objects.filter(own_hidden_filter(viewer), member_skill_id=ms.pk).count()
            hidden = counted
        elif viewer.is_authenticated:
            hidden = counted or 0  # not annotated (reached another way): their pending one is left out
        connection.length = ms.endorsement_count + hidden
    return connection


def resolve_top_endorsements(ms: Any, info: Any, limit: int = 3) -> list[Endorsement]:
    """The most weighty VISIBLE endorsements (hidden ones are left out even for the owner)."""
    limit = max(1, min(limit, ENDORSEMENT_WINDOW))
    size = window_size(ms)
    if size is not None:
        top = [e for e in window_rows(ms, limit) if not e.hidden]
        if len(top) < limit and size > limit:  # hidden ones (the owner's view) took places: read on
            top = [e for e in window_rows(ms, ENDORSEMENT_WINDOW + 1) if not e.hidden]
        top = top[:limit]
        if len(top) == limit or size <= ENDORSEMENT_WINDOW:
            return top
    return list(listing_query(ms, info).filter(hidden=False)[:limit])
