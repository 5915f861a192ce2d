"""created_at, updated_at and incoming: on events in the API (list, detail, writes), not in dataset files."""

import datetime
import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Event
from tests.demo import ANON_THROTTLE_QUERIES, event_record

pytestmark = pytest.mark.django_db

TARGET = "us-ru-talks-riyadh-2025"
# The demo's published events that relate to the Riyadh talks.
INCOMING_TO_RIYADH = [{"event": "us-ru-talks-istanbul-2025", "relation": "follows"}]


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def curator_client():
    user = User.objects.create_user("curator", password="x", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def draft_relating_to_riyadh(demo):
    draft = event_record(
        "ru-us-draft-follow-up", review_state="draft", related=[{"event": TARGET, "relation": "responds_to"}]
    )
    import_document({"events": [draft]})


def moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_an_event_carries_its_timestamps(client, demo):
    event = Event.objects.get(pk=TARGET)
    shown = client.get(f"/api/v1/events/{TARGET}/").json()
    assert moment(shown["created_at"]) == event.created_at
    assert moment(shown["updated_at"]) == event.updated_at
    assert shown["updated_at"].endswith("Z")


def test_an_event_carries_the_relations_other_events_store_towards_it(client, demo):
    assert client.get(f"/api/v1/events/{TARGET}/").json()["incoming"] == INCOMING_TO_RIYADH
    lukoil = client.get("/api/v1/events/us-sanctions-rosneft-lukoil-2025/").json()
    assert lukoil["incoming"] == [{"event": "putin-sanctions-unfriendly-move-2025", "relation": "responds_to"}]
    assert client.get("/api/v1/events/putin-sanctions-unfriendly-move-2025/").json()["incoming"] == []


def test_readers_see_no_incoming_relation_from_a_draft(client, curator_client, draft_relating_to_riyadh):
    assert client.get(f"/api/v1/events/{TARGET}/").json()["incoming"] == INCOMING_TO_RIYADH
    listed = {e["id"]: e for e in client.get("/api/v1/events/", {"page_size": 1000}).json()["results"]}
    assert listed[TARGET]["incoming"] == INCOMING_TO_RIYADH
    assert "ru-us-draft-follow-up" not in json.dumps(listed)
    assert curator_client.get(f"/api/v1/events/{TARGET}/").json()["incoming"] == [
        {"event": "ru-us-draft-follow-up", "relation": "responds_to"},
        *INCOMING_TO_RIYADH,
    ]


def test_the_list_carries_them_too(client, demo):
    listed = {e["id"]: e for e in client.get("/api/v1/events/", {"page_size": 1000}).json()["results"]}
    assert listed[TARGET]["incoming"] == INCOMING_TO_RIYADH
    assert listed["us-ru-bilateral-dialogue-2025"]["incoming"] == [
        {"event": "us-ru-talks-istanbul-2025", "relation": "part_of"},
        {"event": "us-ru-talks-riyadh-2025", "relation": "part_of"},
        {"event": "us-ru-third-round-cancelled-2025", "relation": "part_of"},
    ]
    assert all(moment(e["updated_at"]) >= moment(e["created_at"]) for e in listed.values())


def test_writes_answer_with_them(curator_client, demo):
    body = event_record("ru-us-talks-2026", start="2026-01-10", related=[{"event": TARGET, "relation": "follows"}])
    created = curator_client.post("/api/v1/events/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["incoming"] == []
    riyadh = curator_client.get(f"/api/v1/events/{TARGET}/")
    assert {"event": "ru-us-talks-2026", "relation": "follows"} in riyadh.json()["incoming"]
    changed = curator_client.patch(
        f"/api/v1/events/{TARGET}/", {"status": "postponed"}, format="json", HTTP_IF_MATCH=riyadh["ETag"]
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["incoming"] == riyadh.json()["incoming"]
    assert moment(changed.json()["updated_at"]) > moment(riyadh.json()["updated_at"])


def test_dataset_files_do_not_carry_them(client, demo):
    export = client.get("/api/v1/events/export/", {"format": "json"})
    document = json.loads(b"".join(export.streaming_content))
    assert not {"created_at", "updated_at", "incoming"} & set(document["events"][0])
    lines = b"".join(client.get("/api/v1/events/export/", {"format": "ndjson"}).streaming_content).splitlines()
    assert not {"created_at", "updated_at", "incoming"} & set(json.loads(lines[0]))


PAGE_QUERIES = (1 if connection.vendor == "postgresql" else 5) + ANON_THROTTLE_QUERIES


def test_incoming_relations_cost_no_query_more(client, draft_relating_to_riyadh, django_assert_num_queries):
    # The page and its lists as before; the incoming relations are written inside the page's query.
    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get("/api/v1/events/", {"page_size": 1000}).json()["results"]
    # The demo's eleven relations between published events; not the draft's, nor the reviewed one's.
    assert sum(len(e["incoming"]) for e in page) == 11


def test_an_event_read_from_the_api_may_be_written_back_as_it_is(curator_client, demo):
    read = curator_client.get(f"/api/v1/events/{TARGET}/")
    body = {**read.json(), "title": "Talks in Riyadh", "incoming": [], "created_at": "2000-01-01T00:00:00Z"}
    written = curator_client.put(f"/api/v1/events/{TARGET}/", body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert written.status_code == 200, written.content
    assert written.json()["title"] == "Talks in Riyadh"
    # Read-only: the stored moment and the other events' relations stay what they were.
    assert written.json()["created_at"] == read.json()["created_at"]
    assert written.json()["incoming"] == read.json()["incoming"]
