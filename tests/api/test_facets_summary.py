"""The facet summary (PostgreSQL): the facets of every published event, kept exact by the writes themselves.

Each test writes as Chancery writes (the ORM, bulk statements, the dataset import) and checks that the
summary's answer is the one counted over the events (`counted`), value by value, labels included, with the
writes' deltas pending and after they are folded. The last tests write through two connections at once: two
curators who wait for each other's events both commit, and a fold leaves another's uncommitted deltas.
"""

import datetime
import io
import json
import threading
from importlib import import_module

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from rest_framework.test import APIClient

from events import facet_summary
from events.dataset import import_document, importer
from events.facets import FACETS, facets
from events.models import Actor, Event, Participant
from tests.demo import ANON_THROTTLE_QUERIES, actor_record, event_record, wait_until, waiting_backends

FOLD_AT = import_module("events.migrations.0017_facet_summary").FOLD_AT

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


def fold():
    """Fold the deltas into the summary, as a writer does past the threshold; whether this transaction did."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT events_facet_summary_fold()")
        return cursor.fetchone()[0]


def pending():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_facet_delta")
        return cursor.fetchone()[0]


def assert_exact():
    """The summary's answer is the events', with the writes' deltas pending and after they are folded."""
    answer = from_summary()
    # The same JSON: the same numbers (not 3 and 3.0), labels and order.
    assert json.dumps(answer) == json.dumps(counted()) == json.dumps(in_one_query())
    assert fold()
    assert pending() == 0
    assert json.dumps(from_summary()) == json.dumps(answer)
    return answer


@on_postgresql
def test_it_answers_the_facets_counted_over_the_events(imported):
    assert pending() > 0  # the import's, not folded yet
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
def test_an_import_in_bulk_folds_its_chunks_deltas_once_at_its_end(imported, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 4)
    monkeypatch.setattr(importer, "SEARCH_COLUMNS_IN_BULK", 1)
    # A year, a type and a pair each: each chunk appends hundreds of deltas, past FOLD_AT every few chunks.
    new = [
        event(f"new-{n}", ["turkey", "eu", ACTORS[n % 3]["id"]], type="talks", start=f"{1900 + n}-05-01")
        for n in range(FOLD_AT // 10)
    ]
    after_each_chunk = []
    import_document({"actors": ACTORS, "events": new}, progress=lambda done, total: after_each_chunk.append(pending()))
    # No chunk folded: the deltas only grew, well past the threshold; the import's end folded them all.
    assert after_each_chunk == sorted(after_each_chunk)
    assert after_each_chunk[-1] > 2 * FOLD_AT
    assert pending() == 0
    with connection.cursor() as cursor:  # later writes of the transaction fold as any writer's
        cursor.execute("SELECT current_setting('chancery.facet_fold', true)")
        assert cursor.fetchone()[0] == ""
    assert assert_exact()["count"] == 4 + len(new)


@on_postgresql
def test_a_write_past_the_threshold_folds_the_deltas(imported):
    a = Event.objects.get(pk="a")
    fields = {field.attname: getattr(a, field.attname) for field in Event._meta.concrete_fields}
    # A year each: more values than the deltas the writers let pile up, in one statement.
    Event.objects.bulk_create(
        Event(
            **{
                **fields,
                "id": f"year-{n}",
                "start": datetime.date(1000 + n, 5, 1),
                "span_end": datetime.date(1000 + n, 5, 1),
            }
        )
        for n in range(FOLD_AT)
    )
    assert pending() < FOLD_AT
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_facet_summary WHERE facet = 'year' AND count = 1")
        assert cursor.fetchone()[0] >= FOLD_AT
    assert assert_exact()["count"] == 4 + FOLD_AT


@on_postgresql
def test_it_reads_in_a_read_only_transaction_as_on_a_standby(imported):
    Event.objects.filter(pk="e").update(review_state="published")
    expected = counted()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys checked now, while writes are allowed
        cursor.execute("SET LOCAL transaction_read_only = on")
    assert pending() > 0
    assert json.dumps(from_summary()) == json.dumps(expected)


@on_postgresql
def test_it_answers_every_published_event_only():
    assert facet_summary.answers(Event.objects.visible_to(AnonymousUser()))
    assert facet_summary.answers(Event.objects.filter(review_state="published").order_by("-start"))
    assert not facet_summary.answers(Event.objects.all())  # a curator's: drafts too
    assert not facet_summary.answers(Event.objects.published().filter(status="occurred"))
    assert facet_summary.scope_of(Event.objects.published().involving("russia")) == "actor:russia"  # its own
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


# ---------------------------------------------------------------- writers at once (two real connections)

# Committed for real: each thread writes through a connection of its own.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
WAIT = 60  # seconds: a generous bound on a shared machine; each wait ends as soon as its condition holds


def in_a_thread(work):
    """Run `work` in a thread of its own (so on a connection of its own); the thread, and what it raised."""
    raised = []

    def run():
        try:
            work()
        except Exception as error:  # reported to the test, which fails on it
            raised.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, raised


@on_postgresql
@committed
def test_two_curators_publishing_events_of_one_actor_wait_and_both_commit():
    """A waits for B's commit as on any row, and neither fails: their counts of `russia` are not a lock."""
    import_document({"actors": ACTORS, "events": [event(n, ["russia", "turkey"], review_state="draft") for n in "ab"]})
    b_published = threading.Event()

    def publish_b():
        with transaction.atomic():
            Event.objects.filter(pk="b").update(review_state="published")
            b_published.set()
            # B commits once A waits for it.
            wait_until(waiting_backends, "the first curator waiting for the second's commit", WAIT)

    with transaction.atomic():
        Event.objects.filter(pk="a").update(review_state="published")
        thread, raised = in_a_thread(publish_b)
        # B holds its row either way: published, or waiting inside its statement for A's count of russia.
        wait_until(lambda: b_published.is_set() or waiting_backends(), "the second curator's write", WAIT)
        # A edits B too: it waits for B's commit (the ordinary wait), then goes on.
        Event.objects.filter(pk="b").update(title="Both published")
    thread.join(timeout=WAIT)
    assert raised == []
    assert Event.objects.get(pk="b").title == "Both published"
    assert assert_exact()["facets"]["actor"] == [
        {"value": "russia", "count": 2, "label": "Russia"},
        {"value": "turkey", "count": 2, "label": "Turkey"},
    ]


@on_postgresql
@committed
def test_a_fold_beside_another_writers_uncommitted_deltas_loses_none():
    import_document({"actors": ACTORS, "events": [event(n, ["russia", "turkey"], review_state="draft") for n in "ab"]})
    Event.objects.filter(pk="a").update(review_state="published")  # committed deltas, for the fold to move
    b_published, folded = threading.Event(), threading.Event()

    def publish_b():
        with transaction.atomic():
            Event.objects.filter(pk="b").update(review_state="published")
            b_published.set()
            folded.wait(timeout=WAIT)

    thread, raised = in_a_thread(publish_b)
    wait_until(b_published.is_set, "the second curator's write", WAIT)
    assert fold()  # moves A's deltas; B's, not committed, it neither sees nor waits for
    assert pending() == 0
    folded.set()
    thread.join(timeout=WAIT)
    assert raised == []
    assert pending() > 0  # B's, committed after the fold
    answer = assert_exact()
    assert answer["count"] == 2
    assert answer["facets"]["actor"] == [
        {"value": "russia", "count": 2, "label": "Russia"},
        {"value": "turkey", "count": 2, "label": "Turkey"},
    ]
