"""Machine-coded events as drafts: the actors found in the gazetteer, the dyad kept, the stored events
each may repeat named, and the drafts written through the dataset import like every other write."""

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from ..choices import Role
from ..dataset import DatasetReader, save_dataset, wait_for_other_imports
from ..matching import candidates_for
from ..models import Actor, Event, EventType, Source, normalize_url
from ..shape import SOURCE_METADATA, cited_source
from .formats import BadRow, acled_state_name

ORIGIN_NAMES = {"gdelt": "GDELT", "polecat": "POLECAT", "acled": "ACLED"}
TITLE_LENGTH = 300


@dataclass
class Outcome:
    """What an import of a machine-coded file did, or would do (a dry run)."""

    drafts: list = field(default_factory=list)  # dataset records of the new drafts
    repeats: dict = field(default_factory=dict)  # draft id -> ids of stored events it may repeat
    already: list = field(default_factory=list)  # ids imported before: left as they are
    bad: list = field(default_factory=list)  # BadRow
    outside: int = 0  # rows whose codes fall outside Chancery's taxonomy
    unresolved: int = 0  # rows with a side the gazetteer does not know, or a single side
    other_dyad: int = 0  # rows of other actors than those chosen

    def __str__(self):
        return (
            f"{len(self.drafts)} drafts, {len(self.already)} imported before, {len(self.bad)} bad rows, "
            f"{self.outside} outside the taxonomy, {self.unresolved} with a side not in the gazetteer, "
            f"{self.other_dyad} of other actors"
        )


class Gazetteer:
    """The states of the gazetteer, by ISO alpha-3 code and by name (ACLED names its actors)."""

    def __init__(self):
        self.by_country, self.by_name = {}, {}
        for pk, country, name, aliases in (
            Actor.objects.filter(kind=Actor.Kind.STATE).exclude(country="").order_by("id")
            .values_list("id", "country", "name", "aliases")
        ):  # fmt: skip
            if country:
                self.by_country.setdefault(country, pk)
            for label in [name, *(aliases or [])]:
                self.by_name.setdefault(label.casefold(), pk)

    def actor(self, side):
        if side.country:
            return self.by_country.get(side.country)
        name = acled_state_name(side.name) or side.name
        return self.by_name.get(name.casefold()) if name else None


def event_id(coded):
    """A stable id from the dataset's own id: importing the same row again finds it."""
    slug = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", coded.source_id.lower())).strip("-")
    return f"{coded.origin}-{slug}"[:100]


def collect(rows, chosen=(), progress=None):
    """Read `rows` (formats.read) into an Outcome: the drafts to make, and why the other rows are left out.

    `chosen`: actor ids; with two, only the events of that dyad (in any order); with one, the events
    it takes part in. Rows whose id is stored already are left as they are (a curator may have
    corrected or published them since).
    """
    gazetteer = Gazetteer()
    names = dict(
        Actor.objects.filter(pk__in=set(gazetteer.by_country.values()) | set(chosen)).values_list("id", "name")
    )
    type_names = dict(EventType.objects.values_list("code", "name"))
    outcome, records, seen = Outcome(), [], set()
    for row in rows:
        if progress:
            progress()
        if isinstance(row, BadRow):
            outcome.bad.append(row)
            continue
        if row.type is None:
            outcome.outside += 1
            continue
        if row.url and not _is_url(row.url):
            outcome.bad.append(BadRow(row.where, f"event {row.source_id}: source URL {row.url!r} is not a URL"))
            continue
        actors = [gazetteer.actor(side) for side in row.actors]
        recipients = [gazetteer.actor(side) for side in row.recipients]
        ids = set(actors + recipients)
        if None in ids or not actors or len(ids) < 2:
            outcome.unresolved += 1
            continue
        if chosen and (ids != set(chosen) if len(chosen) > 1 else not set(chosen) <= ids):
            outcome.other_dyad += 1
            continue
        record = _record(row, actors, recipients, names, type_names)
        if record["id"] in seen:
            outcome.bad.append(BadRow(row.where, f"event {row.source_id}: a second row of the same event id"))
            continue
        seen.add(record["id"])
        records.append(record)
    stored = set(Event.objects.filter(pk__in=seen).values_list("pk", flat=True))
    outcome.already = sorted(stored)
    outcome.drafts = [record for record in records if record["id"] not in stored]
    _cite_stored_sources(outcome.drafts)
    for record, candidates in zip(outcome.drafts, candidates_for(outcome.drafts, None, AnonymousUser()), strict=True):
        outcome.repeats[record["id"]] = [candidate.event.pk for candidate in candidates]
    return outcome


def _is_url(text):
    try:
        URLValidator(schemes=("http", "https"))(text)
        normalize_url(text)
    except (ValidationError, ValueError):
        return False
    return len(text) <= Source._meta.get_field("url").max_length


def _record(row, actors, recipients, names, type_names):
    if recipients:
        participants = [{"actor": a, "role": Role.INITIATOR} for a in dict.fromkeys(actors)] + [
            {"actor": r, "role": Role.TARGET} for r in dict.fromkeys(recipients) if r not in actors
        ]
    else:
        participants = [{"actor": a, "role": Role.PARTICIPANT} for a in dict.fromkeys(actors)]
    sides = " – ".join(names.get(p["actor"], p["actor"]) for p in participants)
    code = " / ".join(value for value in row.codes.values() if value)
    title = f"{sides}: {type_names.get(row.type, row.type)} ({ORIGIN_NAMES[row.origin]} {code})".replace("\x00", "")
    sources = []
    if row.url:
        sources.append(
            {"url": row.url, "title": "", "publisher": "", "published": None, "quote": "", "claimed_by": None}
        )
    return {
        "id": event_id(row),
        "title": title[:TITLE_LENGTH],
        "summary": row.note.replace("\x00", ""),  # PostgreSQL stores no NUL
        "type": row.type,
        "status": "occurred",
        "start": row.start,
        "start_precision": row.precision,
        "end": None,
        "end_precision": None,
        "participants": participants,
        "location": None,
        "sources": sources,
        "tags": sorted({f"origin-{row.origin}", *row.tags}),
        "related": [],
        "review_state": "draft",
    }


def _cite_stored_sources(records):
    """A source already stored is cited as it is stored: an import never rewrites a source's title or
    publisher that other events show."""
    urls = {normalize_url(s["url"]) for record in records for s in record["sources"]}
    stored = {
        source.url: cited_source(source.url, {key: getattr(source, key) for key in SOURCE_METADATA}, "", None)
        for source in Source.objects.filter(url__in=urls)
    }
    for record in records:
        record["sources"] = [stored.get(normalize_url(citation["url"]), citation) for citation in record["sources"]]


@transaction.atomic
def save(outcome, reason):
    """Write the drafts, after any import under way, through the dataset reader (all or nothing)."""
    wait_for_other_imports()
    stored = set(Event.objects.filter(pk__in=[r["id"] for r in outcome.drafts]).values_list("pk", flat=True))
    records = [record for record in outcome.drafts if record["id"] not in stored]
    if not records:
        return None
    reader = DatasetReader({"events": records}).read()
    return save_dataset(reader, user=None, reason=reason)
