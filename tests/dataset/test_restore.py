"""Restoring a deleted event from the admin: as it was when deleted, recorded in its history, off the deletion feed."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.dataset import event_to_dict, import_document
from events.models import Event, EventTombstone, Source
from events.restore import RestoreError, restore_event
from tests.demo import event_record

pytestmark = pytest.mark.django_db

TOMBSTONES = reverse("admin:events_eventtombstone_changelist")
# Published, two participants, two tags, a relation to another event; no event relates to it.
GONE = "us-ru-third-round-cancelled-2025"


def member_of(group, username):
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def reviewer(demo):
    return member_of("reviewer", "rita")


@pytest.fixture
def editor(demo):
    return member_of("editor", "edith")


def as_stored(event_id):
    return event_to_dict(Event.objects.with_dataset_relations().get(pk=event_id))


def delete_through_the_api(user, event_id):
    response = api(user).delete(f"/api/v1/events/{event_id}/")
    assert response.status_code == 204, response.content


def restore_action(client, event_id):
    tombstone = EventTombstone.objects.get(event_id=event_id)
    return client.post(TOMBSTONES, {"action": "restore", "_selected_action": [tombstone.pk]}, follow=True)


def test_a_reviewer_restores_an_event_deleted_through_the_api_as_it_was(reviewer):
    before = as_stored(GONE)
    created_at = Event.objects.get(pk=GONE).created_at
    delete_through_the_api(reviewer, GONE)
    assert not Event.objects.filter(pk=GONE).exists()
    assert Event.history.filter(id=GONE, history_type="-").count() == 1  # the history is kept

    response = restore_action(logged_in(reviewer), GONE)

    assert response.status_code == 200
    (message,) = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"{GONE} restored as it was when deleted by rita on ")
    assert message.endswith(
        "(2 participants, 1 citations, 2 relations, 1 tags); it is published and no longer listed as deleted."
    )
    assert as_stored(GONE) == before
    event = Event.objects.get(pk=GONE)
    assert event.created_at == created_at
    assert event.updated_by == reviewer
    latest = event.history.order_by("-history_date", "-history_id")
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in latest[:2]] == [
        ("~", reviewer, "restored after deletion"),  # the tags, set after the event's row
        ("+", reviewer, "restored after deletion"),
    ]
    assert not EventTombstone.objects.filter(event_id=GONE).exists()


def test_a_mirror_finds_the_restored_event_and_no_tombstone(reviewer):
    synced = timezone.now()
    delete_through_the_api(reviewer, GONE)
    feed = APIClient().get("/api/v1/events/deleted/", {"since": synced.isoformat()}).json()
    assert [t["id"] for t in feed["results"]] == [GONE]

    restore_event(GONE, reviewer)

    assert APIClient().get("/api/v1/events/deleted/", {"since": synced.isoformat()}).json()["results"] == []
    changed = APIClient().get("/api/v1/events/", {"updated_since": synced.isoformat()}).json()["results"]
    assert [e["id"] for e in changed] == [GONE]


def test_deleting_in_the_admin_leaves_a_tombstone_and_the_history(reviewer):
    client = logged_in(reviewer)
    before = as_stored(GONE)
    response = client.post(reverse("admin:events_event_delete", args=[GONE]), {"post": "yes"})
    assert response.status_code == 302
    tombstone = EventTombstone.objects.get(event_id=GONE)
    assert tombstone.deleted_by == reviewer
    deletion = Event.history.get(id=GONE, history_type="-")
    assert (deletion.history_user, deletion.history_change_reason) == (reviewer, "admin: deleted")
    assert tombstone.deleted_at <= deletion.history_date

    response = client.post(reverse("admin:events_eventtombstone_restore", args=[tombstone.pk]), follow=True)

    assert response.redirect_chain == [(reverse("admin:events_event_change", args=[GONE]), 302)]
    assert as_stored(GONE) == before


def test_the_deleted_events_page_has_a_restore_button_for_reviewers_only(reviewer, editor):
    delete_through_the_api(reviewer, GONE)
    page = reverse("admin:events_eventtombstone_change", args=[EventTombstone.objects.get().pk])
    assert "Restore this event" in logged_in(reviewer).get(page).content.decode()
    response = logged_in(editor).get(page)
    assert response.status_code == 200
    assert "Restore this event" not in response.content.decode()


def test_an_editor_cannot_restore(reviewer, editor):
    delete_through_the_api(reviewer, GONE)
    tombstone = EventTombstone.objects.get()
    client = logged_in(editor)
    assert client.get(TOMBSTONES).context["action_form"] is None  # no action offered at all
    restore_action(client, GONE)
    assert client.post(reverse("admin:events_eventtombstone_restore", args=[tombstone.pk])).status_code == 403
    assert not Event.objects.filter(pk=GONE).exists()
    assert EventTombstone.objects.filter(event_id=GONE).exists()


def test_restoring_asks_for_a_post(reviewer):
    delete_through_the_api(reviewer, GONE)
    url = reverse("admin:events_eventtombstone_restore", args=[EventTombstone.objects.get().pk])
    assert logged_in(reviewer).get(url).status_code == 405
    assert not Event.objects.filter(pk=GONE).exists()


def test_the_migration_gives_the_restore_permission_to_reviewers_only(db):
    permission = Permission.objects.get(content_type__app_label="events", codename="restore_event")
    assert permission.name == "Can restore deleted events"
    assert list(permission.group_set.values_list("name", flat=True)) == ["reviewer"]


def test_what_changed_before_the_deletion_stays_changed(reviewer, settings):
    """Participants, sources, relations and tags as they were at the deletion, not as first created."""
    settings.REVIEW_BY_ANOTHER = False  # the reviewer changes a published event in place
    client = api(reviewer)
    record = client.get(f"/api/v1/events/{GONE}/").json()
    record["participants"] = record["participants"][:1]
    record["related"] = record["related"][1:]
    record["tags"] = ["embassy-operations", "talks-cancelled"]
    record["summary"] = "Changed before the deletion."
    assert client.put(f"/api/v1/events/{GONE}/", record, format="json").status_code == 200
    before = as_stored(GONE)
    delete_through_the_api(reviewer, GONE)

    restore_event(GONE, reviewer)

    assert as_stored(GONE) == before
    assert len(before["participants"]) == 1 and len(before["related"]) == 1


def test_a_relation_to_an_event_deleted_since_is_left_out_and_said_so(reviewer, settings):
    settings.REVIEW_BY_ANOTHER = False  # the reviewer changes a published event in place
    before = as_stored(GONE)
    delete_through_the_api(reviewer, GONE)
    # Nothing relates to the Istanbul talks once GONE is deleted, but the Riyadh talks do: remove that first.
    riyadh = api(reviewer).get("/api/v1/events/us-ru-talks-riyadh-2025/").json()
    riyadh["related"] = [r for r in riyadh["related"] if r["event"] != "us-ru-talks-istanbul-2025"]
    assert api(reviewer).put("/api/v1/events/us-ru-talks-riyadh-2025/", riyadh, format="json").status_code == 200
    delete_through_the_api(reviewer, "us-ru-talks-istanbul-2025")

    response = restore_action(logged_in(reviewer), GONE)

    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages[1:] == [
        ("warning", f"{GONE}: relation follows us-ru-talks-istanbul-2025 left out: that event no longer exists.")
    ]
    expected = {**before, "related": [r for r in before["related"] if r["event"] != "us-ru-talks-istanbul-2025"]}
    assert as_stored(GONE) == expected


def test_an_id_taken_by_a_new_event_is_refused(reviewer):
    delete_through_the_api(reviewer, GONE)
    replacement = event_record(GONE, title="A new event under the old id")
    admin = User.objects.create_superuser("ada")
    assert api(admin).post("/api/v1/events/", replacement, format="json").status_code == 201

    response = restore_action(logged_in(reviewer), GONE)

    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        (
            "error",
            f"{GONE} was not restored: a new event has taken the id since it was deleted. "
            "Change or delete that event first if the deleted one should come back.",
        )
    ]
    assert Event.objects.get(pk=GONE).title == "A new event under the old id"
    assert EventTombstone.objects.filter(event_id=GONE).exists()


def test_an_id_never_deleted_cannot_be_restored(demo):
    with pytest.raises(RestoreError, match="No deleted event has the id 'nothing-here'"):
        restore_event("nothing-here", None)


def test_a_published_event_whose_source_is_gone_comes_back_as_a_draft(reviewer):
    import_document({"actors": [], "events": [event_record("lone-talks")]})
    delete_through_the_api(reviewer, "lone-talks")
    # Cited by the deleted event only, the source is no longer protected.
    Source.objects.get(url="https://example.org/talks").delete()

    restored = restore_event("lone-talks", reviewer)

    assert restored.event.review_state == "draft"
    assert restored.left_out == [
        "citation of https://example.org/talks left out: the source no longer exists.",
        "returned to draft: A published event needs at least one source.",
    ]
    assert as_stored("lone-talks")["sources"] == []
    assert restored.counts["citations"] == 0


def test_the_latest_deletion_is_the_one_restored(reviewer, settings):
    settings.REVIEW_BY_ANOTHER = False  # the reviewer changes a published event in place
    delete_through_the_api(reviewer, GONE)
    restore_event(GONE, reviewer)
    api(reviewer).patch(f"/api/v1/events/{GONE}/", {"summary": "Second life."}, format="json")
    second = as_stored(GONE)
    delete_through_the_api(reviewer, GONE)
    EventTombstone.objects.create(event_id=GONE, deleted_at=timezone.now() - datetime.timedelta(days=400))

    restore_event(GONE, reviewer)

    assert as_stored(GONE) == second
    assert not EventTombstone.objects.filter(event_id=GONE).exists()
