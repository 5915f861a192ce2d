"""PostgreSQL's own roads: the event's JSON and CSV written by the database, and COPY in both directions.

On PostgreSQL the database flattens each event (its actors by role, sources, tags, relations) into
the CSV's fields or its JSON text, from the declaration of the shape (events/shape.py): with one
`COPY ... TO STDOUT` for the CSV and NDJSON exports (`database_copy`), and in the query that reads a
page of the API (`document_sql`, `EventQuerySet.with_documents`). Building model instances, grouping
their relations and quoting their fields in Python was most of an export's time. Bulk writes (the
dataset import, generate_events) send their rows with `COPY ... FROM STDIN` (`copy_line`).

Nothing here imports the models: they compile `document_sql` into their queries.
"""

import datetime
import functools
import json
import queue
import re
import threading
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction

from .shape import (
    CSV_READS,
    FORMULA_TRIGGERS,
    FREE_TEXT_COLUMNS,
    JSON_LIST_FIELDS,
    JSON_READS,
    LIST_FIELDS,
    csv_cells_sql,
    event_json_sql,
    literal,
)

# ---------------------------------------------------------------- the event as SQL


def lateral_joins(e, published_only, fields, selects):
    """A LEFT JOIN LATERAL per list `fields` of the event in the row `e`, named by the list's alias, selecting
    `selects(field)` ({name: SQL}); with `published_only`, `related` names published events only."""
    return "".join(
        f"\nLEFT JOIN LATERAL (\n    SELECT {', '.join(f'{sql} AS {name}' for name, sql in selects(field).items())}"
        f"\n    {field.source(e, published_only)}\n) {field.alias} ON TRUE"
        for field in fields
    )


def document_sql(table, published_related_only=False):
    """SQL for the JSON text of the event in the row `table` (a table or alias of the outer query), each list
    read by a subquery: `EventQuerySet.with_documents()`, the API's pages in one query."""
    lists = {
        field.key: f"(SELECT {field.json_select} {field.source(table, published_related_only)})"
        for field in JSON_LIST_FIELDS
    }
    return event_json_sql(table, lists)


# The NDJSON export: each list read by a LATERAL join of its own beside the event `e`; the joins keyed by
# whether the relations name published events only (`EventQuerySet.hides_unpublished`).
NDJSON_EVENT_COLUMNS = JSON_READS
NDJSON_SELECT = event_json_sql("e", {field.key: f"{field.alias}.{field.key}" for field in JSON_LIST_FIELDS})
NDJSON_JOINS = {
    published_only: lateral_joins("e", published_only, JSON_LIST_FIELDS, lambda field: {field.key: field.json_select})
    for published_only in (False, True)
}

_TRIGGERS_SQL = ", ".join(literal(char) for char in FORMULA_TRIGGERS)  # a tab and a CR as themselves
_APOSTROPHE = literal("'")


def neutralised(text):
    """SQL for `shape.neutralise`. Most values start with neither a trigger nor an apostrophe: one look at their
    first character lets them through."""
    first = f"left({text}, 1)"
    after_apostrophes = f"left(ltrim({text}, {_APOSTROPHE}), 1)"
    opens = f"{first} IN ({_TRIGGERS_SQL}) OR ({first} = {_APOSTROPHE} AND {after_apostrophes} IN ({_TRIGGERS_SQL}))"
    return f"CASE WHEN {opens} THEN {_APOSTROPHE} || {text} ELSE {text} END"


# Every CSV column as SQL over the event `e` and the LATERAL joins, the text `csv_row` gives. COPY quotes
# the fields as the csv module does: those holding a comma, a quote or a line break, quotes doubled.
CSV_EVENT_COLUMNS = CSV_READS
CSV_FIELDS = csv_cells_sql("e")
# COPY quotes an empty string (to tell it from NULL, which it writes as nothing); the csv module writes nothing.
CSV_SELECT_RAW = ", ".join(f"NULLIF({field}, '')" for field in CSV_FIELDS.values())
CSV_SELECT = ", ".join(
    f"NULLIF({neutralised(field) if column in FREE_TEXT_COLUMNS else field}, '')"
    for column, field in CSV_FIELDS.items()
)
CSV_JOINS = {
    published_only: lateral_joins("e", published_only, LIST_FIELDS, lambda field: field.csv_selects)
    for published_only in (False, True)
}


# ---------------------------------------------------------------- COPY ... TO STDOUT


def on_postgresql(events):
    return connections[events.db].vendor == "postgresql"


def database_copy(events, columns, select, joins, options, chunk_size, progress=None) -> Iterator[list[bytes]]:
    """The rows of `COPY (SELECT {select} FROM (events) e {joins}) TO STDOUT WITH ({options})`, in the events' order.
    The tables `select` and `joins` name are those `events.tables_sql()` names (the versions of a moment), or
    the tables themselves.

    `events` (filtered, ordered, maybe sliced) is compiled by Django into the
    subquery `e`, which has the model's `columns`; `select` and `joins` read
    each event's relations. Yields lists of up to `chunk_size` rows, each row
    the bytes PostgreSQL wrote for it, line end included. The COPY runs in a
    thread (`CopyReader`) while the caller writes out the rows before, so
    PostgreSQL keeps producing while Python sends; at most two lists wait.
    Stopping early (a client that goes away) cancels the COPY.

    A chronological export reaching `date_from` is read as the list reads it
    (`EventQuerySet.ordered_parts`): one COPY a part, both from one snapshot.
    """
    parts = events.ordered_parts()
    connection = connections[events.db]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=events.db):
        if len(parts) > 1 and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for part in parts:
            yield from _copy_rows(part, columns, select, joins, options, chunk_size, progress)


def _copy_rows(events, columns, select, joins, options, chunk_size, progress):
    database = events.db
    try:
        sql, params = events.values_list(*columns).query.get_compiler(using=database).as_sql()
    except EmptyResultSet:  # a filter that can match nothing (`pk__in=[]`, `.none()`)
        return
    connection = connections[database]
    with connection.cursor() as cursor:
        # JIT compiling this query takes seconds before the first row and gains nothing on index lookups.
        # Floats are written in the shortest text that reads back the same (the default since
        # PostgreSQL 12), as Python's repr writes them.
        cursor.execute("SELECT set_config('jit', 'off', true), set_config('extra_float_digits', '1', true)")
        # A subquery with an ORDER BY is scanned in its order, and each LATERAL join keeps the order of its outer
        # side. COPY takes no parameters: psycopg2 quotes them in, as it does for any query.
        tables, tables_params = events.tables_sql()
        query = cursor.mogrify(f"{tables} SELECT {select} FROM ({sql}) e {joins}", (*tables_params, *params))
        query = query.decode()
        reader = CopyReader(cursor.cursor, f"COPY ({query}) TO STDOUT WITH ({options})", chunk_size)
        reader.start()
        try:
            while (rows := reader.blocks.get()) is not CopyReader.END:
                yield rows
                if progress:
                    progress(len(rows))
        finally:
            if reader.is_alive():  # the caller stopped before the end
                reader.stopped.set()
                connection.connection.cancel()
            reader.join()
        if reader.error is not None:
            with connection.wrap_database_errors:
                raise reader.error


class CopyReader(threading.Thread):
    """Runs a COPY ... TO STDOUT on a cursor, handing its rows over in lists of `chunk_size` through `blocks`.

    psycopg2's copy_expert returns only when the COPY is over, writing each row
    to a file as it comes (PostgreSQL sends one message per row); this thread
    is that file.
    """

    END = object()

    def __init__(self, cursor, statement, chunk_size):
        super().__init__(name="chancery-export-copy", daemon=True)
        self.cursor, self.statement, self.chunk_size = cursor, statement, chunk_size
        self.blocks = queue.Queue(maxsize=2)
        self.stopped = threading.Event()
        self.rows = []
        self.error = None

    def run(self):
        try:
            self.cursor.copy_expert(self.statement, self)
            if self.rows:
                self.hand_over(self.rows)
        except Exception as exc:  # the consumer raises it, in its own thread
            self.error = exc
        self.hand_over(self.END)

    def write(self, row):
        if self.stopped.is_set():
            return
        self.rows.append(row)
        if len(self.rows) >= self.chunk_size:
            rows, self.rows = self.rows, []
            self.hand_over(rows)

    def hand_over(self, item):
        """Waits while two lists wait already, unless the consumer has stopped reading."""
        while not self.stopped.is_set():
            try:
                self.blocks.put(item, timeout=0.1)
                return
            except queue.Full:
                pass


# ---------------------------------------------------------------- COPY ... FROM STDIN


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_str(value):
    # Searching first is several times faster than translating every value: escapes are rare.
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value


def _copy_json(value):
    return _copy_str(json.dumps(value))


_COPY_FORMATS = {
    str: _copy_str,
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: str,
    float: repr,
    datetime.date: datetime.date.isoformat,
    # The same few instants (the run's start) on every row: formatted once each.
    datetime.datetime: functools.lru_cache(maxsize=16)(datetime.datetime.isoformat),
    list: _copy_json,
    dict: _copy_json,
}


def copy_text(value):
    """A value in COPY's text format."""
    return _COPY_FORMATS[type(value)](value)


def copy_line(row):
    """A row in COPY's text format, with its newline."""
    texts = "".join([value for value in row if type(value) is str])
    if "\\" in texts or "\t" in texts or "\n" in texts or "\r" in texts:
        return "\t".join(map(copy_text, row)) + "\n"
    # No text to escape (nearly always): only the other values need formatting.
    return "\t".join([value if type(value) is str else _COPY_FORMATS[type(value)](value) for value in row]) + "\n"
