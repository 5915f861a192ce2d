"""What the export formats share: `ExportFormat`, reading events a chunk at a time, and the texts they show."""

import json
import logging
from collections import namedtuple
from collections.abc import Iterator
from itertools import islice

from .. import dates
from ..asof import events_then
from ..choices import Role
from ..models import Actor, Citation, Event, EventRelation, EventType, Participant, ReviewState
from ..shape import by_role

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
"""Events read (and prefetched) per round of queries."""

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
    if not events.is_present:
        yield from _versions_chunks(events, actor_names, progress)
        return
    # The caller's prefetches are dropped: the relations are read here, for a chunk at a time.
    rows = events.prefetch_related(None).select_related("type")
    for chunk in batched(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        yield related_rows(chunk, actor_names=actor_names, published_related_only=events.hides_unpublished)
        if progress:
            progress(len(chunk))


def _versions_chunks(versions, actor_names, progress):
    """`read_chunks` of the events' versions at a moment (asof.EventVersions): their parts as they stood
    then, read by `asof.events_then`; two queries more a chunk, for the types (and actors' names)."""
    for chunk in batched(versions.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        events = events_then(chunk, versions.moment, versions.hides_unpublished)
        types = EventType.objects.in_bulk({event.type_id for event in events})
        names = {}
        if actor_names:
            wanted = {p.actor_id for event in events for p in event.participants.all()}
            names = dict(Actor.objects.filter(pk__in=wanted).values_list("id", "name"))
        exported = []
        for event in events:
            event.type = types.get(event.type_id)
            exported.append(
                ExportedEvent(
                    event,
                    [
                        ParticipantRow(p.actor_id, p.role, ActorName(p.actor_id, names.get(p.actor_id, p.actor_id)))
                        for p in event.participants.all()
                    ],
                    [
                        CitationRow(
                            SourceRow(*(getattr(c.source, field) for field in SourceRow._fields)),
                            c.quote,
                            c.claimed_by_id,
                        )
                        for c in event.citations.all()
                    ],
                    [RelationRow(r.to_event_id, r.relation) for r in event.relations.all()],
                    [TagRow(t.slug) for t in event.tags.all()],
                )
            )
        yield exported
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
    binary = False
    """True when `stream` yields bytes (xlsx) rather than text."""
    takes_raw = False
    """True when `stream` takes `raw`: the values as stored, not neutralised against formulas (the CSVs)."""

    def stream(self, events, progress=None) -> Iterator[str]:
        """Yield the export of the queryset `events` (filtered and ordered, not sliced) as text chunks
        (bytes when the format is `binary`)."""
        raise NotImplementedError
