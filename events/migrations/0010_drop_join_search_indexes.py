"""Drop the full-text GIN indexes of migration 0003 (PostgreSQL only).

Since migration 0007 the `q` filter reads the events' stored `search_document`; the two expression
indexes served only the joins it replaced (`EventQuerySet._search_by_joins`, which the tests keep
as the reference). Unused, they still cost every insert of an event or a citation a text-search
vector: a fifth of an import's time.
"""

import importlib

from django.db import migrations

INDEXES = importlib.import_module("events.migrations.0003_search_indexes").INDEXES


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))")


class Migration(migrations.Migration):
    dependencies = [("events", "0009_event_span_idx")]

    operations = [migrations.RunPython(drop, create)]
