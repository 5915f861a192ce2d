"""The table of Django's database cache, in which the API's anonymous throttle counts (CACHES in
tracker/settings.py): made by a migration so that every deployment that migrates has it, the embedded
SQLite file of `make run` as well as PostgreSQL. `manage.py createcachetable` makes the same table.

On PostgreSQL the table is UNLOGGED: its writes skip the write-ahead log, so that the count each
anonymous request writes does not wait for a disk flush (6 ms a request measured, against 0.7 ms
unlogged). A crash empties it, and a standby does not have its rows; neither matters for counts that
last a minute and are read on the primary only (tracker/routers.py).
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "chancery_cache"


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(TABLE)} SET UNLOGGED")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("events", "0010_drop_join_search_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
