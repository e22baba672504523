"""Free-text member search: name, handle, headline, organisation and title.

On PostgreSQL it is index-backed, typo-tolerant and ranked, in one call of the database function
`profiles_member_candidates` (profiles/migrations/0006_member_search_function.py):

* handles: substring (`LIKE '%…%'`, a prefix for terms under 3 letters) and trigram similarity
  (`username % term`, at or above 0.25), pg_trgm GIN index; only for terms that can be part of a handle
  (letters, digits, "-" and "_": "maria okafor" is no handle, so the handle index is not searched for it);
* display names, with typos ("Okafro" finds "Okafor"): pg_trgm word similarity (`term <% name`, at or above
  0.5), pg_trgm GIN index;
* words of the name, headline, organisation and title in any order, the last one as a prefix while it is
  being typed ("platform eng"): full-text search with the `simple` configuration (names and handles are
  not English words to stem), GIN index.

Work per search is bounded whatever the data: each branch is an index scan that stops after a bounded
number of rows (a trigram branch reads at most SCANNED matches and keeps its best CANDIDATES; the full-text
one keeps the first CANDIDATES), and only those candidates are ranked, by the best of handle similarity,
name word similarity and full-text rank. The function answers their ids best first, once; the page and the
total count are then primary-key lookups of those ids (`search_members`), so the index work is not done a
second time for the count. A search answers the best few hundred members, and its total count is at most
that. SQLite, the newcomer default, keeps case-insensitive substring matching on each field (every match).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

# The indexed expressions (profiles/migrations/0002_member_search_indexes.py). Keep them identical.
NAME = "lower(display_name)"
DOCUMENT = "lower(display_name || ' ' || headline || ' ' || organisation || ' ' || title)"
TSVECTOR = f"to_tsvector('simple'::regconfig, {DOCUMENT})"
FUNCTION = "profiles_member_candidates"
MAX_TERM = 100
MAX_WORDS = 8
CANDIDATES = 100  # rows each index branch may contribute: the work per search is bounded, not the data
SCANNED = 500  # matches a trigram branch reads (in index order) before keeping its CANDIDATES best
_WORD = re.compile(r"[^\W_]+")
_HANDLE = re.compile(r"[a-z0-9_-]+")  # what a handle is made of (profiles.validators)


def _pattern(term: str) -> str | None:
    """The LIKE pattern for handles containing `term`, or None when no handle can contain it."""
    if not _HANDLE.fullmatch(term):
        return None
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # Under 3 letters there is no trigram to look up: a prefix (the username's btree pattern index) instead.
    return f"%{escaped}%" if len(term) >= 3 else f"{escaped}%"


def tsquery(term: str) -> str:
    """`term` as a to_tsquery() text: its words ANDed, the last one a prefix once it has 3 letters.
    Only letters and digits reach it, so no input can be a tsquery syntax error."""
    words = _WORD.findall(term)[:MAX_WORDS]
    if not words:
        return ""
    if len(words[-1]) >= 3:
        words[-1] += ":*"
    return " & ".join(words)


def _clean(term: str) -> str:
    return term[:MAX_TERM].lower()


def ranked_ids(term: str) -> list[int]:
    """Ids of the members best matching `term` (PostgreSQL), best first: at most 3 × CANDIDATES, one statement."""
    term = _clean(term)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT found_id FROM {FUNCTION}(%s::text, %s::text, to_tsquery('simple'::regconfig, %s), %s, %s)",
            [term, _pattern(term), tsquery(term) or None, CANDIDATES, SCANNED],
        )
        return [row[0] for row in cursor.fetchall()]


def position(ids: list[int]) -> RawSQL:
    """The place of the outer query's member in `ids` (1 = best), to order by."""
    return RawSQL("array_position(%s::bigint[], profiles_user.id)", [ids], output_field=IntegerField())


def explain(term: str, *, analyze: bool = True) -> str:
    """EXPLAIN (ANALYZE) of the search function's query for `term`, with the function's settings (PostgreSQL).

    The query is read from the installed function, so this is the plan the database runs: a function's own
    statements are not shown by EXPLAIN of its call."""
    from django.db import transaction

    term = _clean(term)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT prosrc, proconfig FROM pg_proc WHERE proname = %s", [FUNCTION])
        source, config = cursor.fetchone()
        for setting in config or []:  # the function's SET clauses, for this transaction only
            name, value = setting.split("=", 1)
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        query = source.split("RETURN QUERY", 1)[1].rsplit(";", 1)[0]
        cursor.execute(f"PREPARE member_search_plan(text, text, tsquery, integer, integer) AS {query}")
        try:
            options = "ANALYZE, COSTS OFF" if analyze else "COSTS OFF"
            cursor.execute(
                f"EXPLAIN ({options}) EXECUTE member_search_plan(%s, %s, to_tsquery('simple'::regconfig, %s), %s, %s)",
                [term, _pattern(term), tsquery(term) or None, CANDIDATES, SCANNED],
            )
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE member_search_plan")
