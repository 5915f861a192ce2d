"""Paths and helpers shared by the extraction tests."""

import datetime
import importlib.util
import json
from pathlib import Path

from events.extraction import (
    ActorIndex,
    KnownActor,
    TypeIndex,
    proposals_to_dataset,
)
from events.gazetteer import ACTORS_FILE

from ..conftest import DEMO_PATH

DATA = Path(__file__).resolve().parent.parent / "data"


SEED = DATA / "seed-article.txt"


PRESS_RELEASE = DATA / "press-release.txt"


WIRE = DATA / "wire-report.html"


NO_DATE = DATA / "no-date-article.txt"


PUBLISHED = datetime.date(2025, 11, 9)


WIRE_URL = "https://www.reuters.com/world/europe/russia-us-hold-talks-istanbul-embassy-operations-2025-02-27/"


def demo_actors():
    """The demo dataset's actors as an ActorIndex, without the database."""
    records = json.loads(DEMO_PATH.read_text(encoding="utf-8"))["actors"]
    return ActorIndex(
        KnownActor(a["id"], a["name"], a["kind"], a["country"] or "", a["parent"], tuple(a["aliases"])) for a in records
    )


def events_of(extraction):
    """The proposals in the dataset shape, by id."""
    return {event["id"]: event for event in proposals_to_dataset(extraction)["events"]}


def roles(event):
    return [(p["actor"], p["role"]) for p in event["participants"]]


def found(actors, text):
    return [(m.actor, m.text) for m in actors.find(text)]


SEED_IDS = [
    "statement-sergey-lavrov-united-states-2025-11-08",
    "talks-russia-united-states-saudi-arabia-2025",
    "talks-russia-united-states-turkiye-2025",
    "talks-united-states-russia-2025",
    "statement-sergey-lavrov-united-states-2025",
    "diplomats-staff-limits-russia-united-states-2015",
    "property-seizure-barack-obama-united-states-russia-2016",
    "flights-ban-joe-biden-united-states-russia-2022",
    "proposal-russia-united-states-2025",
    "meeting-summit-donald-trump-vladimir-putin-hungary-2025",
    "sanctions-imposed-donald-trump-united-states-lukoil-rosneft-2025-10",
    "statement-vladimir-putin-united-states-2025-10",
]


def gazetteer_actors():
    """Every actor of the gazetteer and the demo dataset (the demo's ids first), without the database."""
    records = json.loads(DEMO_PATH.read_text(encoding="utf-8"))["actors"]
    ids = {a["id"] for a in records}
    demo_countries = {a["country"] for a in records if a["kind"] == "state"}
    for record in json.loads(ACTORS_FILE.read_text(encoding="utf-8"))["actors"]:
        if record["id"] in ids or (record["kind"] == "state" and record["country"] in demo_countries):
            continue
        if record["id"] == "russia-foreign-ministry":
            continue  # the demo's russian-foreign-ministry is that ministry, as load_gazetteer finds
        records.append(record)
    return ActorIndex(
        KnownActor(a["id"], a["name"], a["kind"], a["country"] or "", a["parent"], tuple(a["aliases"])) for a in records
    )


def taxonomy_types():
    """The taxonomy with its keywords as the migration ships it, without the database."""
    path = Path(__file__).resolve().parents[2] / "events" / "migrations" / "0002_taxonomy.py"
    spec = importlib.util.spec_from_file_location("taxonomy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return TypeIndex((row[0], row[1], row[8], row[3]) for row in module.TAXONOMY)
