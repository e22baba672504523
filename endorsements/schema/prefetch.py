"""The window prefetch: the top endorsements of every listing a selection reaches, in one query.

skills.schema.member_skill_queryset calls `prefetch_for_member_skills` when the selection under
a member's skills reaches endorsements. It takes the top ENDORSEMENT_WINDOW + 1 endorsements of
every listing in ONE query (on PostgreSQL an index scan per listing, `_windowed_listings`;
elsewhere Django's sliced Prefetch, a ROW_NUMBER() window per listing), which the
`endorsements(first, after)` connection, `topEndorsements` and `topEndorsers` are served from
(endorsements.schema.pagination).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection as db_connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable

from endorsements.models import Endorsement
from endorsements.permissions import visible_endorsements
from profiles.actors import is_signed_in
from vouch.graphql.selection import below, selected_paths, wants

# How many endorsements per listing the profile prefetch holds (topEndorsements' limit too).
ENDORSEMENT_WINDOW = 10


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
    if wants(paths, "endorsements.totalCount") and is_signed_in(viewer):
        # The owner's total includes their hidden endorsements, an endorser's their own waiting for the
        # member's review (both beside the denormalised count of visible ones): counted in the same query.
        hidden = (
            Endorsement.objects.filter(member_skill=OuterRef("pk"))
            .filter(own_hidden_filter(viewer))
            .order_by()
            .values("member_skill")
            .annotate(n=Count("id"))
            .values("n")
        )
        qs = qs.annotate(own_hidden_count=Coalesce(Subquery(hidden, output_field=IntegerField()), 0))
    return qs


def own_hidden_filter(viewer: Any) -> Q:
    """The hidden endorsements `viewer` sees on a listing: all of them on their own, their own pending ones on
    someone else's (visible_endorsements)."""
    return Q(member_id=viewer.pk, hidden=True) | Q(endorser_id=viewer.pk, pending_review=True)


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


def window_size(ms: Any) -> int | None:
    """How many endorsements the prefetched window of `ms` holds (≤ ENDORSEMENT_WINDOW: all of them), or None."""
    ids = getattr(ms, "endorsement_window_ids", None)
    if ids is not None and hasattr(ms, "endorsement_batch"):
        return len(ids)
    window = getattr(ms, "endorsement_window", None)
    return None if window is None else len(window)


def window_rows(ms: Any, needed: int) -> list[Endorsement]:
    """The first `needed` endorsements of the prefetched window of `ms` (call only when window_size is not None)."""
    batch = getattr(ms, "endorsement_batch", None)
    if batch is not None:
        return batch.rows(ms, needed)
    return ms.endorsement_window[:needed]


def listing_query(ms: Any, info: Any) -> QuerySet[Endorsement]:
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
