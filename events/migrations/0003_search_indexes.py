"""GIN indexes for full-text search (the `q` filter) on PostgreSQL.

The expressions are exactly those `EventQuerySet.search()` builds with
SearchVector(..., config="english"), so that PostgreSQL uses the indexes;
tests/test_search.py checks the plan. SQLite has no such index: there `q`
falls back to whole-word regular expressions.
"""

from django.db import migrations

INDEXES = {
    "event_search_idx": (
        "events_event",
        "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(summary, ''))",
    ),
    "citation_quote_search_idx": ("events_citation", "to_tsvector('english'::regconfig, COALESCE(quote, ''))"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("events", "0002_taxonomy")]

    operations = [migrations.RunPython(create, drop)]
