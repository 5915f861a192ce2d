"""The events' JSON as the database wrote it, spliced into the answer (events/api/rendering.py): the same
keys, values and order as the serializer gives, on PostgreSQL's road and on the serializer's."""

import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from events.api.fields import with_api_fields
from events.api.serializers import EventSerializer
from events.dataset import import_document
from events.models import Event
from tests.demo import event_record

pytestmark = pytest.mark.django_db

# Valid JSON, but each ends a line in JavaScript: JSONRenderer escapes them, and so must the splice.
ODD_TITLE = 'Talks\u2028in Zürich \u2029 «ответ» "quoted" \\ back\tslash 💬'


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def odd_event(demo):
    record = event_record(
        "odd-text-talks",
        title=ODD_TITLE,
        summary="Line one\nline two",
        location={"name": "Zürich", "country": "CHE", "lat": 47.3769, "lon": 8.5417},
        related=[{"event": "us-ru-talks-riyadh-2025", "relation": "follows"}],
    )
    import_document({"events": [record]})
    return record


def serialized(event_ids, sees_unpublished=False):
    """The events as the serializer represents them (the road before the splice, and SQLite's)."""
    events = Event.objects.all() if sees_unpublished else Event.objects.visible_to(None)
    events = with_api_fields(events.with_documents(), sees_unpublished)
    by_id = {event.pk: event for event in events.filter(pk__in=event_ids)}
    return [EventSerializer(by_id[event_id]).data for event_id in event_ids]


def test_a_page_shows_each_event_as_the_serializer_does(client, odd_event):
    response = client.get("/api/v1/events/", {"page_size": 1000})
    assert response.status_code == 200
    page = json.loads(response.content)  # key order kept: a dict keeps the text's order
    shown = page["results"]
    expected = serialized([event["id"] for event in shown])
    assert shown == expected
    assert [list(event) for event in shown] == [list(event) for event in expected]
    assert list(page) == ["next", "previous", "results"]
    assert "odd-text-talks" in [event["id"] for event in shown]


def test_the_detail_shows_the_event_as_the_serializer_does(client, odd_event):
    response = client.get("/api/v1/events/odd-text-talks/")
    assert response.status_code == 200
    shown = json.loads(response.content)
    assert shown == serialized(["odd-text-talks"])[0]
    assert list(shown) == list(serialized(["odd-text-talks"])[0])
    assert shown["title"] == ODD_TITLE
    assert shown["incoming"] == []
    riyadh = json.loads(client.get("/api/v1/events/us-ru-talks-riyadh-2025/").content)
    assert {"event": "odd-text-talks", "relation": "follows"} in riyadh["incoming"]


def test_line_separators_are_escaped_as_json_renderer_escapes_them(client, odd_event):
    for path in ("/api/v1/events/odd-text-talks/", "/api/v1/events/?q=Zürich"):
        content = client.get(path).content
        assert "\u2028".encode() not in content and "\u2029".encode() not in content
        assert b"\\u2028" in content and b"\\u2029" in content
        assert "«ответ»".encode() in content  # UTF-8, as JSONRenderer writes it, not \\u escapes


def test_on_postgresql_the_database_json_is_written_unparsed(client, odd_event):
    if connection.vendor != "postgresql":
        pytest.skip("the database writes the events' JSON on PostgreSQL only")
    content = client.get("/api/v1/events/", {"page_size": 5}).content
    # The database's separators (`"key": value`), where JSONRenderer's are compact (`"key":value`).
    assert content.startswith(b'{"next":') and b'"results":[{"id": "' in content


def test_count_indent_and_the_browsable_api_still_answer(client, odd_event):
    counted = client.get("/api/v1/events/", {"count": "true", "q": "Zürich"}).json()
    assert list(counted) == ["count", "next", "previous", "results"]
    assert counted["count"] == 1 and counted["results"] == serialized(["odd-text-talks"])
    indented = client.get("/api/v1/events/", {"q": "Zürich"}, HTTP_ACCEPT="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "next": null')
    assert json.loads(indented.content)["results"] == serialized(["odd-text-talks"])
    detail = client.get("/api/v1/events/odd-text-talks/", HTTP_ACCEPT="application/json; indent=2")
    assert detail.content.startswith(b'{\n  "id": "odd-text-talks"')
    page = client.get("/api/v1/events/odd-text-talks/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "odd-text-talks" in page.content.decode()


def test_curators_pages_show_unpublished_events_alike(odd_event):
    curator = User.objects.create_user("curator", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(curator)
    shown = client.get("/api/v1/events/", {"page_size": 1000}).json()["results"]
    assert shown == serialized([event["id"] for event in shown], sees_unpublished=True)
    assert len(shown) == Event.objects.count()


def test_a_spliced_page_reads_the_texts_and_its_keys_not_whole_rows(client, odd_event):
    if connection.vendor != "postgresql":
        pytest.skip("the database writes the events' JSON on PostgreSQL only")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/v1/events/", {"page_size": 3, "ordering": "-updated"}).json()
    (page_query,) = [query["sql"] for query in queries if "LIMIT" in query["sql"]]
    columns = page_query.split("(", 1)[0]  # what the SELECT reads before the JSON texts' expressions
    assert '"events_event"."summary"' not in columns and '"events_event"."updated_at"' in columns
    # The cursor's keys are read: the next pages follow on, each event once.
    seen = [event["id"] for event in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [event["id"] for event in page["results"]]
    assert seen == list(Event.objects.published().order_by("-updated_at", "-id").values_list("id", flat=True))
    ranked = client.get("/api/v1/events/", {"q": "talks", "ordering": "relevance", "page_size": 2}).json()
    assert ranked["next"] and client.get(ranked["next"]).status_code == 200


def test_a_spliced_detail_reads_the_texts_not_the_whole_row(client, odd_event):
    if connection.vendor != "postgresql":
        pytest.skip("the database writes the events' JSON on PostgreSQL only")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/events/odd-text-talks/")
    assert response.status_code == 200 and response["ETag"]
    (detail_query,) = [query["sql"] for query in queries if "odd-text-talks" in query["sql"]]
    assert '"events_event"."summary"' not in detail_query.split("(", 1)[0]
    assert client.get("/api/v1/events/no-such-event/").status_code == 404
    assert client.get("/api/v1/events/odd-text-talks/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
