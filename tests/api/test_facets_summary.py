"""The facet summary (PostgreSQL): the facets of every published event, kept exact by the writes themselves.

Each test writes as Chancery writes (the ORM, bulk statements, the dataset import) and checks that the
summary's answer is the one counted over the events (`counted`), value by value, labels included.
"""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from events import facet_summary
from events.dataset import import_document
from events.facets import FACETS, facets
from events.models import Actor, Event, Participant
from tests.demo import ANON_THROTTLE_QUERIES, actor_record, event_record

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the summary is PostgreSQL's")

NAMES = ["type", "family", "status", "actor", "country", "year"]

ACTORS = [
    actor_record("russia", country="RUS"),
    actor_record("lavrov", name="Sergey Lavrov", kind="person", country="RUS", parent="russia"),
    actor_record("united-states", name="United States", country="USA"),
    actor_record("eu", name="European Union", kind="igo"),
    actor_record("turkey", country="TUR"),
]


def event(event_id, actors, role="participant", **fields):
    return event_record(event_id, participants=[{"actor": actor, "role": role} for actor in actors], **fields)


EVENTS = [
    event("a", ["lavrov", "russia", "united-states"], type="talks", start="2024-05-01"),
    event(
        "b",
        ["russia", "united-states"],
        type="sanctions.imposed",
        start="2025-01-01",
        location={"name": "Riyadh", "country": "SAU", "lat": None, "lon": None},
    ),
    event("c", ["united-states", "eu"], type="sanctions.lifted", start="2025", start_precision="year"),
    event("d", ["eu", "russia"], type="talks", status="cancelled", start="2025-03-02"),
    event("e", ["russia", "united-states"], type="talks", review_state="draft", start="2025-04-01"),
]


@pytest.fixture
def imported(db):
    import_document({"actors": ACTORS, "events": EVENTS})


def from_summary():
    events = Event.objects.published()
    assert facet_summary.answers(events)
    return facets(events, NAMES, 1000)


def counted():
    """The same question counted over the base tables, a grouped query a facet (participants and actors joined)."""
    events = Event.objects.published().order_by()
    ids = events.values("id")
    rows = {name: FACETS[name](events, ids, 1000) for name in NAMES}
    shown = {
        name: [{"value": value, "count": n, **({"label": label} if label else {})} for value, n, label in rows[name]]
        for name in NAMES
    }
    return {"count": events.count(), "facets": shown}


def in_one_query():
    """The same question counted over the events in one query (their search columns' arrays), as filters are."""
    events = Event.objects.published().exclude(pk="")
    assert not facet_summary.answers(events)
    assert facet_summary.counts_in_one_query(events)
    return facets(events, NAMES, 1000)


def assert_exact():
    answer = from_summary()
    # The same JSON: the same numbers (not 3 and 3.0), labels and order.
    assert json.dumps(answer) == json.dumps(counted()) == json.dumps(in_one_query())
    return answer


@on_postgresql
def test_it_answers_the_facets_counted_over_the_events(imported):
    answer = assert_exact()
    assert answer["count"] == 4
    assert answer["facets"]["country"] == [
        {"value": "RUS", "count": 3, "label": "Russian Federation"},
        {"value": "USA", "count": 3, "label": "United States"},
        {"value": "SAU", "count": 1, "label": "Saudi Arabia"},
    ]
    assert answer["facets"]["year"] == [{"value": "2025", "count": 3}, {"value": "2024", "count": 1}]


@on_postgresql
def test_publishing_unpublishing_and_deleting_keep_it_exact(imported):
    Event.objects.filter(pk="e").update(review_state="published")
    assert assert_exact()["count"] == 5
    a = Event.objects.get(pk="a")
    a.review_state = "draft"
    a.save()
    assert assert_exact()["count"] == 4
    Event.objects.get(pk="b").delete()
    assert assert_exact()["count"] == 3
    Event.objects.filter(pk="a").delete()  # a draft: nothing counted changes
    Event.objects.all().delete()
    assert assert_exact() == {"count": 0, "facets": {name: [] for name in NAMES}}


@on_postgresql
def test_new_types_statuses_dates_and_places_keep_it_exact(imported):
    Event.objects.filter(pk="d").update(type_id="sanctions.imposed", status="occurred")
    assert_exact()
    Event.objects.filter(pk="c").update(start=datetime.date(2019, 1, 1), span_end=datetime.date(2019, 12, 31))
    assert_exact()
    b = Event.objects.get(pk="b")
    b.location_country = "TUR"
    b.save()
    assert_exact()
    Event.objects.update(status="scheduled")  # every event at once
    assert assert_exact()["facets"]["status"] == [{"value": "scheduled", "count": 4}]


@on_postgresql
def test_changed_participants_and_actors_keep_it_exact(imported):
    Participant.objects.filter(event_id="a", actor_id="lavrov").delete()
    assert_exact()
    Participant.objects.create(event_id="d", actor_id="turkey", role="target")
    Participant.objects.create(event_id="d", actor_id="eu", role="initiator")  # eu twice: counted once
    assert_exact()
    Participant.objects.bulk_create(
        [Participant(event_id=event_id, actor_id="lavrov", role="participant") for event_id in "abcde"]
    )
    assert_exact()
    Participant.objects.filter(actor_id="united-states").update(actor_id="turkey")
    assert_exact()
    Actor.objects.filter(pk="turkey").update(country="GRC")
    Actor.objects.filter(pk="eu").update(country="BEL")
    answer = assert_exact()
    assert {"value": "GRC", "count": 4, "label": "Greece"} in answer["facets"]["country"]


@on_postgresql
def test_a_bulk_import_keeps_it_exact(imported):
    import_document(
        {
            "actors": ACTORS,
            "events": [
                # Changed: another type, other participants, published; and new events.
                event("b", ["eu", "turkey"], type="talks", start="2023-06-01"),
                event("e", ["lavrov"], type="talks", start="2025-04-01"),
                *(
                    event(
                        f"new-{n}",
                        ["turkey", "russia"],
                        type="sanctions.lifted",
                        start=f"20{n:02d}",
                        start_precision="year",
                    )
                    for n in range(30)
                ),
            ],
        }
    )
    assert assert_exact()["count"] == 35


@on_postgresql
def test_it_answers_every_published_event_only():
    assert facet_summary.answers(Event.objects.visible_to(AnonymousUser()))
    assert facet_summary.answers(Event.objects.filter(review_state="published").order_by("-start"))
    assert not facet_summary.answers(Event.objects.all())  # a curator's: drafts too
    assert not facet_summary.answers(Event.objects.published().filter(status="occurred"))
    assert not facet_summary.answers(Event.objects.published().involving("russia"))
    assert not facet_summary.answers(Event.objects.published()[:10])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's")
def test_on_sqlite_the_events_are_counted():
    assert not facet_summary.answers(Event.objects.published())


@on_postgresql
def test_the_api_reads_it(imported, django_assert_num_queries):
    client = APIClient()
    # One query of the summary for the count and every facet; and the throttle's.
    with django_assert_num_queries(1 + ANON_THROTTLE_QUERIES):
        response = client.get("/api/v1/events/facets/", {"facet": NAMES})
    assert response.json() == from_summary()
    # With a filter: counted over the events, in one query too.
    with django_assert_num_queries(1 + ANON_THROTTLE_QUERIES):
        filtered = client.get("/api/v1/events/facets/", {"facet": "type", "status": "occurred"}).json()
    assert filtered["count"] == 3


@on_postgresql
def test_generate_events_counts_its_events_and_turns_the_triggers_back_on(imported):
    call_command("generate_events", events=600, seed=3, stdout=io.StringIO())
    assert assert_exact()["count"] > 500
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'facet\\_summary%%' AND tgenabled = 'D'")
        assert cursor.fetchone() == (0,)
    # The triggers work again after the load.
    Event.objects.filter(pk__startswith="gen-3-").order_by("pk")[:1].get().delete()
    Event.objects.filter(pk__in=["gen-3-0000002", "gen-3-0000003"]).update(review_state="draft")
    assert_exact()
