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
  not English words to stem) on the stored `search_document` column (generated from TSVECTOR), GIN index.

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

# The indexed expressions (profiles/migrations/0002_member_search_indexes.py; TSVECTOR is the expression the
# stored `search_document` column is generated from, 0006). Keep them identical.
NAME = "lower(display_name)"
DOCUMENT = "lower(display_name || ' ' || headline || ' ' || organisation || ' ' || title)"
TSVECTOR = f"to_tsvector('simple'::regconfig, {DOCUMENT})"
FUNCTION = "profiles_member_candidates"
MAX_TERM = 100
MAX_WORDS = 8
CANDIDATES = 100  # rows each index branch may contribute: the work per search is bounded, not the data
SCANNED = 200  # matches a trigram branch reads (in index order) before keeping its CANDIDATES best
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


def explain(term: str, *, analyze: bool = True, generic: bool = False) -> str:
    """EXPLAIN (ANALYZE) of the search function's three statements for `term`, with its settings (PostgreSQL):
    EXPLAIN of the function call would not show them. `generic`: the plans PL/pgSQL may keep for the session
    (planned without the term's value) instead of the ones planned for this term."""
    from importlib import import_module

    from django.db import transaction

    function = import_module("profiles.migrations.0006_member_search_function")
    term = _clean(term)
    args = [term, _pattern(term), tsquery(term) or None, CANDIDATES, SCANNED]
    options = "ANALYZE, COSTS OFF" if analyze else "COSTS OFF"
    types = function.SIGNATURE
    plans: list[str] = []

    def run(name: str, sql: str, params: list, label: str) -> list:
        cursor.execute(f"PREPARE {name}({types}, bigint[]) AS {sql}")
        try:
            placeholders = ", ".join(["%s"] * len(params))
            cursor.execute(f"EXPLAIN ({options}) EXECUTE {name}({placeholders})", params)
            plans.append(f"-- {label}\n" + "\n".join(row[0] for row in cursor.fetchall()))
            cursor.execute(f"EXECUTE {name}({placeholders})", params)
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute(f"DEALLOCATE {name}")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = %s", [FUNCTION])
        for setting in cursor.fetchone()[0] or []:  # the function's SET clauses, for this transaction only
            name, value = setting.split("=", 1)
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        if generic:
            cursor.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
        params = [*args, None]
        ids = run("search_by_trigram", function.BY_TRIGRAM, params, "handles and names (trigram GIN)")
        if args[2] is not None:
            common = run("search_common", function.BY_COMMON_WORDS, params, "words: common ones (first rows)")
            if len(common) < CANDIDATES:
                common = run("search_words", function.BY_WORDS, params, "words: through the full-text GIN index")
            ids += common
        run("search_ranked", function.RANKED.format(ids="$6"), [*args, ids], "the candidates, ranked")
    return "\n".join(plans)
