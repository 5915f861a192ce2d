"""Paths and helpers shared by the extraction tests."""

import datetime
import json
from pathlib import Path

from events.extraction import (
    ActorIndex,
    KnownActor,
    proposals_to_dataset,
)

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
