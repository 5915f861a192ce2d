"""A GiST index on each event's span, from its start to the last day its dates cover (PostgreSQL only).

`date_from` asks for the events whose span reaches a day. Those starting on or after it are a range
of the chronological index; those that started before and go on are found by this index
(`daterange(start, span_end) @> day`), without reading every earlier event (EventQuerySet.ordered_parts).
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE INDEX event_span_idx ON events_event USING gist (daterange(start, span_end, '[]'))")
    # The planner's estimate of how many spans contain a day comes from the index expression's statistics.
    schema_editor.execute("ANALYZE events_event")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX event_span_idx")


class Migration(migrations.Migration):
    dependencies = [("events", "0008_restore_permission")]

    operations = [migrations.RunPython(create, drop)]
