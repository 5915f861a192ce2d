"""Reading a dataset document: every record checked against the models and the database, all at once.

Every way an event enters Chancery (a file, the API, the admin's import) goes through `DatasetReader`,
which applies the models' own validation and reports each problem with the record's id and the field."""

import json
import sys
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .. import dates
from ..choices import RELATIONS, ROLES
from ..models import (
    Actor,
    Event,
    EventType,
    Source,
    Tag,
    normalize_url,
    parent_chain_loops,
    validate_slug_id,
)
from ..shape import EVENT_KEYS, JSON_FIELDS, SOURCE_KEYS, SOURCE_METADATA, cited_source, shaped_event
from .files import printable, unreadable
from .problems import DatasetError, Problem
from .records import ACTOR_KEYS

validate_source_url = URLValidator(schemes=["http", "https"])
# A source's URL is checked with validate_source_url, then stored normalized: of its model field's
# validators, only the others (its length) are left to run, not a second URLValidator.
SOURCE_URL_VALIDATORS = [v for v in Source._meta.get_field("url").validators if not isinstance(v, URLValidator)]


# Fields the API adds to an event for reading; a file holding them imports as if they were absent.
READ_ONLY_EVENT_KEYS = frozenset({"created_at", "updated_at", "incoming"})

# The text fields of the shape (events/shape.py `text`) that the reader has no rule of its own for: a field
# added there is read as its model field allows.
OWN_RULES = {"id", "title", "summary", "status", "review_state", "type", "start_precision", "end_precision"}
PLAIN_FIELDS = tuple(field for field in JSON_FIELDS if field.attribute and field.key not in OWN_RULES)

# Model fields and the dataset fields they are written as.
EVENT_FIELD_NAMES = {
    "location_name": "location.name",
    "location_country": "location.country",
    "location_lat": "location.lat",
    "location_lon": "location.lon",
}


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
        for field in PLAIN_FIELDS:
            model_field = Event._meta.get_field(field.attribute)
            value = record.text(field.key, required=not model_field.blank, default=model_field.get_default())
            setattr(event, field.attribute, value)
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
            metadata = self._read_source_metadata(record, where, item, url)
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

    def _read_source_metadata(self, record, where, item, url):
        """The source's metadata, checked; `url` is its URL, checked and normalized."""
        metadata, ok = {}, True
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
        try:
            for validate in SOURCE_URL_VALIDATORS:
                validate(url)
        except ValidationError as exc:
            record.add(f"{where}.url", " ".join(exc.messages))
            ok = False
        source = Source(**metadata, url=url)
        try:
            source.full_clean(exclude={"url"}, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field_name, message in _messages(Source, exc).items():
                record.add(f"{where}.{field_name}", message)
                ok = False
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
