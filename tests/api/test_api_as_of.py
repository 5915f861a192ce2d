"""`as_of`: the events, the timeline, the facets and the export as the data stood at a moment."""

import datetime
import importlib
import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from events.asof import CHANGED
from events.dataset import import_document
from events.models import Event, Participant
from tests.demo import actor_record, dataset, event_record

pytestmark = pytest.mark.django_db

SOURCE = event_record()["sources"][0]


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def curator_client():
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("ada"))
    return client


def now():
    """A moment strictly after every write so far and before every later one."""
    moment = timezone.now()
    while timezone.now() == moment:
        pass
    return moment


@pytest.fixture
def story(curator_client):
    """A history of writes, and the moment before each: {"imported", "retitled", ..., "deleted"}."""
    import_document(
        dataset(
            event_record("talks", title="Talks", tags=["oil"]),
            event_record("visit", title="Visit", start="2024-05-01"),
            event_record("draft", title="Draft", start="2023-01-01", review_state="draft"),
            actors=[actor_record("ukraine", country="UKR")],
        )
    )
    moments = {"imported": now()}

    def patch(event_id, **fields):
        response = curator_client.patch(f"/api/v1/events/{event_id}/", fields, format="json")
        assert response.status_code == 200, response.json()

    patch("talks", title="Talks in Riyadh")
    moments["retitled"] = now()
    patch(
        "talks", participants=[{"actor": "russia", "role": "participant"}, {"actor": "ukraine", "role": "participant"}]
    )
    moments["recast"] = now()
    patch("talks", sources=[{**SOURCE, "quote": "They met twice."}], tags=["gas"])
    moments["requoted"] = now()
    patch("draft", review_state="published", related=[{"event": "talks", "relation": "follows"}])
    moments["published"] = now()
    assert curator_client.delete("/api/v1/events/visit/").status_code == 204
    moments["deleted"] = now()
    return moments


def as_of(client, path, moment, **params):
    response = client.get(path, {"as_of": moment.isoformat(), **params})
    assert response.status_code == 200, response.content
    return response.json()


def listed(client, moment):
    return {event["id"]: event for event in as_of(client, "/api/v1/events/", moment)["results"]}


def test_the_list_shows_the_events_that_stood_at_each_moment(anonymous, story):
    ids = {name: list(listed(anonymous, moment)) for name, moment in story.items()}
    assert ids == {
        "imported": ["visit", "talks"],
        "retitled": ["visit", "talks"],
        "recast": ["visit", "talks"],
        "requoted": ["visit", "talks"],
        "published": ["draft", "visit", "talks"],
        "deleted": ["draft", "talks"],
    }


def test_an_event_shows_its_fields_participants_sources_and_tags_as_they_were(anonymous, story):
    def talks(name):
        event = as_of(anonymous, "/api/v1/events/talks/", story[name])
        return (
            event["title"],
            [p["actor"] for p in event["participants"]],
            [s["quote"] for s in event["sources"]],
            event["tags"],
        )

    assert talks("imported") == ("Talks", ["russia", "united-states"], ["The delegations met."], ["oil"])
    assert talks("retitled") == ("Talks in Riyadh", ["russia", "united-states"], ["The delegations met."], ["oil"])
    assert talks("recast") == ("Talks in Riyadh", ["russia", "ukraine"], ["The delegations met."], ["oil"])
    assert talks("requoted") == ("Talks in Riyadh", ["russia", "ukraine"], ["They met twice."], ["gas"])
    assert talks("deleted") == talks("requoted")


def test_relations_both_ways_are_those_of_the_moment(anonymous, story):
    before = as_of(anonymous, "/api/v1/events/talks/", story["requoted"])
    after = as_of(anonymous, "/api/v1/events/talks/", story["published"])
    assert before["incoming"] == []
    assert after["incoming"] == [{"event": "draft", "relation": "follows"}]
    assert as_of(anonymous, "/api/v1/events/draft/", story["published"])["related"] == [
        {"event": "talks", "relation": "follows"}
    ]


def test_publication_is_as_it_was_then(anonymous, curator_client, story):
    assert anonymous.get("/api/v1/events/draft/", {"as_of": story["requoted"].isoformat()}).status_code == 404
    assert as_of(curator_client, "/api/v1/events/draft/", story["requoted"])["review_state"] == "draft"
    assert as_of(anonymous, "/api/v1/events/draft/", story["published"])["review_state"] == "published"
    # Unpublished since: shown as it was to anonymous readers, though hidden now.
    curator_client.patch("/api/v1/events/talks/", {"review_state": "draft"}, format="json")
    assert anonymous.get("/api/v1/events/talks/").status_code == 404
    assert as_of(anonymous, "/api/v1/events/talks/", story["deleted"])["title"] == "Talks in Riyadh"


def test_a_deleted_event_is_there_before_its_deletion_only(anonymous, story):
    assert as_of(anonymous, "/api/v1/events/visit/", story["published"])["title"] == "Visit"
    assert anonymous.get("/api/v1/events/visit/", {"as_of": story["deleted"].isoformat()}).status_code == 404


def test_an_event_created_since_is_not_there(anonymous, story):
    before = timezone.now() - datetime.timedelta(days=1)
    assert as_of(anonymous, "/api/v1/events/", before)["results"] == []
    assert anonymous.get("/api/v1/events/talks/", {"as_of": before.isoformat()}).status_code == 404


def test_the_answer_as_of_now_is_the_answer_now(anonymous, curator_client, story):
    for client in (anonymous, curator_client):
        now_list = client.get("/api/v1/events/").json()["results"]
        assert as_of(client, "/api/v1/events/", timezone.now())["results"] == now_list


def test_count_counts_the_events_of_the_moment(anonymous, story):
    assert as_of(anonymous, "/api/v1/events/", story["published"], count="true")["count"] == 3


def test_pages_follow_the_moment(anonymous, story):
    first = as_of(anonymous, "/api/v1/events/", story["published"], page_size=2)
    assert [event["id"] for event in first["results"]] == ["draft", "visit"]
    second = anonymous.get(first["next"]).json()
    assert [event["id"] for event in second["results"]] == ["talks"]


@pytest.mark.parametrize(
    "path", ["/api/v1/events/", "/api/v1/events/talks/", "/api/v1/timeline/", "/api/v1/events/facets/"]
)
def test_a_moment_in_the_future_is_a_400_naming_as_of(anonymous, story, path):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    response = anonymous.get(path, {"as_of": tomorrow.isoformat()})
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01T00:00:00Z", "99999-01-01T00:00:00Z"])
def test_a_moment_that_is_not_a_datetime_is_a_400_naming_as_of(anonymous, story, value):
    response = anonymous.get("/api/v1/events/", {"as_of": value})
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]


def test_an_empty_as_of_is_the_answer_now(anonymous, story):
    assert anonymous.get("/api/v1/events/", {"as_of": ""}).json() == anonymous.get("/api/v1/events/").json()


def test_the_list_asks_as_many_queries_for_many_events_as_for_few(curator_client, story):
    def queries(moment):
        with CaptureQueriesContext(connection) as context:
            as_of(curator_client, "/api/v1/events/", moment)
        return len(context.captured_queries)

    few = queries(story["imported"])
    import_document(dataset(*(event_record(f"more-{n}", tags=["oil"]) for n in range(20))))
    many_moment = now()
    assert len(listed(curator_client, many_moment)) == 22
    # The user's session and permissions, the page of versions, then their participants, citations, sources,
    # tags and relations: the same whatever the number of events.
    assert queries(many_moment) == few


def test_the_answer_is_the_same_json_as_now_for_an_unchanged_event(anonymous, story):
    moment = now()
    assert json.dumps(as_of(anonymous, "/api/v1/events/talks/", moment), sort_keys=True) == json.dumps(
        anonymous.get("/api/v1/events/talks/").json(), sort_keys=True
    )


def test_the_filters_ask_of_the_events_as_they_were(anonymous, story):
    def ids(name, **params):
        return [event["id"] for event in as_of(anonymous, "/api/v1/events/", story[name], **params)["results"]]

    assert ids("retitled", actor="united-states") == ["visit", "talks"]
    assert ids("recast", actor="united-states") == ["visit"]
    assert ids("recast", actor="ukraine") == ["talks"]
    assert ids("recast", country="UKR") == ["talks"]
    assert ids("recast", actor_tree="ukraine") == ["talks"]
    assert ids("retitled", tag="oil") == ["talks"]
    assert ids("requoted", tag="oil") == []
    assert ids("requoted", tag="gas") == ["talks"]
    assert ids("published", date_to="2023") == ["draft"]
    assert ids("published", publisher="example news") == ["draft", "visit", "talks"]
    assert ids("published", type="talks", status="occurred") == ["draft", "visit", "talks"]


def test_the_text_search_reads_the_titles_and_quotes_of_the_moment(anonymous, story):
    def found(name, q):
        return [event["id"] for event in as_of(anonymous, "/api/v1/events/", story[name], q=q)["results"]]

    assert found("imported", "riyadh") == []
    assert found("retitled", "riyadh") == ["talks"]
    assert found("recast", "twice") == []
    assert found("requoted", "twice") == ["talks"]
    ranked = as_of(anonymous, "/api/v1/events/", story["requoted"], q="talks", ordering="relevance")
    assert [event["id"] for event in ranked["results"]] == ["talks"]


def test_the_timeline_counts_the_events_of_the_moment(anonymous, story):
    def timeline(name):
        return as_of(anonymous, "/api/v1/timeline/", story[name])

    assert timeline("imported") == {
        "count": 2,
        "buckets": [
            {"period": "2024", "count": 1, "types": {"talks": 1}},
            {"period": "2025", "count": 1, "types": {"talks": 1}},
        ],
    }
    assert [bucket["period"] for bucket in timeline("published")["buckets"]] == ["2023", "2024", "2025"]
    assert [bucket["period"] for bucket in timeline("deleted")["buckets"]] == ["2023", "2025"]


def test_the_facets_count_the_events_and_parts_of_the_moment(anonymous, story):
    def facets(name, *names):
        return as_of(anonymous, "/api/v1/events/facets/", story[name], facet=list(names))

    assert facets("retitled", "actor", "tag", "country") == {
        "count": 2,
        "facets": {
            "actor": [
                {"value": "russia", "count": 2, "label": "Russia"},
                {"value": "united-states", "count": 2, "label": "United States"},
            ],
            "tag": [{"value": "oil", "count": 1}],
            "country": [
                {"value": "RUS", "count": 2, "label": "Russian Federation"},
                {"value": "USA", "count": 2, "label": "United States"},
            ],
        },
    }
    assert facets("requoted", "actor", "tag", "publisher", "year") == {
        "count": 2,
        "facets": {
            "actor": [
                {"value": "russia", "count": 2, "label": "Russia"},
                {"value": "ukraine", "count": 1, "label": "Ukraine"},
                {"value": "united-states", "count": 1, "label": "United States"},
            ],
            "tag": [{"value": "gas", "count": 1}],
            "publisher": [{"value": "Example News", "count": 2}],
            "year": [{"value": "2024", "count": 1}, {"value": "2025", "count": 1}],
        },
    }


@pytest.mark.parametrize("name", ["json", "ndjson", "csv", "ics", "geojson", "timelinejs"])
def test_an_export_of_a_moment_is_the_export_made_then(anonymous, curator_client, story, name):
    """An export names the moment it stands at; asked for as_of that moment later, it is the same file."""
    made_then = anonymous.get("/api/v1/events/export/", {"format": name})
    moment = made_then["X-Chancery-As-Of"]
    then_text = b"".join(made_then.streaming_content)
    curator_client.patch("/api/v1/events/talks/", {"title": "Talks, later", "tags": ["later"]}, format="json")
    curator_client.patch("/api/v1/events/draft/", {"review_state": "draft"}, format="json")
    again = anonymous.get("/api/v1/events/export/", {"format": name, "as_of": moment})
    assert again["X-Chancery-As-Of"] == moment
    assert b"".join(again.streaming_content) == then_text
    now_text = b"".join(anonymous.get("/api/v1/events/export/", {"format": name}).streaming_content)
    if name != "geojson":  # none of these events has a place: the map is empty then and now
        assert now_text != then_text


def test_an_export_of_a_moment_holds_the_events_deleted_since(anonymous, story):
    response = anonymous.get("/api/v1/events/export/", {"format": "ndjson", "as_of": story["published"].isoformat()})
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [(event["id"], event["title"]) for event in lines] == [
        ("draft", "Draft"),
        ("visit", "Visit"),
        ("talks", "Talks in Riyadh"),
    ]
    assert lines[0]["related"] == [{"event": "talks", "relation": "follows"}]


@pytest.fixture
def dyad_story():
    """Events of Russia and the United States, then the moment, then changes of every kind to some of them."""
    lasting = {"start": "2019-12-20", "end": "2020-01-10"}
    import_document(
        dataset(
            event_record("a-lasting-unchanged", **lasting),
            event_record("b-lasting-retitled", **lasting),
            event_record("c-unchanged", start="2020-01-02"),
            event_record("d-retitled", start="2020-01-03"),
            event_record("e-joined-since", start="2020-01-04"),
            event_record("f-left-since", start="2020-01-05"),
            event_record("g-deleted", start="2020-01-06"),
            event_record("h-unchanged", start="2020-01-07"),
            event_record("i-statement", type="statement", start="2020-01-08"),
            actors=[actor_record("ukraine", country="UKR")],
        )
    )
    moment = now()
    for event_id in ("b-lasting-retitled", "d-retitled"):
        event = Event.objects.get(pk=event_id)
        event.title = "Retitled since"
        event.save()
    # Participants changed without a new version of their event: the version stands, its parts do not.
    Participant.objects.create(event_id="e-joined-since", actor_id="ukraine", role="participant")
    Participant.objects.get(event_id="f-left-since", actor_id="russia").delete()
    Event.objects.get(pk="g-deleted").delete()
    import_document(dataset(event_record("c-created-since", start="2020-01-02")))
    return moment


@pytest.mark.parametrize("page_size", [1, 2, 100])
@pytest.mark.parametrize("ordering", ["start", "-start"])
def test_a_dyad_list_as_of_a_moment_holds_its_events_changed_since_or_not(anonymous, dyad_story, page_size, ordering):
    def ids(**params):
        params = {"actor": ["russia", "united-states"], "page_size": page_size, "ordering": ordering, **params}
        page = as_of(anonymous, "/api/v1/events/", dyad_story, **params)
        seen = [event["id"] for event in page["results"]]
        while page["next"]:
            page = anonymous.get(page["next"]).json()
            seen += [event["id"] for event in page["results"]]
        return seen if ordering == "start" else seen[::-1]

    then = [
        "a-lasting-unchanged",
        "b-lasting-retitled",
        "c-unchanged",
        "d-retitled",
        "e-joined-since",
        "f-left-since",
        "g-deleted",
        "h-unchanged",
        "i-statement",
    ]
    assert ids() == then
    assert ids(date_from="2020-01-01") == then
    assert ids(date_from="2020-01-03", type="talks") == [
        "a-lasting-unchanged",
        "b-lasting-retitled",
        "d-retitled",
        "e-joined-since",
        "f-left-since",
        "g-deleted",
        "h-unchanged",
    ]
    assert ids(date_from="2020-01-05", date_to="2020-01-07") == then[:2] + then[5:8]
    titles = {
        event["id"]: event["title"]
        for event in as_of(anonymous, "/api/v1/events/", dyad_story, actor=["russia", "united-states"])["results"]
    }
    assert titles["d-retitled"] == titles["c-unchanged"] == "Russian and US delegations hold talks"


def test_the_changed_versions_indexes_are_made_on_the_condition_the_lists_say():
    migration = importlib.import_module("events.migrations.0021_changed_versions")
    assert migration.CHANGED == CHANGED
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'hist_event_changed_%' ORDER BY 1")
            assert cursor.fetchall() == [("hist_event_changed_chrono_idx",), ("hist_event_changed_lasting_idx",)]
