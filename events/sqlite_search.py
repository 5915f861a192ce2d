"""SQLite's search index (migration 0012): the FTS5 table `events_search` of the events' texts, the
rows `events_search_row` that say whose text each row is, the triggers that keep them, the fill.

`q` reads it (events/models/search.py); `fts_match` (events/apps.py) reads one text as it does.
Django remakes a SQLite table to alter its columns or constraints, and the remade table has no
triggers: after every `migrate`, `keep_after_migrate` creates those missing and fills the index again.
"""

import re
import sqlite3

from django.db import transaction

# The tokenizer: English (Porter) stems of words folded to lower case in every script, accents removed.
TOKENIZER = "porter unicode61 remove_diacritics 2"

TABLES = f"""
CREATE VIRTUAL TABLE events_search USING fts5(body, tokenize = '{TOKENIZER}');
CREATE TABLE events_search_row (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_id varchar(100) NOT NULL,
    citation_id bigint NULL UNIQUE
);
CREATE INDEX events_search_row_event_id ON events_search_row (event_id, citation_id);
"""

# The body of an event's row: its title and summary, as PostgreSQL's `search_document` joins them.
EVENT_BODY = "coalesce({row}.title, '') || ' ' || coalesce({row}.summary, '')"

TRIGGERS = f"""
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

FILL = f"""
INSERT INTO events_search_row (event_id, citation_id) SELECT id, NULL FROM events_event ORDER BY id;
INSERT INTO events_search_row (event_id, citation_id) SELECT event_id, id FROM events_citation ORDER BY id;
INSERT INTO events_search (rowid, body)
    SELECT r.id, {EVENT_BODY.format(row="e")} FROM events_search_row r JOIN events_event e ON e.id = r.event_id
    WHERE r.citation_id IS NULL;
INSERT INTO events_search (rowid, body)
    SELECT r.id, coalesce(c.quote, '') FROM events_search_row r JOIN events_citation c ON c.id = r.citation_id;
"""

DROP = """
DROP TRIGGER IF EXISTS events_search_event_insert;
DROP TRIGGER IF EXISTS events_search_event_update;
DROP TRIGGER IF EXISTS events_search_event_delete;
DROP TRIGGER IF EXISTS events_search_citation_insert;
DROP TRIGGER IF EXISTS events_search_citation_update;
DROP TRIGGER IF EXISTS events_search_citation_delete;
DROP TABLE IF EXISTS events_search;
DROP TABLE IF EXISTS events_search_row;
"""

TRIGGER_NAMES = frozenset(re.findall(r"CREATE TRIGGER IF NOT EXISTS (\w+)", TRIGGERS))


def execute_script(connection, script):
    """Each statement of `script` in turn, a trigger's body whole, in the current transaction
    (sqlite3's executescript would commit it first)."""
    statement = ""
    with connection.cursor() as cursor:
        for line in script.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                cursor.execute(statement.strip())
                statement = ""
    assert not statement.strip(), f"an incomplete statement: {statement}"


def create(connection):
    # The triggers before the fill: the transaction keeps other writers out until both are done.
    execute_script(connection, TABLES + TRIGGERS + FILL)


def drop(connection):
    execute_script(connection, DROP)


def keep_after_migrate(connection):
    """After a migrate: if the index is there but some of its triggers are not (a table was remade),
    the triggers again and the index filled again from the tables. Returns whether it was."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'events_search%'")
        names = {name for kind, name in cursor.fetchall() if kind in ("table", "trigger")}
    if "events_search" not in names or TRIGGER_NAMES <= names:
        return False
    with transaction.atomic(using=connection.alias):
        execute_script(connection, "DELETE FROM events_search;\nDELETE FROM events_search_row;\n" + TRIGGERS + FILL)
    return True
