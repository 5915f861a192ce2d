"""Facets: counts of the matching events per value, one grouped query each."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.test import APIClient

from events.dataset import import_document
from tests.demo import ANON_THROTTLE_QUERIES, actor_record, event_record

pytestmark = pytest.mark.django_db

ACTORS = [
    actor_record("russia", country="RUS"),
    actor_record("lavrov", name="Sergey Lavrov", kind="person", country="RUS", parent="russia"),
    actor_record("united-states", name="United States", country="USA"),
    actor_record("eu", name="European Union", kind="igo"),
]


def source(publisher, url):
    return {"url": url, "title": "t", "publisher": publisher, "published": None, "quote": None, "claimed_by": None}


def event(event_id, actors, **fields):
    return event_record(event_id, participants=[{"actor": actor, "role": "participant"} for actor in actors], **fields)


@pytest.fixture
def events(db):
    import_document(
        {
            "actors": ACTORS,
            "events": [
                # Lavrov and Russia in one event: RUS counts once for it.
                event("a", ["lavrov", "russia", "united-states"], type="talks", start="2024-05-01", tags=["x"]),
                event(
                    "b",
                    ["russia", "united-states"],
                    type="sanctions.imposed",
                    start="2025-01-01",
                    location={"name": "Riyadh", "country": "SAU", "lat": None, "lon": None},
                    sources=[source("RT", "https://rt.example/1"), source("Reuters", "https://r.example/1")],
                    tags=["x", "y"],
                ),
                event("c", ["united-states", "eu"], type="sanctions.lifted", start="2025", start_precision="year"),
                event("d", ["eu", "russia"], type="talks", status="cancelled", start="2025-03-02"),
                event("e", ["russia", "united-states"], type="talks", review_state="draft", start="2025-04-01"),
            ],
        }
    )


@pytest.fixture
def client():
    return APIClient()


ALL = ["type", "family", "status", "actor", "country", "year", "publisher", "tag"]


def test_it_counts_each_matching_event_once_per_value(client, events):
    response = client.get("/api/v1/events/facets/", {"facet": ALL})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "count": 4,
        "facets": {
            "type": [
                {"value": "talks", "count": 2, "label": "Talks"},
                {"value": "sanctions.imposed", "count": 1, "label": "Sanctions imposed"},
                {"value": "sanctions.lifted", "count": 1, "label": "Sanctions lifted"},
            ],
            "family": [
                {"value": "sanctions", "count": 2, "label": "Sanctions"},
                {"value": "talks", "count": 2, "label": "Talks"},
            ],
            "status": [{"value": "occurred", "count": 3}, {"value": "cancelled", "count": 1}],
            "actor": [
                {"value": "russia", "count": 3, "label": "Russia"},
                {"value": "united-states", "count": 3, "label": "United States"},
                {"value": "eu", "count": 2, "label": "European Union"},
                {"value": "lavrov", "count": 1, "label": "Sergey Lavrov"},
            ],
            "country": [
                {"value": "RUS", "count": 3, "label": "Russian Federation"},
                {"value": "USA", "count": 3, "label": "United States"},
                {"value": "SAU", "count": 1, "label": "Saudi Arabia"},
            ],
            "year": [{"value": "2025", "count": 3}, {"value": "2024", "count": 1}],
            "publisher": [
                {"value": "Example News", "count": 3},
                {"value": "RT", "count": 1},
                {"value": "Reuters", "count": 1},
            ],
            "tag": [{"value": "x", "count": 2}, {"value": "y", "count": 1}],
        },
    }


def test_facets_follow_the_filters(client, events):
    response = client.get("/api/v1/events/facets/", {"facet": ["family", "year"], "actor_tree": "lavrov"})
    assert response.json() == {
        "count": 1,
        "facets": {
            "family": [{"value": "talks", "count": 1, "label": "Talks"}],
            "year": [{"value": "2024", "count": 1}],
        },
    }
    response = client.get("/api/v1/events/facets/", {"facet": "status", "type": "talks", "q": "talks"})
    assert response.json()["facets"]["status"] == [
        {"value": "cancelled", "count": 1},
        {"value": "occurred", "count": 1},
    ]


def test_curators_count_drafts_too(events):
    client = APIClient()
    client.force_authenticate(User.objects.create_user("curator", is_superuser=True))
    assert client.get("/api/v1/events/facets/", {"facet": "type"}).json()["facets"]["type"][0] == {
        "value": "talks",
        "count": 3,
        "label": "Talks",
    }


def test_facet_size_keeps_the_first_values(client, events):
    response = client.get("/api/v1/events/facets/", {"facet": "actor", "facet_size": 2})
    assert [row["value"] for row in response.json()["facets"]["actor"]] == ["russia", "united-states"]
    assert client.get("/api/v1/events/facets/", {"facet": "actor", "facet_size": 10**9}).status_code == 200


def test_without_a_facet_it_answers_the_count(client, events):
    assert client.get("/api/v1/events/facets/").json() == {"count": 4, "facets": {}}


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"facet": "colour"}, "facet"),
        ({"facet": ["type", "colour"]}, "facet"),
        ({"facet": "type", "facet_size": "0"}, "facet_size"),
        ({"facet": "type", "facet_size": "many"}, "facet_size"),
        ({"facet": "type", "actor": "atlantis"}, "actor"),
        ({"facet": "type", "page_size": "3"}, "page_size"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, events, params, key):
    response = client.get("/api/v1/events/facets/", params)
    assert response.status_code == 400
    assert list(response.json()) == [key]


def test_it_asks_one_query_per_facet_or_one_for_all_on_postgresql(client, events, django_assert_num_queries):
    # The count, then one grouped query per facet; and the throttle's. Every published event on PostgreSQL:
    # one query of the facet summary for the count and the six facets it answers, then publisher and tag.
    counted = 1 + 2 if connection.vendor == "postgresql" else 1 + len(ALL)
    with django_assert_num_queries(counted + ANON_THROTTLE_QUERIES):
        client.get("/api/v1/events/facets/", {"facet": ALL})
    # Plus the named actors' check, whatever the facets count over. On PostgreSQL the count and the facets
    # of the matching events are one query, which reads them once.
    counted = 1 if connection.vendor == "postgresql" else 1 + 2
    with django_assert_num_queries(1 + counted + ANON_THROTTLE_QUERIES):
        client.get("/api/v1/events/facets/", {"facet": ["actor", "country"], "actor_tree": "russia"})


def test_values_of_equal_count_are_in_byte_order(client, events):
    # As Python sorts text: PostgreSQL's own collation would put "Reuters" before "RT".
    publishers = client.get("/api/v1/events/facets/", {"facet": "publisher"}).json()["facets"]["publisher"]
    assert [row["value"] for row in publishers] == ["Example News", "RT", "Reuters"]
