import sqlite3
import threading

from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

from . import history_end, sqlite_search

_matcher = threading.local()


def fts_match(text, match):
    """Whether `text` holds every word of the FTS5 query `match`, read as the search index reads it:
    for texts the index does not hold (the events' versions of a moment). One row in an FTS5 table of
    an in-memory database, one per thread."""
    if not isinstance(text, str) or not isinstance(match, str):
        return None
    database = getattr(_matcher, "database", None)
    if database is None:
        database = _matcher.database = sqlite3.connect(":memory:")
        database.execute(f"CREATE VIRTUAL TABLE text USING fts5(body, tokenize = '{sqlite_search.TOKENIZER}')")
    try:
        database.execute("INSERT INTO text (rowid, body) VALUES (1, ?)", [text])
        return database.execute("SELECT count(*) FROM text WHERE text MATCH ?", [match]).fetchone()[0]
    finally:
        database.execute("DELETE FROM text")


def add_sqlite_functions(sender, connection, **kwargs):
    """Unicode case folding for SQLite, whose own LOWER/UPPER/LIKE know only A-Z, and `fts_match`."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "casefold", 1, lambda text: text.casefold() if isinstance(text, str) else text, deterministic=True
        )
        connection.connection.create_function("fts_match", 2, fts_match, deterministic=True)


def keep_the_search_index(sender, using, **kwargs):
    """After every migrate on SQLite: the search index's triggers, which a migration that remakes
    events_event or events_citation drops with the old table (`sqlite_search.keep_after_migrate`)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        sqlite_search.keep_after_migrate(connection)


def keep_the_history_ends(sender, using, **kwargs):
    """After every migrate on SQLite: the triggers that keep the history rows' ends, which a migration
    that remakes a history table drops with the old table (`history_end.keep_after_migrate`)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        history_end.keep_after_migrate(connection)


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Diplomatic events"

    def ready(self):
        connection_created.connect(add_sqlite_functions)
        post_migrate.connect(keep_the_search_index, sender=self)
        post_migrate.connect(keep_the_history_ends, sender=self)
