"""Free-text member search: name, handle, headline, organisation and title.

On PostgreSQL it is index-backed, typo-tolerant and ranked:

* handles: substring (`LIKE '%…%'`) and trigram similarity (`username % term`), pg_trgm GIN index;
* display names, with typos ("Okafro" finds "Okafor"): pg_trgm word similarity (`term <% name`, at or above
  `pg_trgm.word_similarity_threshold`, set to 0.5 in settings), pg_trgm GIN index;
* words of the name, headline, organisation and title in any order, the last one as a prefix while it is
  being typed ("platform eng"): full-text search with the `simple` configuration (names and handles are
  not English words to stem), GIN index.

Work per search is bounded whatever the data: candidates come from index scans that stop after a few
hundred rows each (an OR across the user and profile tables would use no index at all); only those are
matched and ranked, by the
best of handle similarity, name word similarity and full-text rank. So a search answers the best few
hundred members, and its total count is at most that. SQLite, the newcomer default, keeps
case-insensitive substring matching on each field (every match).
"""

from __future__ import annotations

import re

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

# The indexed expressions (profiles/migrations/0002_member_search_indexes.py). Keep them identical.
NAME = "lower(display_name)"
DOCUMENT = "lower(display_name || ' ' || headline || ' ' || organisation || ' ' || title)"
TSVECTOR = f"to_tsvector('simple'::regconfig, {DOCUMENT})"
MAX_TERM = 100
MAX_WORDS = 8
CANDIDATES = 100  # rows each index branch may contribute: the work per search is bounded, not the data
_WORD = re.compile(r"[^\W_]+")


def _pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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


def candidate_ids(term: str) -> RawSQL:
    """Ids of the members best matching `term` (PostgreSQL), as a subquery for `id__in`."""
    term = _clean(term)
    sql = (
        "SELECT id FROM ("
        f"(SELECT id FROM profiles_user WHERE username LIKE %s LIMIT {CANDIDATES})"
        f" UNION (SELECT id FROM profiles_user WHERE username %% %s LIMIT {CANDIDATES})"
        f" UNION (SELECT user_id FROM profiles_profile WHERE %s <%% {NAME} LIMIT {CANDIDATES})"
        f" UNION (SELECT user_id FROM profiles_profile WHERE {TSVECTOR} @@ to_tsquery('simple'::regconfig, %s)"
        f" LIMIT {CANDIDATES})"
        ") AS candidates"
    )
    return RawSQL(sql, [_pattern(term), term, term, tsquery(term)])


def _on_profile(expression: str) -> str:
    """`expression` over the outer query's member's profile (profiles_user is the outer table)."""
    return f"(SELECT {expression} FROM profiles_profile WHERE profiles_profile.user_id = profiles_user.id)"


def matches(term: str) -> RawSQL:
    """Whether the member in the outer query matches `term` (decided on the candidates only)."""
    term = _clean(term)
    sql = (
        "(profiles_user.username LIKE %s OR profiles_user.username %% %s OR "
        + _on_profile(f"%s <%% {NAME} OR {TSVECTOR} @@ to_tsquery('simple'::regconfig, %s)")
        + ")"
    )
    return RawSQL(sql, [_pattern(term), term, term, tsquery(term)], output_field=BooleanField())


def rank(term: str) -> RawSQL:
    """How well the member in the outer query matches `term`: 0..1, higher is better."""
    term = _clean(term)
    sql = (
        "greatest(CASE WHEN profiles_user.username = %s THEN 1.0 ELSE similarity(profiles_user.username, %s) END, "
        + _on_profile(
            f"greatest(word_similarity(%s, {NAME}), ts_rank({TSVECTOR}, to_tsquery('simple'::regconfig, %s)))"
        )
        + ")"
    )
    return RawSQL(sql, [term, term, term, tsquery(term)], output_field=FloatField())
