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
from collections import namedtuple
from collections.abc import Iterator
from html import escape
from itertools import islice

import icalendar
from django.utils import timezone

from . import dates
from .choices import Role
from .dataset import actor_to_dict, event_to_dict
from .dataset.files import indented
from .models import Actor, Citation, Event, EventRelation, Participant, ReviewState
from .postgres import (
    CSV_EVENT_COLUMNS,
    CSV_JOINS,
    CSV_SELECT,
    CSV_SELECT_RAW,
    NDJSON_EVENT_COLUMNS,
    NDJSON_JOINS,
    NDJSON_SELECT,
    database_copy,
    on_postgresql,
)
from .shape import (
    CSV_COLUMNS,
    FREE_TEXT_COLUMNS,
    by_role,
    csv_row,
    neutralise,
    sorted_citations,
)

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
"""Events read (and prefetched) per round of queries."""

CSV_VERSION = 2
"""Version of the CSV columns (docs/exports.md); any change to `CSV_COLUMNS`, or to how their values are
written, increments it. 2: free text neutralised against spreadsheet formulas (`neutralise`)."""

ROLE_LABELS = {
    Role.INITIATOR: ("Initiator", "Initiators"),
    Role.TARGET: ("Target", "Targets"),
    Role.PARTICIPANT: ("Participant", "Participants"),
    Role.MEDIATOR: ("Mediator", "Mediators"),
    Role.HOST: ("Host", "Hosts"),
}

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


def participants_list(event):
    return [{"actor": actor, "role": role} for role, actors in by_role(event).items() for actor in actors]


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


# ---------------------------------------------------------------- CSV


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
            rows = database_copy(events, CSV_EVENT_COLUMNS, select, joins, "FORMAT csv", CHUNK_SIZE, progress)
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
                yield ("," if written else "[") + "\n" + indented(record)
                written += 1
        yield "\n ]" if written else "[]"
        yield ',\n "actors": '
        written = 0
        for ids in batched(sorted(with_ancestors(actor_ids)), CHUNK_SIZE):
            for actor in Actor.objects.filter(pk__in=ids).order_by("id"):
                yield ("," if written else "[") + "\n" + indented(actor_to_dict(actor))
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
            for chunk in database_copy(
                events, NDJSON_EVENT_COLUMNS, NDJSON_SELECT, joins, options, CHUNK_SIZE, progress
            ):
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
