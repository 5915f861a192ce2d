"""The text search (`q`) stems and ignores accents on SQLite and PostgreSQL alike.

SQLite: an FTS5 index of the events' texts, `events_search`, one row for an event's title and
summary and one for each of its citations' quotes, with the `porter` tokenizer over `unicode61
remove_diacritics 2` (English stemming, Unicode case folding, accents removed: "Türkiye" and
"turkiye" are one word). Its rows are numbered by `events_search_row`, which says whose text each
is (`citation_id` empty for the event's own), so that a write finds its row through an index.
Triggers on events_event and events_citation keep both exact whatever writes the rows (the ORM, the
admin, the API, dataset imports, bulk inserts, `.update()`, raw deletes). The SQL is in
events/sqlite_search.py, which also puts the triggers back after a later migration remakes one of
the tables (as Django does on SQLite to alter a column or a constraint).

PostgreSQL: the text search configuration `chancery_english`, English with the `unaccent`
dictionary before the stemmer for words with letters beyond ASCII, used by the stored
`search_document` (its functions of migration 0007, recreated here with it, and every event's
vector written again) and by the query (`EventQuerySet.search`). `unaccent` is a trusted extension
since PostgreSQL 13: the database's owner may create it.
"""

import importlib

from django.db import migrations

from events import sqlite_search

CONFIG = "chancery_english"

POSTGRESQL_CONFIG = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english);
ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
"""

# Migration 0007's two functions that vectorize text, the document of one event and the fill of many.
SEARCH_FUNCTIONS = ("events_event_search_document", "events_event_fill_search_columns")


def _search_functions(config):
    """Migration 0007's CREATE FUNCTION statements of `SEARCH_FUNCTIONS`, as CREATE OR REPLACE with `config`."""
    functions = importlib.import_module("events.migrations.0007_event_search_columns").FUNCTIONS
    statements = [f"CREATE FUNCTION{part}" for part in functions.split("CREATE FUNCTION")[1:]]
    chosen = [s for s in statements if s.split("(", 1)[0].split()[-1] in SEARCH_FUNCTIONS]
    assert len(chosen) == len(SEARCH_FUNCTIONS), "migration 0007's functions are not where they were"
    sql = "\n".join(chosen).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
    return sql.replace("'english'::regconfig", f"'{config}'::regconfig")


def _refill_documents(schema_editor):
    # Every event's vector written again with the functions' configuration, once; then the triggers keep them.
    schema_editor.execute("SELECT events_event_fill_search_columns(%s)", ["%"])
    schema_editor.execute("ANALYZE events_event")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        sqlite_search.create(schema_editor.connection)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CONFIG)
        schema_editor.execute(_search_functions(CONFIG))
        _refill_documents(schema_editor)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        sqlite_search.drop(schema_editor.connection)
    elif vendor == "postgresql":
        schema_editor.execute(_search_functions("english"))
        _refill_documents(schema_editor)
        # The extension stays: other databases' objects may use it, and it costs nothing unused.
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [("events", "0012_reserve_facets_feed_ids")]

    operations = [migrations.RunPython(create, drop)]
