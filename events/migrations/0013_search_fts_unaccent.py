"""The text search (`q`) stems and ignores accents on SQLite and PostgreSQL alike.

SQLite: an FTS5 index of the events' texts, `events_search`, one row for an event's title and
summary and one for each of its citations' quotes, with the `porter` tokenizer over `unicode61
remove_diacritics 2` (English stemming, Unicode case folding, accents removed: "Türkiye" and
"turkiye" are one word). Its rows are numbered by `events_search_row`, which says whose text each
is (`citation_id` empty for the event's own), so that a write finds its row through an index.
Triggers on events_event and events_citation keep both exact whatever writes the rows (the ORM, the
admin, the API, dataset imports, bulk inserts, `.update()`, raw deletes). Django remakes a table on
SQLite to alter one of its columns, and the remade table has no triggers: a later migration that
alters events_event or events_citation must create them again (`TRIGGERS`);
tests/models/test_search_index.py checks they are there.

PostgreSQL: the text search configuration `chancery_english`, English with the `unaccent`
dictionary before the stemmer for words with letters beyond ASCII, used by the stored
`search_document` (its functions of migration 0007, recreated here with it, and every event's
vector written again) and by the query (`EventQuerySet.search`). `unaccent` is a trusted extension
since PostgreSQL 13: the database's owner may create it.
"""

import importlib
import sqlite3

from django.db import migrations

CONFIG = "chancery_english"

SQLITE_TABLES = """
CREATE VIRTUAL TABLE events_search USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TABLE events_search_row (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_id varchar(100) NOT NULL,
    citation_id bigint NULL UNIQUE
);
CREATE INDEX events_search_row_event_id ON events_search_row (event_id, citation_id);
"""

# The body of an event's row: its title and summary, as PostgreSQL's `search_document` joins them.
EVENT_BODY = "coalesce({row}.title, '') || ' ' || coalesce({row}.summary, '')"

SQLITE_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS events_search_event_insert AFTER INSERT ON events_event BEGIN
    INSERT INTO events_search_row (event_id, citation_id) VALUES (new.id, NULL);
    INSERT INTO events_search (rowid, body) VALUES (last_insert_rowid(), {EVENT_BODY.format(row="new")});
END;
CREATE TRIGGER IF NOT EXISTS events_search_event_update AFTER UPDATE OF id, title, summary ON events_event
WHEN new.id IS NOT old.id OR new.title IS NOT old.title OR new.summary IS NOT old.summary BEGIN
    UPDATE events_search_row SET event_id = new.id WHERE event_id = old.id;
    UPDATE events_search SET body = {EVENT_BODY.format(row="new")}
    WHERE rowid = (SELECT id FROM events_search_row WHERE event_id = new.id AND citation_id IS NULL);
END;
CREATE TRIGGER IF NOT EXISTS events_search_event_delete AFTER DELETE ON events_event BEGIN
    DELETE FROM events_search WHERE rowid IN (SELECT id FROM events_search_row WHERE event_id = old.id);
    DELETE FROM events_search_row WHERE event_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS events_search_citation_insert AFTER INSERT ON events_citation BEGIN
    INSERT INTO events_search_row (event_id, citation_id) VALUES (new.event_id, new.id);
    INSERT INTO events_search (rowid, body) VALUES (last_insert_rowid(), coalesce(new.quote, ''));
END;
CREATE TRIGGER IF NOT EXISTS events_search_citation_update AFTER UPDATE OF id, event_id, quote ON events_citation
WHEN new.id IS NOT old.id OR new.event_id IS NOT old.event_id OR new.quote IS NOT old.quote BEGIN
    UPDATE events_search_row SET event_id = new.event_id, citation_id = new.id WHERE citation_id = old.id;
    UPDATE events_search SET body = coalesce(new.quote, '')
    WHERE rowid = (SELECT id FROM events_search_row WHERE citation_id = new.id);
END;
CREATE TRIGGER IF NOT EXISTS events_search_citation_delete AFTER DELETE ON events_citation BEGIN
    DELETE FROM events_search WHERE rowid = (SELECT id FROM events_search_row WHERE citation_id = old.id);
    DELETE FROM events_search_row WHERE citation_id = old.id;
END;
"""

SQLITE_FILL = f"""
INSERT INTO events_search_row (event_id, citation_id) SELECT id, NULL FROM events_event ORDER BY id;
INSERT INTO events_search_row (event_id, citation_id) SELECT event_id, id FROM events_citation ORDER BY id;
INSERT INTO events_search (rowid, body)
    SELECT r.id, {EVENT_BODY.format(row="e")} FROM events_search_row r JOIN events_event e ON e.id = r.event_id
    WHERE r.citation_id IS NULL;
INSERT INTO events_search (rowid, body)
    SELECT r.id, coalesce(c.quote, '') FROM events_search_row r JOIN events_citation c ON c.id = r.citation_id;
"""

SQLITE_DROP = """
DROP TRIGGER IF EXISTS events_search_event_insert;
DROP TRIGGER IF EXISTS events_search_event_update;
DROP TRIGGER IF EXISTS events_search_event_delete;
DROP TRIGGER IF EXISTS events_search_citation_insert;
DROP TRIGGER IF EXISTS events_search_citation_update;
DROP TRIGGER IF EXISTS events_search_citation_delete;
DROP TABLE IF EXISTS events_search;
DROP TABLE IF EXISTS events_search_row;
"""

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


def _execute_script(schema_editor, script):
    """Each statement of `script` in turn, a trigger's body whole, in the migration's transaction
    (sqlite3's executescript would commit it first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            schema_editor.execute(statement.strip(), params=None)
            statement = ""
    assert not statement.strip(), f"an incomplete statement: {statement}"


def _refill_documents(schema_editor):
    # Every event's vector written again with the functions' configuration, once; then the triggers keep them.
    schema_editor.execute("SELECT events_event_fill_search_columns(%s)", ["%"])
    schema_editor.execute("ANALYZE events_event")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # The triggers before the fill: the migration's transaction keeps other writers out until both are done.
        _execute_script(schema_editor, SQLITE_TABLES + SQLITE_TRIGGERS + SQLITE_FILL)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CONFIG)
        schema_editor.execute(_search_functions(CONFIG))
        _refill_documents(schema_editor)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute_script(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute(_search_functions("english"))
        _refill_documents(schema_editor)
        # The extension stays: other databases' objects may use it, and it costs nothing unused.
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [("events", "0012_reserve_facets_feed_ids")]

    operations = [migrations.RunPython(create, drop)]
