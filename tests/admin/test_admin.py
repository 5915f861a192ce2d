"""The curators' admin: lists, filters, search, the review workflow and its bulk actions."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Actor, Event, Participant, ReviewState, Source, Tag
from tests.demo import event_record

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
    return change_form_data(client, reverse("admin:events_event_change", args=[event_id]))


def change_form_data(client, url):
    """A change form (with its inlines) as the browser would send it back, unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    for form in [
        response.context["adminform"].form,
        *[
            f
            for fs in response.context.get("inline_admin_formsets", [])
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


# -- two tabs never silently overwrite each other

TALKS = "trump-putin-budapest-summit-proposed-2025"  # a draft, three participants
TALKS_PAGE = reverse("admin:events_event_change", args=[TALKS])
TITLE = "Trump sees a good chance of meeting Putin in Hungary"


def refusal(response):
    """The form's error saying why nothing was saved."""
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    return error


def test_a_second_tab_cannot_overwrite_the_first(editor, demo):
    user, first_tab = editor
    second_tab = Client()
    second_tab.force_login(user)
    opened_first = event_form_data(first_tab, TALKS)
    opened_second = event_form_data(second_tab, TALKS)
    records = Event.history.count()

    assert second_tab.post(TALKS_PAGE, {**opened_second, "title": "Saved in the second tab"}).status_code == 302
    response = first_tab.post(TALKS_PAGE, {**opened_first, "title": "Saved in the first tab"})

    error = refusal(response)
    assert error.startswith("This event was changed by edith on ")
    assert error.endswith(
        " UTC, after you opened it: nothing was saved. Open the event again to see that change, then make yours."
    )
    assert Event.objects.get(pk=TALKS).title == "Saved in the second tab"
    assert Event.history.count() == records + 1
    # Opened again, the form carries the new version and saves.
    again = event_form_data(first_tab, TALKS)
    assert first_tab.post(TALKS_PAGE, {**again, "title": "Saved in the first tab"}).status_code == 302
    assert Event.objects.get(pk=TALKS).title == "Saved in the first tab"


def test_a_change_by_another_curator_refuses_the_inlines_too(editor, reviewer, demo):
    _, edith = editor
    _, rita = reviewer
    opened = event_form_data(edith, TALKS)
    assert rita.post(TALKS_PAGE, {**event_form_data(rita, TALKS), "summary": "Rita's summary."}).status_code == 302
    participants = sorted(Event.objects.get(pk=TALKS).participants.values_list("actor_id", "role"))
    opened["participants-0-DELETE"] = "on"
    opened["citations-0-quote"] = "Edith's quote."

    error = refusal(edith.post(TALKS_PAGE, {**opened, "title": "Edith's title"}))

    assert error.startswith("This event was changed by rita on ")
    event = Event.objects.get(pk=TALKS)
    assert (event.title, event.summary) == (TITLE, "Rita's summary.")
    assert sorted(event.participants.values_list("actor_id", "role")) == participants
    assert event.citations.get().quote != "Edith's quote."


def test_a_change_through_the_api_is_named_in_the_refusal(editor, reviewer, demo):
    _, edith = editor
    opened = event_form_data(edith, TALKS)
    api = APIClient()
    api.force_authenticate(reviewer[0])
    assert api.patch(f"/api/v1/events/{TALKS}/", {"status": "cancelled"}, format="json").status_code == 200

    error = refusal(edith.post(TALKS_PAGE, {**opened, "title": "Edith's title"}))

    assert error.startswith("This event was changed by rita on ")
    assert ", API PATCH, after you opened it: nothing was saved." in error
    event = Event.objects.get(pk=TALKS)
    assert (event.status, event.title) == ("cancelled", TITLE)


def test_a_change_of_participants_alone_through_the_api_is_a_change(editor, reviewer, demo):
    _, edith = editor
    opened = event_form_data(edith, TALKS)
    api = APIClient()
    api.force_authenticate(reviewer[0])
    record = api.get(f"/api/v1/events/{TALKS}/").json()
    assert (
        api.patch(f"/api/v1/events/{TALKS}/", {"participants": record["participants"][:1]}, format="json").status_code
        == 200
    )

    refusal(edith.post(TALKS_PAGE, {**opened, "title": "Edith's title"}))

    assert Event.objects.get(pk=TALKS).participants.count() == 1


def test_an_import_in_between_is_named_as_such(editor, demo):
    _, edith = editor
    opened = event_form_data(edith, TALKS)
    stored = APIClient()
    stored.force_authenticate(User.objects.create_superuser("ada"))
    record = stored.get(f"/api/v1/events/{TALKS}/").json()
    import_document({"actors": [], "events": [{**record, "summary": "From a file."}]})

    error = refusal(edith.post(TALKS_PAGE, {**opened, "title": "Edith's title"}))

    assert error.startswith("This event was changed by someone (no user recorded) on ")
    assert ", dataset import, after you opened it" in error
    assert Event.objects.get(pk=TALKS).title == TITLE


def test_a_form_without_its_version_saves_nothing(editor, demo):
    _, edith = editor
    opened = event_form_data(edith, TALKS)
    del opened["version"]
    error = refusal(edith.post(TALKS_PAGE, {**opened, "title": "Edith's title"}))
    assert error == (
        "This form does not say which version of the event it was opened on: nothing was saved. Open the event again."
    )
    assert Event.objects.get(pk=TALKS).title != "Edith's title"


def test_the_event_form_carries_the_apis_etag(editor, demo):
    _, edith = editor
    etag = APIClient().get("/api/v1/events/us-ru-talks-riyadh-2025/")["ETag"]
    assert event_form_data(edith, "us-ru-talks-riyadh-2025")["version"] == etag


@pytest.mark.parametrize(
    ("model", "pk", "field"),
    [("actor", "russia", "name"), ("source", None, "title")],
)
def test_actors_and_sources_are_not_overwritten_either(editor, reviewer, demo, settings, model, pk, field):
    settings.REVIEW_BY_ANOTHER = False  # rita changes a source that published events cite
    pk = pk or Source.objects.get(url="https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov").pk
    url = reverse(f"admin:events_{model}_change", args=[pk])
    _, edith = editor
    _, rita = reviewer
    opened = change_form_data(edith, url)
    assert rita.post(url, {**change_form_data(rita, url), field: "Rita's"}).status_code == 302

    error = refusal(edith.post(url, {**opened, field: "Edith's"}))

    assert error.startswith(f"This {model} was changed by rita on ")
    stored = (Actor if model == "actor" else Source).objects.get(pk=pk)
    assert getattr(stored, field) == "Rita's"


def test_reverting_to_a_past_version_from_the_history_still_saves(admin_client, demo):
    url = reverse("admin:events_actor_change", args=["russia"])
    assert admin_client.post(url, {**change_form_data(admin_client, url), "name": "Renamed"}).status_code == 302
    first = Actor.history.filter(id="russia").earliest()
    past = reverse("admin:events_actor_simple_history", args=["russia", first.history_id])
    data = change_form_data(admin_client, past)
    assert data["name"] == "Russia"

    assert admin_client.post(past, data).status_code == 302

    assert Actor.objects.get(pk="russia").name == "Russia"


# -- a participant, citation or relation on its own page follows its event's rules


@pytest.mark.parametrize(("event_id", "saved"), [(TALKS, True), ("us-ru-talks-riyadh-2025", False)])
def test_an_editor_adds_participants_to_drafts_only(editor, demo, event_id, saved):
    _, edith = editor
    response = edith.post(
        reverse("admin:events_participant_add"), {"event": event_id, "actor": "sergey-lavrov", "role": "mediator"}
    )
    stored = Event.objects.get(pk=event_id).participants.filter(actor="sergey-lavrov", role="mediator").exists()
    assert stored == saved
    if not saved:
        assert refusal(response) == (
            f"{event_id}: This event is published: editors change drafts only; a reviewer can return it to draft."
        )


def test_an_editor_cannot_change_a_published_events_citation_on_its_page(editor, demo):
    _, edith = editor
    citation = Event.objects.get(pk="us-ru-talks-riyadh-2025").citations.get()
    url = reverse("admin:events_citation_change", args=[citation.pk])
    page = edith.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]  # shown read-only
    response = edith.post(url, {"event": citation.event_id, "source": citation.source_id, "quote": "Changed."})
    assert response.status_code == 403
    citation.refresh_from_db()
    assert citation.quote != "Changed."


def test_a_published_events_participant_is_not_reverted_from_its_history_by_a_reviewer(reviewer, admin_client, demo):
    participant = Participant.objects.filter(event_id="us-ru-talks-riyadh-2025", role="host").get()
    fields = {"event": participant.event_id, "actor": participant.actor_id}
    # A superuser may change it in place: the history then holds the role it had.
    url = reverse("admin:events_participant_change", args=[participant.pk])
    assert admin_client.post(url, {**fields, "role": "mediator"}).status_code == 302
    first = Participant.history.filter(id=participant.pk).earliest("history_date")
    past = reverse("admin:events_participant_simple_history", args=[participant.pk, first.history_id])
    _, rita = reviewer

    response = rita.post(past, {**fields, "role": "host"})

    assert response.status_code == 200
    assert Participant.objects.get(pk=participant.pk).role == "mediator"


# -- the second pair of eyes on the event's page: a change and its review are two people's


def edited_by(editor_user, event_id=TALKS):
    Event.objects.filter(pk=event_id).update(updated_by=editor_user)


def test_a_reviewer_cannot_change_a_draft_and_publish_it_in_one_save(editor, reviewer, demo):
    edited_by(editor[0])
    _, rita = reviewer
    data = {**event_form_data(rita, TALKS), "title": "Mine", "review_state": "published"}
    response = rita.post(TALKS_PAGE, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["review_state"] == [
        "This write changes the event's title and makes it published: another reviewer must review or publish "
        "your change (REVIEW_BY_ANOTHER). Save it as a draft; another reviewer then reviews or publishes it."
    ]
    event = Event.objects.get(pk=TALKS)
    assert (event.title, event.review_state) == (TITLE, ReviewState.DRAFT)


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("participants-0-DELETE", "on", "participants"),
        ("citations-0-quote", "Rita's quote.", "sources"),
        ("tags", ["visas"], "tags"),
    ],
)
def test_a_change_of_the_inlines_or_tags_and_a_review_in_one_save_is_refused(
    editor, reviewer, demo, field, value, what
):
    edited_by(editor[0])
    Tag.objects.get_or_create(slug="visas")
    _, rita = reviewer
    data = {**event_form_data(rita, TALKS), "review_state": "reviewed", field: value}
    response = rita.post(TALKS_PAGE, data)
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["review_state"]
    assert error.startswith(f"This write changes the event's {what} and makes it reviewed: ")
    assert Event.objects.get(pk=TALKS).review_state == ReviewState.DRAFT


def test_a_reviewer_changes_a_published_event_only_back_to_draft(reviewer, demo):
    user, rita = reviewer
    riyadh = reverse("admin:events_event_change", args=["us-ru-talks-riyadh-2025"])
    data = {**event_form_data(rita, "us-ru-talks-riyadh-2025"), "summary": "Mine."}
    response = rita.post(riyadh, data)
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["review_state"]
    assert error.startswith("This event is published and this write changes its summary: ")
    assert Event.objects.get(pk="us-ru-talks-riyadh-2025").summary != "Mine."

    assert rita.post(riyadh, {**data, "review_state": "draft"}).status_code == 302
    event = Event.objects.get(pk="us-ru-talks-riyadh-2025")
    assert (event.summary, event.review_state, event.updated_by) == ("Mine.", ReviewState.DRAFT, user)


def test_a_superuser_changes_and_publishes_in_one_save(admin_client, demo):
    data = {**event_form_data(admin_client, TALKS), "title": "Mine", "review_state": "published"}
    assert admin_client.post(TALKS_PAGE, data).status_code == 302
    assert Event.objects.get(pk=TALKS).review_state == ReviewState.PUBLISHED


def test_a_reviewer_publishes_from_the_page_what_another_wrote(editor, reviewer, demo):
    edited_by(editor[0])
    user, rita = reviewer
    response = rita.post(TALKS_PAGE, {**event_form_data(rita, TALKS), "review_state": "published"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(pk=TALKS)
    # Publishing is no edit: its last editor stays the editor, as after the list's action and the API.
    assert (event.review_state, event.published_by, event.updated_by) == (ReviewState.PUBLISHED, user, editor[0])


@pytest.mark.parametrize("marked", ["api", "action"])
@pytest.mark.parametrize("published", ["api", "action"])
def test_marking_reviewed_is_no_edit_whichever_way_it_is_done(editor, reviewer, demo, marked, published):
    edited_by(editor[0])
    user, rita = reviewer
    api = APIClient()
    api.force_authenticate(user)

    def move(channel, state, action):
        if channel == "api":
            assert api.patch(f"/api/v1/events/{TALKS}/", {"review_state": state}, format="json").status_code == 200
        else:
            rita.post(CHANGELIST, {"action": action, "_selected_action": [TALKS]})

    move(marked, "reviewed", "mark_reviewed")
    assert Event.objects.get(pk=TALKS).updated_by == editor[0]
    move(published, "published", "publish")
    event = Event.objects.get(pk=TALKS)
    assert (event.review_state, event.updated_by, event.published_by) == (ReviewState.PUBLISHED, editor[0], user)


# -- a source's page: what it says is part of every event citing it

ARTICLE = "https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov"


@pytest.mark.parametrize("group", ["editor", "reviewer"])
def test_a_source_that_published_events_cite_is_not_changed_on_its_page(editor, reviewer, demo, group):
    _, client = {"editor": editor, "reviewer": reviewer}[group]
    source = Source.objects.get(url=ARTICLE)
    url = reverse("admin:events_source_change", args=[source.pk])
    response = client.post(url, {**change_form_data(client, url), "title": "Mine"})
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["title"]
    assert error.startswith(f"{ARTICLE} is cited by the reviewed or published events ")
    assert Source.objects.get(pk=source.pk).title == source.title


def test_a_source_that_drafts_alone_cite_is_changed_on_its_page(editor, demo):
    _, edith = editor
    import_document({"actors": [], "events": [event_record("draft-only", review_state="draft")]})
    source = Source.objects.get(url="https://example.org/talks")
    url = reverse("admin:events_source_change", args=[source.pk])
    assert edith.post(url, {**change_form_data(edith, url), "title": "Mine"}).status_code == 302
    assert Source.objects.get(pk=source.pk).title == "Mine"
