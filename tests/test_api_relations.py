"""The relations index: occurred events between two rolled-up actors, scored by their types' Goldstein values."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from events.dataset import import_document
from tests.demo import ANON_THROTTLE_QUERIES, actor_record, event_record

pytestmark = pytest.mark.django_db

ACTORS = [
    actor_record("russia", country="RUS"),
    actor_record("russian-mfa", kind="government", country="RUS", parent="russia"),
    actor_record("lavrov", kind="person", country="RUS", parent="russian-mfa"),
    actor_record("united-states", country="USA"),
    actor_record("rubio", kind="person", country="USA", parent="united-states"),
    actor_record("france", country="FRA"),
]


def between(event_id, *actors, **fields):
    return event_record(event_id, participants=[{"actor": a, "role": "participant"} for a in actors], **fields)


@pytest.fixture
def dyad(db):
    # Goldstein values of the taxonomy (its migrations): talks +7.0, sanctions.imposed -8.0, statement 0.0,
    # property none, flights.resumed +7.0.
    import_document(
        {
            "actors": ACTORS,
            "events": [
                between("call", "lavrov", "rubio", type="talks", start="2025-03-04"),
                between("sanctions", "united-states", "russian-mfa", type="sanctions.imposed", start="2025-03-20"),
                between(
                    "statement", "lavrov", "united-states", type="statement", start="2025-03", start_precision="month"
                ),
                between("year-known", "russia", "rubio", type="flights.resumed", start="2025", start_precision="year"),
                between("old-property", "russia", "united-states", type="property", start="2024-06-01"),
                between("cancelled", "russia", "united-states", type="talks", status="cancelled", start="2025-03-05"),
                between("russia-alone", "lavrov", "russian-mfa", type="talks", start="2025-03-06"),
                between("with-france", "lavrov", "france", type="talks", start="2025-03-07"),
                between("draft", "lavrov", "rubio", type="talks", start="2025-03-08", review_state="draft"),
            ],
        }
    )


@pytest.fixture
def client():
    return APIClient()


def index(client, **params):
    response = client.get("/api/v1/relations/", {"a": "russia", "b": "united-states", **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_it_scores_the_occurred_events_between_the_two_trees_per_month(client, dyad):
    answer = index(client, interval="month")
    assert (answer["a"], answer["b"], answer["interval"]) == ("russia", "united-states", "month")
    assert answer["buckets"] == [
        {"period": "2024-06", "count": 1, "cooperation": 0, "conflict": 0, "score": 0.0, "events": ["old-property"]},
        # Known to the year only: a period of its own, before the months of 2025.
        {"period": "2025", "count": 1, "cooperation": 1, "conflict": 0, "score": 7.0, "events": ["year-known"]},
        {
            "period": "2025-03",
            "count": 3,
            "cooperation": 1,
            "conflict": 1,
            "score": -1.0,
            "events": ["statement", "call", "sanctions"],
        },
    ]
    assert answer["count"] == 5
    assert answer["count"] == sum(bucket["count"] for bucket in answer["buckets"])


def test_the_totals_add_up_the_buckets(client, dyad):
    answer = index(client, interval="year")
    assert [bucket["period"] for bucket in answer["buckets"]] == ["2024", "2025"]
    assert answer["score"] == pytest.approx(sum(bucket["score"] for bucket in answer["buckets"]))
    assert answer["buckets"][1]["score"] == pytest.approx(7.0 + 7.0 - 8.0 + 0.0)


def test_it_takes_the_event_filters(client, dyad):
    answer = index(client, interval="year", type="talks", date_from="2025-03-01")
    assert answer["buckets"] == [
        {"period": "2025", "count": 1, "cooperation": 1, "conflict": 0, "score": 7.0, "events": ["call"]}
    ]


def test_a_and_b_roll_up_and_may_be_any_two_actors(client, dyad):
    answer = client.get("/api/v1/relations/", {"a": "lavrov", "b": "rubio", "interval": "day"}).json()
    assert [(b["period"], b["events"]) for b in answer["buckets"]] == [("2025-03-04", ["call"])]
    # Two participants under A alone are no relation of A's with B; nor one actor standing for both sides.
    answer = client.get("/api/v1/relations/", {"a": "russia", "b": "russian-mfa", "date_from": "2025-03-06"}).json()
    assert [b["events"] for b in answer["buckets"]] == [["russia-alone"]]
    answer = client.get("/api/v1/relations/", {"a": "lavrov", "b": "lavrov"}).json()
    assert answer["buckets"] == []


def test_curators_see_drafts_counted(dyad):
    client = APIClient()
    client.force_authenticate(User.objects.create_user("curator", is_superuser=True))
    answer = client.get("/api/v1/relations/", {"a": "lavrov", "b": "rubio", "interval": "day"}).json()
    assert [b["events"] for b in answer["buckets"]] == [["call"], ["draft"]]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"a": "russia"}, {"b": ["required: an actor id"]}),
        ({"b": "russia", "a": ""}, {"a": ["required: an actor id"]}),
        ({"a": "atlantis", "b": "russia"}, {"a": ["unknown actor atlantis"]}),
        ({"a": "russia", "b": "Not A Slug"}, {"b": ["unknown actor Not A Slug"]}),
        ({"a": "russia", "b": "france", "interval": "week"}, {"interval": ["'week' is not one of year, month, day"]}),
        ({"a": "russia", "b": "france", "actor": "atlantis"}, {"actor": ["unknown actor atlantis"]}),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, dyad, params, errors):
    response = client.get("/api/v1/relations/", params)
    assert response.status_code == 400
    assert response.json() == errors


def test_it_asks_two_queries(client, dyad, django_assert_num_queries):
    # The two actors' check, then the dyad's events; and the throttle's.
    with django_assert_num_queries(2 + ANON_THROTTLE_QUERIES):
        index(client, interval="month")
