"""Scoped facet counts and the relation pairs (PostgreSQL, migration 0018): the facets of one actor, one
country or a dyad, and the relations index of every published event, read without counting the events.

Each test writes as Chancery writes (the ORM, bulk statements, the dataset import, re-parenting an actor) and
checks that both roads give the same JSON: the summary's or the pairs' answer, and the one counted over the
events (the same question with a condition that changes nothing, which the summaries do not answer).
"""

import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from events import facet_summary
from events.dataset import import_document
from events.facets import facets
from events.models import Actor, Event, EventType, Participant
from events.relations_index import relations_index
from tests.api.test_api_relations import ACTORS, between
from tests.demo import ANON_THROTTLE_QUERIES, wait_until, waiting_backends

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the summaries are PostgreSQL's"),
]

NAMES = ["type", "family", "status", "actor", "country", "year"]

EVENTS = [
    between("call", "lavrov", "rubio", type="talks", start="2025-03-04"),
    between("sanctions", "united-states", "russian-mfa", type="sanctions.imposed", start="2025-03-20"),
    between("statement", "lavrov", "united-states", type="statement", start="2025-03", start_precision="month"),
    between("year-known", "russia", "rubio", type="flights.resumed", start="2025", start_precision="year"),
    between("old-property", "russia", "united-states", type="property", start="2024-06-01"),
    between("cancelled", "russia", "united-states", type="talks", status="cancelled", start="2025-03-05"),
    between("russia-alone", "lavrov", "russian-mfa", type="talks", start="2025-03-06"),
    between("with-france", "lavrov", "france", "rubio", type="talks", start="2025-03-07"),
    between("draft", "lavrov", "rubio", type="talks", start="2025-03-08", review_state="draft"),
    between(
        "in-paris",
        "russia",
        "united-states",
        type="talks",
        start="2025-03-04",
        location={"name": "Paris", "country": "FRA", "lat": None, "lon": None},
    ),
]

# The questions of a scope: one actor, two actors, one country.
SCOPED = {
    "actor:russia": lambda events: events.involving("russia"),
    "actor:lavrov": lambda events: events.involving("lavrov"),
    "pair:russia united-states": lambda events: events.involving("united-states", "russia"),
    "pair:lavrov rubio": lambda events: events.involving("lavrov", "rubio"),
    "country:RUS": lambda events: events.in_country("RUS"),
    "country:FRA": lambda events: events.in_country("FRA"),
}

DYADS = [
    ("russia", "united-states"),
    ("united-states", "russia"),
    ("lavrov", "rubio"),
    ("russia", "russia"),  # two different actors of one tree
    ("russia", "lavrov"),
    ("russian-mfa", "france"),
    ("france", "rubio"),
]


@pytest.fixture
def imported(db):
    import_document({"actors": ACTORS, "events": EVENTS})


def fold():
    with connection.cursor() as cursor:
        cursor.execute("SELECT events_facet_summary_fold()")
        return cursor.fetchone()[0]


def scoped_answers(scoped=SCOPED):
    """{scope: facets} from the summary, each checked equal to the facets counted over the events."""
    answers = {}
    for scope, question in scoped.items():
        events = question(Event.objects.published())
        assert facet_summary.scope_of(events) == scope
        counted = question(Event.objects.published().exclude(pk=""))
        assert facet_summary.scope_of(counted) is None
        answer = facets(events, NAMES, 1000)
        assert json.dumps(answer) == json.dumps(facets(counted, NAMES, 1000)), scope
        answers[scope] = answer
    return answers


def indexes(dyads=DYADS):
    """{(a, b, interval): index} from the relation pairs, each checked equal to the index over the events."""
    answers = {}
    for a, b in dyads:
        for interval in ("day", "month", "year"):
            with CaptureQueriesContext(connection) as queries:
                answer = relations_index(Event.objects.published(), a, b, interval)
            assert "events_relation_pair" in queries[-1]["sql"]
            counted = relations_index(Event.objects.published().exclude(pk=""), a, b, interval)
            assert json.dumps(answer) == json.dumps(counted), (a, b, interval)
            answers[a, b, interval] = answer
    return answers


def assert_exact(scoped=SCOPED, dyads=DYADS):
    """Both roads agree, with the writes' deltas pending and after they are folded."""
    answers = scoped_answers(scoped)
    fold()
    assert json.dumps(scoped_answers(scoped)) == json.dumps(answers)
    return answers, indexes(dyads)


def test_it_answers_a_scope_as_the_events_do(imported):
    facets_of, index = assert_exact()
    assert facets_of["pair:russia united-states"]["count"] == 3
    assert facets_of["country:FRA"]["facets"]["type"] == [{"value": "talks", "count": 2, "label": "Talks"}]
    assert facets_of["actor:lavrov"]["facets"]["actor"][:2] == [
        {"value": "lavrov", "count": 4, "label": "Lavrov"},
        {"value": "rubio", "count": 2, "label": "Rubio"},
    ]
    month = index["russia", "united-states", "month"]
    assert (month["count"], month["score"]) == (7, 20.0)
    assert [bucket["period"] for bucket in month["buckets"]] == ["2024-06", "2025", "2025-03"]
    assert month["buckets"][2]["events"] == ["statement", "call", "in-paris", "with-france", "sanctions"]
    assert index["russia", "russia", "year"]["buckets"][0]["events"] == ["russia-alone"]


def test_only_a_scope_with_no_other_filter_is_read_from_the_summary():
    published = Event.objects.published()
    assert facet_summary.scope_of(published.involving("russia", "russia")) == "actor:russia"
    assert facet_summary.scope_of(published.involving("russia").in_country("RUS")) is None
    assert facet_summary.scope_of(published.involving("a", "b", "c")) is None
    assert facet_summary.scope_of(published.with_role("initiator", "russia")) is None
    assert facet_summary.scope_of(Event.objects.involving("russia")) is None  # drafts too
    assert facet_summary.scope_of(published.involving("russia").filter(status="occurred")) is None
    assert facet_summary.scope_of(published.in_country("RUS")[:5]) is None


def test_publication_deletion_and_new_fields_keep_both_exact(imported):
    Event.objects.filter(pk="draft").update(review_state="published")
    assert_exact()
    Event.objects.filter(pk="cancelled").update(status="occurred")
    Event.objects.filter(pk="call").update(type_id="sanctions.imposed")
    assert_exact()
    statement = Event.objects.get(pk="statement")
    statement.start_precision = "day"
    statement.save()
    Event.objects.filter(pk="year-known").update(review_state="draft")
    assert_exact()
    Event.objects.get(pk="sanctions").delete()
    Event.objects.filter(pk__in=["in-paris", "old-property"]).delete()
    _, index = assert_exact()
    assert index["russia", "united-states", "year"]["count"] == 5
    Event.objects.all().delete()
    _, index = assert_exact()
    assert index["russia", "united-states", "month"]["buckets"] == []
    with connection.cursor() as cursor:  # the fold deleted the values it brought to 0, and nothing is left
        cursor.execute("SELECT count(*) FROM events_facet_summary UNION ALL SELECT count(*) FROM events_relation_pair")
        assert cursor.fetchall() == [(0,), (0,)]


def test_changed_participants_keep_both_exact(imported):
    Participant.objects.filter(event_id="call", actor_id="rubio").delete()
    assert_exact()
    Participant.objects.create(event_id="russia-alone", actor_id="rubio", role="target")
    Participant.objects.create(event_id="russia-alone", actor_id="lavrov", role="initiator")  # lavrov twice
    assert_exact()
    Participant.objects.filter(actor_id="united-states").update(actor_id="france")
    assert_exact()
    Actor.objects.filter(pk="france").update(country="BEL")
    assert_exact()


def test_re_parenting_an_actor_keeps_the_index_exact(imported):
    before = indexes()
    Actor.objects.filter(pk="lavrov").update(parent_id="united-states")  # a move of the whole branch
    after = indexes()
    assert after["russia", "united-states", "year"] != before["russia", "united-states", "year"]
    lavrov = Actor.objects.get(pk="russian-mfa")
    lavrov.parent_id = None
    lavrov.save()
    assert_exact()


def test_a_new_goldstein_value_changes_the_index_at_once(imported):
    EventType.objects.filter(code="talks").update(goldstein=-2)
    _, index = assert_exact()
    assert index["lavrov", "rubio", "year"]["buckets"][0]["conflict"] == 2


def test_a_bulk_import_keeps_both_exact(imported):
    import_document(
        {
            "actors": ACTORS,
            "events": [
                between("call", "russia", "france", type="talks", start="2023-06-01"),
                between("draft", "lavrov", "united-states", type="talks", start="2025-04-01"),
                *(
                    between(
                        f"new-{n}",
                        "rubio",
                        "russian-mfa",
                        type="sanctions.lifted",
                        start=f"20{n:02d}-05",
                        start_precision="month",
                    )
                    for n in range(30)
                ),
            ],
        }
    )
    _, index = assert_exact()
    assert index["russia", "united-states", "year"]["count"] == 37


def test_generate_events_fills_both_and_turns_the_triggers_back_on(imported):
    call_command("generate_events", events=400, seed=5, stdout=io.StringIO())
    generated = Event.objects.filter(pk__startswith="gen-5-", review_state="published", status="occurred")
    busy = generated.annotate(actors=Count("participants__actor", distinct=True)).filter(actors__gte=2)
    pair = sorted(set(busy.order_by("pk")[:1].get().participants.values_list("actor_id", flat=True)))[:2]
    scoped = {**SCOPED, f"pair:{' '.join(pair)}": lambda events: events.involving(*pair)}
    dyads = [*DYADS, pair]
    assert_exact(scoped, dyads)
    generated.filter(pk__in=busy.values("pk")[:3]).update(review_state="draft")
    assert_exact(scoped, dyads)


def test_the_api_reads_them(imported, django_assert_num_queries):
    client = APIClient()
    # The actors' ids checked (one query), then one query of the summary; and the throttle's.
    with django_assert_num_queries(2 + ANON_THROTTLE_QUERIES):
        response = client.get("/api/v1/events/facets/", {"facet": NAMES, "actor": ["united-states", "russia"]})
    assert response.json() == facets(SCOPED["pair:russia united-states"](Event.objects.published()), NAMES, 1000)
    # The two actors' ids checked (one query), then one query of the pairs; and the throttle's.
    with django_assert_num_queries(2 + ANON_THROTTLE_QUERIES):
        response = client.get("/api/v1/relations/", {"a": "russia", "b": "united-states", "interval": "month"})
    assert response.json() == relations_index(Event.objects.published(), "russia", "united-states", "month")
    assert response.json()["count"] == 7


# ---------------------------------------------------------------- writers at once (two real connections)

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
WAIT = 60  # seconds: a generous bound on a shared machine; each wait ends as soon as its condition holds


@committed
def test_two_curators_publishing_events_of_one_dyad_wait_and_both_commit():
    """A waits for B's commit as on any row, and neither fails: the pair's rows and counts are not a lock."""
    import_document(
        {"actors": ACTORS, "events": [between(n, "lavrov", "rubio", review_state="draft") for n in ("a", "b")]}
    )
    b_published, raised = threading.Event(), []

    def publish_b():
        try:
            with transaction.atomic():
                Event.objects.filter(pk="b").update(review_state="published")
                b_published.set()
                wait_until(waiting_backends, "the first curator waiting for the second's commit", WAIT)
        except Exception as error:  # reported to the test, which fails on it
            raised.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        Event.objects.filter(pk="a").update(review_state="published")
        thread = threading.Thread(target=publish_b)
        thread.start()
        wait_until(lambda: b_published.is_set() or waiting_backends(), "the second curator's write", WAIT)
        Event.objects.filter(pk="b").update(title="Both published")
    thread.join(timeout=WAIT)
    assert raised == []
    facets_of, index = assert_exact()
    assert facets_of["pair:lavrov rubio"]["count"] == 2
    assert index["lavrov", "rubio", "year"]["buckets"][0]["events"] == ["a", "b"]
