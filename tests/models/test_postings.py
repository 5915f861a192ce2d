"""The events' postings on PostgreSQL (migration 0020): exact after every write, and the lists read through
them give the same events in the same order as the one query without them.

Each test recomputes the postings from the events' participants in Python and compares them with the
table, and walks the API's pages of every filter combination both ways: the postings road
(`EventQuerySet.head`, `ordered_parts`) against the plain query of the filter set.
"""

import datetime
import io
import itertools
import json
import random
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.dataset import import_document
from events.filters import EventFilter
from events.models import Event, Participant
from events.models.postings import posting_key
from tests.demo import actor_record, dataset, event_record, wait_until, waiting_backends

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the postings are PostgreSQL's")

ACTORS = ["russia", "united-states", "china", "france", "india", "brazil"]
TYPES = ["talks", "sanctions.imposed", "meeting", "meeting.summit"]


def stored_postings():
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, start, event_id, span_end, type_id FROM events_posting")
        return sorted(cursor.fetchall())


def recomputed_postings():
    actors = {}
    for event_id, actor_id in Participant.objects.values_list("event_id", "actor_id"):
        actors.setdefault(event_id, set()).add(actor_id)
    rows = []
    for event_id, start, span_end, type_id in Event.objects.values_list("id", "start", "span_end", "type_id"):
        named = sorted(actors.get(event_id, ()))
        keys = named + [f"{one} {other}" for one, other in itertools.combinations(named, 2)]
        rows += [(key, start, event_id, span_end, type_id) for key in keys]
    return sorted(rows)


def assert_the_postings_are_exact():
    assert stored_postings() == recomputed_postings()


def records(count, seed, prefix="e"):
    """Events of one to four of the actors, every precision, some lasting years, a few drafts."""
    rng = random.Random(seed)
    made = []
    for number in range(count):
        start = datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randrange(0, 8 * 365))
        precision = rng.choice(["day", "day", "day", "month", "year"])
        start = {"day": start, "month": start.replace(day=1), "year": start.replace(month=1, day=1)}[precision]
        text = {"day": start.isoformat(), "month": start.isoformat()[:7], "year": str(start.year)}[precision]
        fields = {
            "start": text,
            "start_precision": precision,
            "type": rng.choice(TYPES),
            "status": rng.choice(["occurred", "occurred", "proposed"]),
            "review_state": rng.choice(["published"] * 5 + ["draft"]),
            "participants": [
                {"actor": actor, "role": rng.choice(["initiator", "target", "participant"])}
                for actor in rng.sample(ACTORS, rng.randint(1, 4))
            ],
        }
        if rng.random() < 0.3:
            end = start + datetime.timedelta(days=rng.randrange(1, 5 * 365))
            fields.update(end=end.isoformat(), end_precision="day")
        # Some share a day: ties broken by id.
        made.append(event_record(f"{prefix}{number % 40:02d}-{number}", **fields))
    return made


def load(events):
    actors = [actor_record(actor) for actor in ACTORS if actor not in ("russia", "united-states")]
    import_document(dataset(*events, actors=actors))


QUESTIONS = [
    {"actor": ["russia"]},
    {"actor": ["russia", "united-states"]},
    {"actor": ["china", "russia", "united-states"]},
    {"actor": ["russia", "united-states"], "type": ["talks"], "date_from": "2010-01-01", "date_to": "2013-12-31"},
    {"actor": ["russia"], "date_from": "2012-03-01"},
    {"actor": ["india"], "date_to": "2011-06"},
    {"actor": ["france"], "status": ["proposed"], "date_from": "2010"},
    {"initiator": ["russia"], "target": ["china"]},
    {"initiator": ["brazil"], "date_from": "2012-07-15"},
    {"actor": ["russia"], "country": "USA", "date_from": "2011-02-03"},
    {"actor": ["china", "france"], "type": ["sanctions"], "date_from": "2009-05-01", "date_to": "2014"},
]


def walk(client, params, size):
    """Every id of the listing, following `next`, then back from the last page following `previous`."""
    forward, pages = [], []
    url, query = "/api/v1/events/", {**params, "page_size": size}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([event["id"] for event in body["results"]])
        forward += pages[-1]
        url, query = body["next"], None
    backward, url = [], body["previous"]
    while url:
        body = client.get(url).json()
        backward = [event["id"] for event in body["results"]] + backward
        url = body["previous"]
    assert backward + pages[-1] == forward
    return forward


def one_query(params, user=None):
    """The listing's ids in one plain query of the filter set: no parts, no postings."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for name, value in params.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    events = Event.objects.visible_to(user)
    queryset = EventFilter(data, queryset=events.chronological()).qs
    return list(queryset.values_list("id", flat=True))


def assert_every_listing_is_the_one_query(client, user=None, sizes=(1, 7, 100)):
    for params in QUESTIONS:
        for ordering in ("start", "-start"):
            asked = {**params, "ordering": ordering}
            expected = one_query(asked, user)
            for size in sizes:
                assert walk(client, asked, size) == expected, (asked, size)


@pytest.fixture
def staff_client(django_user_model):
    curator = django_user_model.objects.create_user("curator", password="pass-8429!x", is_staff=True, is_superuser=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")
    client.curator = curator
    return client


@pytest.mark.django_db
def test_the_lists_of_named_actors_read_their_postings():
    load(records(20, seed=1))
    events = Event.objects.published().involving("united-states", "russia").overlapping(datetime.date(2010, 1, 1))
    parts = events.chronological().ordered_parts()
    assert len(parts) == 2
    assert all("events_posting" in str(part.query) for part in parts)
    assert posting_key(["united-states", "russia", "china"]) == "china russia"
    # The actors the key implies are asked of the postings alone; the type of both.
    typed = events.of_type("talks").chronological().ordered_parts()[1]
    assert '"actor_ids" @>' not in str(typed.query) and "events_posting.type_id = talks" in str(typed.query)
    # Other orders, lists without actors, and lists asking about other indexed things keep their roads.
    assert "events_posting" not in str(events.order_by("-updated_at", "id").ordered_parts()[0].query)
    assert "events_posting" not in str(Event.objects.chronological().ordered_parts()[0].query)
    for other in (events.search("talks"), events.in_country("RUS"), events.tagged("oil")):
        assert not any("events_posting" in str(part.query) for part in other.chronological().ordered_parts())
    # Either actor's events: no one key holds them all.
    either = (Event.objects.involving("china") | Event.objects.involving("india")).chronological()
    assert "events_posting" not in str(either.ordered_parts()[0].query)
    assert either.head(1000) == list(either) and len(list(either)) > Event.objects.involving("china").count()
    day = datetime.date(2011, 1, 1)
    either_day = (Event.objects.overlapping(day) | Event.objects.involving("india")).chronological()
    assert either_day.head(1000) == list(either_day)
    assert any(event.span_end < day for event in either_day)  # India's before the day: no part holds them
    both = (Event.objects.involving("china") & Event.objects.involving("india")).chronological()
    assert "china india" in str(both.ordered_parts()[0].query) and both.head(1000) == list(both)


@pytest.mark.django_db
def test_every_listing_through_the_postings_is_the_one_query(client, staff_client):
    load(records(140, seed=7))
    assert_the_postings_are_exact()
    assert_every_listing_is_the_one_query(client)
    assert_every_listing_is_the_one_query(staff_client, user=staff_client.curator, sizes=(7,))


@pytest.mark.django_db
def test_the_postings_follow_every_write(client):
    load(records(60, seed=3))
    assert_the_postings_are_exact()
    event = Event.objects.filter(participants__actor_id="russia").order_by("id").first()

    # A participant's change: the event's actor_ids (migration 0007), then its postings.
    Participant.objects.create(event=event, actor_id="brazil", role="mediator")
    Participant.objects.filter(event=event, actor_id="russia").delete()
    with_india = Participant.objects.filter(actor_id="india").values("event_id")
    Participant.objects.filter(actor_id="france", event__start__year=2012).exclude(event__in=with_india).update(
        actor_id="india"
    )
    assert_the_postings_are_exact()

    # A new type, new dates, publication, an id's change, deletion.
    event.type_id, event.start, event.start_precision = "meeting", datetime.date(2013, 5, 1), "day"
    event.end, event.end_precision = None, ""
    event.save()
    Event.objects.filter(start__year=2011).update(review_state="draft")
    Event.objects.filter(start__year=2010, start_precision="day").update(start=datetime.date(2009, 12, 31))
    Event.objects.filter(start__year=2009).update(span_end=datetime.date(2016, 1, 1))
    Event.objects.filter(pk=Event.objects.order_by("id").last().pk).delete()
    assert_the_postings_are_exact()
    assert_every_listing_is_the_one_query(client, sizes=(7,))

    # A bulk import (the search columns deferred for its transaction): new events and changed ones.
    changed = [
        {**record, "start": "2014-02-02", "start_precision": "day", "end": None, "end_precision": None}
        for record in records(60, seed=3)[:30]
    ]
    load(changed + records(80, seed=11, prefix="n"))
    assert_the_postings_are_exact()
    assert_every_listing_is_the_one_query(client, sizes=(7,))

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign-key check left pending
        cursor.execute("TRUNCATE events_event CASCADE")
    assert stored_postings() == []


@pytest.mark.django_db
def test_generate_events_posts_every_event_it_writes(client):
    # Its load turns migration 0007's triggers off, then fills actor_ids with one UPDATE: that UPDATE posts them.
    call_command("generate_events", events=300, seed=4, stdout=io.StringIO())
    assert len(stored_postings()) > 300
    assert_the_postings_are_exact()
    asked = {"actor": ["russia"], "date_from": "2015"}
    expected = one_query(asked)
    assert expected and walk(client, asked, 50) == expected


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_of_one_event_leave_its_postings_exact():
    load(records(10, seed=5))
    event = Event.objects.filter(participants__actor_id="russia").order_by("id").first()
    errors = []

    def second_writer():
        try:
            with transaction.atomic():
                day = datetime.date(2015, 3, 3)
                Event.objects.filter(pk=event.pk).update(
                    start=day, start_precision="day", end=None, end_precision="", span_end=day
                )
        except Exception as exc:  # raised again in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        Participant.objects.create(event=event, actor_id="china", role="target")
        writer = threading.Thread(target=second_writer)
        writer.start()
        wait_until(lambda: waiting_backends() == 1, "the second writer waits for the event's row")
    writer.join(timeout=120)
    assert not writer.is_alive() and errors == []
    assert_the_postings_are_exact()
    day = datetime.date(2015, 3, 3)
    assert ("china russia", day, event.pk, day, event.type_id) in stored_postings()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_exports_of_named_actors_hold_the_listings_events_in_its_order(client, fmt):
    load(records(80, seed=9))
    for params in ({"actor": ["russia", "united-states"], "date_from": "2011-04-01"}, {"initiator": ["china"]}):
        for ordering in ("start", "-start"):
            asked = {**params, "ordering": ordering}
            response = client.get("/api/v1/events/export/", {**asked, "format": fmt})
            body = b"".join(response.streaming_content).decode()
            if fmt == "csv":
                ids = [line.split(",", 1)[0] for line in body.splitlines()[1:]]
            else:
                ids = [json.loads(line)["id"] for line in body.splitlines()]
            assert ids == one_query(asked) and ids, asked
