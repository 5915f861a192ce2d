"""From an article to draft events in the admin: paste, review proposals, keep, save or merge."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from events.models import Citation, Event, Source
from tests.demo import ARTICLE_URL, row_counts

pytestmark = pytest.mark.django_db

FROM_ARTICLE = reverse("admin:events_source_from_article")
SEED = (Path(__file__).parents[1] / "data" / "seed-article.txt").read_text(encoding="utf-8")
NEW_URL = "https://news.example.org/lavrov-mess"


@pytest.fixture
def editor_client():
    user = User.objects.create_user("edith", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer_client():
    user = User.objects.create_user("rita", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewer"))
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_may_not_add_a_source_to_a_published_event(editor_client, demo):
    response = paste(editor_client)
    row = by_type(response)[("talks", "cancelled")]
    post = {
        "document": response.context["document"],
        f"keep-{row['index']}": "1",
        f"target-{row['index']}": "us-ru-third-round-cancelled-2025",
    }
    response = editor_client.post(FROM_ARTICLE, post)
    assert "editors change drafts only" in response.content.decode()
    assert Citation.objects.filter(event_id="us-ru-third-round-cancelled-2025").count() == 1


def paste(client, url=NEW_URL, **fields):
    data = {"url": url, "published": "2025-11-09", "publisher": "RT", "content": SEED, **fields}
    return client.post(FROM_ARTICLE, data)


def by_type(response):
    return {(row["record"]["type"], row["record"]["status"]): row for row in response.context["rows"]}


def test_pasting_the_seed_article_proposes_its_events(editor_client, demo):
    response = paste(editor_client)
    assert response.status_code == 200
    proposals = by_type(response)
    sanctions = proposals[("sanctions.imposed", "occurred")]["record"]
    assert (sanctions["start"], sanctions["start_precision"]) == ("2025-10", "month")
    assert {"rosneft", "lukoil"} <= {p["actor"] for p in sanctions["participants"] if p["role"] == "target"}
    assert ("talks", "cancelled") in proposals
    assert ("meeting.summit", "proposed") in proposals or ("meeting", "proposed") in proposals
    cancelled = proposals[("talks", "cancelled")]["record"]
    assert cancelled["sources"][0]["claimed_by"] == "russia"
    assert cancelled["sources"][0]["url"] == NEW_URL
    # The stored event it may repeat is offered beside it.
    assert "us-ru-third-round-cancelled-2025" in [e.pk for e in proposals[("talks", "cancelled")]["duplicates"]]


def test_nothing_is_written_until_the_curator_saves(editor_client, demo):
    before = row_counts()
    paste(editor_client)
    assert row_counts() == before


def test_kept_proposals_become_drafts_linked_to_the_article(editor_client, demo):
    response = paste(editor_client)
    rows = response.context["rows"]
    keep = [row for row in rows if row["record"]["type"] == "sanctions.imposed"][0]
    post = {"document": response.context["document"], f"keep-{keep['index']}": "1", f"target-{keep['index']}": "new"}
    post[f"title-{keep['index']}"] = "US sanctions Rosneft and Lukoil"
    response = editor_client.post(FROM_ARTICLE, post)
    assert response.status_code == 302
    event = Event.objects.get(pk=keep["record"]["id"])
    assert (event.title, event.review_state, event.created_by.username) == (
        "US sanctions Rosneft and Lukoil",
        "draft",
        "edith",
    )
    assert list(event.citations.values_list("source__url", flat=True)) == [NEW_URL]
    assert Source.objects.get(url=NEW_URL).publisher == "RT"


def test_a_proposal_may_instead_add_its_citation_to_the_stored_event(reviewer_client, demo, settings):
    settings.REVIEW_BY_ANOTHER = False  # the stored event is published: else the change needs another reviewer
    response = paste(reviewer_client)
    row = by_type(response)[("talks", "cancelled")]
    post = {
        "document": response.context["document"],
        f"keep-{row['index']}": "1",
        f"target-{row['index']}": "us-ru-third-round-cancelled-2025",
    }
    events_before = Event.objects.count()
    assert reviewer_client.post(FROM_ARTICLE, post).status_code == 302
    assert Event.objects.count() == events_before
    urls = Citation.objects.filter(event_id="us-ru-third-round-cancelled-2025").values_list("source__url", flat=True)
    assert sorted(urls) == sorted([ARTICLE_URL, NEW_URL])
    stored = Event.objects.get(pk="us-ru-third-round-cancelled-2025")
    assert stored.review_state == "published"
    assert stored.history.latest().history_change_reason == "admin: from an article"


def test_adding_a_citation_to_a_published_event_needs_another_reviewer(reviewer_client, demo):
    response = paste(reviewer_client)
    row = by_type(response)[("talks", "cancelled")]
    post = {
        "document": response.context["document"],
        f"keep-{row['index']}": "1",
        f"target-{row['index']}": "us-ru-third-round-cancelled-2025",
    }
    response = reviewer_client.post(FROM_ARTICLE, post)
    assert [(p.record, p.field) for p in response.context["problems"]] == [
        ("event us-ru-third-round-cancelled-2025", "review_state")
    ]
    assert response.context["problems"][0].message.startswith(
        "This event is published and this write changes its sources: another reviewer must review a change"
    )
    assert Citation.objects.filter(event_id="us-ru-third-round-cancelled-2025").count() == 1


def test_pasting_nothing_asks_for_the_article(editor_client, demo):
    response = paste(editor_client, content="")
    assert "Paste the article" in response.content.decode()


def test_a_failed_fetch_says_why_and_asks_for_the_text(editor_client, demo):
    response = paste(editor_client, url="http://127.0.0.1:9/nothing-listens-here", content="", fetch="on")
    assert "Could not fetch http://127.0.0.1:9/nothing-listens-here" in response.content.decode()


def test_the_source_page_offers_to_propose_events_from_its_article(admin_client, demo):
    source = Source.objects.get(url=ARTICLE_URL)
    page = admin_client.get(reverse("admin:events_source_change", args=[source.pk])).content.decode()
    assert f"{FROM_ARTICLE}?url=" in page
    form = admin_client.get(FROM_ARTICLE, {"url": ARTICLE_URL}).context["form"]
    assert form["url"].value() == ARTICLE_URL


def test_users_who_may_not_add_events_are_refused(demo):
    client = Client()
    client.force_login(User.objects.create_user("viewer", is_staff=True))
    assert client.get(FROM_ARTICLE).status_code == 403
