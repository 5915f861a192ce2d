"""Writing events through the API: authentication, permissions, validation, ETags and tombstones."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.models import Citation, Event, EventTombstone, Participant, Source
from tests.demo import event_record, row_counts

pytestmark = pytest.mark.django_db


def new_event(**fields):
    return {**event_record("ru-us-talks-2024", start="2024-05", start_precision="month", tags=["embassy"]), **fields}


@pytest.fixture
def curator():
    return User.objects.create_user("curator", password="pass-8429!x", is_staff=True, is_superuser=True)


@pytest.fixture
def token_client(curator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")
    return client


def test_a_curator_with_a_token_creates_an_event_that_anonymous_users_then_see(token_client, demo):
    response = token_client.post("/api/v1/events/", new_event(), format="json")
    assert response.status_code == 201, response.content
    assert response["Location"].endswith("/api/v1/events/ru-us-talks-2024/")
    assert response.json()["start"] == "2024-05"
    seen = APIClient().get("/api/v1/events/ru-us-talks-2024/")
    assert seen.status_code == 200
    assert seen.json() == response.json()
    event = Event.objects.get(pk="ru-us-talks-2024")
    assert event.created_by.username == event.updated_by.username == "curator"
    assert {record.history_user.username for record in event.history.all()} == {"curator"}


def test_anonymous_writes_are_refused_and_change_nothing(demo):
    client = APIClient()
    assert client.post("/api/v1/events/", new_event(), format="json").status_code == 401
    assert client.delete("/api/v1/events/us-ru-talks-riyadh-2025/").status_code == 401
    assert client.patch("/api/v1/events/us-ru-talks-riyadh-2025/", {"title": "x"}, format="json").status_code == 401
    assert Event.objects.filter(pk="us-ru-talks-riyadh-2025", title__startswith="US and Russian").exists()
    assert not Event.objects.filter(pk="ru-us-talks-2024").exists()


def test_a_user_without_the_model_permission_is_forbidden(demo):
    user = User.objects.create_user("reader", password="x")
    client = APIClient()
    client.force_authenticate(user)
    assert client.post("/api/v1/events/", new_event(), format="json").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_event"))
    client.force_authenticate(User.objects.get(pk=user.pk))
    assert client.post("/api/v1/events/", new_event(review_state="draft"), format="json").status_code == 201


def test_a_session_write_needs_the_csrf_token(curator, demo):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(curator)
    assert client.post("/api/v1/events/", new_event(), format="json").status_code == 403
    client.get("/admin/")
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/v1/events/", new_event(), format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"end": "2020-01-01", "end_precision": "day"}, "end"),
        ({"type": "no.such.type"}, "type"),
        ({"start": "2024-05-17", "start_precision": "month"}, "start"),
        ({"status": "exploded"}, "status"),
        ({"participants": [{"actor": "atlantis", "role": "participant"}]}, "participants[0].actor"),
        ({"participants": [{"actor": "russia", "role": "spectator"}]}, "participants[0].role"),
        ({"sources": []}, "sources"),
        ({"location": {"name": "Nowhere", "country": "XX", "lat": 91, "lon": 0}}, "location.lat"),
        ({"related": [{"event": "no-such-event", "relation": "follows"}]}, "related[0].event"),
        ({"id": "export"}, "id"),
        ({"title": ""}, "title"),
        ({"title": "Talks\x00"}, "title"),
        ({"sources": [{"url": "https://example.org/a", "quote": "\x00"}]}, "sources[0].quote"),
        ({"": {"note": "\x00"}}, ".note"),  # under a key that is empty: the path still starts at it
    ],
)
def test_a_bad_event_is_refused_with_400_naming_the_field_and_nothing_is_written(token_client, demo, fields, key):
    before = (Event.objects.count(), Participant.objects.count(), Citation.objects.count())
    response = token_client.post("/api/v1/events/", new_event(**fields), format="json")
    assert response.status_code == 400
    assert key in response.json(), response.json()
    assert (Event.objects.count(), Participant.objects.count(), Citation.objects.count()) == before


@pytest.mark.parametrize("event_id", ["feed", "facets"])
def test_an_id_the_api_answers_as_a_path_is_refused_with_400_naming_it(token_client, demo, event_id):
    response = token_client.post("/api/v1/events/", new_event(id=event_id), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "id": [
            f"'{event_id}' is reserved by the API (/api/v1/events/{event_id}/) and cannot be an event id; "
            "the reserved ids are deleted, export, facets, feed."
        ]
    }
    assert not Event.objects.filter(pk=event_id).exists()


def test_a_number_beyond_a_float_is_a_400_naming_it(token_client, demo):
    body = json.dumps(new_event(location={"name": "Nowhere", "lat": 0, "lon": 0})).replace('"lat": 0', '"lat": 1e400')
    response = token_client.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 400
    assert "location.lat" in response.json(), response.json()


def test_a_garbage_body_is_a_400(token_client, demo):
    response = token_client.post("/api/v1/events/", b"{not json", content_type="application/json")
    assert response.status_code == 400
    response = token_client.post("/api/v1/events/", [1, 2], format="json")
    assert response.status_code == 400


def test_creating_an_existing_id_is_refused_with_409_naming_it_and_changes_nothing(token_client, demo):
    before = row_counts()
    response = token_client.post("/api/v1/events/", new_event(id="us-ru-talks-riyadh-2025"), format="json")
    assert response.status_code == 409
    assert response.json() == {
        "id": ["an event 'us-ru-talks-riyadh-2025' exists: PUT or PATCH /api/v1/events/us-ru-talks-riyadh-2025/"]
    }
    assert row_counts() == before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_put_or_patch_of_an_id_that_does_not_exist_is_a_404_and_creates_nothing(token_client, demo, method):
    before = row_counts()
    response = getattr(token_client, method)("/api/v1/events/ru-us-talks-2024/", new_event(), format="json")
    assert (response.status_code, response.json()) == (404, {"detail": "No Event matches the given query."})
    assert row_counts() == before


def test_patch_changes_only_what_it_names(token_client, demo):
    before = token_client.get("/api/v1/events/us-ru-talks-riyadh-2025/").json()
    response = token_client.patch("/api/v1/events/us-ru-talks-riyadh-2025/", {"status": "postponed"}, format="json")
    assert response.status_code == 200
    after = response.json()
    assert after["updated_at"] > before["updated_at"]
    assert after == {**before, "status": "postponed", "updated_at": after["updated_at"]}


def test_put_replaces_the_participants_citations_and_relations(token_client, demo):
    record = new_event(id="us-ru-talks-riyadh-2025", related=[], participants=[{"actor": "russia", "role": "host"}])
    response = token_client.put("/api/v1/events/us-ru-talks-riyadh-2025/", record, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["participants"] == [{"actor": "russia", "role": "host"}]
    assert response.json()["sources"][0]["url"] == "https://example.org/talks"
    assert list(Participant.objects.filter(event_id="us-ru-talks-riyadh-2025").values_list("actor_id", "role")) == [
        ("russia", "host")
    ]


def test_an_event_id_never_changes(token_client, demo):
    response = token_client.patch("/api/v1/events/us-ru-talks-riyadh-2025/", {"id": "renamed"}, format="json")
    assert response.status_code == 400
    assert "id" in response.json()


def test_a_stale_if_match_gets_412_and_loses_nothing(token_client, demo):
    etag = token_client.get("/api/v1/events/us-ru-talks-riyadh-2025/")["ETag"]
    first = token_client.patch(
        "/api/v1/events/us-ru-talks-riyadh-2025/", {"title": "First writer"}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    assert first["ETag"] != etag
    second = token_client.patch(
        "/api/v1/events/us-ru-talks-riyadh-2025/", {"title": "Second writer"}, format="json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    assert "If-Match" in second.json()
    assert second["ETag"] == first["ETag"]
    assert Event.objects.get(pk="us-ru-talks-riyadh-2025").title == "First writer"
    stale_delete = token_client.delete("/api/v1/events/us-ru-talks-riyadh-2025/", HTTP_IF_MATCH=etag)
    assert stale_delete.status_code == 412
    assert Event.objects.filter(pk="us-ru-talks-riyadh-2025").exists()


def test_a_delete_answers_204_and_leaves_a_tombstone(token_client, demo):
    token_client.post("/api/v1/events/", new_event(), format="json")
    etag = token_client.get("/api/v1/events/ru-us-talks-2024/")["ETag"]
    response = token_client.delete("/api/v1/events/ru-us-talks-2024/", HTTP_IF_MATCH=etag)
    assert response.status_code == 204
    assert APIClient().get("/api/v1/events/ru-us-talks-2024/").status_code == 404
    feed = APIClient().get("/api/v1/events/deleted/", {"since": "2000-01-01T00:00:00Z"}).json()
    assert [row["id"] for row in feed["results"]] == ["ru-us-talks-2024"]
    assert EventTombstone.objects.get().deleted_by.username == "curator"
    assert Event.history.filter(id="ru-us-talks-2024", history_type="-").count() == 1


def test_the_deletion_feed_filters_by_time_and_refuses_bad_times(token_client, demo):
    token_client.post("/api/v1/events/", new_event(), format="json")
    token_client.delete("/api/v1/events/ru-us-talks-2024/")
    assert APIClient().get("/api/v1/events/deleted/", {"since": "2999-01-01T00:00:00Z"}).json()["results"] == []
    response = APIClient().get("/api/v1/events/deleted/", {"since": "last week"})
    assert response.status_code == 400
    assert "since" in response.json()
    # Offsets beyond PostgreSQL's ±15:59 are read as the moment they say; past year 9999 in UTC is a 400.
    far = APIClient().get("/api/v1/events/deleted/", {"since": "2000-01-01T00:00:00+19:57"})
    assert far.status_code == 200
    assert [t["id"] for t in far.json()["results"]] == ["ru-us-talks-2024"]
    response = APIClient().get("/api/v1/events/deleted/", {"since": "9999-12-31T23:00:00-05:00"})
    assert response.status_code == 400
    assert "out of range" in response.json()["since"][0]


def test_the_deletion_feed_names_to_readers_only_events_that_were_published(token_client, demo):
    for event_id, moves in [("never-published", []), ("once-published", ["published", "draft"])]:
        created = token_client.post("/api/v1/events/", new_event(id=event_id, review_state="draft"), format="json")
        assert created.status_code == 201
        for state in moves:
            moved = token_client.patch(f"/api/v1/events/{event_id}/", {"review_state": state}, format="json")
            assert moved.status_code == 200
        assert token_client.delete(f"/api/v1/events/{event_id}/").status_code == 204

    def feed(client):
        return [row["id"] for row in client.get("/api/v1/events/deleted/").json()["results"]]

    assert feed(APIClient()) == ["once-published"]
    assert feed(token_client) == ["never-published", "once-published"]


def test_deleting_an_event_that_others_relate_to_is_refused(token_client, demo):
    response = token_client.delete("/api/v1/events/us-ru-talks-istanbul-2025/")
    assert response.status_code == 409
    assert "us-ru-talks-riyadh-2025" in response.json()["related"][0]
    assert Event.objects.filter(pk="us-ru-talks-istanbul-2025").exists()
    assert not EventTombstone.objects.exists()


def group_client(group, username):
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = APIClient()
    client.force_authenticate(user)
    return user, client


def test_an_editor_writes_drafts_but_cannot_publish_through_the_api(demo):
    user, client = group_client("editor", "edith")
    assert client.post("/api/v1/events/", new_event(review_state="draft"), format="json").status_code == 201
    response = client.patch("/api/v1/events/ru-us-talks-2024/", {"review_state": "published"}, format="json")
    assert response.status_code == 403
    assert "review_state" in response.json()
    assert Event.objects.get(pk="ru-us-talks-2024").review_state == "draft"


def test_a_reviewer_publishes_another_editors_draft_through_the_api(demo):
    editor, editor_client = group_client("editor", "edith")
    reviewer, reviewer_client = group_client("reviewer", "rita")
    editor_client.post("/api/v1/events/", new_event(review_state="draft"), format="json")
    own = reviewer_client.post("/api/v1/events/", new_event(id="rita-own", review_state="draft"), format="json")
    assert own.status_code == 201
    refused = reviewer_client.patch("/api/v1/events/rita-own/", {"review_state": "published"}, format="json")
    assert refused.status_code == 403
    assert "another reviewer" in refused.json()["review_state"][0]
    response = reviewer_client.patch("/api/v1/events/ru-us-talks-2024/", {"review_state": "published"}, format="json")
    assert response.status_code == 200
    event = Event.objects.get(pk="ru-us-talks-2024")
    assert (event.published_by, event.reviewed_by, event.created_by) == (reviewer, reviewer, editor)
    assert APIClient().get("/api/v1/events/ru-us-talks-2024/").status_code == 200


def test_an_editor_cannot_change_a_published_event(demo):
    user, client = group_client("editor", "edith")
    response = client.patch("/api/v1/events/us-ru-talks-riyadh-2025/", {"title": "Changed"}, format="json")
    assert response.status_code == 403
    assert "editors change drafts only" in response.json()["review_state"][0]
    assert Event.objects.get(pk="us-ru-talks-riyadh-2025").title.startswith("US and Russian")


# -- the second pair of eyes: what readers see of a reviewed or published event has been seen by two people


def editors_draft():
    """A draft written by an editor, and a reviewer's client; returns (editor, reviewer, reviewer's client)."""
    editor, editor_client = group_client("editor", "edith")
    reviewer, reviewer_client = group_client("reviewer", "rita")
    assert editor_client.post("/api/v1/events/", new_event(review_state="draft"), format="json").status_code == 201
    return editor, reviewer, reviewer_client


def move(client, state):
    return client.patch("/api/v1/events/ru-us-talks-2024/", {"review_state": state}, format="json")


@pytest.mark.parametrize("state", ["published", "reviewed"])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_reviewer_cannot_change_a_draft_and_review_or_publish_it_in_one_write(demo, method, state):
    editor, reviewer, client = editors_draft()
    body = {"title": "Mine", "review_state": state}
    if method == "put":
        body = new_event(**body)
    response = getattr(client, method)("/api/v1/events/ru-us-talks-2024/", body, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "review_state": [
            f"This write changes the event's title and makes it {state}: another reviewer must review or publish "
            "your change (REVIEW_BY_ANOTHER). Save it as a draft; another reviewer then reviews or publishes it."
        ]
    }
    event = Event.objects.get(pk="ru-us-talks-2024")
    assert (event.title, event.review_state, event.updated_by) == (new_event()["title"], "draft", editor)
    assert APIClient().get("/api/v1/events/ru-us-talks-2024/").status_code == 404


def test_a_reviewers_change_is_published_by_another_reviewer(demo):
    editor, reviewer, client = editors_draft()
    assert client.patch("/api/v1/events/ru-us-talks-2024/", {"title": "Mine"}, format="json").status_code == 200
    assert Event.objects.get(pk="ru-us-talks-2024").updated_by == reviewer
    refused = move(client, "published")
    assert refused.status_code == 403
    assert "You edited this event last" in refused.json()["review_state"][0]
    _, other = group_client("reviewer", "rob")
    assert (
        other.patch("/api/v1/events/ru-us-talks-2024/", {"review_state": "published"}, format="json").status_code == 200
    )
    assert APIClient().get("/api/v1/events/ru-us-talks-2024/").json()["title"] == "Mine"


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Mine"},
        {"summary": "A new summary."},
        {"status": "cancelled"},
        {"start": "2024-06", "start_precision": "month"},
        {"location": {"name": "Geneva", "country": "CHE", "lat": None, "lon": None}},
        {"participants": [{"actor": "russia", "role": "initiator"}]},
        {"tags": ["mine"]},
        {"related": [{"event": "us-ru-talks-riyadh-2025", "relation": "follows"}]},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_reviewer_cannot_change_a_published_event_in_place(demo, change):
    editor, reviewer, client = editors_draft()
    _, other = group_client("reviewer", "rob")
    assert (
        other.patch("/api/v1/events/ru-us-talks-2024/", {"review_state": "published"}, format="json").status_code == 200
    )
    published = APIClient().get("/api/v1/events/ru-us-talks-2024/").json()

    response = client.patch("/api/v1/events/ru-us-talks-2024/", change, format="json")

    assert response.status_code == 403
    message = response.json()["review_state"][0]
    assert message.startswith(f"This event is published and this write changes its {next(iter(change))}: ")
    assert APIClient().get("/api/v1/events/ru-us-talks-2024/").json() == published
    # Returned to draft with the change, it waits for another reviewer.
    saved = client.patch("/api/v1/events/ru-us-talks-2024/", {**change, "review_state": "draft"}, format="json")
    assert saved.status_code == 200
    assert APIClient().get("/api/v1/events/ru-us-talks-2024/").status_code == 404


def test_a_citations_quote_and_claimant_are_what_readers_see_too(demo):
    editor, reviewer, client = editors_draft()
    _, other = group_client("reviewer", "rob")
    assert (
        other.patch("/api/v1/events/ru-us-talks-2024/", {"review_state": "published"}, format="json").status_code == 200
    )
    sources = client.get("/api/v1/events/ru-us-talks-2024/").json()["sources"]
    for change in ({"quote": "Not what it said."}, {"claimed_by": "russia"}):
        response = client.patch(
            "/api/v1/events/ru-us-talks-2024/", {"sources": [{**sources[0], **change}]}, format="json"
        )
        assert response.status_code == 403
        assert "changes its sources" in response.json()["review_state"][0]
    assert client.get("/api/v1/events/ru-us-talks-2024/").json()["sources"] == sources


@pytest.mark.parametrize("who", ["superuser", "reviewer without REVIEW_BY_ANOTHER"])
def test_superusers_and_review_by_another_off_are_exempt(demo, settings, who):
    editor, reviewer, client = editors_draft()
    if who == "superuser":
        client.force_authenticate(User.objects.create_superuser("ada"))
    else:
        settings.REVIEW_BY_ANOTHER = False
    body = {"title": "Mine", "review_state": "published"}
    assert client.patch("/api/v1/events/ru-us-talks-2024/", body, format="json").status_code == 200
    assert client.patch("/api/v1/events/ru-us-talks-2024/", {"title": "Mine again"}, format="json").status_code == 200
    assert APIClient().get("/api/v1/events/ru-us-talks-2024/").json()["title"] == "Mine again"


def test_a_review_state_change_leaves_the_event_its_last_editor(demo):
    """Marking reviewed is no edit: the reviewer who did it may still publish, as after the admin's action."""
    editor, reviewer, client = editors_draft()
    assert (
        client.patch("/api/v1/events/ru-us-talks-2024/", {"review_state": "reviewed"}, format="json").status_code == 200
    )
    event = Event.objects.get(pk="ru-us-talks-2024")
    assert (event.updated_by, event.reviewed_by) == (editor, reviewer)
    response = move(client, "published")
    assert response.status_code == 200, response.content
    event = Event.objects.get(pk="ru-us-talks-2024")
    assert (event.review_state, event.updated_by, event.published_by) == ("published", editor, reviewer)


# -- a source's title, publisher and dates are part of every event citing it

CITED = "https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov"  # cited by published demo events
STORED_TITLE = "A lot of 'mess' to clear up in Russia-US ties - Lavrov"


def citing_the_demo_article(**source):
    stored = {"url": CITED, "title": STORED_TITLE, "publisher": "RT", "published": "2025-11-09", "quote": "Talks."}
    return new_event(review_state="draft", sources=[{**stored, **source}])


@pytest.mark.parametrize("group", ["editor", "reviewer"])
def test_citing_a_published_events_source_with_other_metadata_is_refused(demo, group):
    _, client = group_client(group, "curator")
    response = client.post("/api/v1/events/", citing_the_demo_article(title="Mine"), format="json")
    assert response.status_code == 403
    (message,) = response.json()["sources[0].title"]
    assert message.startswith(
        f"{CITED} is cited by the reviewed or published events lavrov-ria-novosti-interview-2025, "
    )
    assert message.endswith(
        f"changing its title would change them unreviewed. Keep its stored title {STORED_TITLE!r}, "
        "or have them returned to draft first."
    )
    assert not Event.objects.filter(pk="ru-us-talks-2024").exists()
    seen = APIClient().get("/api/v1/events/us-ru-talks-riyadh-2025/").json()
    assert seen["sources"][0]["title"] == STORED_TITLE
    # Cited as stored, it is cited; a draft changing it later is refused the same way.
    assert client.post("/api/v1/events/", citing_the_demo_article(), format="json").status_code == 201
    sources = [{**client.get("/api/v1/events/ru-us-talks-2024/").json()["sources"][0], "publisher": "Mine"}]
    response = client.patch("/api/v1/events/ru-us-talks-2024/", {"sources": sources}, format="json")
    assert response.status_code == 403
    assert list(response.json()) == ["sources[0].publisher"]
    assert Source.objects.get(url=CITED).publisher == "RT"


def test_a_source_cited_by_drafts_only_is_the_editors_to_change(demo):
    _, client = group_client("editor", "edith")
    assert client.post("/api/v1/events/", new_event(review_state="draft"), format="json").status_code == 201
    second = new_event(id="ru-us-talks-2024-b", review_state="draft")
    second["sources"][0]["title"] = "A better title"
    assert client.post("/api/v1/events/", second, format="json").status_code == 201
    assert Source.objects.get(url="https://example.org/talks").title == "A better title"


@pytest.mark.parametrize("who", ["superuser", "reviewer without REVIEW_BY_ANOTHER"])
def test_superusers_and_reviewers_without_review_by_another_change_a_published_events_source(demo, settings, who):
    _, client = group_client("reviewer", "rita")
    if who == "superuser":
        client.force_authenticate(User.objects.create_superuser("ada"))
    else:
        settings.REVIEW_BY_ANOTHER = False
    assert client.post("/api/v1/events/", citing_the_demo_article(title="Mine"), format="json").status_code == 201
    assert APIClient().get("/api/v1/events/us-ru-talks-riyadh-2025/").json()["sources"][0]["title"] == "Mine"


def test_an_editor_cannot_change_a_published_events_source_even_without_review_by_another(demo, settings):
    settings.REVIEW_BY_ANOTHER = False
    _, client = group_client("editor", "edith")
    response = client.post("/api/v1/events/", citing_the_demo_article(published="2025-11-10"), format="json")
    assert response.status_code == 403
    assert list(response.json()) == ["sources[0].published"]
    assert "Keep its stored published '2025-11-09'" in response.json()["sources[0].published"][0]
