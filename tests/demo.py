"""The demo data and small builders of valid dataset records, defined once for every test module."""

import json
import time
from pathlib import Path

from django.db import connection

DEMO_PATH = Path(__file__).resolve().parents[1] / "events" / "data" / "demo.json"
ARTICLE_URL = "https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov"
# The statements of the anonymous throttle (events/api/throttling.py) in an anonymous API request: one
# UPSERT counting the request (on PostgreSQL with the DELETE of windows that have passed; SQLite runs it apart).
ANON_THROTTLE_QUERIES = 1 if connection.vendor == "postgresql" else 2

# The demo's published events, in chronological order: what anonymous clients see of it.
PUBLISHED_DEMO = [
    "us-ru-diplomatic-staff-limits",
    "us-restricts-russian-compounds-2016",
    "us-seizes-more-russian-property-2017",
    "us-sanctions-russia-2022",
    "us-closes-airspace-to-russian-carriers-2022",
    "us-ru-third-round-cancelled-2025",
    "us-ru-bilateral-dialogue-2025",
    "us-ru-ukraine-settlement-talks-2025",
    "us-ru-talks-riyadh-2025",
    "us-ru-talks-istanbul-2025",
    "us-sanctions-rosneft-lukoil-2025",
    "putin-sanctions-unfriendly-move-2025",
    "lavrov-ria-novosti-interview-2025",
]


def demo_ids(demo):
    """The ids of the demo document's events, in the file's (chronological) order."""
    return [event["id"] for event in demo["events"]]


def actor_record(actor_id="russia", **fields):
    record = {
        "id": actor_id,
        "name": actor_id.replace("-", " ").title(),
        "kind": "state",
        "country": None,
        "aliases": [],
        "parent": None,
        "wikidata": None,
    }
    record.update(fields)
    return record


def event_record(event_id="ru-us-talks", **fields):
    """A valid published event between Russia and the United States; override any field."""
    record = {
        "id": event_id,
        "title": "Russian and US delegations hold talks",
        "summary": "",
        "type": "talks",
        "status": "occurred",
        "start": "2025-02-18",
        "start_precision": "day",
        "end": None,
        "end_precision": None,
        "participants": [
            {"actor": "russia", "role": "participant"},
            {"actor": "united-states", "role": "participant"},
        ],
        "location": None,
        "sources": [
            {
                "url": "https://example.org/talks",
                "title": "Delegations meet",
                "publisher": "Example News",
                "published": "2025-02-19",
                "quote": "The delegations met.",
                "claimed_by": None,
            }
        ],
        "tags": [],
        "related": [],
        "review_state": "published",
    }
    record.update(fields)
    return record


def dataset(*events, actors=None):
    """A dataset document with the two states the default event needs, plus `actors`."""
    base = [actor_record("russia", country="RUS"), actor_record("united-states", country="USA")]
    return {"actors": base + list(actors or []), "events": list(events)}


def row_counts():
    """Rows in every table of the events app: history and many-to-many tables included."""
    from django.apps import apps

    models = apps.get_app_config("events").get_models(include_auto_created=True)
    return {model._meta.label: model._base_manager.count() for model in models}


def export_text():
    """The whole database as a dataset file, as `export_dataset` writes it."""
    import io

    from events.dataset import write_dataset
    from events.models import Actor, Event

    out = io.StringIO()
    write_dataset(out, Actor.objects.all(), Event.objects.all())
    return out.getvalue()


def empty_the_database():
    """Delete every row but the taxonomy (which the migrations bring), children before what they point to."""
    from django.apps import apps

    from events.models import Actor, Citation, Event, EventRelation, EventType, Participant, Source, Tag

    EventRelation.objects.all().delete()
    Citation.objects.all().delete()
    Participant.objects.all().delete()
    Event.objects.all().delete()
    Tag.objects.all().delete()
    Source.objects.all().delete()
    Actor.objects.update(parent=None)
    Actor.objects.all().delete()
    keep = {EventType, EventType.history.model}
    for model in apps.get_app_config("events").get_models(include_auto_created=True):
        if model not in keep:
            model._base_manager.all().delete()


def manifest_of(releases, name):
    """Release `name`'s manifest in the directory `releases`, read from its file."""
    return json.loads((releases / name / "manifest.json").read_text(encoding="utf-8"))


def waiting_backends():
    """Other connections to this database waiting for a lock (a table's, a row's or an advisory one)."""
    with connection.cursor() as cursor:
        # pg_stat_activity, not pg_locks: a wait for another transaction's row names no database in pg_locks.
        # Inside a transaction the view is read once and kept, unless told otherwise.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def wait_until(condition, what, seconds=120):
    """Until `condition()` holds, checked every 50 ms; a failure naming `what` after `seconds` (120 unless
    told: a generous bound on a shared machine, each wait ending as soon as its condition holds)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)
