"""Pages of events reaching `date_from`, read on PostgreSQL as two parts (EventQuerySet.ordered_parts):
the events going on that day (started before it), then those starting from it. Every page, forward and
backward, in both chronological orders, is what one query over all of them gives."""

import datetime
import json
import random

import pytest
from django.db import connection

from events.dataset import import_document
from events.models import Event
from tests.demo import dataset, event_record
from tests.page.test_page import listed

pytestmark = pytest.mark.django_db

DAYS = [datetime.date(2020, 1, 1), datetime.date(2020, 6, 15), datetime.date(2021, 3, 1)]


@pytest.fixture
def spans():
    """Events of every precision, with and without an end, around the days asked about."""
    rng = random.Random(5)
    records = []
    for number in range(90):
        start = datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(0, 4 * 365))
        precision = rng.choice(["day", "day", "month", "year"])
        start = {"day": start, "month": start.replace(day=1), "year": start.replace(month=1, day=1)}[precision]
        text = {"day": start.isoformat(), "month": start.isoformat()[:7], "year": str(start.year)}[precision]
        fields = {"start": text, "start_precision": precision}
        if rng.random() < 0.3:  # some go on for years
            end = start + datetime.timedelta(days=rng.randrange(1, 6 * 365))
            fields.update(end=end.isoformat(), end_precision="day")
        # Two events on some days: ties broken by id.
        records.append(event_record(f"e{number % 60:03d}-{number}", **fields))
    import_document(dataset(*records))
    return records


def walk(client, params, size):
    """Every id of the listing, following `next`, then back from the last page following `previous`."""
    forward, pages = [], []
    url, query = "/api/v1/events/", {**params, "page_size": size}
    while url:
        body = client.get(url, query).json()
        pages.append([event["id"] for event in body["results"]])
        forward += pages[-1]
        url, query = body["next"], None
    backward = []
    url = body["previous"]
    while url:
        body = client.get(url).json()
        backward = [event["id"] for event in body["results"]] + backward
        url = body["previous"]
    assert backward + pages[-1] == forward
    return forward


@pytest.mark.parametrize("ordering", ["start", "-start"])
@pytest.mark.parametrize("size", [1, 3, 7, 100])
def test_every_page_is_the_page_of_one_query(client, spans, ordering, size):
    for day in DAYS:
        params = {"date_from": day.isoformat(), "ordering": ordering}
        expected = list(
            Event.objects.published()
            .filter(span_end__gte=day)
            .order_by(*(["start", "id"] if ordering == "start" else ["-start", "-id"]))
            .values_list("id", flat=True)
        )
        assert any(Event.objects.get(pk=pk).start < day for pk in expected)  # some go on from before
        assert walk(client, params, size) == expected


def test_the_parts_are_two_index_ranges_on_postgresql(spans):
    events = Event.objects.published().overlapping(date_from=DAYS[1]).chronological()
    parts = events.ordered_parts()
    if connection.vendor != "postgresql":
        assert parts == [events]
        return
    going_on, starting = parts
    assert all(event.start < DAYS[1] <= event.span_end for event in going_on)
    assert all(event.start >= DAYS[1] for event in starting)
    assert list(going_on) + list(starting) == list(events)
    # Other orders, and lists without date_from, are one part.
    assert len(events.order_by("-updated_at", "id").ordered_parts()) == 1
    assert len(Event.objects.chronological().ordered_parts()) == 1


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "json"])
def test_exports_reaching_a_day_hold_the_same_events_in_the_same_order(client, spans, fmt):
    for day in DAYS:
        for ordering in ("start", "-start"):
            params = {"date_from": day.isoformat(), "ordering": ordering, "format": fmt}
            response = client.get("/api/v1/events/export/", params)
            body = b"".join(response.streaming_content).decode()
            expected = walk(client, {"date_from": day.isoformat(), "ordering": ordering}, 100)
            if fmt == "csv":
                ids = [line.split(",", 1)[0] for line in body.splitlines()[1:]]
            elif fmt == "ndjson":
                ids = [json.loads(line)["id"] for line in body.splitlines()]
            else:
                ids = [event["id"] for event in json.loads(body)["events"]]
            assert ids == expected, (day, ordering)


def test_the_public_page_lists_the_events_reaching_a_day_in_order(client, spans):
    for day in DAYS:
        response = client.get("/", {"date_from": day.isoformat()})
        assert listed(response) == walk(client, {"date_from": day.isoformat()}, 100)
