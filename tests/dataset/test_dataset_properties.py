"""Properties of the dataset file: any valid file round-trips byte for byte; any bad one is refused whole.

Hypothesis writes random valid dataset documents in the canonical form (the one
`export_dataset` writes): actors of every kind with countries, aliases, parents
and Wikidata ids; sources shared between events; events of every type code,
status and review state, with day, month or year precision starts and ends,
locations, tags, participants in every role, citations with quotes and
claimants, and relations between the generated events.

- `import_dataset` of such a file into an empty database, then
  `export_dataset`, gives back the same bytes.
- The same file with one random corruption (`CORRUPTIONS`: a bad date, an
  unknown reference, a duplicate id, a wrong JSON type, a NUL character, ...)
  is refused: the command exits non-zero naming the record (its id, or its
  place in the file) and the field, and every row of every table, history
  included, is as it was. Half the time the valid file was imported first, and
  the bad one also retitles every event, so that a partial import would show.

Each example runs in one transaction rolled back at its end. HYPOTHESIS_EXAMPLES
sets the number of random round trips (default 60); every kind of corruption
is tried on each run, with a twentieth of that number of examples each (at
least one). With CI set the run is derandomized, so CI is reproducible.
"""

import copy
import datetime
import importlib
import io
import json
import os

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import dates
from events.countries import COUNTRIES
from events.models import Actor, RelationKind, ReviewState, Role, Status

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

# Every code the migrations bring, not only the contract's list.
TYPES = [row[0] for row in importlib.import_module("events.migrations.0002_taxonomy").TAXONOMY]
KINDS = Actor.Kind.values
ROLES = Role.values
STATUSES = Status.values
REVIEW_STATES = ReviewState.values
RELATIONS = RelationKind.values
PRECISIONS = dates.PRECISIONS
ROLE_ORDER = {role: rank for rank, role in enumerate(ROLES)}
FIRST_DAY, LAST_DAY = datetime.date(1000, 1, 1), datetime.date(2999, 12, 31)

# ---------------------------------------------------------------- strategies: valid records

# Any text a person may type, in any script, but no lone surrogate (not UTF-8) and no NUL (not storable).
TEXT_CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def texts(min_size=0, max_size=40):
    return st.text(TEXT_CHARACTERS, min_size=min_size, max_size=max_size)


def names(max_size=40):
    """Required text: something besides white space."""
    return texts(1, max_size).filter(lambda text: text.strip())


WORDS = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)
SLUGS = st.tuples(WORDS, st.lists(st.tuples(st.sampled_from("-_"), WORDS), max_size=3)).map(
    lambda drawn: drawn[0] + "".join(sep + word for sep, word in drawn[1])
)
TAG_SLUGS = st.lists(WORDS, min_size=1, max_size=3).map("-".join)
COUNTRY_CODES = st.sampled_from(sorted(COUNTRIES))
WIKIDATA = st.integers(1, 10**9).map(lambda number: f"Q{number}")
LANGUAGES = st.sampled_from(["en", "ru", "zh-Hant", "pt-BR", "ara"])


def first_of_period(day, precision):
    if precision == dates.YEAR:
        return datetime.date(day.year, 1, 1)
    if precision == dates.MONTH:
        return day.replace(day=1)
    return day


@st.composite
def actor_records(draw, actor_ids):
    """Actors for `actor_ids`, each parent earlier in a random order than its child: no loops."""
    order = draw(st.permutations(actor_ids))
    actors = []
    for position, actor_id in enumerate(order):
        parent = draw(st.none() | st.sampled_from(order[:position])) if position else None
        actors.append(
            {
                "id": actor_id,
                "name": draw(names()),
                "kind": draw(st.sampled_from(KINDS)),
                "country": draw(st.none() | COUNTRY_CODES),
                "aliases": draw(st.lists(names(20), unique=True, max_size=3)),
                "parent": parent,
                "wikidata": draw(st.none() | WIKIDATA),
            }
        )
    return sorted(actors, key=lambda actor: actor["id"])


@st.composite
def source_pool(draw):
    """Sources by normalized URL, with the metadata that belongs to each wherever it is cited."""
    count = draw(st.integers(1, 4))
    hosts = draw(st.lists(WORDS, min_size=count, max_size=count))
    pool = {}
    for number, host in enumerate(hosts):
        url = f"https://{host}.example/{draw(SLUGS)}/{number}" + draw(st.sampled_from(["", "?page=2"]))
        pool[url] = {
            "title": draw(texts(max_size=60)),
            "publisher": draw(texts(max_size=20)),
            "published": draw(st.none() | st.dates(FIRST_DAY, LAST_DAY).map(datetime.date.isoformat)),
            "language": draw(st.none() | LANGUAGES),
            "archive_url": draw(st.none() | st.just(f"https://web.archive.org/web/2025/{url}")),
        }
    return pool


@st.composite
def dated(draw):
    """(start, start_precision, end, end_precision) as written, and the start's first day."""
    start_precision = draw(st.sampled_from(PRECISIONS))
    some_day = draw(st.dates(FIRST_DAY, LAST_DAY))
    start = first_of_period(some_day, start_precision)
    end_text = end_precision = None
    if draw(st.booleans()):
        end_precision = draw(st.sampled_from(PRECISIONS))
        # Any end whose period reaches the start's first day: a month end may begin before a day start.
        end = first_of_period(draw(st.dates(start, LAST_DAY)), end_precision)
        end_text = dates.format_partial_date(end, end_precision)
    return (dates.format_partial_date(start, start_precision), start_precision, end_text, end_precision), start


@st.composite
def documents(draw, min_actors=1, min_events=0, max_actors=5, max_events=6):
    """A valid dataset document, written as the export writes it."""
    actor_ids = draw(st.lists(SLUGS, unique=True, min_size=min_actors, max_size=max_actors))
    actors = draw(actor_records(actor_ids))
    event_ids = draw(
        st.lists(
            SLUGS.filter(lambda slug: slug not in {"export", "deleted"}),
            unique=True,
            min_size=min_events,
            max_size=max_events,
        )
    )
    pool = draw(source_pool())
    events = []
    for event_id in event_ids:
        (start, start_precision, end, end_precision), first_day = draw(dated())
        participants = draw(
            st.lists(st.tuples(st.sampled_from(actor_ids), st.sampled_from(ROLES)), unique=True, max_size=4)
        )
        cited = draw(st.lists(st.sampled_from(sorted(pool)), unique=True, max_size=3))
        review_state = draw(st.sampled_from(REVIEW_STATES))
        if review_state == ReviewState.PUBLISHED and not cited:
            cited = [sorted(pool)[0]]
        location = None
        if draw(st.booleans()):
            # `+ 0.0` turns -0.0 into 0.0: SQLite stores -0.0 as 0, so a canonical file holds 0.0.
            coordinates = draw(
                st.none()
                | st.tuples(
                    st.floats(-90, 90, allow_nan=False).map(lambda lat: lat + 0.0),
                    st.floats(-180, 180, allow_nan=False).map(lambda lon: lon + 0.0),
                )
            )
            location = {
                "name": draw(names()),
                "country": draw(st.none() | COUNTRY_CODES),
                "lat": coordinates[0] if coordinates else None,
                "lon": coordinates[1] if coordinates else None,
            }
        others = [other for other in event_ids if other != event_id]
        related = draw(
            st.lists(st.tuples(st.sampled_from(others), st.sampled_from(RELATIONS)), unique=True, max_size=3)
            if others
            else st.just([])
        )
        record = {
            "id": event_id,
            "title": draw(names(80)),
            "summary": draw(texts(max_size=80)),
            "type": draw(st.sampled_from(TYPES)),
            "status": draw(st.sampled_from(STATUSES)),
            "start": start,
            "start_precision": start_precision,
            "end": end,
            "end_precision": end_precision,
            "participants": [
                {"actor": actor, "role": role}
                for actor, role in sorted(participants, key=lambda pair: (ROLE_ORDER[pair[1]], pair[0]))
            ],
            "location": location,
            "sources": [
                {
                    "url": url,
                    **pool[url],
                    "quote": draw(texts(max_size=60)),
                    "claimed_by": draw(st.none() | st.sampled_from(actor_ids)),
                }
                for url in sorted(cited)
            ],
            "tags": sorted(draw(st.lists(TAG_SLUGS, unique=True, max_size=3))),
            "related": [{"event": target, "relation": relation} for target, relation in sorted(related)],
            "review_state": review_state,
        }
        events.append((first_day, record))
    return {
        "actors": actors,
        "events": [record for _, record in sorted(events, key=lambda pair: (pair[0], pair[1]["id"]))],
    }


def canonical(document):
    """The bytes `export_dataset` writes for this document."""
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()


# ---------------------------------------------------------------- running the commands


def import_file(path, document=None, data=None):
    """`import_dataset PATH` of the document (or of raw bytes); (error or None, stdout, stderr)."""
    path.write_bytes(data if data is not None else canonical(document))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_dataset", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return exc, out.getvalue(), err.getvalue()
    return None, out.getvalue(), err.getvalue()


def export_bytes(path):
    call_command("export_dataset", str(path), stderr=io.StringIO())
    return path.read_bytes()


def every_row():
    """Every row of every table of the events app, history and many-to-many tables included."""
    models = apps.get_app_config("events").get_models(include_auto_created=True)
    return {model._meta.label: list(model._base_manager.order_by("pk").values_list()) for model in models}


def in_a_rolled_back_transaction(check):
    """Run `check` in a transaction undone at its end: each example starts from the same database."""
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


# ---------------------------------------------------------------- the round trip


@SETTINGS
@given(document=documents(max_actors=4, max_events=5))
def test_any_canonical_file_imports_into_an_empty_database_and_exports_as_the_same_bytes(document, tmp_path):
    def check():
        assert export_bytes(tmp_path / "empty.json") == b'{\n "actors": [],\n "events": []\n}\n'
        error, _, stderr = import_file(tmp_path / "in.json", document)
        assert error is None, stderr

        assert export_bytes(tmp_path / "out.json") == canonical(document)

    in_a_rolled_back_transaction(check)


# ---------------------------------------------------------------- corruptions
#
# Each takes a valid document (two actors and two events at least) and a Hypothesis `draw`,
# corrupts the document in place and returns what the refusal must name: the records (as the
# importer labels them) that may be blamed, and one (record, field) among the problems.


def actor_label(actor):
    return f"actor {actor['id']}"


def event_label(record):
    return f"event {record['id']}"


def pick(draw, items):
    return items[draw(st.integers(0, len(items) - 1))]


def blame(record_label, field):
    return {record_label}, (record_label, field)


def an_event_with(draw, document, key):
    """An event whose `key` list is not empty, giving it one entry if none has."""
    events = document["events"]
    having = [record for record in events if record[key]]
    if having:
        return pick(draw, having)
    record = pick(draw, events)
    others = [other["id"] for other in events if other is not record]
    record[key] = {
        "participants": [{"actor": document["actors"][0]["id"], "role": "host"}],
        "sources": [
            {
                "url": "https://added.example/a",
                "title": "",
                "publisher": "",
                "published": None,
                "language": None,
                "archive_url": None,
                "quote": "",
                "claimed_by": None,
            }
        ],
        "related": [{"event": others[0], "relation": "follows"}],
    }[key]
    return record


def a_date_that_does_not_exist(document, draw):
    record = pick(draw, document["events"])
    year = draw(st.integers(1000, 2999))
    record["start"] = draw(st.sampled_from([f"{year}-02-30", f"{year}-04-31", f"{year}-13", f"{year}-00-10"]))
    record["start_precision"] = None
    return blame(event_label(record), "start")


def a_date_that_is_not_iso(document, draw):
    record = pick(draw, document["events"])
    key = draw(st.sampled_from(["start", "end"]))
    record[key] = draw(st.sampled_from(["18 February 2025", "2025-2-18", "2025-02-18T10:00", "", "25", "２０２５"]))
    record[f"{key}_precision"] = None
    return blame(event_label(record), key)


def a_month_precision_date_not_on_the_first(document, draw):
    record = pick(draw, document["events"])
    day = draw(st.dates(FIRST_DAY, LAST_DAY).filter(lambda day: day.day != 1))
    record.update(start=day.isoformat(), start_precision="month", end=None, end_precision=None)
    return blame(event_label(record), "start")


def a_year_precision_date_not_on_new_years_day(document, draw):
    record = pick(draw, document["events"])
    day = draw(st.dates(FIRST_DAY, LAST_DAY).filter(lambda day: (day.month, day.day) != (1, 1)))
    end = dates.format_partial_date(day, "year")
    record.update(start=end, start_precision="year", end=day.isoformat(), end_precision="year")
    return blame(event_label(record), "end")


def a_date_less_precise_than_its_precision(document, draw):
    record = pick(draw, document["events"])
    record.update(start=f"{draw(st.integers(1000, 2999))}-06", start_precision="day")
    return blame(event_label(record), "start")


def an_end_before_the_start(document, draw):
    record = pick(draw, document["events"])
    start = draw(st.dates(datetime.date(1001, 1, 1), LAST_DAY))
    end = start - datetime.timedelta(days=draw(st.integers(1, 400)))
    record.update(start=start.isoformat(), start_precision="day", end=end.isoformat(), end_precision="day")
    return blame(event_label(record), "end")


def an_end_precision_without_an_end(document, draw):
    record = pick(draw, document["events"])
    record.update(end=None, end_precision=draw(st.sampled_from(PRECISIONS)))
    return blame(event_label(record), "end_precision")


def an_unknown_participant(document, draw):
    record = pick(draw, document["events"])
    record["participants"].append({"actor": "atlantis-nowhere", "role": draw(st.sampled_from(ROLES))})
    return blame(event_label(record), f"participants[{len(record['participants']) - 1}].actor")


def a_participant_twice(document, draw):
    record = an_event_with(draw, document, "participants")
    record["participants"].append(dict(pick(draw, record["participants"])))
    return blame(event_label(record), f"participants[{len(record['participants']) - 1}].actor")


def an_unknown_role(document, draw):
    record = an_event_with(draw, document, "participants")
    index = draw(st.integers(0, len(record["participants"]) - 1))
    record["participants"][index]["role"] = draw(st.sampled_from(["observer", "Host", "", "hosts"]))
    return blame(event_label(record), f"participants[{index}].role")


def an_unknown_parent(document, draw):
    actor = pick(draw, document["actors"])
    actor["parent"] = "atlantis-nowhere"
    return blame(actor_label(actor), "parent")


def a_parent_loop(document, draw):
    first, second = document["actors"][:2]
    first["parent"], second["parent"] = second["id"], first["id"]
    # Their descendants' chains loop too, and may be named as well.
    return {actor_label(actor) for actor in document["actors"]}, (actor_label(first), "parent")


def an_actor_its_own_parent(document, draw):
    actor = pick(draw, document["actors"])
    actor["parent"] = actor["id"]
    return {actor_label(other) for other in document["actors"]}, (actor_label(actor), "parent")


def an_unknown_claimant(document, draw):
    record = an_event_with(draw, document, "sources")
    index = draw(st.integers(0, len(record["sources"]) - 1))
    record["sources"][index]["claimed_by"] = "atlantis-nowhere"
    return blame(event_label(record), f"sources[{index}].claimed_by")


def an_unknown_type(document, draw):
    record = pick(draw, document["events"])
    record["type"] = draw(st.sampled_from(["talks.secret", "Talks", "espionage", "talks."]))
    return blame(event_label(record), "type")


def an_unknown_relation_target(document, draw):
    record = pick(draw, document["events"])
    record["related"].append({"event": "never-happened", "relation": draw(st.sampled_from(RELATIONS))})
    return blame(event_label(record), f"related[{len(record['related']) - 1}].event")


def a_relation_to_itself(document, draw):
    record = pick(draw, document["events"])
    record["related"].append({"event": record["id"], "relation": draw(st.sampled_from(RELATIONS))})
    return blame(event_label(record), f"related[{len(record['related']) - 1}].event")


def an_unknown_relation(document, draw):
    record = an_event_with(draw, document, "related")
    index = draw(st.integers(0, len(record["related"]) - 1))
    record["related"][index]["relation"] = draw(st.sampled_from(["precedes", "FOLLOWS", ""]))
    return blame(event_label(record), f"related[{index}].relation")


def a_relation_twice(document, draw):
    record = an_event_with(draw, document, "related")
    record["related"].append(dict(pick(draw, record["related"])))
    return blame(event_label(record), f"related[{len(record['related']) - 1}]")


def an_event_id_twice(document, draw):
    record = pick(draw, document["events"])
    document["events"].insert(draw(st.integers(0, len(document["events"]))), copy.deepcopy(record))
    return blame(event_label(record), "id")


def an_actor_id_twice(document, draw):
    actor = pick(draw, document["actors"])
    document["actors"].insert(draw(st.integers(0, len(document["actors"]))), copy.deepcopy(actor))
    return blame(actor_label(actor), "id")


def an_event_id_that_is_no_slug(document, draw):
    index = draw(st.integers(0, len(document["events"]) - 1))
    record = document["events"][index]
    bad = draw(st.sampled_from(["Bad Id", "a--b", "-a", "ü", "export", "deleted", "a" * 101]))
    for other in document["events"]:  # whatever pointed to it points to it still
        for relation in other["related"]:
            if relation["event"] == record["id"]:
                relation["event"] = bad
    record["id"] = bad
    return blame(event_label(record), "id")


def an_actor_id_that_is_no_slug(document, draw):
    actor = pick(draw, document["actors"])
    bad = draw(st.sampled_from(["Russia", "a b", "a__b", "-", "ü"]))
    for other in document["actors"]:
        if other["parent"] == actor["id"]:
            other["parent"] = bad
    for record in document["events"]:
        for item in record["participants"] + record["sources"]:
            for key in ("actor", "claimed_by"):
                if item.get(key) == actor["id"]:
                    item[key] = bad
    actor["id"] = bad
    return blame(actor_label(actor), "id")


def an_unknown_status(document, draw):
    record = pick(draw, document["events"])
    record["status"] = draw(st.sampled_from(["happened", "Occurred", ""]))
    return blame(event_label(record), "status")


def an_unknown_precision(document, draw):
    record = pick(draw, document["events"])
    record["start_precision"] = draw(st.sampled_from(["week", "Day", ""]))
    return blame(event_label(record), "start_precision")


def an_unknown_review_state(document, draw):
    record = pick(draw, document["events"])
    record["review_state"] = draw(st.sampled_from(["approved", "Published", ""]))
    return blame(event_label(record), "review_state")


def an_unknown_actor_kind(document, draw):
    actor = pick(draw, document["actors"])
    actor["kind"] = draw(st.sampled_from(["country", "State", "", "ngo"]))
    return blame(actor_label(actor), "kind")


def an_actor_country_that_is_no_code(document, draw):
    actor = pick(draw, document["actors"])
    actor["country"] = draw(st.sampled_from(["rus", "RU", "RUSSIA", "XXX", "ZZZ", "Россия"]))
    return blame(actor_label(actor), "country")


def a_location_country_that_is_no_code(document, draw):
    record = pick(draw, document["events"])
    record["location"] = {
        "name": "Somewhere",
        "country": draw(st.sampled_from(["sau", "SA", "XXX"])),
        "lat": None,
        "lon": None,
    }
    return blame(event_label(record), "location.country")


def coordinates_out_of_range(document, draw):
    record = pick(draw, document["events"])
    axis = draw(st.sampled_from(["lat", "lon"]))
    limit = 90 if axis == "lat" else 180
    value = draw(st.floats(limit, 1e300, exclude_min=True) | st.floats(-1e300, -limit, exclude_max=True))
    location = {"name": "Somewhere", "country": None, "lat": 10.5, "lon": 20.5}
    location[axis] = value
    record["location"] = location
    return blame(event_label(record), f"location.{axis}")


def one_coordinate_only(document, draw):
    record = pick(draw, document["events"])
    given = draw(st.sampled_from(["lat", "lon"]))
    missing = "lon" if given == "lat" else "lat"
    record["location"] = {"name": "Somewhere", "country": None, given: 10.0, missing: None}
    return blame(event_label(record), f"location.{missing}")


def a_location_without_a_name(document, draw):
    record = pick(draw, document["events"])
    record["location"] = {"name": draw(st.sampled_from(["", "  ", None])), "country": "SAU", "lat": None, "lon": None}
    return blame(event_label(record), "location.name")


# Required fields, and the label a record gets when the one missing is its id.
def a_missing_event_field(document, draw):
    index = draw(st.integers(0, len(document["events"]) - 1))
    record = document["events"][index]
    key = draw(st.sampled_from(["id", "title", "type", "start"]))
    label = f"event #{index + 1} (no id)" if key == "id" else event_label(record)
    if key == "id":  # nothing can point to it any more: drop the relations to it
        for other in document["events"]:
            other["related"] = [r for r in other["related"] if r["event"] != record["id"]]
    if draw(st.booleans()):
        del record[key]
    else:
        record[key] = None
    return blame(label, key)


def a_missing_actor_field(document, draw):
    index = draw(st.integers(0, len(document["actors"]) - 1))
    actor = document["actors"][index]
    key = draw(st.sampled_from(["id", "name", "kind"]))
    if key == "id":  # nothing can point to it any more: point elsewhere
        for other in document["actors"]:
            if other["parent"] == actor["id"]:
                other["parent"] = None
        for record in document["events"]:
            record["participants"] = [p for p in record["participants"] if p["actor"] != actor["id"]]
            for source in record["sources"]:
                if source["claimed_by"] == actor["id"]:
                    source["claimed_by"] = None
    label = f"actor #{index + 1} (no id)" if key == "id" else actor_label(actor)
    del actor[key]
    return blame(label, key)


# (key, wrong value) pairs: a value of the wrong JSON type, named by its key.
WRONG_EVENT_TYPES = [
    ("title", 5), ("title", ["a title"]), ("summary", {"text": "x"}), ("type", 3), ("status", ["occurred"]),
    ("start", 2025), ("start", ["2025"]), ("participants", "russia"), ("participants", {"actor": "x"}),
    ("sources", "https://example.org/"), ("tags", "oil"), ("related", {"event": "x"}), ("location", "Riyadh"),
    ("location", [24.7, 46.6]), ("review_state", True),
]  # fmt: skip
WRONG_ACTOR_TYPES = [("name", 5), ("name", ["Russia"]), ("kind", ["state"]), ("aliases", "Moscow"), ("country", 643)]


def a_value_of_the_wrong_json_type(document, draw):
    if draw(st.booleans()):
        record = pick(draw, document["events"])
        key, value = draw(st.sampled_from(WRONG_EVENT_TYPES))
        record[key] = value
        return blame(event_label(record), key)
    actor = pick(draw, document["actors"])
    key, value = draw(st.sampled_from(WRONG_ACTOR_TYPES))
    actor[key] = value
    return blame(actor_label(actor), key)


def a_nested_value_of_the_wrong_json_type(document, draw):
    record = an_event_with(draw, document, "participants")
    kind = draw(st.sampled_from(["participant", "source", "tag", "relation", "lat"]))
    if kind == "participant":
        record["participants"][0] = draw(st.sampled_from([["russia", "host"], "russia", None]))
        return blame(event_label(record), "participants[0]")
    if kind == "source":
        record["sources"].append(draw(st.sampled_from(["https://example.org/", ["https://example.org/"]])))
        return blame(event_label(record), f"sources[{len(record['sources']) - 1}]")
    if kind == "tag":
        record["tags"].append(draw(st.sampled_from([5, ["oil"], None])))
        return blame(event_label(record), f"tags[{len(record['tags']) - 1}]")
    if kind == "relation":
        record["related"].append(draw(st.sampled_from(["follows", ["x", "follows"]])))
        return blame(event_label(record), f"related[{len(record['related']) - 1}]")
    record["location"] = {
        "name": "Somewhere",
        "country": None,
        "lat": draw(st.sampled_from(["24.7", True, [1]])),
        "lon": 1.0,
    }
    return blame(event_label(record), "location.lat")


def a_nul_character(document, draw):
    """PostgreSQL cannot store NUL in text: refused with the field named, on every database alike."""
    place = draw(
        st.sampled_from(
            ["title", "summary", "location.name", "quote", "source title", "url", "actor name", "alias", "tag"]
        )
    )
    nul = draw(st.sampled_from(["\x00", "a\x00b", "text\x00"]))
    if place.startswith(("actor", "alias")):
        actor = pick(draw, document["actors"])
        if place == "alias":
            actor["aliases"] = [*actor["aliases"], nul]
            return blame(actor_label(actor), f"aliases[{len(actor['aliases']) - 1}]")
        actor["name"] = nul
        return blame(actor_label(actor), "name")
    if place in ("quote", "source title", "url"):
        record = an_event_with(draw, document, "sources")
        # A fresh URL: the title of a source shared with other events would also disagree with theirs.
        record["sources"].append({**record["sources"][0], "url": "https://nul.example/text"})
        index = len(record["sources"]) - 1
        key = {"quote": "quote", "source title": "title", "url": "url"}[place]
        record["sources"][index][key] = nul if key != "url" else f"https://nul.example/{nul}"
        return blame(event_label(record), f"sources[{index}].{key}")
    record = pick(draw, document["events"])
    if place == "location.name":
        record["location"] = {"name": nul, "country": None, "lat": None, "lon": None}
    elif place == "tag":
        record["tags"] = [*record["tags"], nul]
        return blame(event_label(record), f"tags[{len(record['tags']) - 1}]")
    else:
        record[place] = nul
    return blame(event_label(record), place)


def a_source_that_is_no_http_url(document, draw):
    record = an_event_with(draw, document, "sources")
    index = draw(st.integers(0, len(record["sources"]) - 1))
    record["sources"][index]["url"] = draw(st.sampled_from(["ftp://example.org/a", "example.org/a", "", "https://", 5]))
    return blame(event_label(record), f"sources[{index}].url")


def one_source_with_two_titles(document, draw):
    first, second = draw(st.permutations(range(len(document["events"]))))[:2]
    first, second = sorted((first, second))
    source = {
        "url": "https://shared.example/report",
        "title": "One title",
        "publisher": "",
        "published": None,
        "language": None,
        "archive_url": None,
        "quote": "",
        "claimed_by": None,
    }
    document["events"][first]["sources"].append(source)
    later = document["events"][second]
    # The same source under another spelling of its URL, with another title.
    later["sources"].append({**source, "url": "HTTPS://Shared.example:443/report#top", "title": "Another title"})
    return blame(event_label(later), f"sources[{len(later['sources']) - 1}].title")


def a_bad_source_date_or_language(document, draw):
    record = an_event_with(draw, document, "sources")
    record["sources"].append({**record["sources"][0], "url": "https://fresh.example/a"})
    index = len(record["sources"]) - 1
    key, value = draw(
        st.sampled_from(
            [("published", "2025-02"), ("published", "2025-02-30"), ("published", 2025), ("language", "English")]
        )
    )
    record["sources"][index][key] = value
    return blame(event_label(record), f"sources[{index}].{key}")


def a_published_event_without_a_source(document, draw):
    record = pick(draw, document["events"])
    record.update(review_state="published", sources=[])
    return blame(event_label(record), "sources")


def an_unknown_field(document, draw):
    if draw(st.booleans()):
        record = pick(draw, document["events"])
        key = draw(st.sampled_from(["colour", "Title", "participant", "date"]))
        record[key] = "x"
        return blame(event_label(record), key)
    actor = pick(draw, document["actors"])
    actor["alias"] = ["x"]
    return blame(actor_label(actor), "alias")


def a_bad_tag(document, draw):
    record = pick(draw, document["events"])
    if record["tags"] and draw(st.booleans()):
        record["tags"].append(record["tags"][0])
    else:
        record["tags"].append(draw(st.sampled_from(["Oil", "two words", "", "a" * 61])))
    return blame(event_label(record), f"tags[{len(record['tags']) - 1}]")


def a_bad_alias_or_wikidata(document, draw):
    actor = pick(draw, document["actors"])
    if draw(st.booleans()):
        actor["aliases"] = draw(st.sampled_from([["Moscow", "Moscow"], [""], ["  "], [5]]))
        return blame(actor_label(actor), "aliases")
    actor["wikidata"] = draw(st.sampled_from(["159", "Q0159", "q159", "Q"]))
    return blame(actor_label(actor), "wikidata")


def a_text_too_long(document, draw):
    if draw(st.booleans()):
        record = pick(draw, document["events"])
        record["title"] = "t" * 301
        return blame(event_label(record), "title")
    actor = pick(draw, document["actors"])
    actor["name"] = "n" * 201
    return blame(actor_label(actor), "name")


CORRUPTIONS = [
    a_date_that_does_not_exist,
    a_date_that_is_not_iso,
    a_month_precision_date_not_on_the_first,
    a_year_precision_date_not_on_new_years_day,
    a_date_less_precise_than_its_precision,
    an_end_before_the_start,
    an_end_precision_without_an_end,
    an_unknown_participant,
    a_participant_twice,
    an_unknown_role,
    an_unknown_parent,
    a_parent_loop,
    an_actor_its_own_parent,
    an_unknown_claimant,
    an_unknown_type,
    an_unknown_relation_target,
    a_relation_to_itself,
    an_unknown_relation,
    a_relation_twice,
    an_event_id_twice,
    an_actor_id_twice,
    an_event_id_that_is_no_slug,
    an_actor_id_that_is_no_slug,
    an_unknown_status,
    an_unknown_precision,
    an_unknown_review_state,
    an_unknown_actor_kind,
    an_actor_country_that_is_no_code,
    a_location_country_that_is_no_code,
    coordinates_out_of_range,
    one_coordinate_only,
    a_location_without_a_name,
    a_missing_event_field,
    a_missing_actor_field,
    a_value_of_the_wrong_json_type,
    a_nested_value_of_the_wrong_json_type,
    a_nul_character,
    a_source_that_is_no_http_url,
    one_source_with_two_titles,
    a_bad_source_date_or_language,
    a_published_event_without_a_source,
    an_unknown_field,
    a_bad_tag,
    a_bad_alias_or_wikidata,
    a_text_too_long,
]


def problems_written(stderr, name):
    """(record, field) of each `FILE: RECORD: FIELD: message` line of the command's error output."""
    problems = []
    for line in stderr.splitlines():
        record, field, _ = line.removeprefix(f"{name}: ").split(": ", 2)
        problems.append((record, field))
    return problems


# Every kind on every run, each with a share of the examples.
PER_CORRUPTION = settings(SETTINGS, max_examples=max(1, SETTINGS.max_examples // 20))


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=[corruption.__name__ for corruption in CORRUPTIONS])
@PER_CORRUPTION
@given(
    document=documents(min_actors=2, min_events=2, max_actors=3, max_events=3),
    imported_first=st.booleans(),
    data=st.data(),
)
def test_a_file_with_one_corruption_is_refused_whole_naming_the_record_and_the_field(
    corruption, document, imported_first, data, tmp_path
):
    bad = copy.deepcopy(document)
    for record in bad["events"]:
        record["title"] = f"{record['title']} (revised)"
    records, named = corruption(bad, data.draw)
    path = tmp_path / "bad.json"

    def check():
        if imported_first:
            error, _, stderr = import_file(tmp_path / "good.json", document)
            assert error is None, stderr
        before = every_row()

        error, stdout, stderr = import_file(path, bad)

        assert isinstance(error, CommandError), (corruption.__name__, stdout)
        assert str(error).endswith("; nothing was imported")
        problems = problems_written(stderr, str(path))
        assert named in problems, (corruption.__name__, stderr)
        assert {record for record, _ in problems} <= records, (corruption.__name__, stderr)
        assert every_row() == before

    in_a_rolled_back_transaction(check)
