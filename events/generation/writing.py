"""The writing of `generate_events`: each chunk's rows with their ids and their history, through COPY on
PostgreSQL and bulk_create elsewhere, and the drawing of the next chunk beside the writing of this one.

Every row has the history row django-simple-history would have written had it been saved (bulk inserts
skip its signals): one version ('+') each, all with one `history_date`, the run's moment, so that `as_of`
answers on generated data as on curated data (events.asof reads them). An event's history row carries
the snapshot of its tags, as the dataset importer writes it.
"""

import io
import queue
import threading

from django.db import connection
from django.db.models import Max

from events import history_countries, history_end
from events.models import Citation, Event, EventRelation, Participant, Source
from events.postgres import copy_line

EVENT_COLUMNS = (
    "id", "title", "summary", "type_id", "status", "start", "start_precision", "end", "end_precision", "span_end",
    "location_name", "location_country", "location_lat", "location_lon", "review_state",
    "created_at", "updated_at", "reviewed_at", "published_at",
)  # fmt: skip
SOURCE_COLUMNS = ("id", "url", "title", "publisher", "published", "language", "archive_url")
PARTICIPANT_COLUMNS = ("id", "event_id", "actor_id", "role")
CITATION_COLUMNS = ("id", "event_id", "source_id", "quote", "claimed_by_id")
RELATION_COLUMNS = ("id", "from_event_id", "to_event_id", "relation")
TAG_COLUMNS = ("id", "event_id", "tag_id")

# What each chunk writes, in an order that inserts what is referenced first.
TABLES = (
    ("sources", Source, SOURCE_COLUMNS),
    ("events", Event, EVENT_COLUMNS),
    ("participants", Participant, PARTICIPANT_COLUMNS),
    ("citations", Citation, CITATION_COLUMNS),
    ("relations", EventRelation, RELATION_COLUMNS),
    ("tags", Event.tags.through, TAG_COLUMNS),
)
NUMBERED = ("participants", "citations", "relations", "tags")
"""The tables whose ids the database would give: the generator gives them (the history rows name them)."""

TAG_HISTORY = Event.history.model.tags.model
HISTORY_MODELS = (*(model.history.model for _, model, _ in TABLES if model is not Event.tags.through), TAG_HISTORY)

REASON = "generate_events --seed {seed}"
"""The history rows' `history_change_reason`."""


class Recorder:
    """Numbers each chunk's rows and adds their history rows; `next_ids` ({model: next id}) goes on."""

    def __init__(self, writer, when, seed):
        self.when = when
        self.reason = REASON.format(seed=seed)
        self.models = {key: model for key, model, _ in TABLES}
        self.next_ids = {
            model: writer.first_id(model)
            for model in [*(self.models[key] for key in ("sources", *NUMBERED)), Event.history.model]
        }

    def first_source_id(self):
        return self.next_ids[Source]

    def tables(self, rows, next_source_id):
        """[(model, columns, rows)] of a chunk from the generator (its sources numbered up to
        `next_source_id`), the history tables after the tables they record."""
        self.next_ids[Source] = next_source_id
        for key in NUMBERED:
            model = self.models[key]
            first = self.next_ids[model]
            rows[key] = [(first + i, *row) for i, row in enumerate(rows[key])]
            self.next_ids[model] = first + len(rows[key])
        written = [(model, columns, rows[key]) for key, model, columns in TABLES]
        first_history_id = self.next_ids[Event.history.model]
        self.next_ids[Event.history.model] += len(rows["events"])
        history_ids = {row[0]: first_history_id + i for i, row in enumerate(rows["events"])}
        for key, model, columns in TABLES:
            if key == "tags":
                continue
            history = model.history.model
            fields = [f.attname for f in history.tracked_fields]
            index = {name: i for i, name in enumerate(columns)}
            defaults = {f.attname: f.get_default() if f.has_default() else None for f in history.tracked_fields}
            meta = (self.when, None, self.reason, "+")
            picks = [(index.get(name), defaults[name]) for name in fields]
            history_rows = [
                tuple(row[i] if i is not None else default for i, default in picks) + meta for row in rows[key]
            ]
            names = (*fields, "history_date", "history_user_id", "history_change_reason", "history_type")
            if model is Event:
                names = ("history_id", *names)
                history_rows = [(history_ids[row[0]], *row) for row in history_rows]
            written.append((history, names, history_rows))
        tag_rows = [(history_ids[event_id], tag_id, event_id, slug) for tag_id, event_id, slug in rows["tags"]]
        written.append((TAG_HISTORY, ("history_id", "id", "event_id", "tag_id"), tag_rows))
        return written


class OrmWriter:
    """bulk_create, for SQLite and other databases."""

    def first_id(self, model):
        """The next id of `model`'s table, past every row there and every id it gave before (AUTOINCREMENT).
        The write transaction holds SQLite's lock: no one else adds rows meanwhile."""
        pk = model._meta.pk
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(seq) FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
            (given,) = cursor.fetchone()
        stored = model._base_manager.aggregate(last=Max(pk.attname))["last"]
        return max(given or 0, stored or 0) + 1

    def prepare(self, model, columns, rows):
        return model, [model(**dict(zip(columns, row, strict=True))) for row in rows]

    def send(self, prepared):
        model, instances = prepared
        if not instances:
            return
        # As given (raw): bulk_create would stamp `auto_now` fields with its own moment, not the history's.
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f is not pk or instances[0].pk is not None]
        batch = max(1, min(500, connection.ops.bulk_batch_size(fields, instances)))
        for start in range(0, len(instances), batch):
            model._base_manager._insert(
                instances[start : start + batch], fields=fields, raw=True, using=connection.alias
            )

    def finish(self, next_ids):
        pass  # SQLite's AUTOINCREMENT goes on past the ids written


class CopyWriter:
    """COPY ... FROM STDIN, for PostgreSQL: several times faster than INSERTs.

    With `rebuild`, the loaded tables' foreign keys and plain indexes (those
    that back no constraint) are dropped first and made again at the end,
    from their own definitions: building an index or checking a foreign key
    once over the table is far cheaper than a million times row by row (the
    full-text GIN indexes above all). It locks the tables for the run, which
    suits the large loads into benchmark databases that it is meant for.
    """

    TABLES = (Event, Participant, Citation, Source, EventRelation, Event.tags.through, *HISTORY_MODELS)

    SEARCH_COLUMN_TABLES = (Event, Participant, Citation)
    """Tables whose triggers keep the events' search columns (migration 0007) and the facet summary
    (migration 0017, on events): off for the load."""

    def __init__(self, rebuild=False, event_prefix=""):
        self.cursor = connection.cursor()
        # Nothing here needs to survive a crash before the commit: the whole run is one transaction.
        self.cursor.execute("SET LOCAL synchronous_commit TO OFF")
        self.extras = {}
        self.event_prefix = event_prefix
        self.indexes, self.foreign_keys = [], []
        self._switch_search_column_triggers(enable=False)
        if rebuild:
            self._drop()

    def _switch_search_column_triggers(self, enable):
        """The search columns' triggers, turned off for the load: left on, each chunk's participants and
        citations would rewrite its events twice, and with the indexes dropped each event inserted would
        scan the participants; one UPDATE after the load fills them (migration 0007's
        `events_event_fill_search_columns`), for the events of this run, whose ids start with gen-SEED-.
        The facet summary's (migration 0017) too: counted again after the load (`events_facet_summary_fill`)."""
        quote = connection.ops.quote_name
        # Foreign-key checks still pending (of the rows written so far) must run before a table is altered.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in self.SEARCH_COLUMN_TABLES:
            table = model._meta.db_table
            self.cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND (tgname LIKE 'search\\_columns%%'"
                " OR tgname LIKE 'facet\\_summary%%')"
                " ORDER BY tgname",
                [quote(table)],
            )
            for (name,) in self.cursor.fetchall():
                action = "ENABLE" if enable else "DISABLE"
                self.cursor.execute(f"ALTER TABLE {quote(table)} {action} TRIGGER {quote(name)}")
        # The history rows' ends (migration 0015): every row written here is the one version of a new id, whose
        # end is NULL as written; with the indexes dropped, the triggers' look at each id's versions would read
        # the whole table for every chunk.
        # The events' versions' countries (migration 0019) likewise: `finish` fills those of this run's events.
        names = [(table, f"{table}_end_{kind}") for table in history_end.TABLES for kind in ("insert", "delete")]
        names += history_countries.LOADED_TRIGGERS
        for table, name in names:
            self.cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass", [name, table])
            if self.cursor.fetchone():
                action = "ENABLE" if enable else "DISABLE"
                self.cursor.execute(f"ALTER TABLE {quote(table)} {action} TRIGGER {quote(name)}")

    def _drop(self):
        tables = [model._meta.db_table for model in self.TABLES]
        self.cursor.execute(
            """
            SELECT index.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class index ON index.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY index.relname
            """,
            [tables],
        )
        self.indexes = self.cursor.fetchall()
        self.cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
            ORDER BY t.relname, c.conname
            """,
            [tables],
        )
        self.foreign_keys = self.cursor.fetchall()
        quote = connection.ops.quote_name
        # The checks still pending (of the actors just added) must run before a table can be altered.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _ in self.foreign_keys:
            self.cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in self.indexes:
            self.cursor.execute(f"DROP INDEX {quote(name)}")

    def first_id(self, model):
        """The next id of `model`'s table, from its sequence: the generator gives the ids, so nobody else may
        add a row to the table until the commit (`finish` moves the sequence past them)."""
        table = model._meta.db_table
        self.cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN EXCLUSIVE MODE")
        self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, model._meta.pk.column])
        return self.cursor.fetchone()[0]

    def prepare(self, model, columns, rows):
        """The COPY statement and its data; pure Python, so that it runs beside the previous chunk's COPY."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        # Columns added to the model later, with a default: filled so that COPY does not leave them NULL.
        extra = self.extras.get(model)
        if extra is None:
            extra = self.extras[model] = [
                (f.column, f.get_default())
                for f in model._meta.concrete_fields
                if f.attname not in columns and not f.primary_key and f.has_default()
            ]
        if extra:
            rows = [(*row, *(value for _, value in extra)) for row in rows]
        quote = connection.ops.quote_name
        names = ", ".join(quote(name) for name in [fields[c].column for c in columns] + [c for c, _ in extra])
        return f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN", "".join(map(copy_line, rows))

    def send(self, prepared):
        statement, data = prepared
        if data:
            self.cursor.copy_expert(statement, io.StringIO(data), 1 << 20)

    def finish(self, next_ids):
        quote = connection.ops.quote_name
        for model, next_id in next_ids.items():
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                [model._meta.db_table, model._meta.pk.column, next_id],
            )
        if self.indexes:
            self.cursor.execute("SET LOCAL maintenance_work_mem TO '1GB'")
        # Before the indexes are made again: the events' are then built once over the filled rows.
        self.cursor.execute("SELECT events_event_fill_search_columns(%s)", [f"{self.event_prefix}%"])
        self.cursor.execute("SELECT events_facet_summary_fill()")
        history_countries.fill(self.cursor, f"{self.event_prefix}%")
        self._switch_search_column_triggers(enable=True)
        for _, definition in self.indexes:
            self.cursor.execute(definition)
        for table, name, definition in self.foreign_keys:
            self.cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        for model in self.TABLES:
            self.cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
        self.cursor.close()


def in_background(items, ahead=2):
    """Iterate `items` in a thread, up to `ahead` items ahead of the caller.

    Generating the next chunk (pure Python) then runs while the database
    takes the previous one (psycopg2 releases the GIL while it waits): two
    cores, both busy.
    """
    results = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        results.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            results.put(done)
        except BaseException as exc:  # handed to the caller, who raises it
            results.put(exc)

    thread = threading.Thread(target=produce, name="generate_events", daemon=True)
    thread.start()
    try:
        while (item := results.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
