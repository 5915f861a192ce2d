"""The indexes of the events' versions that do not stand for their event now (PostgreSQL only).

A version that is its event's latest and whose participants have not changed since `history_settled`
(migration 0019) stands for the event from then on: `as_of` reads those through the events' postings
(migration 0020), in the list's order, as the list now does (`asof.EventVersions.head`). The others, the
versions superseded since and those whose participants changed after they began, are a tenth of the rows
when a tenth of the events have changed: these two partial indexes hold them in the list's order, (start,
id), and, for the events going on on `date_from`, those lasting more than a day by their end, so that a list
as of a moment walks them beside the postings and stops after its page. Their condition is `asof.CHANGED`, word for word: PostgreSQL
reads a partial index for a query that says its condition. Nothing on SQLite, which has no `history_settled`
and reads the versions as before.
"""

from django.db import migrations

# asof.CHANGED, as it was written when these indexes were made.
CHANGED = "history_end IS NOT NULL OR history_settled IS NULL OR history_settled > history_date"

INDEXES = (
    # The list's order, with the type that its filter asks of each row, read in the index.
    f"CREATE INDEX hist_event_changed_chrono_idx ON events_historicalevent (start, id, type_id) WHERE {CHANGED}",
    # Those going on on a day they started before: lasting more than a day, ending on or after it.
    "CREATE INDEX hist_event_changed_lasting_idx ON events_historicalevent (span_end, start, type_id)"
    f" WHERE ({CHANGED}) AND span_end > start",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in INDEXES:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS hist_event_changed_chrono_idx")
        schema_editor.execute("DROP INDEX IF EXISTS hist_event_changed_lasting_idx")


class Migration(migrations.Migration):
    dependencies = [("events", "0020_event_postings")]

    operations = [migrations.RunPython(create, drop)]
