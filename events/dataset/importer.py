"""Writing a checked dataset to the database: actors, sources and events in bulk, with their history.

Nothing is written unless the whole input is clean (`DatasetReader`); one import at a time
(`wait_for_other_imports`), in one transaction."""

import io
import zlib
from dataclasses import dataclass, field

from django.db import IntegrityError, connections, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from ..models import (
    Actor,
    Citation,
    Event,
    EventRelation,
    Participant,
    ReviewState,
    Source,
    Tag,
)
from ..postgres import copy_line
from ..shape import SOURCE_METADATA
from .problems import Problem, WriteConflict
from .reader import DatasetReader
from .records import actor_to_dict, content_changes, event_to_dict


@dataclass
class ImportSummary:
    created: dict = field(default_factory=lambda: {"actors": 0, "events": 0, "sources": 0})
    updated: dict = field(default_factory=lambda: {"actors": 0, "events": 0, "sources": 0})
    unchanged: dict = field(default_factory=lambda: {"actors": 0, "events": 0, "sources": 0})

    def count(self, kind, total, created, updated):
        """Add `total` records of `kind`: `created` new, `updated` changed, the rest unchanged."""
        self.created[kind] += len(created)
        self.updated[kind] += len(updated)
        self.unchanged[kind] += total - len(created) - len(updated)

    def __str__(self):
        return "; ".join(
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, {self.unchanged[kind]} unchanged"
            for kind in ("actors", "events", "sources")
        )


CHUNK = 10_000
"""Events written per round: their stored versions are read, compared and written a chunk at a time. Each
chunk's statements run the statement triggers once and group a statement's facet deltas of one value, so
larger chunks leave fewer deltas to fold (docs/performance.md, "Import (100,000 new events)")."""

SEARCH_COLUMNS_IN_BULK = 50
"""Events from which an import gives their search columns itself, in bulk (PostgreSQL, migration 0016). For
fewer (an API write, a small file) the triggers' few lookups per event cost less than the temporary table
and the statements around it."""


def _insert(model, columns, rows, unless_stored=None):
    """Insert `rows` (tuples of the values of `columns`, attribute names) into `model`'s table.

    Returns their primary keys: a key the database assigns (left out of `columns`) is taken from
    the table's sequence first on PostgreSQL, where the rows go in with COPY, several times faster
    than INSERTs; elsewhere bulk_create returns it.

    With `unless_stored`, the name of a unique field, a row whose value of it another writer stored
    since it was read is left out, its key None. On PostgreSQL that writer may be still at work: the
    insert waits for its commit. SQLite lets no other writer in between: a write transaction takes
    the database's lock before it reads (`transaction_mode` IMMEDIATE, tracker/settings.py).
    """
    if not rows:
        return []
    pk = model._meta.pk
    connection = connections[model._base_manager.db]
    if connection.vendor != "postgresql":
        instances = model._base_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=CHUNK
        )
        # bulk_create stamps auto_now(_add) fields with a clock of its own, a little after the import's moment:
        # they are given back the values of the rows, which their history rows hold too (as COPY keeps them).
        stamped = [
            f.attname
            for f in model._meta.concrete_fields
            if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) and f.attname in columns
        ]
        if stamped:
            for instance, row in zip(instances, rows, strict=True):
                for name in stamped:
                    setattr(instance, name, row[columns.index(name)])
            model._base_manager.bulk_update(instances, stamped, batch_size=CHUNK)
        return [instance.pk for instance in instances]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if pk.attname in columns:
            keys = [row[columns.index(pk.attname)] for row in rows]
        else:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, len(rows)],
            )
            keys = [key for (key,) in cursor.fetchall()]
            columns, rows = (pk.attname, *columns), [(key, *row) for key, row in zip(keys, rows, strict=True)]
        db_columns = [model._meta.get_field(name).column for name in _names(model, columns)]
        if unless_stored is None:
            _copy(cursor, table, db_columns, rows)
            return keys
        # COPY cannot skip a row: the rows go to a table of their own, then INSERT ... ON CONFLICT DO NOTHING,
        # in the unique field's order, so that two writers storing several of the same values wait for each
        # other in one order and never deadlock.
        quote, unique = connection.ops.quote_name, model._meta.get_field(unless_stored).column
        listed = ", ".join(map(quote, db_columns))
        cursor.execute(
            f"CREATE TEMPORARY TABLE import_insert ON COMMIT DROP AS SELECT {listed} FROM {quote(table)} WITH NO DATA"
        )
        _copy(cursor, "import_insert", db_columns, rows)
        cursor.execute(
            f"INSERT INTO {quote(table)} ({listed}) SELECT {listed} FROM import_insert ORDER BY {quote(unique)} "
            f"ON CONFLICT ({quote(unique)}) DO NOTHING RETURNING {quote(pk.column)}"
        )
        inserted = {key for (key,) in cursor.fetchall()}
        cursor.execute("DROP TABLE import_insert")
    return [key if key in inserted else None for key in keys]


def _update(model, instances, fields):
    """Write `fields` of stored model instances.

    On PostgreSQL, the values go into a temporary table with COPY, then one UPDATE joins it:
    bulk_update's CASE per field and row costs more, the more rows a statement updates.
    """
    if not instances:
        return
    connection = connections[model._base_manager.db]
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(instances, fields, batch_size=CHUNK // 4)
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    attnames = [pk.attname, *(model._meta.get_field(name).attname for name in fields)]
    columns = [model._meta.get_field(name).column for name in _names(model, attnames)]
    rows = [tuple(getattr(instance, name) for name in attnames) for instance in instances]
    listed = ", ".join(map(quote, columns))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE import_update ON COMMIT DROP AS "
            f"SELECT {listed} FROM {quote(model._meta.db_table)} WITH NO DATA"
        )
        _copy(cursor, "import_update", columns, rows)
        assignments = ", ".join(f"{quote(c)} = import_update.{quote(c)}" for c in columns[1:])
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} FROM import_update "
            f"WHERE {quote(model._meta.db_table)}.{quote(pk.column)} = import_update.{quote(pk.column)}"
        )
        cursor.execute("DROP TABLE import_update")


def _names(model, attnames):
    """Field names of attribute names (`type_id` is the field `type`)."""
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def _copy(cursor, table, columns, rows):
    """COPY `rows` into the `columns` (database names) of `table`."""
    quote = cursor.db.ops.quote_name
    data = io.StringIO("".join(map(_copy_line, rows)))
    # copy_expert is the driver's own: its errors come as psycopg2's unless turned into Django's
    # (IntegrityError, OperationalError...), which the callers handle.
    with cursor.db.wrap_database_errors:
        cursor.copy_expert(f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN", data, 1 << 20)


def _copy_line(row):
    """A row in COPY's text format; choices (str subclasses) as the plain strings they are."""
    try:
        return copy_line(row)
    except KeyError:
        return copy_line(tuple(str(value) if isinstance(value, str) else value for value in row))


def _insert_instances(model, instances, unless_stored=None):
    """Insert unsaved model instances, setting the primary keys the database assigns; returns those inserted:
    all of them, but for the ones `unless_stored` leaves out (`_insert`)."""
    columns = tuple(f.attname for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin))
    rows = [tuple(getattr(instance, name) for name in columns) for instance in instances]
    inserted = []
    for instance, key in zip(instances, _insert(model, columns, rows, unless_stored), strict=True):
        if key is not None:
            instance.pk = key
            instance._state.adding = False
            inserted.append(instance)
    return inserted


class _History:
    """The history rows of one import: every one with the same user, reason and moment.

    django-simple-history writes a row per save and delete through signals, a query each; an import
    writes the same rows itself, in bulk, with the fields the signals would have copied.
    """

    # What django-simple-history's `history_change_reason` holds; a longer reason (a file's whole path)
    # is cut, where PostgreSQL would refuse the row and the import with it.
    REASON_LENGTH = 100

    def __init__(self, user, reason, when):
        self.user_id = user.pk if user is not None else None
        self.reason = reason[: self.REASON_LENGTH] if reason else reason
        self.when = when

    def write(self, model, instances, history_type):
        """History rows of type `history_type` ('+', '~', '-') for the instances; returns their history ids."""
        history = model.history.model
        fields = [f.attname for f in history.tracked_fields]
        meta = (self.when, self.user_id, self.reason, history_type)
        columns = (*fields, "history_date", "history_user_id", "history_change_reason", "history_type")
        rows = [(*[getattr(instance, name) for name in fields], *meta) for instance in instances]
        return _insert(history, columns, rows)


def _delete(model, pks):
    """Delete rows by primary key in one statement.

    QuerySet.delete() would fetch every row to send the delete signals, whose only listener here is the
    history, written in bulk by the caller; nothing points to these rows, so nothing cascades.
    """
    if pks:
        model._base_manager.filter(pk__in=pks)._raw_delete(model._base_manager.db)


def _defer_derived_data(deferred):
    """On PostgreSQL, put off (or no longer) the derived data that the triggers would write row by row or
    chunk by chunk, for this transaction's writes:

    - the search columns of events, participants and citations (migration 0016): the import gives the
      columns itself, in bulk (`_insert_events`, `_refill_search_columns`);
    - the fold of the facet summary's deltas (migration 0022): each chunk's statements append their deltas,
      and the import folds them once, at its end, the chunks' deltas of the same values summed first.

    Rolled back with the savepoint that set it; set back at the import's end, so that the transaction's
    later writes are kept by the triggers again."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    value = "deferred" if deferred else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('chancery.search_columns', %s, true), set_config('chancery.facet_fold', %s, true)",
            [value, value],
        )
        if not deferred:
            # As the triggers fold: under READ COMMITTED only, and unless another transaction is folding
            # (then a later writer's fold moves these deltas; readers sum them meanwhile).
            # The fold groups every chunk's deltas (millions at a million events): in memory, not spilled.
            cursor.execute("SET LOCAL work_mem TO '256MB'")
            cursor.execute(
                "SELECT events_facet_summary_fold() WHERE current_setting('transaction_isolation') = 'read committed'"
            )
            cursor.execute("SET LOCAL work_mem TO DEFAULT")


def _insert_events(events):
    """Insert new events; on PostgreSQL with their search columns, computed in one pass over their
    participants and citations, written before them (`events_event_search_columns_of`, migration 0016).

    The rows go into a table of their own with COPY, then into the events' table with their columns in one
    INSERT: each row is written once, where the row trigger would look up each event's participants,
    actors and citations one event at a time.
    """
    connection = connections[Event._base_manager.db]
    if connection.vendor != "postgresql" or not events:
        _insert_instances(Event, events)
        return
    columns = tuple(f.attname for f in Event._meta.concrete_fields)
    rows = [tuple(getattr(event, name) for name in columns) for event in events]
    quote = connection.ops.quote_name
    db_columns = [Event._meta.get_field(name).column for name in _names(Event, columns)]
    listed, table = ", ".join(map(quote, db_columns)), quote(Event._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE import_event ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA"
        )
        _copy(cursor, "import_event", db_columns, rows)
        cursor.execute(
            f"INSERT INTO {table} ({listed}, actor_ids, countries, search_document) "
            f"SELECT {', '.join(f'new.{quote(c)}' for c in db_columns)}, "
            "fresh.actor_ids, fresh.countries, fresh.search_document "
            "FROM (SELECT array_agg(id) AS ids, array_agg(location_country::varchar) AS location_countries, "
            "array_agg(title) AS titles, array_agg(summary) AS summaries FROM import_event) AS given, "
            "LATERAL events_event_search_columns_of(given.ids, given.location_countries, given.titles, given.summaries)"
            " AS fresh JOIN import_event AS new ON new.id = fresh.id"
        )
        cursor.execute("DROP TABLE import_event")
    for event in events:
        event._state.adding = False


def _refill_search_columns(event_ids):
    """On PostgreSQL, write again the search columns of stored events the import changed, in one pass
    (`events_event_refill_search_columns`, migration 0016)."""
    connection = connections[Event._base_manager.db]
    if connection.vendor == "postgresql" and event_ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT events_event_refill_search_columns(%s::varchar[])", [list(event_ids)])


@transaction.atomic
def save_dataset(reader, user=None, reason="dataset import", progress=None):
    """Write a checked dataset: create what is new, update what changed, leave the rest untouched.

    In bulk, a chunk of events at a time, with a history row for every row created, changed or
    removed. `progress`, if given, is called after each chunk with (events done, events in all).
    In one transaction: rows may point at rows written after them (foreign keys are checked at its end).
    """
    summary = ImportSummary()
    history = _History(user, reason, timezone.now())
    in_bulk = len(reader.events) >= SEARCH_COLUMNS_IN_BULK
    try:
        with transaction.atomic():
            if in_bulk:
                _defer_derived_data(True)
            _save_actors(reader.actors, summary, history)
            source_ids = _save_sources(reader.sources, summary, history)
            Tag.objects.bulk_create(
                [Tag(slug=slug) for slug in sorted({t for clean in reader.events for t in clean.tags})],
                ignore_conflicts=True,
                batch_size=CHUNK,
            )
            for start in range(0, len(reader.events), CHUNK):
                chunk = reader.events[start : start + CHUNK]
                _save_events(chunk, source_ids, summary, user, history, in_bulk)
                if progress:
                    progress(start + len(chunk), len(reader.events))
            if in_bulk:
                _defer_derived_data(False)
    except IntegrityError as exc:
        said = str(exc).strip().splitlines()[0]
        raise WriteConflict(
            [
                Problem(
                    "file",
                    "database",
                    f"another write stored some of the same rows at the same moment ({said}): "
                    "nothing was saved; try again",
                )
            ]
        ) from exc
    return summary


# The key of PostgreSQL's advisory lock that imports take; any number no other lock uses.
IMPORT_LOCK_KEY = 0x4348414E  # "CHAN"


def wait_for_other_imports():
    """Hold the import lock until the transaction ends: imports run one after the other.

    Two imports of overlapping files would otherwise both find an actor, event or source new
    and both insert it; the second would fail on the unique key. Called first in the import's
    transaction, so that the file is checked against what the import before it wrote. SQLite
    lets one writer in at a time anyway.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


# The first of the two keys of the advisory locks on event ids (`lock_event_id`); no other lock uses it.
EVENT_ID_LOCK_KEY = 0x45564E54  # "EVNT"


def lock_event_id(event_id):
    """Hold a lock on `event_id` until the transaction ends: another writer about to create an event of
    that id waits here for this one's commit, and then finds the event stored.

    On PostgreSQL an advisory lock keyed by a hash of the id (ids that share a hash only wait for each
    other). SQLite lets one writer in at a time anyway.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # crc32 (0 to 2**32 - 1) shifted into the signed 32-bit key that PostgreSQL takes.
            key = zlib.crc32(event_id.encode()) - 2**31
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [EVENT_ID_LOCK_KEY, key])


def import_document(document, user=None, reason="dataset import", progress=None):
    """Check and import a whole dataset document, atomically; DatasetError lists every problem."""
    with transaction.atomic():
        wait_for_other_imports()
        reader = DatasetReader(document).read()
        return save_dataset(reader, user=user, reason=reason, progress=progress)


ACTOR_FIELDS = ("name", "kind", "country", "aliases", "parent", "wikidata")


def _write_changes(model, created, updated, fields, history):
    """Insert the new rows, update the changed ones (`fields`), and record both in the history."""
    _insert_instances(model, created)
    _update(model, updated, fields)
    history.write(model, created, "+")
    history.write(model, updated, "~")


def _save_actors(actors, summary, history):
    existing = Actor.objects.in_bulk([a.id for a in actors])
    created, updated = [], []
    for actor in actors:
        current = existing.get(actor.id)
        if current is None:
            created.append(actor)
        elif actor_to_dict(current) != actor_to_dict(actor):
            updated.append(actor)
    # Parents may come later in the file: foreign keys are checked at commit.
    _write_changes(Actor, created, updated, ACTOR_FIELDS, history)
    summary.count("actors", len(actors), created, updated)


def _save_sources(metadata_by_url, summary, history):
    """Create and update the file's sources; returns {url: source id}.

    Another writer may store one of the new URLs meanwhile (two curators citing the same new article at
    once): that source is then read back and treated as one that was stored already.
    """
    existing = Source.objects.in_bulk(list(metadata_by_url), field_name="url")
    new = [Source(url=url, **metadata) for url, metadata in metadata_by_url.items() if url not in existing]
    created = _insert_instances(Source, new, unless_stored="url")
    if len(created) < len(new):
        existing |= Source.objects.in_bulk([s.url for s in new if s._state.adding], field_name="url")
    updated = []
    for url, metadata in metadata_by_url.items():
        current = existing.get(url)
        if current is not None and any(getattr(current, key) != value for key, value in metadata.items()):
            for key, value in metadata.items():
                setattr(current, key, value)
            updated.append(current)
    _update(Source, updated, SOURCE_METADATA)
    history.write(Source, created, "+")
    history.write(Source, updated, "~")
    summary.count("sources", len(metadata_by_url), created, updated)
    return {url: source.pk for url, source in existing.items()} | {source.url: source.pk for source in created}


# What an update writes: everything but the id and the record of the event's creation.
EVENT_UPDATE_FIELDS = [
    f.name for f in Event._meta.concrete_fields if not f.primary_key and f.name not in {"created_at", "created_by"}
]


class _Changes:
    """Rows of one model to create, change and remove, with their history."""

    def __init__(self, model):
        self.model = model
        self.created, self.changed, self.removed = [], [], []

    def replace(self, stored, wanted, fields, **common):
        """Make one event's rows the `wanted` keys: remove the rows of `stored` ({key: row}) whose key is
        not wanted, create a row for each wanted key not stored (a key being the values of `fields`)."""
        self.removed += [stored[key] for key in sorted(set(stored) - set(wanted))]
        self.created += [
            self.model(**common, **dict(zip(fields, key, strict=True))) for key in wanted if key not in stored
        ]

    def write(self, history, changed_fields=()):
        _delete(self.model, [row.pk for row in self.removed])
        _insert_instances(self.model, self.created)
        _update(self.model, self.changed, changed_fields)
        history.write(self.model, self.removed, "-")
        history.write(self.model, self.created, "+")
        history.write(self.model, self.changed, "~")


def _save_events(chunk, source_ids, summary, user, history, in_bulk):
    existing = Event.objects.with_dataset_relations().in_bulk([clean.event.id for clean in chunk])
    created, updated, edited = [], [], set()
    for clean in chunk:
        current = existing.get(clean.event.id)
        if current is None:
            created.append(clean)
            continue
        stored = event_to_dict(current)
        if stored == clean.data:
            summary.unchanged["events"] += 1
            continue
        updated.append(clean)
        if content_changes(stored, clean.data):
            edited.add(clean.event.id)
    summary.created["events"] += len(created)
    summary.updated["events"] += len(updated)
    if not created and not updated:
        return

    for clean in created:
        _prepare_event(clean.event, None, user, history.when)
    for clean in updated:
        _prepare_event(clean.event, existing[clean.event.id], user, history.when, clean.event.id in edited)
    _update(Event, [clean.event for clean in updated], EVENT_UPDATE_FIELDS)

    participants, citations, relations = _Changes(Participant), _Changes(Citation), _Changes(EventRelation)
    through = Event.tags.through
    tags = _Changes(through)  # no history of their own: the event's history row holds its tags
    stored_tag_rows = {}
    for row in through.objects.filter(event_id__in=[clean.event.id for clean in updated]):
        stored_tag_rows.setdefault(row.event_id, {})[row.tag_id] = row
    for clean in created + updated:
        event = clean.event
        current = existing.get(event.id)
        participants.replace(
            {(p.actor_id, p.role): p for p in current.participants.all()} if current else {},
            clean.participants,
            ("actor_id", "role"),
            event_id=event.id,
        )

        old = {c.source.url: c for c in current.citations.all()} if current else {}
        new = {url: (quote, claimed_by) for url, quote, claimed_by in clean.citations}
        citations.removed += [old[url] for url in sorted(set(old) - set(new))]
        for url, (quote, claimed_by) in new.items():
            citation = old.get(url)
            if citation is None:
                citations.created.append(
                    Citation(event_id=event.id, source_id=source_ids[url], quote=quote, claimed_by_id=claimed_by)
                )
            elif (citation.quote, citation.claimed_by_id) != (quote, claimed_by):
                citation.quote, citation.claimed_by_id = quote, claimed_by
                citations.changed.append(citation)

        relations.replace(
            {(r.to_event_id, r.relation): r for r in current.relations.all()} if current else {},
            clean.related,
            ("to_event_id", "relation"),
            from_event_id=event.id,
        )
        tags.replace(
            {(slug,): row for slug, row in stored_tag_rows.get(event.id, {}).items()},
            [(slug,) for slug in clean.tags],
            ("tag_id",),
            event_id=event.id,
        )

    participants.write(history)
    citations.write(history, ["quote", "claimed_by"])
    relations.write(history)
    _delete(through, [row.pk for row in tags.removed])
    _insert_instances(through, tags.created)
    # New events last: their search columns are computed from their participants and citations, written
    # before them (foreign keys are checked at the commit), in bulk or by the row trigger, and each event
    # row is written once.
    if in_bulk:
        _insert_events([clean.event for clean in created])
        _refill_search_columns([clean.event.id for clean in updated])
    else:
        _insert_instances(Event, [clean.event for clean in created])

    # The event's history row carries the snapshot of its tags, as django-simple-history's would.
    history_ids = history.write(Event, [clean.event for clean in created], "+")
    history_ids += history.write(Event, [clean.event for clean in updated], "~")
    tags_now = {}
    for row in tags.created:
        tags_now.setdefault(row.event_id, {})[row.tag_id] = row
    for event_id, stored in stored_tag_rows.items():
        for slug, row in stored.items():
            tags_now.setdefault(event_id, {}).setdefault(slug, row)
    tag_history = Event.history.model.tags.model
    _insert(
        tag_history,
        ("history_id", "id", "event_id", "tag_id"),
        [
            (history_id, tag_row.pk, tag_row.event_id, tag_row.tag_id)
            for history_id, clean in zip(history_ids, created + updated, strict=True)
            for tag_row in (tags_now[clean.event.id][slug] for slug in clean.tags)
        ],
    )


def _prepare_event(event, current, user, when, edited=True):
    """Fill in what the file does not say: who created, reviewed, published and last edited it, and when.

    `updated_by` is who last changed what readers see (`edited`); a change of the review state alone
    records its reviewer or publisher instead, as the admin's actions do (REVIEW_BY_ANOTHER compares it).
    """
    if current is not None:
        for name in ("created_at", "created_by_id", "reviewed_at", "reviewed_by_id", "published_at", "published_by_id"):
            setattr(event, name, getattr(current, name))
    else:
        event.created_by, event.created_at = user, when
    new_state, event.review_state = event.review_state, current.review_state if current else ReviewState.DRAFT
    event.record_review(user, new_state, when=when)
    if edited or current is None:
        event.updated_by = user
    else:
        event.updated_by_id = current.updated_by_id
    event.updated_at = when
    event.span_end = event.compute_span_end()
