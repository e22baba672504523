"""Member search in one call on PostgreSQL (profiles.search.ranked_ids): `profiles_member_candidates`.

Why a function: its SET clauses hold for the call only, whatever the connection. The two similarity thresholds are
the typo tolerance (0.5 lets one transposition in a 6-letter name through; 0.25 for handles). `enable_seqscan = off`
because PostgreSQL cannot estimate how many rows match a pg_trgm operator (it assumes a fixed share of the table),
and with a LIMIT it then often prefers a sequential scan that it expects to stop early: on a rare surname ("okafro")
that scan reads the whole table instead of a few index pages. The words are looked up in two steps instead: first
among the first COMMON_SAMPLE profiles in table order (a common word, "engineer" in most profiles, has its rows there,
and reading them is cheaper than the whole GIN entry of that word, tens of thousands of rows), then, if that found
too few, through the GIN index (the word is rare, so its index entry is short).
`jit = off`: a plan that reads the table while sequential scans are "off" is costed at a huge figure, which
would make PostgreSQL compile it to machine code first (100 ms), for a statement that takes a millisecond.
PL/pgSQL keeps the plans of its statements for the session, so a search is not planned again each time.

Arguments: $1 the term (lower case), $2 the LIKE pattern for handles (NULL when the term cannot be part of a handle:
a space, say), $3 the full-text query (NULL when the term has no word), $4 rows per branch, $5 rows a trigram branch
reads before ranking them. Branches: handles (substring + similarity, trigram GIN), display names (word similarity,
trigram GIN), every profile field (full text, GIN). Each one stops after a bounded number of rows, so the work is
bounded whatever the data; the candidates are then ranked by the best of handle similarity (1 for the exact handle),
name word similarity and full-text rank, best first, then by handle.

The full-text document is a stored column now (`search_document`, generated from the expression 0002 indexed,
profiles.search.TSVECTOR), GIN-indexed: the rank and the index recheck read it instead of parsing four fields per row
again. Adding it rewrites profiles_profile once (about a second per 100,000 profiles). The trigram expressions are
byte-identical to the indexed ones (0002_member_search_indexes), or the indexes go unused. The search indexes get
`fastupdate = off`: new entries go into the index at once rather than a pending list that every search would scan
until the next vacuum (profiles change rarely; searches are many).

profiles.search.explain() prepares the three statements below (the installed function is checked to be built from
them) to show their plans: EXPLAIN of a function call does not show the statements inside.
"""

from django.db import migrations

FUNCTION = "profiles_member_candidates"
SIGNATURE = "text, text, tsquery, integer, integer"

# Handles and display names: the best $4 of the first $5 matches of each, by index scans only.
BY_TRIGRAM = """
    (SELECT h.id FROM (
        SELECT u.id, u.username FROM profiles_user u
        WHERE $2 IS NOT NULL AND (u.username LIKE $2 OR u.username % $1) LIMIT $5) h
      ORDER BY similarity(h.username, $1) DESC LIMIT $4)
    UNION
    (SELECT n.user_id FROM (
        SELECT p.user_id, p.display_name FROM profiles_profile p WHERE $1 <% lower(p.display_name) LIMIT $5) n
      ORDER BY word_similarity($1, lower(n.display_name)) DESC LIMIT $4)
"""
COMMON_SAMPLE = 1000
# The words, common ones: the first $4 matches among the first COMMON_SAMPLE profiles.
BY_COMMON_WORDS = f"""
    SELECT f.user_id FROM (SELECT p.user_id, p.search_document FROM profiles_profile p LIMIT {COMMON_SAMPLE}) f
    WHERE $3 IS NOT NULL AND f.search_document @@ $3 LIMIT $4
"""
# The words, through the index.
BY_WORDS = "SELECT p.user_id FROM profiles_profile p WHERE $3 IS NOT NULL AND p.search_document @@ $3 LIMIT $4"
# The candidates ({ids}), ranked.
RANKED = """
  SELECT u.id, greatest(
      CASE WHEN u.username = $1 THEN 1.0 ELSE similarity(u.username, $1) END,
      word_similarity($1, lower(p.display_name)),
      coalesce(ts_rank(p.search_document, $3), 0)
    )::real AS score
  FROM profiles_user u JOIN profiles_profile p ON p.user_id = u.id
  WHERE u.id = ANY({ids})
  ORDER BY score DESC, u.username
"""

BODY = f"""
DECLARE
  ids bigint[];
  words bigint[];
BEGIN
  ids := ARRAY({BY_TRIGRAM});
  IF $3 IS NOT NULL THEN
    words := ARRAY({BY_COMMON_WORDS});
    IF cardinality(words) < $4 THEN
      words := ARRAY({BY_WORDS});
    END IF;
    ids := ids || words;
  END IF;
  RETURN QUERY {RANKED.format(ids="ids")};
END
"""

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}({SIGNATURE})
RETURNS TABLE (found_id bigint, found_score real)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET jit = off
SET pg_trgm.similarity_threshold = 0.25
SET pg_trgm.word_similarity_threshold = 0.5
AS $body${BODY}$body$
"""


DOCUMENT = (
    "to_tsvector('simple'::regconfig, lower(display_name || ' ' || headline || ' ' || organisation || ' ' || title))"
)
TRIGRAM_INDEXES = ["profiles_user_username_trgm", "profiles_profile_name_trgm"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE profiles_profile ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX profiles_profile_search_document ON profiles_profile USING gin (search_document)"
        " WITH (fastupdate = off)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS profiles_profile_document_fts")
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    schema_editor.execute(CREATE, params=None)  # no placeholders: "%" is an operator here


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}({SIGNATURE})")
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate)")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS profiles_profile_document_fts ON profiles_profile USING gin ({DOCUMENT})"
    )
    schema_editor.execute("ALTER TABLE profiles_profile DROP COLUMN search_document")  # drops its index


class Migration(migrations.Migration):
    dependencies = [("profiles", "0005_endorsement_settings")]

    operations = [migrations.RunPython(create, drop)]
