"""The Atom feed of a question: the matching events, the most recently changed first."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Event
from tests.demo import ANON_THROTTLE_QUERIES, PUBLISHED_DEMO, event_record

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def client():
    return APIClient()


def entries(response):
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def changed(event_id, minutes_ago):
    """Set the event's last change to a known moment."""
    moment = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=minutes_ago)
    Event.objects.filter(pk=event_id).update(updated_at=moment)
    return moment


def test_it_is_an_atom_feed_of_the_matching_events_most_recently_changed_first(client, demo):
    for minutes, event_id in enumerate(reversed(PUBLISHED_DEMO)):
        changed(event_id, minutes)
    response = client.get("/api/v1/events/feed/", HTTP_ACCEPT="application/atom+xml")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    found = entries(response)
    assert [entry.findtext(f"{ATOM}id").rsplit("=", 1)[1] for entry in found] == list(reversed(PUBLISHED_DEMO))
    first = found[0]
    event = Event.objects.get(pk=PUBLISHED_DEMO[-1])
    assert first.findtext(f"{ATOM}title") == event.title
    assert first.findtext(f"{ATOM}id") == f"http://testserver/#event={event.pk}"
    assert first.find(f"{ATOM}link[@rel='alternate']").get("href") == f"http://testserver/#event={event.pk}"
    assert datetime.datetime.fromisoformat(first.findtext(f"{ATOM}updated")) == event.updated_at


def test_an_entrys_updated_is_the_events_updated_at(client, demo):
    shown = client.get("/api/v1/events/us-ru-talks-riyadh-2025/").json()
    feed = entries(client.get("/api/v1/events/feed/", {"actor": "saudi-arabia"}))
    assert datetime.datetime.fromisoformat(feed[0].findtext(f"{ATOM}updated")) == datetime.datetime.fromisoformat(
        shown["updated_at"].replace("Z", "+00:00")
    )


def test_it_applies_the_filters_and_links_to_the_same_question(client, demo):
    found = entries(client.get("/api/v1/events/feed/", {"type": "sanctions", "actor": ""}))
    assert sorted(entry.findtext(f"{ATOM}id").rsplit("=", 1)[1] for entry in found) == [
        "us-sanctions-rosneft-lukoil-2025",
        "us-sanctions-russia-2022",
    ]
    link = found[0].find(f"{ATOM}link[@rel='alternate']").get("href")
    assert link.startswith("http://testserver/?type=sanctions#event=")


def test_it_shows_no_draft_to_readers(client, demo):
    ids = [entry.findtext(f"{ATOM}id") for entry in entries(client.get("/api/v1/events/feed/"))]
    assert len(ids) == len(PUBLISHED_DEMO)
    assert not any(i.endswith("lavrov-us-nuclear-test-plans-2025") for i in ids)


def test_it_holds_at_most_fifty_entries_and_fewer_on_request(client, demo):
    more = [event_record(f"extra-{i:03d}", start=f"2020-01-{i % 28 + 1:02d}") for i in range(60)]
    import_document({"events": more})
    assert len(entries(client.get("/api/v1/events/feed/"))) == 50
    assert len(entries(client.get("/api/v1/events/feed/", {"page_size": 1000}))) == 50
    assert len(entries(client.get("/api/v1/events/feed/", {"page_size": 3}))) == 3


def test_a_bad_parameter_is_a_json_400(client, demo):
    response = client.get("/api/v1/events/feed/", {"actor": "atlantis"}, HTTP_ACCEPT="application/atom+xml")
    assert response.status_code == 400
    assert response.json() == {"actor": ["unknown actor atlantis"]}
    assert client.get("/api/v1/events/feed/", {"page_size": "0"}).json().keys() == {"page_size"}


def test_it_asks_one_query(client, demo, django_assert_num_queries):
    with django_assert_num_queries(1 + ANON_THROTTLE_QUERIES):
        client.get("/api/v1/events/feed/")
