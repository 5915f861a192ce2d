"""The readers' questions of `make load`, shared by bench/load.py (Locust) and bench/cpu.py (one process).

Each reader task is a weight and what it asks: filtered lists, cursor pages followed from `next`,
details of events the lists returned, timelines and small exports. `random_filters` draws the
filters an analyst gives. `rng` is a `random.Random` (or the `random` module).
"""

import random

STATES = ("united-states", "russia", "china", "united-kingdom", "france", "germany", "ukraine", "turkiye", "iran")
FAMILIES = ("talks", "sanctions", "meeting", "diplomats", "flights", "missions", "property", "statement")
WORDS = ("icebreaker", "satellites", "drones", "turbines", "frigates")
EXPORT_FORMATS = ("csv", "ndjson", "ics", "geojson")

# The reader's tasks and their weights (Locust's @task(n)).
READER_TASKS = {"filtered_list": 4, "cursor_pages": 2, "detail": 3, "timeline": 2, "small_export": 1}


def random_filters(rng=random):
    """A filtered question of the kind an analyst asks: an actor or two, a type family, a period, words."""
    params = []
    for actor in rng.sample(STATES, rng.choice((1, 1, 2))):
        params.append(("actor", actor))
    if rng.random() < 0.6:
        params.append(("type", rng.choice(FAMILIES)))
    if rng.random() < 0.5:
        start = rng.randint(1990, 2024)
        params += [("date_from", str(start)), ("date_to", str(start + rng.randint(0, 5)))]
    if rng.random() < 0.15:
        params.append(("q", rng.choice(WORDS)))
    return params


def query(params):
    return "&".join(f"{name}={value}" for name, value in params)


def filtered_list_path(rng=random):
    return f"/api/v1/events/?{query(random_filters(rng))}&page_size=50"


def actor_pages_path(rng=random):
    """The first page of an actor's events; the task then follows `next` 1 to 3 times."""
    return f"/api/v1/events/?actor={rng.choice(STATES)}&page_size=100"


def timeline_path(rng=random):
    params = random_filters(rng)[:2] + [("interval", rng.choice(("year", "month")))]
    return f"/api/v1/timeline/?{query(params)}"


def small_export_path(rng=random):
    """A dyad, a type family and a few years: tens of events, not the whole database."""
    a, b = rng.sample(STATES[:4], 2)
    start = rng.randint(2000, 2022)
    params = [("actor", a), ("actor", b), ("type", rng.choice(FAMILIES)), ("date_from", str(start))]
    params += [("date_to", str(start + 3)), ("format", rng.choice(EXPORT_FORMATS))]
    return f"/api/v1/events/export/?{query(params)}"
