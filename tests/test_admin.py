"""The curators' admin: lists, filters, search, the review workflow and its bulk actions."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from events.models import Event, ReviewState

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:events_event_changelist")


def member_of(group, username):
    user = User.objects.create_user(username, password="pass-8429!x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def editor():
    return member_of("editor", "edith")


@pytest.fixture
def reviewer():
    return member_of("reviewer", "rita")


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return [row.pk for row in response.context["cl"].result_list]


def test_the_migration_creates_the_editor_and_reviewer_groups(db):
    editor = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    reviewer = set(Group.objects.get(name="reviewer").permissions.values_list("codename", flat=True))
    assert {"add_event", "change_event", "add_citation"} <= editor
    assert not {"publish_event", "review_event", "delete_event"} & editor
    assert {"publish_event", "review_event", "delete_event"} <= reviewer


@pytest.mark.parametrize(
    "model",
    ["actor", "eventtype", "event", "source", "citation", "participant", "eventrelation", "tag", "eventtombstone"],
)
def test_every_list_and_add_page_opens(admin_client, demo, model):
    assert admin_client.get(reverse(f"admin:events_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:events_{model}_changelist"), {"q": "russia"}).status_code == 200
    if model != "eventtombstone":
        assert admin_client.get(reverse(f"admin:events_{model}_add")).status_code == 200


def test_the_event_page_and_its_history_open(admin_client, demo):
    assert admin_client.get(reverse("admin:events_event_change", args=["us-ru-talks-riyadh-2025"])).status_code == 200
    assert admin_client.get(reverse("admin:events_event_history", args=["us-ru-talks-riyadh-2025"])).status_code == 200


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"family": "property"}, {"us-restricts-russian-compounds-2016", "us-seizes-more-russian-property-2017"}),
        ({"actor": "rosneft"}, {"us-sanctions-rosneft-lukoil-2025"}),
        ({"country": "SAU"}, {"us-ru-talks-riyadh-2025"}),
        ({"publisher": "RT", "status__exact": "cancelled"}, {"us-ru-third-round-cancelled-2025"}),
        ({"review_state__exact": "reviewed"}, {"russia-proposals-property-air-links-2025"}),
        ({"year": "2017"}, {"us-seizes-more-russian-property-2017"}),
        (
            {"q": "Kremlin", "family": "property"},
            {"us-restricts-russian-compounds-2016", "us-seizes-more-russian-property-2017"},
        ),
        ({"q": "Lukoil", "family": "sanctions"}, {"us-sanctions-rosneft-lukoil-2025"}),
        ({"q": "us-ru-talks-riyadh-2025"}, {"us-ru-talks-riyadh-2025"}),  # an id
        ({"q": "rosn"}, {"us-sanctions-rosneft-lukoil-2025"}),  # part of an actor's name
        ({"q": "Lukoil Riyadh"}, set()),  # every word narrows
        ({"q": "-- ?"}, None),  # no word: nothing narrowed, no error
    ],
)
def test_the_event_list_filters_and_searches(admin_client, demo, params, expected):
    if expected is None:
        expected = set(Event.objects.values_list("pk", flat=True))
    assert set(listed(admin_client, **params)) == expected


def test_the_event_list_runs_a_constant_number_of_queries(admin_client, demo, django_assert_max_num_queries):
    # No query per row, and no full COUNT(*) of the table (show_full_result_count is off).
    with django_assert_max_num_queries(14) as captured:
        admin_client.get(CHANGELIST)
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert all("LIMIT" in sql for sql in counts), counts


def test_an_editor_cannot_publish(editor, demo):
    user, client = editor
    offered = [name for name, _ in client.get(CHANGELIST).context["action_form"].fields["action"].choices]
    assert "export_csv" in offered
    assert not {"publish", "mark_reviewed", "return_to_draft"} & set(offered)
    client.post(CHANGELIST, {"action": "publish", "_selected_action": ["trump-putin-budapest-summit-proposed-2025"]})
    assert Event.objects.get(pk="trump-putin-budapest-summit-proposed-2025").review_state == ReviewState.DRAFT


def test_a_reviewer_publishes_an_event_someone_else_edited(reviewer, editor, demo):
    Event.objects.filter(pk="russia-proposals-property-air-links-2025").update(updated_by=editor[0])
    user, client = reviewer
    client.post(CHANGELIST, {"action": "publish", "_selected_action": ["russia-proposals-property-air-links-2025"]})
    event = Event.objects.get(pk="russia-proposals-property-air-links-2025")
    assert event.review_state == ReviewState.PUBLISHED
    assert (event.published_by, event.reviewed_by) == (user, user)
    assert event.published_at is not None
    assert event.history.latest().history_change_reason == "admin: published"


def test_a_reviewer_cannot_publish_what_they_edited_last(reviewer, demo):
    user, client = reviewer
    Event.objects.filter(pk="russia-proposals-property-air-links-2025").update(updated_by=user)
    response = client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": ["russia-proposals-property-air-links-2025"]},
        follow=True,
    )
    assert "another reviewer must review or publish it" in response.content.decode()
    assert Event.objects.get(pk="russia-proposals-property-air-links-2025").review_state == ReviewState.REVIEWED


def test_publishing_needs_a_source(reviewer, editor, demo):
    Event.objects.filter(pk="trump-putin-budapest-summit-proposed-2025").update(updated_by=editor[0])
    Event.objects.get(pk="trump-putin-budapest-summit-proposed-2025").citations.all().delete()
    user, client = reviewer
    response = client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": ["trump-putin-budapest-summit-proposed-2025"]},
        follow=True,
    )
    assert "A published event needs at least one source." in response.content.decode()
    assert Event.objects.get(pk="trump-putin-budapest-summit-proposed-2025").review_state == ReviewState.DRAFT


def test_a_reviewer_returns_an_event_to_draft(reviewer, demo):
    user, client = reviewer
    client.post(CHANGELIST, {"action": "return_to_draft", "_selected_action": ["us-ru-talks-riyadh-2025"]})
    assert Event.objects.get(pk="us-ru-talks-riyadh-2025").review_state == ReviewState.DRAFT


def event_form_data(client, event_id):
    """The change form of an event as the browser would send it back, unchanged."""
    response = client.get(reverse("admin:events_event_change", args=[event_id]))
    data = {}
    for form in [
        response.context["adminform"].form,
        *[
            f
            for fs in response.context["inline_admin_formsets"]
            for f in [fs.formset.management_form, *fs.formset.forms]
        ],
    ]:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)
    return data


def test_an_editor_cannot_publish_from_the_change_form(editor, demo):
    user, client = editor
    data = event_form_data(client, "trump-putin-budapest-summit-proposed-2025")
    data["review_state"] = "published"
    response = client.post(
        reverse("admin:events_event_change", args=["trump-putin-budapest-summit-proposed-2025"]), data
    )
    assert response.status_code == 200
    assert "Only reviewers with the permission to publish" in response.content.decode()
    assert Event.objects.get(pk="trump-putin-budapest-summit-proposed-2025").review_state == ReviewState.DRAFT


def test_an_editor_saves_a_draft_and_is_recorded_as_its_editor(editor, demo):
    user, client = editor
    data = event_form_data(client, "trump-putin-budapest-summit-proposed-2025")
    data["title"] = "Trump and Putin may meet in Budapest"
    response = client.post(
        reverse("admin:events_event_change", args=["trump-putin-budapest-summit-proposed-2025"]), data
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = Event.objects.get(pk="trump-putin-budapest-summit-proposed-2025")
    assert (event.title, event.updated_by) == ("Trump and Putin may meet in Budapest", user)
    assert event.history.latest().history_user == user


def test_the_selection_exports_as_a_dataset_file_and_as_csv(admin_client, demo):
    selected = ["us-ru-talks-riyadh-2025", "us-ru-talks-istanbul-2025"]
    response = admin_client.post(CHANGELIST, {"action": "export_dataset", "_selected_action": selected})
    document = json.loads(b"".join(response.streaming_content))
    assert [e["id"] for e in document["events"]] == selected
    response = admin_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": selected})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["id"] for row in rows] == selected
