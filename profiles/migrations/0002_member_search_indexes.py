"""Index-backed member search on PostgreSQL (profiles.search): pg_trgm GIN indexes for substring
and typo-tolerant matching, and a full-text GIN index. The expressions must stay byte-identical to the
ones in profiles/search.py, or the planner cannot use them. SQLite gets nothing (it keeps LIKE)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from profiles.search import NAME, TSVECTOR

INDEXES = [
    ("profiles_user_username_trgm", "profiles_user", "gin", "username gin_trgm_ops"),
    ("profiles_profile_name_trgm", "profiles_profile", "gin", f"({NAME}) gin_trgm_ops"),
    ("profiles_profile_document_fts", "profiles_profile", "gin", f"({TSVECTOR})"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, method, expression in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {method} ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_rest in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
