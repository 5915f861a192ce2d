"""Export formats: the same filtered, ordered events, written as CSV, JSON, iCalendar, GeoJSON or TimelineJS.

Each format streams: `stream(events)` reads the queryset a chunk at a time
(`CHUNK_SIZE` events, with their relations prefetched for the chunk) and
yields text as it goes, so an export of any size runs in constant memory and
a constant number of queries per chunk. The caller (the API's export
endpoint, a management command) filters and orders; the exporter writes
exactly what it is given. The formats are described in docs/exports.md.

On PostgreSQL, CSV and NDJSON take a faster road to the same bytes: the
database flattens each event (its actors by role, sources, tags, relations)
into the CSV's fields or the NDJSON line, writes them out with one
`COPY ... TO STDOUT`, and Python passes the rows on (`database_copy`).
Building model instances, grouping their relations and quoting their fields
in Python was most of an export's time.
"""

import csv
import datetime
import io
import json
import logging
import queue
import re
import threading
from collections import namedtuple
from collections.abc import Iterator
from html import escape
from itertools import islice

import icalendar
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.utils import timezone

from . import dates
from .dataset import EVENT_KEYS, ROLE_ORDER, SOURCE_KEYS, _indented, actor_to_dict, event_to_dict
from .models import Actor, Citation, Event, EventRelation, Participant, ReviewState, Role

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
"""Events read (and prefetched) per round of queries."""

CSV_VERSION = 2
"""Version of the CSV columns (docs/exports.md); any change to `CSV_COLUMNS`, or to how their values are
written, increments it. 2: free text neutralised against spreadsheet formulas (`neutralise`)."""

CSV_COLUMNS = (
    "id", "title", "summary", "type", "status",
    "start", "start_precision", "end", "end_precision",
    "initiators", "targets", "participants", "mediators", "hosts",
    "location_name", "location_country", "location_lat", "location_lon",
    "cameo_code", "goldstein", "plover_type", "plover_mode",
    "tags", "related",
    "source_urls", "source_titles", "publishers", "published_dates", "quotes", "claimed_by",
    "review_state",
)  # fmt: skip

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes a cell for a formula by, when the cell starts with it (OWASP, CSV Injection)."""

FREE_TEXT_COLUMNS = frozenset(
    {"title", "summary", "location_name", "plover_type", "plover_mode", "source_titles", "publishers", "quotes"}
)
"""The columns of free text: the ones neutralised against formulas (`neutralise`). The others hold
numbers (a negative longitude or Goldstein score is a number to a spreadsheet, not a formula, and an
apostrophe would make it text that no longer sorts or sums), or ids, codes, dates, choices and URLs,
which their validators keep from starting with =, +, -, @, a tab or a carriage return."""

# Column of each role, in the dataset's role order.
ROLE_COLUMNS = {
    Role.INITIATOR: "initiators",
    Role.TARGET: "targets",
    Role.PARTICIPANT: "participants",
    Role.MEDIATOR: "mediators",
    Role.HOST: "hosts",
}
ROLE_LABELS = {
    Role.INITIATOR: ("Initiator", "Initiators"),
    Role.TARGET: ("Target", "Targets"),
    Role.PARTICIPANT: ("Participant", "Participants"),
    Role.MEDIATOR: ("Mediator", "Mediators"),
    Role.HOST: ("Host", "Hosts"),
}

LIST_SEPARATOR = "; "
"""Joins lists of slugs (actor ids, tags, relations): slugs never contain it."""

SOURCE_SEPARATOR = " | "
"""Joins the parallel per-source lists; a `|` or `\\` inside a value is escaped with a backslash."""

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# iCalendar's STATUS has three values; ours are finer.
ICS_STATUS = {
    "proposed": "TENTATIVE",
    "scheduled": "TENTATIVE",
    "postponed": "TENTATIVE",
    "occurred": "CONFIRMED",
    "cancelled": "CANCELLED",
}


# ---------------------------------------------------------------- helpers shared by the formats


def batched(items, size):
    """Lists of `size` items (the last one shorter); itertools.batched arrives only with Python 3.12."""
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


class Related(list):
    """The rows of one relation of an exported event, read as the model's manager is: `event.participants.all()`."""

    def all(self):
        return self


# Related rows as plain tuples: building a model instance and a queryset for each row of a million
# events' participants and sources is what made exports slow (Django's prefetch_related costs
# about a millisecond per event; these cost microseconds).
ParticipantRow = namedtuple("ParticipantRow", "actor_id role actor")
SourceRow = namedtuple("SourceRow", "url title publisher published language archive_url")
CitationRow = namedtuple("CitationRow", "source quote claimed_by_id")
RelationRow = namedtuple("RelationRow", "to_event_id relation")
TagRow = namedtuple("TagRow", "slug")
ActorName = namedtuple("ActorName", "id name")


class ExportedEvent:
    """An event as the formats read it: the model instance's fields, and its relations read for its whole chunk."""

    __slots__ = ("event", "participants", "citations", "relations", "tags")

    def __init__(self, event, participants, citations, relations, tags):
        self.event = event
        self.participants = Related(participants)
        self.citations = Related(citations)
        self.relations = Related(relations)
        self.tags = Related(tags)

    def __getattr__(self, name):
        return getattr(self.event, name)


def _grouped(rows):
    """{event id: [the rest of each row]} from rows whose first value is the event id."""
    groups = {}
    for event_id, *rest in rows:
        groups.setdefault(event_id, []).append(rest)
    return groups


def related_rows(chunk, actor_names=False, published_related_only=False):
    """The chunk's events with their participants, citations (and sources), relations and tags: four queries.

    With `actor_names`, each participant's `actor` has the actor's name: one more query. With
    `published_related_only`, the relations to events that are not published are left out.
    """
    ids = [event.pk for event in chunk]
    participants = _grouped(
        Participant.objects.filter(event_id__in=ids).order_by().values_list("event_id", "actor_id", "role")
    )
    names = {}
    if actor_names:
        wanted = {actor_id for rows in participants.values() for actor_id, _ in rows}
        names = dict(Actor.objects.filter(pk__in=wanted).values_list("id", "name"))
    citations = _grouped(
        Citation.objects.filter(event_id__in=ids)
        .order_by()
        .values_list(
            "event_id",
            "quote",
            "claimed_by_id",
            "source__url",
            "source__title",
            "source__publisher",
            "source__published",
            "source__language",
            "source__archive_url",
        )  # fmt: skip
    )
    relations = EventRelation.objects.filter(from_event_id__in=ids)
    if published_related_only:
        relations = relations.filter(to_event__review_state=ReviewState.PUBLISHED)
    relations = _grouped(relations.order_by().values_list("from_event_id", "to_event_id", "relation"))
    tags = _grouped(Event.tags.through.objects.filter(event_id__in=ids).order_by().values_list("event_id", "tag_id"))
    return [
        ExportedEvent(
            event,
            [
                ParticipantRow(actor_id, role, ActorName(actor_id, names.get(actor_id, actor_id)))
                for actor_id, role in participants.get(event.pk, ())
            ],
            [
                CitationRow(SourceRow(*source), quote, claimed_by)
                for quote, claimed_by, *source in citations.get(event.pk, ())
            ],
            [RelationRow(*row) for row in relations.get(event.pk, ())],
            [TagRow(*row) for row in tags.get(event.pk, ())],
        )
        for event in chunk
    ]


def read_chunks(events, actor_names=False, progress=None) -> Iterator[list]:
    """The events in lists of CHUNK_SIZE, each list read with one round of queries.

    The lists match the iterator's own chunks, so work done once per list
    (a membership check, a lookup) adds one query per chunk, never per event.
    `progress`, if given, is called with the number of events of each list.
    """
    # The caller's prefetches are dropped: the relations are read here, for a chunk at a time.
    rows = events.prefetch_related(None).select_related("type")
    for chunk in batched(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        yield related_rows(chunk, actor_names=actor_names, published_related_only=events.hides_unpublished)
        if progress:
            progress(len(chunk))


def by_role(event):
    """{role: [actor id, ...]} in the dataset's role order, ids sorted, roles without actors left out."""
    result = {}
    for participant in sorted(event.participants.all(), key=lambda p: (ROLE_ORDER[p.role], p.actor_id)):
        result.setdefault(participant.role, []).append(participant.actor_id)
    return result


def participants_list(event):
    return [{"actor": actor, "role": role} for role, actors in by_role(event).items() for actor in actors]


def sorted_citations(event):
    return sorted(event.citations.all(), key=lambda c: c.source.url)


def precision_note(event):
    """'(date known to the month)' and the like for imprecise dates; '' when every date is to the day."""
    start, end = event.start_precision, event.end_precision or None
    if start == dates.DAY and end in (None, dates.DAY):
        return ""
    if end is None:
        return f"(date known to the {start})"
    if start == end:
        return f"(dates known to the {start})"
    return f"(start known to the {start}, end to the {end})"


def human_date(value, precision):
    """'29 December 2016', 'December 2016' or '2016'."""
    if precision == dates.YEAR:
        return str(value.year)
    if precision == dates.MONTH:
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def dump_json(item):
    return json.dumps(item, ensure_ascii=False)


def export_filename(fmt_name, when=None) -> str:
    """The download's file name, e.g. 'chancery-events-2026-11-28.csv'; `when` is a date or datetime (today)."""
    fmt = FORMATS[fmt_name]
    if when is None:
        when = timezone.localdate()
    elif isinstance(when, datetime.datetime):
        when = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    return f"chancery-events-{when.isoformat()}.{fmt.extension}"


def streamed(chunks, what):
    """The chunks of an export, for a streamed response: an error midway is logged, then raised on.

    The status line went out with the first chunk, so the error can no longer be an error status:
    raised from the response's iterator, it makes the WSGI server cut the connection (gunicorn
    closes it without the chunked body's last chunk), and the client sees an incomplete response,
    never a short file that looks whole. `what` names the export in the log.
    """
    written = 0
    try:
        for chunk in chunks:
            yield chunk
            written += len(chunk)
    except Exception:
        log.exception("export %s failed after %d characters: the connection is cut", what, written)
        raise
    finally:
        chunks.close()  # at once, not when collected: the PostgreSQL road cancels its COPY on close


class ExportFormat:
    """One export format: its name, media type, file extension, and how to stream events in it."""

    name: str
    media_type: str
    extension: str

    def stream(self, events, progress=None) -> Iterator[str]:
        """Yield the export of the queryset `events` (filtered and ordered, not sliced) as text chunks."""
        raise NotImplementedError


# ---------------------------------------------------------------- PostgreSQL: the database flattens the events


def on_postgresql(events):
    return connections[events.db].vendor == "postgresql"


def database_copy(events, columns, select, joins, options, progress=None) -> Iterator[list[bytes]]:
    """The rows of `COPY (SELECT {select} FROM (events) e {joins}) TO STDOUT WITH ({options})`, in the events' order.

    `events` (filtered, ordered, maybe sliced) is compiled by Django into the
    subquery `e`, which has the model's `columns`; `select` and `joins` read
    each event's relations. Yields lists of up to CHUNK_SIZE rows, each row
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
            yield from _copy_rows(part, columns, select, joins, options, progress)


def _copy_rows(events, columns, select, joins, options, progress):
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
        query = cursor.mogrify(f"SELECT {select} FROM ({sql}) e {joins}", params).decode()
        reader = CopyReader(cursor.cursor, f"COPY ({query}) TO STDOUT WITH ({options})")
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
    """Runs a COPY ... TO STDOUT on a cursor, handing its rows over in lists of CHUNK_SIZE through `blocks`.

    psycopg2's copy_expert returns only when the COPY is over, writing each row
    to a file as it comes (PostgreSQL sends one message per row); this thread
    is that file.
    """

    END = object()

    def __init__(self, cursor, statement):
        super().__init__(name="chancery-export-copy", daemon=True)
        self.cursor, self.statement = cursor, statement
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
        if len(self.rows) >= CHUNK_SIZE:
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


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _date_text(date, precision):
    """SQL for `dates.format_partial_date`: "2016-12-29", "2016-12" or "2016"."""
    return (
        f"CASE {precision} WHEN 'day' THEN to_char({date}, 'YYYY-MM-DD') WHEN 'month' THEN to_char({date}, 'YYYY-MM') "
        f"WHEN 'year' THEN to_char({date}, 'YYYY') END"
    )


def _float_text(number):
    """SQL for Python's repr of a float: PostgreSQL writes 24.0 as "24".

    Exact for coordinates: PostgreSQL switches to an exponent at 1e15 where
    Python waits for 1e16, and the constraints keep latitudes and longitudes
    within 180 degrees.
    """
    return f"CASE WHEN {number} = trunc({number}) THEN {number}::text || '.0' ELSE {number}::text END"


def _escaped(text):
    """SQL for `escape_source_value`."""
    return rf"replace(replace({text}, E'\\', E'\\\\'), '|', E'\\|')"


def _json(value):
    """SQL for the JSON text of a string, date text or NULL, escaped as json.dumps(ensure_ascii=False) does."""
    return f"coalesce(to_json({value})::text, 'null')"


def _json_object(fields):
    """SQL for the JSON text of an object: `fields` maps each key to the SQL of its value's JSON text."""
    pieces = []
    for key, value in fields.items():
        pieces += [_literal(("{" if not pieces else ", ") + json.dumps(key) + ": "), value]
    return " || ".join([*pieces, "'}'"])


def _json_array(items, order):
    """SQL aggregating the JSON texts `items` into a JSON array's text (`[]` for none)."""
    return f"'[' || coalesce(string_agg({items}, ', ' ORDER BY {order}), '') || ']'"


def _joined(values, separator, order):
    return f"string_agg({values}, {_literal(separator)} ORDER BY {order})"


# Python sorts strings by code point; so does PostgreSQL's "C" collation, whatever the database's own.
_C = 'COLLATE "C"'
_SOURCE_ORDER = f"s.url {_C}"


def _citations_of(e):
    """The FROM clause of the citations (`ci`) and their sources (`s`) of the event in the row `e`."""
    return f"FROM events_citation ci JOIN events_source s ON s.id = ci.source_id WHERE ci.event_id = {e}.id"


def _related_of(e, published_only=False):
    """The FROM clause of the relations of the event in the row `e`; with `published_only`, those to
    published events only (`EventQuerySet.visible_to`)."""
    source = f"FROM events_eventrelation rel WHERE rel.from_event_id = {e}.id"
    if published_only:
        source += (
            " AND EXISTS (SELECT 1 FROM events_event target"
            f" WHERE target.id = rel.to_event_id AND target.review_state = {_literal(ReviewState.PUBLISHED)})"
        )
    return source


CSV_EVENT_COLUMNS = (
    "id", "title", "summary", "type_id", "status", "start", "start_precision", "end", "end_precision",
    "location_name", "location_country", "location_lat", "location_lon",
    "type__cameo_code", "type__goldstein", "type__plover_type", "type__plover_mode", "review_state",
)  # fmt: skip

# Every CSV column as SQL over the event `e` and the LATERAL joins below, the text `csv_row` gives. COPY quotes
# the fields as the csv module does: those holding a comma, a quote or a line break, quotes doubled.
CSV_FIELDS = {
    "id": "e.id",
    "title": "e.title",
    "summary": "e.summary",
    "type": "e.type_id",
    "status": "e.status",
    "start": _date_text("e.start", "e.start_precision"),
    "start_precision": "e.start_precision",
    "end": _date_text('e."end"', "e.end_precision"),
    "end_precision": "e.end_precision",
    **{column: f"p.{column}" for column in ROLE_COLUMNS.values()},
    "location_name": "e.location_name",
    "location_country": "e.location_country",
    "location_lat": _float_text("e.location_lat"),
    "location_lon": _float_text("e.location_lon"),
    "cameo_code": "e.type__cameo_code",
    # numeric(3, 1) as text is what str() of its Decimal gives: "-8.0".
    "goldstein": "e.type__goldstein::text",
    "plover_type": "e.type__plover_type",
    "plover_mode": "e.type__plover_mode",
    "tags": "t.tags",
    "related": "r.related",
    "source_urls": "c.source_urls",
    "source_titles": "c.source_titles",
    "publishers": "c.publishers",
    "published_dates": "c.published_dates",
    "quotes": "c.quotes",
    "claimed_by": "c.claimed_by",
    "review_state": "e.review_state",
}
assert tuple(CSV_FIELDS) == CSV_COLUMNS

_TRIGGERS_SQL = ", ".join(_literal(char) for char in FORMULA_TRIGGERS)  # a tab and a CR as themselves
_APOSTROPHE = _literal("'")


def _neutralised(text):
    """SQL for `neutralise`. Most values start with neither a trigger nor an apostrophe: one look at their
    first character lets them through."""
    first = f"left({text}, 1)"
    after_apostrophes = f"left(ltrim({text}, {_APOSTROPHE}), 1)"
    opens = f"{first} IN ({_TRIGGERS_SQL}) OR ({first} = {_APOSTROPHE} AND {after_apostrophes} IN ({_TRIGGERS_SQL}))"
    return f"CASE WHEN {opens} THEN {_APOSTROPHE} || {text} ELSE {text} END"


# COPY quotes an empty string (to tell it from NULL, which it writes as nothing); the csv module writes nothing.
CSV_SELECT_RAW = ", ".join(f"NULLIF({field}, '')" for field in CSV_FIELDS.values())
CSV_SELECT = ", ".join(
    f"NULLIF({_neutralised(field) if column in FREE_TEXT_COLUMNS else field}, '')"
    for column, field in CSV_FIELDS.items()
)


def _source_list(value):
    return _joined(_escaped(value), SOURCE_SEPARATOR, _SOURCE_ORDER)


_ACTORS_BY_ROLE = ", ".join(
    f"{_joined('actor_id', LIST_SEPARATOR, f'actor_id {_C}')} FILTER (WHERE role = {_literal(role)}) AS {column}"
    for role, column in ROLE_COLUMNS.items()
)

# Keyed by whether the relations name published events only (`EventQuerySet.hides_unpublished`).
CSV_JOINS = {
    published_only: f"""
LEFT JOIN LATERAL (
    SELECT {_ACTORS_BY_ROLE}
    FROM events_participant WHERE event_id = e.id
) p ON TRUE
LEFT JOIN LATERAL (
    SELECT {_joined("tag_id", LIST_SEPARATOR, f"tag_id {_C}")} AS tags FROM events_event_tags WHERE event_id = e.id
) t ON TRUE
LEFT JOIN LATERAL (
    SELECT {_joined("relation || ':' || to_event_id", LIST_SEPARATOR, f"to_event_id {_C}, relation {_C}")} AS related
    {_related_of("e", published_only)}
) r ON TRUE
LEFT JOIN LATERAL (
    SELECT {_source_list("s.url")} AS source_urls, {_source_list("s.title")} AS source_titles,
           {_source_list("s.publisher")} AS publishers,
           {_source_list("coalesce(to_char(s.published, 'YYYY-MM-DD'), '')")} AS published_dates,
           {_source_list("ci.quote")} AS quotes, {_source_list("coalesce(ci.claimed_by_id, '')")} AS claimed_by
    {_citations_of("e")}
) c ON TRUE"""
    for published_only in (False, True)
}

NDJSON_EVENT_COLUMNS = (
    "id", "title", "summary", "type_id", "status", "start", "start_precision", "end", "end_precision",
    "location_name", "location_country", "location_lat", "location_lon", "review_state",
)  # fmt: skip

_ROLE_RANK = "CASE role " + " ".join(f"WHEN {_literal(role)} THEN {rank}" for role, rank in ROLE_ORDER.items()) + " END"

# A source as `cited_source` writes it.
_SOURCE_FIELDS = {
    "url": _json("s.url"),
    "title": _json("s.title"),
    "publisher": _json("s.publisher"),
    "published": _json("to_char(s.published, 'YYYY-MM-DD')"),
    "language": _json("NULLIF(s.language, '')"),
    "archive_url": _json("NULLIF(s.archive_url, '')"),
    "quote": _json("ci.quote"),
    "claimed_by": _json("ci.claimed_by_id"),
}
assert tuple(_SOURCE_FIELDS) == SOURCE_KEYS
_SOURCE_OBJECT = _json_object(_SOURCE_FIELDS)

_PARTICIPANT_OBJECT = _json_object({"actor": _json("actor_id"), "role": _json("role")})
_RELATION_OBJECT = _json_object({"event": _json("to_event_id"), "relation": _json("relation")})


def _relations(e, published_related_only=False):
    """SQL reading the JSON texts of the event's lists, its row being `e`: {key: (select list, from and where)}."""
    return {
        "participants": (
            _json_array(_PARTICIPANT_OBJECT, f"{_ROLE_RANK}, actor_id {_C}"),
            f"FROM events_participant WHERE event_id = {e}.id",
        ),
        "tags": (_json_array(_json("tag_id"), f"tag_id {_C}"), f"FROM events_event_tags WHERE event_id = {e}.id"),
        "related": (
            _json_array(_RELATION_OBJECT, f"to_event_id {_C}, relation {_C}"),
            _related_of(e, published_related_only),
        ),
        "sources": (
            _json_array(_SOURCE_OBJECT, _SOURCE_ORDER),
            _citations_of(e),
        ),
    }


def _event_json(e, lists):
    """SQL for an event's JSON text, key for key as `dump_json(event_to_dict(event))` writes it, its row
    being `e` and its lists' JSON texts the SQL of `lists` ({"participants": ..., "sources": ...})."""
    fields = {
        "id": _json(f"{e}.id"),
        "title": _json(f"{e}.title"),
        "summary": _json(f"{e}.summary"),
        "type": _json(f"{e}.type_id"),
        "status": _json(f"{e}.status"),
        "start": _json(_date_text(f"{e}.start", f"{e}.start_precision")),
        "start_precision": _json(f"{e}.start_precision"),
        "end": _json(_date_text(f'{e}."end"', f"{e}.end_precision")),
        "end_precision": _json(f"NULLIF({e}.end_precision, '')"),
        "participants": lists["participants"],
        "location": f"CASE WHEN {e}.location_name <> '' THEN "
        + _json_object(
            {
                "name": _json(f"{e}.location_name"),
                "country": _json(f"NULLIF({e}.location_country, '')"),
                "lat": f"coalesce({_float_text(f'{e}.location_lat')}, 'null')",
                "lon": f"coalesce({_float_text(f'{e}.location_lon')}, 'null')",
            }
        )
        + " ELSE 'null' END",
        "sources": lists["sources"],
        "tags": lists["tags"],
        "related": lists["related"],
        "review_state": _json(f"{e}.review_state"),
    }
    assert tuple(fields) == EVENT_KEYS
    return _json_object(fields)


# The NDJSON export: each list read by a LATERAL join of its own (p, t, r, c) beside the event `e`;
# keyed by whether the relations name published events only (`EventQuerySet.hides_unpublished`).
_LATERAL = {"participants": "p", "tags": "t", "related": "r", "sources": "c"}
NDJSON_SELECT = _event_json("e", {key: f"{alias}.{key}" for key, alias in _LATERAL.items()})
NDJSON_JOINS = {
    published_only: "".join(
        f"\nLEFT JOIN LATERAL (\n    SELECT {select} AS {key}\n    {source}\n) {_LATERAL[key]} ON TRUE"
        for key, (select, source) in _relations("e", published_only).items()
    )
    for published_only in (False, True)
}


def document_sql(table, published_related_only=False):
    """SQL for the JSON text of the event in the row `table` (a table or alias of the outer query), each list
    read by a subquery: `EventQuerySet.with_documents()`, the API's pages in one query."""
    lists = {
        key: f"(SELECT {select} {source})"
        for key, (select, source) in _relations(table, published_related_only).items()
    }
    return _event_json(table, lists)


# ---------------------------------------------------------------- CSV


def _opens_a_formula(value):
    return value.lstrip("'")[:1] in FORMULA_TRIGGERS


def neutralise(value):
    """A cell no spreadsheet runs: an apostrophe before a value that starts with =, +, -, @, a tab or a
    carriage return once its leading apostrophes are set aside.

    A spreadsheet shows a cell that starts with an apostrophe as the text after it. Setting the leading
    apostrophes aside makes the rule exactly undoable (`restore`): a value that already starts with
    apostrophes then a trigger ("'=x") gets one more too, so that no two values are written alike.
    """
    return "'" + value if _opens_a_formula(value) else value


def restore(value):
    """The value `neutralise` was given: one apostrophe fewer where it added one, else the value itself."""
    return value[1:] if value.startswith("'") and _opens_a_formula(value) else value


def escape_source_value(value):
    """A value of a per-source list, with `\\` and `|` escaped so that ' | ' only ever separates items."""
    return value.replace("\\", "\\\\").replace("|", "\\|")


def join_source_values(values):
    return SOURCE_SEPARATOR.join(escape_source_value(value) for value in values)


_SOURCE_ESCAPE = re.compile(r"\\(.)")


def split_source_values(text):
    """Reverse of `join_source_values`, for readers of the CSV (and its tests)."""
    if text == "":
        return []
    return [_SOURCE_ESCAPE.sub(r"\1", item) for item in text.split(SOURCE_SEPARATOR)]


def csv_row(event):
    roles = by_role(event)
    citations = sorted_citations(event)
    event_type = event.type
    row = {
        "id": event.id,
        "title": event.title,
        "summary": event.summary,
        "type": event.type_id,
        "status": event.status,
        "start": event.start_text,
        "start_precision": event.start_precision,
        "end": event.end_text or "",
        "end_precision": event.end_precision,
        **{column: LIST_SEPARATOR.join(roles.get(role, [])) for role, column in ROLE_COLUMNS.items()},
        "location_name": event.location_name,
        "location_country": event.location_country,
        "location_lat": "" if event.location_lat is None else repr(event.location_lat),
        "location_lon": "" if event.location_lon is None else repr(event.location_lon),
        "cameo_code": event_type.cameo_code,
        "goldstein": "" if event_type.goldstein is None else str(event_type.goldstein),
        "plover_type": event_type.plover_type,
        "plover_mode": event_type.plover_mode,
        "tags": LIST_SEPARATOR.join(sorted(tag.slug for tag in event.tags.all())),
        "related": LIST_SEPARATOR.join(
            f"{r.relation}:{r.to_event_id}"
            for r in sorted(event.relations.all(), key=lambda r: (r.to_event_id, r.relation))
        ),
        "source_urls": join_source_values(c.source.url for c in citations),
        "source_titles": join_source_values(c.source.title for c in citations),
        "publishers": join_source_values(c.source.publisher for c in citations),
        "published_dates": join_source_values(
            c.source.published.isoformat() if c.source.published else "" for c in citations
        ),
        "quotes": join_source_values(c.quote for c in citations),
        "claimed_by": join_source_values(c.claimed_by_id or "" for c in citations),
        "review_state": event.review_state,
    }
    return [row[column] for column in CSV_COLUMNS]


# Where `neutralise` applies in a row of `csv_row`.
_TEXT_POSITIONS = [index for index, column in enumerate(CSV_COLUMNS) if column in FREE_TEXT_COLUMNS]


def neutralised_row(row):
    for index in _TEXT_POSITIONS:
        row[index] = neutralise(row[index])
    return row


class CSVFormat(ExportFormat):
    """One row per event, columns of version CSV_VERSION; RFC 4180 quoting and CRLF line ends.

    Text cells a spreadsheet would run as formulas are neutralised (`neutralise`); with `raw`, every
    value is written as stored.
    """

    name = "csv"
    media_type = "text/csv; charset=utf-8"
    extension = "csv"
    version = CSV_VERSION

    def stream(self, events, progress=None, raw=False):
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush():
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        writer.writerow(CSV_COLUMNS)
        yield flush()
        if on_postgresql(events):
            select = CSV_SELECT_RAW if raw else CSV_SELECT
            joins = CSV_JOINS[events.hides_unpublished]
            rows = database_copy(events, CSV_EVENT_COLUMNS, select, joins, "FORMAT csv", progress=progress)
            for chunk in rows:
                # Each row ends with \n, where the csv module writes \r\n; a line break inside a field is quoted.
                yield (b"\r\n".join([row[:-1] for row in chunk]) + b"\r\n").decode()
            return
        for chunk in read_chunks(events, progress=progress):
            rows = (csv_row(event) for event in chunk)
            writer.writerows(rows if raw else map(neutralised_row, rows))
            yield flush()


# ---------------------------------------------------------------- the dataset file and NDJSON


def members(events, ids):
    """Which of `ids` are events of the queryset `events`: one query."""
    if not ids:
        return set()
    if events.query.is_sliced:
        # A sliced queryset cannot be filtered further; test membership against it as a subquery.
        candidates = events.model.objects.filter(pk__in=events.values("pk"))
    else:
        candidates = events
    return set(candidates.filter(pk__in=ids).order_by().values_list("pk", flat=True))


def with_ancestors(actor_ids):
    """The actors and every parent up their chains, so that a file naming them imports on its own.

    One query for the whole hierarchy: actors number in the thousands where
    events may number in the millions, and chains are walked in memory.
    """
    parent_of = dict(Actor.objects.exclude(parent=None).values_list("id", "parent_id"))
    result = set()
    for actor_id in actor_ids:
        while actor_id is not None and actor_id not in result:
            result.add(actor_id)
            actor_id = parent_of.get(actor_id)
    return result


class DatasetJSONFormat(ExportFormat):
    """The dataset file: `{"events": [...], "actors": [...]}`, importable into an empty database.

    Events come first so that the actors they name can be gathered while
    they stream; a relation to an event outside the export is dropped, since
    the file could not be imported without it.
    """

    name = "json"
    media_type = "application/json"
    extension = "json"

    def stream(self, events, progress=None):
        actor_ids = set()
        written = 0
        yield '{\n "events": '
        for chunk in read_chunks(events, progress=progress):
            targets = {relation.to_event_id for event in chunk for relation in event.relations.all()}
            exported = members(events, targets)
            for event in chunk:
                record = event_to_dict(event)
                record["related"] = [r for r in record["related"] if r["event"] in exported]
                actor_ids.update(p["actor"] for p in record["participants"])
                actor_ids.update(s["claimed_by"] for s in record["sources"] if s["claimed_by"])
                yield ("," if written else "[") + "\n" + _indented(record)
                written += 1
        yield "\n ]" if written else "[]"
        yield ',\n "actors": '
        written = 0
        for ids in batched(sorted(with_ancestors(actor_ids)), CHUNK_SIZE):
            for actor in Actor.objects.filter(pk__in=ids).order_by("id"):
                yield ("," if written else "[") + "\n" + _indented(actor_to_dict(actor))
                written += 1
        yield "\n ]" if written else "[]"
        yield "\n}\n"


class NDJSONFormat(ExportFormat):
    """One event a line, in the dataset shape, relations as stored."""

    name = "ndjson"
    media_type = "application/x-ndjson"
    extension = "ndjson"

    def stream(self, events, progress=None):
        if on_postgresql(events):
            # COPY's CSV quotes a field that holds its delimiter, its quote or a line break. JSON text escapes
            # every control character: with two of them as delimiter and quote, the line goes out as it is.
            options = r"FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02'"
            joins = NDJSON_JOINS[events.hides_unpublished]
            for chunk in database_copy(events, NDJSON_EVENT_COLUMNS, NDJSON_SELECT, joins, options, progress):
                yield b"".join(chunk).decode()
            return
        for chunk in read_chunks(events, progress=progress):
            yield "".join(dump_json(event_to_dict(event)) + "\n" for event in chunk)


# ---------------------------------------------------------------- iCalendar


def calendar_header():
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Chancery//Diplomatic events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Chancery: diplomatic events")
    footer = "END:VCALENDAR\r\n"
    return calendar.to_ical().decode("utf-8").removesuffix(footer), footer


def ics_description(event):
    lines = [event.summary, ""] if event.summary else []
    when = event.start_text if event.end is None else f"{event.start_text} to {event.end_text}"
    note = precision_note(event)
    lines.append(f"When: {when} {note}".rstrip())
    lines.append(f"Type: {event.type.name} ({event.type_id})")
    lines.append(f"Status: {event.status}")
    names = {p.actor_id: p.actor.name for p in event.participants.all()}
    for role, actor_ids in by_role(event).items():
        singular, plural = ROLE_LABELS[role]
        label = singular if len(actor_ids) == 1 else plural
        lines.append(f"{label}: {', '.join(names[actor_id] for actor_id in actor_ids)}")
    citations = sorted_citations(event)
    if citations:
        lines.append("Sources:")
        lines.extend(citation.source.url for citation in citations)
    return "\n".join(lines)


def vevent(event):
    item = icalendar.Event()
    item.add("uid", f"{event.id}@chancery")
    # Without a METHOD, DTSTAMP is when the information was last revised (RFC 5545, 3.8.7.2).
    item.add("dtstamp", event.updated_at)
    item.add("last-modified", event.updated_at)
    item.add("dtstart", event.start)
    if event.span_end < datetime.date.max:
        # All-day events end on the day after their last day (the end is exclusive).
        item.add("dtend", event.span_end + datetime.timedelta(days=1))
    else:
        # No DATE can say the day after 9999-12-31. RFC 5545 lets DURATION stand for DTEND (3.6.1), in
        # whole days after a DATE start (3.8.2.5): the same span, where clamping DTEND would lose a day.
        item.add("duration", datetime.timedelta(days=(event.span_end - event.start).days + 1))
    item.add("summary", f"{event.title} {precision_note(event)}".rstrip())
    item.add("description", ics_description(event))
    item.add("status", ICS_STATUS[event.status])
    item.add("categories", [event.type_id])
    if event.location_name:
        item.add("location", event.location_name)
    if event.location_lat is not None and event.location_lon is not None:
        item.add("geo", (event.location_lat, event.location_lon))
    return item.to_ical().decode("utf-8")


class ICSFormat(ExportFormat):
    """iCalendar (RFC 5545): one all-day VEVENT per event, covering the event's whole span."""

    name = "ics"
    media_type = "text/calendar; charset=utf-8"
    extension = "ics"

    def stream(self, events, progress=None):
        header, footer = calendar_header()
        yield header
        # The actors' names, for the description: one more query per chunk.
        for chunk in read_chunks(events, actor_names=True, progress=progress):
            for event in chunk:
                yield vevent(event)
        yield footer


# ---------------------------------------------------------------- GeoJSON


def feature(event):
    return {
        "type": "Feature",
        "id": event.id,
        # RFC 7946: longitude first.
        "geometry": {"type": "Point", "coordinates": [event.location_lon, event.location_lat]},
        "properties": {
            "id": event.id,
            "title": event.title,
            "type": event.type_id,
            "status": event.status,
            "start": event.start_text,
            "start_precision": event.start_precision,
            "end": event.end_text,
            "end_precision": event.end_precision or None,
            "location_name": event.location_name,
            "location_country": event.location_country or None,
            "participants": participants_list(event),
        },
    }


class GeoJSONFormat(ExportFormat):
    """RFC 7946 FeatureCollection: a Point feature per event with coordinates; the others are left out."""

    name = "geojson"
    media_type = "application/geo+json"
    extension = "geojson"

    def stream(self, events, progress=None):
        if not events.query.is_sliced:
            events = events.filter(location_lat__isnull=False, location_lon__isnull=False)
        written = 0
        yield '{"type": "FeatureCollection", "features": ['
        for chunk in read_chunks(events, progress=progress):
            located = [e for e in chunk if e.location_lat is not None and e.location_lon is not None]
            if located:
                yield ("," if written else "") + "\n" + ",\n".join(dump_json(feature(e)) for e in located)
                written += len(located)
        yield "\n]}\n"


# ---------------------------------------------------------------- TimelineJS


def timeline_date(value, precision):
    """A TimelineJS date object, as precise as the date is known."""
    date = {"year": str(value.year)}
    if precision in (dates.MONTH, dates.DAY):
        date["month"] = str(value.month)
    if precision == dates.DAY:
        date["day"] = str(value.day)
    return date


def timeline_text(event):
    parts = [f"<p>{escape(event.summary)}</p>"] if event.summary else []
    citations = sorted_citations(event)
    if citations:
        links = []
        for citation in citations:
            source = citation.source
            about = ", ".join(
                item for item in (source.publisher, source.published.isoformat() if source.published else "") if item
            )
            link = f'<a href="{escape(source.url)}">{escape(source.title or source.url)}</a>'
            links.append(f"<li>{link}{f' ({escape(about)})' if about else ''}</li>")
        parts.append(f"<p>Sources:</p><ul>{''.join(links)}</ul>")
    return "".join(parts)


def slide(event):
    result = {"start_date": timeline_date(event.start, event.start_precision)}
    if event.end is not None:
        result["end_date"] = timeline_date(event.end, event.end_precision)
    if precision_note(event):
        shown = human_date(event.start, event.start_precision)
        if event.end is not None:
            shown += f" – {human_date(event.end, event.end_precision)}"
        result["display_date"] = shown
    result["text"] = {"headline": escape(event.title), "text": timeline_text(event)}
    result["group"] = event.type.family
    result["unique_id"] = event.id
    return result


class TimelineJSFormat(ExportFormat):
    """Knight Lab TimelineJS 3 JSON: a title slide and one slide per event, grouped by type family."""

    name = "timelinejs"
    media_type = "application/json"
    extension = "timeline.json"

    title = {"text": {"headline": "Chancery", "text": "Diplomatic events, with their sources."}}

    def stream(self, events, progress=None):
        written = 0
        yield '{"title": ' + dump_json(self.title) + ', "events": ['
        for chunk in read_chunks(events, progress=progress):
            yield ("," if written else "") + "\n" + ",\n".join(dump_json(slide(event)) for event in chunk)
            written += len(chunk)
        yield "\n]}\n"


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (CSVFormat(), DatasetJSONFormat(), NDJSONFormat(), ICSFormat(), GeoJSONFormat(), TimelineJSFormat())
}
