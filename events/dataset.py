"""The dataset file: reading, checking, importing and writing it.

A dataset is `{"actors": [ACTOR...], "events": [EVENT...]}` (docs/dataset.md).
Every way an event enters Chancery (a file, the API, the admin's import)
goes through `DatasetReader`, which applies the models' own validation and
reports each problem with the record's id and the field. Nothing is written
unless the whole input is clean.
"""

import io
import json
import re
import sys
import zlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connections, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from . import dates
from .choices import RELATIONS, ROLES
from .models import (
    Actor,
    Citation,
    Event,
    EventRelation,
    EventType,
    Participant,
    ReviewState,
    Source,
    Tag,
    normalize_url,
    parent_chain_loops,
    validate_slug_id,
)
from .postgres import copy_line
from .shape import EVENT_KEYS, SOURCE_KEYS, SOURCE_METADATA, cited_source, shaped_event

validate_source_url = URLValidator(schemes=["http", "https"])

ACTOR_KEYS = ("id", "name", "kind", "country", "aliases", "parent", "wikidata")
# Fields the API adds to an event for reading; a file holding them imports as if they were absent.
READ_ONLY_EVENT_KEYS = frozenset({"created_at", "updated_at", "incoming"})

# Model fields and the dataset fields they are written as.
EVENT_FIELD_NAMES = {
    "location_name": "location.name",
    "location_country": "location.country",
    "location_lat": "location.lat",
    "location_lon": "location.lon",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which record, which field, what."""

    record: str
    field: str
    message: str

    def __str__(self):
        return f"{self.record}: {self.field}: {self.message}"


class DatasetError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class WriteConflict(DatasetError):
    """The database refused a row that another writer stored at the same moment (an event of the same id
    that an import and an API client both found new): nothing was written; writing again will do."""


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


# ---------------------------------------------------------------- the dataset shape


def actor_to_dict(actor):
    return {
        "id": actor.id,
        "name": actor.name,
        "kind": actor.kind,
        "country": actor.country or None,
        "aliases": list(actor.aliases),
        "parent": actor.parent_id,
        "wikidata": actor.wikidata or None,
    }


def source_to_dict(citation):
    source = citation.source
    metadata = {key: getattr(source, key) for key in SOURCE_METADATA}
    return cited_source(source.url, metadata, citation.quote, citation.claimed_by_id)


def content_changes(before, after):
    """The keys of an event's dataset shape whose values differ from `before` to `after`, the review
    state aside: what readers see of the event that a write changes."""
    return [key for key in EVENT_KEYS if key != "review_state" and before.get(key) != after.get(key)]


def event_to_dict(event):
    """An event in the dataset shape; needs `Event.objects.with_documents()` or `.with_dataset_relations()`."""
    document = getattr(event, "document", None)
    if document is not None:
        return json.loads(document)
    return shaped_event(
        event,
        participants=[(p.actor_id, p.role) for p in event.participants.all()],
        sources=[source_to_dict(citation) for citation in event.citations.all()],
        tags=[tag.slug for tag in event.tags.all()],
        related=[(r.to_event_id, r.relation) for r in event.relations.all()],
    )


# ---------------------------------------------------------------- reading


MAX_DEPTH = 32
"""How deeply lists and objects may nest in a record that comes in (an event or an actor, in a
dataset file or an API body), the record itself being the first level: an event needs three.
Deeper input is refused before anything descends into it: Python's JSON parser, and whatever
walks a value by recursion, stop at the interpreter's recursion limit (about a thousand levels,
fewer in a deep call stack) with a RecursionError."""

TOO_DEEP = f"lists and objects nested more than {MAX_DEPTH} levels deep"
NOT_UNICODE = "not Unicode text: a lone surrogate (a \\ud800 to \\udfff escape without its pair)"
SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text):
    """`text` with its lone surrogates written as escapes ("\\ud800"): what a page, a log line or a
    UTF-8 response can show of a key or an id that cannot be stored."""
    if not SURROGATE.search(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _path(trail):
    """'sources[0].title' from the trail (((None, 'sources'), 0), 'title')."""
    steps = []
    while trail is not None:
        trail, step = trail
        steps.append(f"[{step}]" if isinstance(step, int) else f".{printable(step)}")
    return "".join(reversed(steps)).removeprefix(".")


def unreadable(value, depth=1):
    """[(path, message)] of what in `value` (parsed JSON, at nesting `depth`) nothing may store or
    descend into: text or keys holding lone surrogates, which JSON's escapes can write ("\\ud800")
    but no UTF-8 database, page or response can hold, and lists or objects nested deeper than
    MAX_DEPTH. The walk keeps its own stack: any depth the parser returned is safe to walk."""
    if isinstance(value, str):
        return [("", NOT_UNICODE)] if SURROGATE.search(value) else []
    problems = []
    stack = [(value, depth, None)] if isinstance(value, dict | list) else []
    while stack:
        item, level, trail = stack.pop()
        if level > MAX_DEPTH:
            problems.append((_path(trail), TOO_DEEP))
            continue
        nested = []
        for key, child in item.items() if isinstance(item, dict) else enumerate(item):
            # isascii() first: most text is ASCII, and it is many times faster than the search.
            if (isinstance(child, str) and not child.isascii() and SURROGATE.search(child)) or (
                isinstance(key, str) and not key.isascii() and SURROGATE.search(key)
            ):
                problems.append((_path((trail, key)), NOT_UNICODE))
            elif isinstance(child, dict | list):
                nested.append((child, level + 1, (trail, key)))
        stack.extend(reversed(nested))  # in the document's order
    return problems


def _nesting_place(text):
    """' at line L, column C' of the bracket opening the first list or object nested deeper than MAX_DEPTH."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth, line, line_start = 0, 1, 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]', text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f" at line {line}, column {token.start() - line_start + 1}"
        elif char in "]}":
            depth -= 1
        elif char == "\n":
            line, line_start = line + 1, token.end()
    return ""


def parse_json(text):
    """The document in `text` (str or bytes); a DatasetError naming the place where it breaks."""
    try:
        return json.loads(text)
    except RecursionError:
        raise DatasetError([Problem("file", "json", f"not readable: {TOO_DEEP}{_nesting_place(text)}")]) from None
    except UnicodeDecodeError as exc:
        raise DatasetError([Problem("file", "json", f"not UTF-8 text: {exc.reason} at byte {exc.start}")]) from None
    except json.JSONDecodeError as exc:
        raise DatasetError(
            [
                Problem(
                    "file",
                    "json",
                    f"not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}",
                )
            ]
        ) from None


def _describe_choices(model, field_name):
    choices = model._meta.get_field(field_name).choices
    return ", ".join(str(value) for value, _ in choices) if choices else ""


def _messages(model, error):
    """A model ValidationError as {field: message}, saying the allowed values of choice fields."""
    result = {}
    for field_name, messages in error.message_dict.items():
        text = " ".join(messages)
        if field_name != "__all__" and any(e.code == "invalid_choice" for e in error.error_dict.get(field_name, [])):
            text = f"not one of {_describe_choices(model, field_name)}"
        result[field_name] = text
    return result


class _Record:
    """Collects the problems of one record."""

    def __init__(self, kind, raw, index):
        self.raw = raw
        self.id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        self.label = f"{kind} {printable(self.id)}" if self.id else f"{kind} #{index + 1} (no id)"
        self.problems = []

    def add(self, field_name, message):
        self.problems.append(Problem(self.label, field_name, message))

    def text(self, key, required=False, default=""):
        value = self.raw.get(key, default)
        if value is None and not required:
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            blank = value is None or (isinstance(value, str) and not value.strip())
            self.add(key, "required" if blank else f"expected text, got {json.dumps(value)[:60]}")
            return None
        return value

    def listing(self, key):
        value = self.raw.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(key, "expected a list")
            return []
        return value


@dataclass
class CleanEvent:
    """An event record checked and normalized: the model instance and its related rows."""

    event: Event
    participants: list
    citations: list  # (url, quote, claimed_by)
    tags: list
    related: list  # (event id, relation)
    data: dict  # the record in the dataset shape, as `event_to_dict` would write it


def _free_text(kind, raw):
    """(field, value) of each free text of a record: the values no slug, choice or date rule checks."""
    if kind == "actor":
        yield "name", raw.get("name")
        aliases = raw.get("aliases")
        yield from ((f"aliases[{i}]", alias) for i, alias in enumerate(aliases if isinstance(aliases, list) else []))
        return
    yield from (("title", raw.get("title")), ("summary", raw.get("summary")))
    if isinstance(raw.get("location"), dict):
        yield "location.name", raw["location"].get("name")
    sources = raw.get("sources")
    for i, source in enumerate(sources if isinstance(sources, list) else []):
        if isinstance(source, dict):
            for key in ("url", "title", "publisher", "archive_url", "quote"):
                yield f"sources[{i}].{key}", source.get(key)


def _nul_problems(kind, records):
    """NUL characters in free text: PostgreSQL cannot store them, so they are refused on every database."""
    for index, raw in enumerate(records):
        if isinstance(raw, dict):
            for where, value in _free_text(kind, raw):
                if isinstance(value, str) and "\x00" in value:
                    yield Problem(_Record(kind, raw, index).label, where, "NUL characters are not allowed")


def _unreadable_problems(doc):
    """The Problems of `unreadable` in a dataset document, each in its record where it has one."""
    problems = []
    for key, value in doc.items():
        if key in ("actors", "events") and isinstance(value, list):
            kind = key.removesuffix("s")
            for index, raw in enumerate(value):
                found = unreadable(raw)
                if found:
                    label = _Record(kind, raw, index).label
                    problems += [Problem(label, path or kind, message) for path, message in found]
        else:
            problems += [Problem("file", path, message) for path, message in unreadable({key: value})]
    return problems


class DatasetReader:
    """Checks a dataset document against the models and the database, all at once.

    `known_event_ids` lets the API name events that exist apart from the
    ones in the document (an event's own id, for instance).
    """

    def __init__(self, document):
        self.document = document
        self.problems = []
        self.actors = []  # Actor instances, unsaved
        self.events = []  # CleanEvent
        self.sources = {}  # normalized url -> metadata dict
        self._source_seen_in = {}

    # -- entry points

    def read(self):
        doc = self.document
        if not isinstance(doc, dict):
            raise DatasetError([Problem("file", "json", 'expected an object {"actors": [...], "events": [...]}')])
        # First, before any of it is compared, looked up or shown: what no database or page can hold.
        problems = _unreadable_problems(doc)
        if problems:
            raise DatasetError(problems)
        unknown = sorted(set(doc) - {"actors", "events"})
        if unknown:
            self.problems.append(
                Problem("file", unknown[0], f"unknown key(s) {unknown}: a dataset has actors and events")
            )
        actors = doc.get("actors", [])
        events = doc.get("events", [])
        for key, value in (("actors", actors), ("events", events)):
            if not isinstance(value, list):
                raise DatasetError([Problem("file", key, "expected a list")])
        self._check_duplicates("actor", actors)
        self._check_duplicates("event", events)
        self.problems += [*_nul_problems("actor", actors), *_nul_problems("event", events)]
        file_actor_ids = {a["id"] for a in actors if isinstance(a, dict) and isinstance(a.get("id"), str)}
        file_event_ids = {e["id"] for e in events if isinstance(e, dict) and isinstance(e.get("id"), str)}
        self._known_actors = file_actor_ids | self._existing(
            Actor, self._referenced_actors(actors, events) - file_actor_ids
        )
        self._known_events = file_event_ids | self._existing(Event, self._referenced_events(events) - file_event_ids)
        self._known_types = set(EventType.objects.values_list("code", flat=True))
        for index, raw in enumerate(actors):
            self._read_actor(raw, index)
        self._check_actor_loops()
        for index, raw in enumerate(events):
            self._read_event(raw, index)
        if self.problems:
            raise DatasetError(self.problems)
        return self

    # -- helpers

    def _check_duplicates(self, kind, records):
        seen = set()
        for raw in records:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                if raw["id"] in seen:
                    self.problems.append(Problem(f"{kind} {raw['id']}", "id", f"the {kind} id appears more than once"))
                seen.add(raw["id"])

    @staticmethod
    def _existing(model, ids):
        ids = {i for i in ids if isinstance(i, str)}
        return set(model.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()

    @staticmethod
    def _referenced_actors(actors, events):
        # A list, not a set: a malformed file may hold unhashable values here, reported later field by field.
        ids = [a.get("parent") for a in actors if isinstance(a, dict)]
        for e in events:
            if not isinstance(e, dict):
                continue
            for p in e.get("participants") if isinstance(e.get("participants"), list) else []:
                if isinstance(p, dict):
                    ids.append(p.get("actor"))
            for s in e.get("sources") if isinstance(e.get("sources"), list) else []:
                if isinstance(s, dict):
                    ids.append(s.get("claimed_by"))
        return {i for i in ids if isinstance(i, str)}

    @staticmethod
    def _referenced_events(events):
        return {
            r.get("event")
            for e in events
            if isinstance(e, dict) and isinstance(e.get("related"), list)
            for r in e["related"]
            if isinstance(r, dict) and isinstance(r.get("event"), str)
        }

    # -- actors

    def _read_actor(self, raw, index):
        record = _Record("actor", raw, index)
        if not isinstance(raw, dict):
            record.add("actor", "expected an object")
            self.problems += record.problems
            return
        for key in sorted(set(raw) - set(ACTOR_KEYS)):
            record.add(key, f"unknown field (an actor has {', '.join(ACTOR_KEYS)})")
        actor_id = record.text("id", required=True)
        name = record.text("name", required=True)
        kind = record.text("kind", required=True)
        country = record.text("country")
        wikidata = record.text("wikidata")
        aliases = record.listing("aliases")
        parent = raw.get("parent")
        if parent is not None and (not isinstance(parent, str) or parent not in self._known_actors):
            record.add("parent", f"unknown actor {parent!r}: not in the file nor in the database")
            parent = None
        # The parent is set after the model's own checks: the file's loops are checked below, all at once.
        actor = Actor(id=actor_id, name=name, kind=kind, country=country, aliases=aliases, wikidata=wikidata)
        try:
            actor.full_clean(exclude={"parent"}, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field_name, message in _messages(Actor, exc).items():
                if record.problems and field_name in {p.field for p in record.problems}:
                    continue
                record.add(field_name, message)
        actor.parent_id = parent
        self.problems += record.problems
        if not record.problems:
            self.actors.append(actor)

    def _check_actor_loops(self):
        parents = {a.id: a.parent_id for a in self.actors}

        def parent_of(actor_id):
            if actor_id in parents:
                return parents[actor_id]
            return Actor.objects.filter(pk=actor_id).values_list("parent_id", flat=True).first()

        for actor in self.actors:
            if parent_chain_loops(actor.id, actor.parent_id, parent_of):
                self.problems.append(
                    Problem(f"actor {actor.id}", "parent", f"{actor.parent_id!r} makes the parent chain loop back")
                )

    # -- events

    def _read_event(self, raw, index):
        record = _Record("event", raw, index)
        if not isinstance(raw, dict):
            record.add("event", "expected an object")
            self.problems += record.problems
            return
        for key in sorted(set(raw) - set(EVENT_KEYS) - READ_ONLY_EVENT_KEYS):
            record.add(key, f"unknown field (an event has {', '.join(EVENT_KEYS)})")
        event = Event(
            id=record.text("id", required=True),
            title=record.text("title", required=True),
            summary=record.text("summary"),
            status=record.text("status", default=Event.Status.OCCURRED),
            review_state=record.text("review_state", default=Event.ReviewState.DRAFT),
        )
        type_code = record.text("type", required=True)
        if type_code is not None and type_code not in self._known_types:
            record.add("type", f"unknown type code {type_code!r} (see /api/v1/event-types/)")
        event.type_id = type_code
        event.start, event.start_precision = self._read_date(record, "start", required=True)
        event.end, event.end_precision = self._read_date(record, "end")
        self._read_location(record, event)
        participants = self._read_participants(record)
        citations = self._read_sources(record)
        tags = self._read_tags(record)
        related = self._read_related(record, event.id)
        try:
            event.full_clean(exclude={"type", "span_end"}, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            reported = {p.field for p in record.problems}
            # A date and its precision are read together: when one is unreadable, the other's complaint is its echo.
            reported |= {f"{name}_precision" for name in reported}
            reported |= {name.removesuffix("_precision") for name in reported}
            for field_name, message in _messages(Event, exc).items():
                name = EVENT_FIELD_NAMES.get(field_name, field_name)
                if name not in reported and field_name not in reported:
                    record.add(name, message)
        problem = Event.publication_problem(event.review_state, len(citations))
        # A source given but refused is already reported; "needs a source" would only echo it.
        if problem and not any(p.field.startswith("sources") for p in record.problems):
            record.add("sources", problem)
        self.problems += record.problems
        if not record.problems:
            clean = CleanEvent(event, participants, citations, tags, related, data=None)
            clean.data = self._shape(clean)
            self.events.append(clean)

    def _read_date(self, record, key, required=False):
        value = record.raw.get(key)
        precision = record.raw.get(f"{key}_precision")
        if value is None:
            if required:
                record.add(key, "required")
            elif precision not in (None, ""):
                record.add(f"{key}_precision", f"given without {key}: give both or neither")
            return None, ""
        try:
            parsed, given = dates.parse_partial_date(value)
        except ValueError as exc:
            record.add(key, str(exc))
            return None, ""
        if precision is None:
            return parsed, given
        if precision not in dates.PRECISIONS:
            record.add(f"{key}_precision", f"not one of {', '.join(dates.PRECISIONS)}")
            return None, ""
        if dates.precision_is_finer(precision, given):
            record.add(key, f"{value!r} is not precise to the {precision} that {key}_precision says")
            return None, ""
        return parsed, precision

    def _read_location(self, record, event):
        location = record.raw.get("location")
        if location is None:
            return
        if not isinstance(location, dict):
            record.add("location", "expected null or an object {name, country, lat, lon}")
            return
        for key in sorted(set(location) - {"name", "country", "lat", "lon"}):
            record.add(f"location.{key}", "unknown field (a location has name, country, lat, lon)")
        name = location.get("name")
        if not isinstance(name, str) or not name.strip():
            record.add("location.name", "a location needs a name")
        event.location_name = name if isinstance(name, str) else ""
        country = location.get("country")
        if country is not None and not isinstance(country, str):
            record.add("location.country", "expected an alpha-3 code or null")
            country = None
        event.location_country = country or ""
        for axis in ("lat", "lon"):
            value = location.get(axis)
            # Python's json reads NaN, Infinity and integers too large for a float: none is a coordinate.
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= sys.float_info.max
            ):
                record.add(f"location.{axis}", f"expected a number or null, got {json.dumps(value)[:40]}")
                value = None
            # + 0.0 makes -0.0 plain 0.0: the same point, stored alike on every database (SQLite has no -0.0).
            setattr(event, f"location_{axis}", None if value is None else float(value) + 0.0)

    def _read_participants(self, record):
        result, seen = [], set()
        for i, item in enumerate(record.listing("participants")):
            where = f"participants[{i}]"
            if not isinstance(item, dict):
                record.add(where, 'expected {"actor": ID, "role": ROLE}')
                continue
            actor, role = item.get("actor"), item.get("role")
            ok = True
            if not isinstance(actor, str) or actor not in self._known_actors:
                record.add(f"{where}.actor", f"unknown actor {actor!r}: not in the file nor in the database")
                ok = False
            if role not in ROLES:
                record.add(f"{where}.role", f"{role!r} is not one of {', '.join(ROLES)}")
                ok = False
            if ok and (actor, role) in seen:
                record.add(f"{where}.actor", f"{actor!r} is already a participant as {role}")
                ok = False
            if ok:
                seen.add((actor, role))
                result.append((actor, role))
        return result

    def _read_sources(self, record):
        result, urls = [], set()
        for i, item in enumerate(record.listing("sources")):
            where = f"sources[{i}]"
            if not isinstance(item, dict):
                record.add(where, "expected an object {url, title, publisher, published, quote, claimed_by}")
                continue
            for key in sorted(set(item) - set(SOURCE_KEYS)):
                record.add(f"{where}.{key}", f"unknown field (a source has {', '.join(SOURCE_KEYS)})")
            url = item.get("url")
            try:
                if not isinstance(url, str):
                    raise ValidationError("")
                validate_source_url(url)
                url = normalize_url(url)
            except (ValidationError, ValueError):  # ValueError: a port beyond 65535
                record.add(f"{where}.url", f"{url!r} is not an http(s) URL")
                continue
            if url in urls:
                record.add(f"{where}.url", f"{url} is cited twice by this event")
                continue
            urls.add(url)
            metadata = self._read_source_metadata(record, where, item)
            quote = item.get("quote") if item.get("quote") is not None else ""
            if not isinstance(quote, str):
                record.add(f"{where}.quote", "expected text")
            claimed_by = item.get("claimed_by")
            if claimed_by is not None and (not isinstance(claimed_by, str) or claimed_by not in self._known_actors):
                record.add(f"{where}.claimed_by", f"unknown actor {claimed_by!r}: not in the file nor in the database")
            if metadata is None:
                continue
            seen = self.sources.get(url)
            if seen is not None and seen != metadata:
                differing = [k for k in SOURCE_METADATA if seen[k] != metadata[k]]
                record.add(
                    f"{where}.{differing[0]}",
                    f"the source {url} has a different {', '.join(differing)} in event {self._source_seen_in[url]}: "
                    f"{seen[differing[0]]!r} there, {metadata[differing[0]]!r} here",
                )
                continue
            self.sources.setdefault(url, metadata)
            self._source_seen_in.setdefault(url, record.id)
            result.append((url, quote, claimed_by))
        return result

    def _read_source_metadata(self, record, where, item):
        metadata, ok = {"url": item["url"]}, True
        for key in ("title", "publisher", "language", "archive_url"):
            value = item.get(key)
            if value is None:
                value = ""
            if not isinstance(value, str):
                record.add(f"{where}.{key}", "expected text")
                ok = False
            metadata[key] = value
        published = item.get("published")
        metadata["published"] = None
        if published is not None:
            try:
                metadata["published"], precision = dates.parse_partial_date(published)
                if precision != dates.DAY:
                    raise ValueError
            except ValueError:
                record.add(f"{where}.published", f"{published!r} is not an ISO date (YYYY-MM-DD) or null")
                ok = False
        source = Source(**{k: v for k, v in metadata.items() if k != "url"}, url=normalize_url(item["url"]))
        try:
            source.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field_name, message in _messages(Source, exc).items():
                record.add(f"{where}.{field_name}", message)
                ok = False
        del metadata["url"]
        return metadata if ok else None

    def _read_tags(self, record):
        tags = []
        for i, tag in enumerate(record.listing("tags")):
            try:
                if not isinstance(tag, str):
                    raise ValidationError("")
                validate_slug_id(tag)
            except ValidationError:
                record.add(f"tags[{i}]", f"{tag!r} is not a tag (lower-case words joined by hyphens)")
                continue
            if len(tag) > Tag._meta.get_field("slug").max_length:
                record.add(f"tags[{i}]", f"a tag has at most {Tag._meta.get_field('slug').max_length} characters")
                continue
            if tag in tags:
                record.add(f"tags[{i}]", f"{tag!r} is listed twice")
                continue
            tags.append(tag)
        return tags

    def _read_related(self, record, event_id):
        result = []
        for i, item in enumerate(record.listing("related")):
            where = f"related[{i}]"
            if not isinstance(item, dict):
                record.add(where, 'expected {"event": ID, "relation": RELATION}')
                continue
            target, relation = item.get("event"), item.get("relation")
            if not isinstance(target, str) or target not in self._known_events:
                record.add(f"{where}.event", f"unknown event {target!r}: not in the file nor in the database")
            elif target == event_id:
                record.add(f"{where}.event", "an event cannot relate to itself")
            elif relation not in RELATIONS:
                record.add(f"{where}.relation", f"{relation!r} is not one of {', '.join(RELATIONS)}")
            elif (target, relation) in result:
                record.add(where, f"{relation} {target} is listed twice")
            else:
                result.append((target, relation))
        return result

    def _shape(self, clean):
        """The record as `event_to_dict` writes it, to tell an unchanged event from a changed one."""
        sources = [
            cited_source(url, self.sources[url], quote, claimed_by) for url, quote, claimed_by in clean.citations
        ]
        return shaped_event(clean.event, clean.participants, sources, clean.tags, clean.related)


# ---------------------------------------------------------------- writing to the database

CHUNK = 2000
"""Events written per round: their stored versions are read, compared and written a chunk at a time."""


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

    def __init__(self, user, reason, when):
        self.user_id = user.pk if user is not None else None
        self.reason = reason
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


@transaction.atomic
def save_dataset(reader, user=None, reason="dataset import", progress=None):
    """Write a checked dataset: create what is new, update what changed, leave the rest untouched.

    In bulk, a chunk of events at a time, with a history row for every row created, changed or
    removed. `progress`, if given, is called after each chunk with (events done, events in all).
    In one transaction: rows may point at rows written after them (foreign keys are checked at its end).
    """
    summary = ImportSummary()
    history = _History(user, reason, timezone.now())
    try:
        with transaction.atomic():
            _save_actors(reader.actors, summary, history)
            source_ids = _save_sources(reader.sources, summary, history)
            Tag.objects.bulk_create(
                [Tag(slug=slug) for slug in sorted({t for clean in reader.events for t in clean.tags})],
                ignore_conflicts=True,
                batch_size=CHUNK,
            )
            for start in range(0, len(reader.events), CHUNK):
                chunk = reader.events[start : start + CHUNK]
                _save_events(chunk, source_ids, summary, user, history)
                if progress:
                    progress(start + len(chunk), len(reader.events))
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


def _save_events(chunk, source_ids, summary, user, history):
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
    # New events last: on PostgreSQL the trigger filling their search columns (migration 0007) then finds
    # their participants and citations written, and each event row is written once. Written first, each
    # was rewritten by the participants' and citations' triggers: the import took twice as long.
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


# ---------------------------------------------------------------- writing a file


def _indented(item, depth=2):
    text = json.dumps(item, ensure_ascii=False, indent=1)
    return "\n".join(" " * depth + line for line in text.split("\n"))


def write_dataset(out, actors, events, chunk_size=2000, progress=None):
    """Write a dataset file to the text stream `out`, item by item, in constant memory.

    The output is exactly `json.dumps(document, ensure_ascii=False, indent=1)`
    with a final newline. `progress`, if given, is called with each event written.
    """
    out.write('{\n "actors": ')
    _write_list(out, (actor_to_dict(a) for a in actors.order_by("id").iterator(chunk_size=chunk_size)))
    out.write(',\n "events": ')
    events = events.with_dataset_relations().order_by("start", "id").iterator(chunk_size=chunk_size)
    count = _write_list(out, (event_to_dict(e) for e in events), progress)
    out.write("\n}\n")
    return count


def _write_list(out, items, progress=None):
    count = 0
    for item in items:
        out.write(("," if count else "[") + "\n" + _indented(item))
        count += 1
        if progress:
            progress(item)
    out.write("\n ]" if count else "[]")
    return count
