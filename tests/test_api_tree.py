"""Roll-up: actor_tree stands for an actor and every actor below it, at any depth, on every filtered endpoint."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from events.dataset import import_document
from tests.demo import ANON_THROTTLE_QUERIES, actor_record, event_record

pytestmark = pytest.mark.django_db

# A hierarchy four levels deep: state, government, ministry, minister; and a US official.
HIERARCHY = [
    actor_record("russia", country="RUS"),
    actor_record("russian-government", kind="government", country="RUS", parent="russia"),
    actor_record("russian-mfa", kind="government", country="RUS", parent="russian-government"),
    actor_record("lavrov", kind="person", country="RUS", parent="russian-mfa"),
    actor_record("united-states", country="USA"),
    actor_record("rubio", kind="person", country="USA", parent="united-states"),
    actor_record("france", country="FRA"),
]


def between(event_id, *actors, **fields):
    participants = [{"actor": actor, "role": "participant"} for actor in actors]
    return event_record(event_id, participants=participants, **fields)


@pytest.fixture
def hierarchy(db):
    import_document(
        {
            "actors": HIERARCHY,
            "events": [
                between("lavrov-rubio-call", "lavrov", "rubio", start="2025-03-01"),
                between("mfa-statement-on-us", "russian-mfa", "united-states", start="2025-04-01", type="statement"),
                between("russia-us-talks", "russia", "united-states", start="2025-02-18"),
                between("lavrov-france", "lavrov", "france", start="2025-05-01"),
                between("us-france", "united-states", "france", start="2025-06-01"),
            ],
        }
    )


@pytest.fixture
def client():
    return APIClient()


def listed(client, **params):
    response = client.get("/api/v1/events/", {**params, "page_size": 1000})
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["results"]]


def test_actor_tree_finds_events_of_actors_below_at_any_depth(client, hierarchy):
    assert listed(client, actor_tree="russia") == [
        "russia-us-talks",
        "lavrov-rubio-call",
        "mfa-statement-on-us",
        "lavrov-france",
    ]
    assert listed(client, actor_tree="russian-mfa") == ["lavrov-rubio-call", "mfa-statement-on-us", "lavrov-france"]
    assert listed(client, actor_tree="lavrov") == ["lavrov-rubio-call", "lavrov-france"]


def test_actor_stays_exact(client, hierarchy):
    assert listed(client, actor="russia") == ["russia-us-talks"]


def test_two_actor_trees_mean_both(client, hierarchy):
    assert listed(client, actor_tree=["russia", "united-states"]) == [
        "russia-us-talks",
        "lavrov-rubio-call",
        "mfa-statement-on-us",
    ]


def test_actor_tree_combines_with_the_other_filters(client, hierarchy):
    assert listed(client, actor_tree="russia", type="statement") == ["mfa-statement-on-us"]
    assert listed(client, actor_tree="russia", actor="france") == ["lavrov-france"]


def test_an_unknown_actor_tree_is_a_400_naming_it(client, hierarchy):
    response = client.get("/api/v1/events/", {"actor_tree": "atlantis"})
    assert response.status_code == 400
    assert response.json() == {"actor_tree": ["unknown actor atlantis"]}


def test_the_timeline_and_the_export_roll_up_too(client, hierarchy):
    timeline = client.get("/api/v1/timeline/", {"actor_tree": "russian-mfa", "interval": "year"}).json()
    assert timeline == {
        "count": 3,
        "buckets": [{"period": "2025", "count": 3, "types": {"statement": 1, "talks": 2}}],
    }
    export = client.get("/api/v1/events/export/", {"format": "ndjson", "actor_tree": "lavrov"})
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert len(lines) == 2


def test_a_hierarchy_that_loops_in_the_database_still_answers(client, hierarchy):
    # The model refuses a loop; the database alone would store one. The tree's UNION still ends.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_actor SET parent_id = 'lavrov' WHERE id = 'russia'")
    assert listed(client, actor_tree="russian-mfa") == [
        "russia-us-talks",
        "lavrov-rubio-call",
        "mfa-statement-on-us",
        "lavrov-france",
    ]


PAGE_QUERIES = (1 if connection.vendor == "postgresql" else 5) + ANON_THROTTLE_QUERIES


def test_the_roll_up_asks_one_query_more_whatever_the_depth(client, hierarchy, django_assert_num_queries):
    # The page's queries, and one checking that the named actors exist: the tree is read inside the page's.
    with django_assert_num_queries(PAGE_QUERIES + 1):
        assert client.get("/api/v1/events/", {"actor_tree": ["russia", "united-states"]}).status_code == 200
