"""The countries of each event version (`history_settled`, `history_countries`; PostgreSQL only), so that the
country filter of `as_of` reads them from the version's own row and a page walks the versions in its order
(start, id) through hist_event_chrono_idx, stopping after the page, instead of collecting every participant
of the country first. Every version's values are filled in one UPDATE; then statement triggers keep them
(events/history_countries.py). Nothing on SQLite, whose filter asks the participants of the moment.
"""

from django.db import migrations

from events import history_countries


def create(apps, schema_editor):
    history_countries.create(schema_editor.connection)


def drop(apps, schema_editor):
    history_countries.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("events", "0018_scoped_summaries")]

    operations = [migrations.RunPython(create, drop)]
