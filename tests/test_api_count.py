"""count=true: the exact number of events the filters match, on the page."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.test import APIClient

from tests.demo import ANON_THROTTLE_QUERIES, PUBLISHED_DEMO

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


def test_count_true_adds_the_number_of_matches(client, demo):
    page = client.get("/api/v1/events/", {"count": "true", "page_size": 2}).json()
    assert page["count"] == len(PUBLISHED_DEMO)
    assert len(page["results"]) == 2
    assert list(page) == ["count", "next", "previous", "results"]


def test_the_count_follows_the_filters_on_every_page(client, demo):
    first = client.get("/api/v1/events/", {"count": "true", "type": "talks", "page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert first["count"] == second["count"] == 5


def test_the_count_follows_the_readers_visibility(demo):
    curator = User.objects.create_user("curator", is_superuser=True)
    client = APIClient()
    client.force_authenticate(curator)
    assert client.get("/api/v1/events/", {"count": "true"}).json()["count"] == 17


def test_without_count_there_is_none(client, demo):
    assert "count" not in client.get("/api/v1/events/").json()
    assert "count" not in client.get("/api/v1/events/", {"count": "false"}).json()
    assert "count" not in client.get("/api/v1/events/", {"count": ""}).json()


def test_a_count_that_is_not_true_or_false_is_a_400(client, demo):
    response = client.get("/api/v1/events/", {"count": "yes"})
    assert response.status_code == 400
    assert response.json() == {"count": ["'yes' is not true or false"]}


PAGE_QUERIES = (1 if connection.vendor == "postgresql" else 5) + ANON_THROTTLE_QUERIES


def test_the_count_is_one_query_more(client, demo, django_assert_num_queries):
    matching = client.get("/api/v1/events/", {"q": "talks", "page_size": 1000}).json()["results"]
    with django_assert_num_queries(PAGE_QUERIES + 1):
        page = client.get("/api/v1/events/", {"count": "true", "q": "talks", "page_size": 1}).json()
    assert page["count"] == len(matching) > 1
