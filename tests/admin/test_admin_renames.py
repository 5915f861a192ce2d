"""What published events show of an actor (its name) or of their type (its name and codes) is part of them:
a rename follows the review rules of changing those events (REVIEW_BY_ANOTHER, docs/curation.md)."""

import pytest
from django.urls import reverse

from events.dataset import import_document
from events.models import Actor, EventType
from tests.admin.test_admin import change_form_data, member_of
from tests.demo import actor_record, dataset, event_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return member_of("editor", "edith")


@pytest.fixture
def reviewer():
    return member_of("reviewer", "rita")


def renamed(client, url, **fields):
    return client.post(url, {**change_form_data(client, url), **fields})


def refusal_of(response, field):
    assert response.status_code == 200, response.status_code
    (error,) = response.context["adminform"].form.errors[field]
    return error


RUSSIA = reverse("admin:events_actor_change", args=["russia"])
TALKS = reverse("admin:events_eventtype_change", args=["talks"])


@pytest.mark.parametrize("group", ["editor", "reviewer"])
def test_an_actor_that_published_events_show_is_not_renamed_unreviewed(editor, reviewer, demo, group):
    _, client = {"editor": editor, "reviewer": reviewer}[group]
    error = refusal_of(renamed(client, RUSSIA, name="Mordor"), "name")
    assert error.startswith("The actor 'russia' (Russia) is shown by the reviewed or published events ")
    assert error.endswith(
        ": changing its name would change them unreviewed. Keep it as stored, or have a superuser change it."
    )
    assert Actor.objects.get(pk="russia").name == "Russia"


def test_what_published_events_do_not_show_of_an_actor_is_changed(editor, demo):
    _, edith = editor
    assert renamed(edith, RUSSIA, aliases='["Moscow", "Kremlin"]').status_code == 302
    assert Actor.objects.get(pk="russia").aliases == ["Moscow", "Kremlin"]


def test_an_actor_that_drafts_alone_show_is_renamed(editor, db):
    import_document(
        dataset(
            event_record("draft-only", review_state="draft", participants=[{"actor": "lonely", "role": "participant"}]),
            actors=[actor_record("lonely")],
        )
    )
    _, edith = editor
    url = reverse("admin:events_actor_change", args=["lonely"])
    assert renamed(edith, url, name="Lonely, renamed").status_code == 302
    assert Actor.objects.get(pk="lonely").name == "Lonely, renamed"


def test_an_actor_whose_claim_a_published_event_cites_is_not_renamed_unreviewed(editor, db):
    record = event_record("claimed")
    record["sources"][0]["claimed_by"] = "claimant"
    import_document(dataset(record, actors=[actor_record("claimant")]))
    _, edith = editor
    url = reverse("admin:events_actor_change", args=["claimant"])
    error = refusal_of(renamed(edith, url, name="Someone else"), "name")
    assert error.startswith("The actor 'claimant' (Claimant) is shown by the published event claimed: ")


def test_a_reviewer_renames_what_published_events_show_without_the_second_pair_of_eyes(reviewer, demo, settings):
    settings.REVIEW_BY_ANOTHER = False
    _, rita = reviewer
    assert renamed(rita, RUSSIA, name="Russian Federation").status_code == 302
    assert renamed(rita, TALKS, name="Negotiations").status_code == 302
    assert (Actor.objects.get(pk="russia").name, EventType.objects.get(pk="talks").name) == (
        "Russian Federation",
        "Negotiations",
    )


def test_a_superuser_renames_what_published_events_show(admin_client, demo):
    assert renamed(admin_client, RUSSIA, name="Russian Federation").status_code == 302
    assert renamed(admin_client, TALKS, name="Negotiations").status_code == 302
    assert Actor.objects.get(pk="russia").name == "Russian Federation"


@pytest.mark.parametrize(("field", "value"), [("name", "Chats"), ("cameo_code", "040")])
def test_an_event_type_that_published_events_have_is_not_renamed_unreviewed(reviewer, demo, field, value):
    _, rita = reviewer
    error = refusal_of(renamed(rita, TALKS, **{field: value}), field)
    assert error.startswith("The event type 'talks' (")
    assert f"changing its {field} would change" in error
    assert EventType.objects.get(pk="talks").name != "Chats"


def test_a_history_revert_of_a_published_actors_name_is_refused_too(reviewer, admin_client, demo):
    assert renamed(admin_client, RUSSIA, name="Russian Federation").status_code == 302
    first = Actor.history.filter(id="russia").order_by("history_id").first()
    _, rita = reviewer
    url = reverse("admin:events_actor_simple_history", args=["russia", first.history_id])
    error = refusal_of(rita.post(url, change_form_data(rita, url)), "name")
    assert error.startswith("The actor 'russia' (Russian Federation) is shown by the reviewed or published events ")
    assert Actor.objects.get(pk="russia").name == "Russian Federation"
