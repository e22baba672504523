"""Member search in one call on PostgreSQL (profiles.search.ranked_ids): `profiles_member_candidates`.

Why a function: its SET clauses hold for the call only, whatever the connection. `enable_seqscan = off`, because
PostgreSQL cannot estimate how many rows match a pg_trgm operator (it assumes a fixed share of the table), and with
a LIMIT it then often prefers a sequential scan that it expects to stop early: on a rare surname ("okafro") that scan
reads the whole table instead of a few index pages. The two similarity thresholds are the typo tolerance (0.5 lets
one transposition in a 6-letter name through; 0.25 for handles). And PL/pgSQL keeps the plan of its query for the
session, so a search is not planned again each time.

Parameters: $1 the term (lower case), $2 the LIKE pattern for handles (NULL when the term cannot be part of a handle:
a space, say), $3 the full-text query (NULL when the term has no word), $4 rows per branch, $5 rows a trigram branch
reads before ranking them. Branches: handles (substring + similarity, trigram GIN), display names (word similarity,
trigram GIN), every profile field (full text, GIN). Each one stops after a bounded number of rows, so the work is
bounded whatever the data; the candidates are then ranked by the best of handle similarity (1 for the exact handle),
name word similarity and full-text rank, best first, then by handle.

The expressions are byte-identical to the indexed ones (0002_member_search_indexes), or the indexes go unused.
"""

from django.db import migrations

FUNCTION = "profiles_member_candidates"

QUERY = """
  WITH candidates AS (
    (SELECT h.id AS candidate FROM (
        SELECT u.id, u.username FROM profiles_user u
        WHERE $2 IS NOT NULL AND (u.username LIKE $2 OR u.username % $1) LIMIT $5) h
      ORDER BY similarity(h.username, $1) DESC LIMIT $4)
    UNION
    (SELECT n.user_id FROM (
        SELECT p.user_id, p.display_name FROM profiles_profile p WHERE $1 <% lower(p.display_name) LIMIT $5) n
      ORDER BY word_similarity($1, lower(n.display_name)) DESC LIMIT $4)
    UNION
    (SELECT p.user_id FROM profiles_profile p
      WHERE $3 IS NOT NULL AND to_tsvector('simple'::regconfig, lower(p.display_name || ' ' || p.headline || ' ' || p.organisation || ' ' || p.title)) @@ $3
      LIMIT $4)
  )
  SELECT u.id, greatest(
      CASE WHEN u.username = $1 THEN 1.0 ELSE similarity(u.username, $1) END,
      word_similarity($1, lower(p.display_name)),
      coalesce(ts_rank(to_tsvector('simple'::regconfig, lower(p.display_name || ' ' || p.headline || ' ' || p.organisation || ' ' || p.title)), $3), 0)
    )::real AS score
  FROM candidates c JOIN profiles_user u ON u.id = c.candidate JOIN profiles_profile p ON p.user_id = u.id
  ORDER BY score DESC, u.username
"""  # noqa: E501  (the indexed expressions, spelled exactly as indexed)

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(text, text, tsquery, integer, integer)
RETURNS TABLE (found_id bigint, found_score real)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET pg_trgm.similarity_threshold = 0.25
SET pg_trgm.word_similarity_threshold = 0.5
AS $body$
BEGIN
  RETURN QUERY {QUERY};
END
$body$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: "%" is an operator here


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text, text, tsquery, integer, integer)")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0005_endorsement_settings")]

    operations = [migrations.RunPython(create, drop)]
