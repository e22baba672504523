"""pg_trgm GIN indexes on skill and alias keys, for "did you mean" (skills.services.similar_skills).
PostgreSQL only; SQLite compares in Python."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("skills_skill_key_trgm", "skills_skill"),
    ("skills_skillalias_key_trgm", "skills_skillalias"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (key gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("skills", "0002_taxonomy")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
