"""From an article to draft events in the admin: propose from a source, correct, cite or create, save."""

import copy
import datetime
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from events import curation
from events.dataset import import_document
from events.extraction import proposals_to_dataset, propose
from events.matching import candidates_for
from events.models import Citation, Event, Source
from tests.demo import ARTICLE_URL, DEMO_PATH, row_counts

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
    assert response.context["rows"][row["index"]]["problems"] == [
        "review_state: This event is published: editors change drafts only; a reviewer can return it to draft."
    ]
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
    assert "us-ru-third-round-cancelled-2025" in [c.event.pk for c in proposals[("talks", "cancelled")]["candidates"]]


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
    (problem,) = response.context["rows"][row["index"]]["problems"]
    assert problem.startswith(
        "review_state: This event is published and this write changes its sources: another reviewer must review"
    )
    assert Citation.objects.filter(event_id="us-ru-third-round-cancelled-2025").count() == 1


def test_pasting_nothing_asks_for_the_article(editor_client, demo):
    response = paste(editor_client, content="")
    assert "Paste the article" in response.content.decode()


def test_a_failed_fetch_says_why_and_asks_for_the_text(editor_client, demo):
    response = paste(editor_client, url="http://127.0.0.1:9/nothing-listens-here", content="", fetch="on")
    assert "Could not fetch http://127.0.0.1:9/nothing-listens-here" in response.content.decode()


def test_the_source_page_and_list_offer_to_propose_events_from_its_article(admin_client, demo):
    source = Source.objects.get(url=ARTICLE_URL)
    link = f'href="{FROM_ARTICLE}?source={source.pk}"'
    assert link in admin_client.get(reverse("admin:events_source_change", args=[source.pk])).content.decode()
    assert link in admin_client.get(reverse("admin:events_source_changelist")).content.decode()


def test_proposing_from_a_stored_source_fills_in_its_url_publisher_and_date(admin_client, demo):
    source = Source.objects.get(url=ARTICLE_URL)
    source.publisher, source.published = "RT", datetime.date(2025, 11, 9)
    source.save()
    for query in ({"source": source.pk}, {"url": ARTICLE_URL.replace("torre.news", "TORRE.news:443")}):
        form = admin_client.get(FROM_ARTICLE, query).context["form"]
        assert (form["url"].value(), form["publisher"].value(), form["published"].value()) == (
            ARTICLE_URL,
            "RT",
            datetime.date(2025, 11, 9),
        )


@pytest.mark.parametrize(
    "query",
    [
        {"source": "99999999999999999999999"},
        {"source": "-1"},
        {"source": "²"},
        {"url": "https://example.org:99999/"},
        {"url": "x"},
    ],
)
def test_a_source_that_is_not_stored_fills_in_only_what_was_given(admin_client, demo, query):
    response = admin_client.get(FROM_ARTICLE, query)
    assert response.status_code == 200
    assert response.context["form"]["url"].value() == query.get("url", "")


def test_users_who_may_not_add_events_are_refused(demo):
    client = Client()
    client.force_login(User.objects.create_user("viewer", is_staff=True))
    assert client.get(FROM_ARTICLE).status_code == 403


# ---------------------------------------------------------------- a proposal that repeats a stored event

# The seed article's proposals and the curated events they repeat (docs/extraction.md §5).
SEED_EVENTS = {
    "statement-sergey-lavrov-united-states-2025-11-08": "lavrov-ria-novosti-interview-2025",
    "talks-russia-united-states-saudi-arabia-2025": "us-ru-talks-riyadh-2025",
    "talks-russia-united-states-turkiye-2025": "us-ru-talks-istanbul-2025",
    "talks-united-states-russia-2025": "us-ru-third-round-cancelled-2025",
    "statement-sergey-lavrov-united-states-2025": "lavrov-us-nuclear-test-plans-2025",
    "diplomats-staff-limits-russia-united-states-2015": "us-ru-diplomatic-staff-limits",
    "property-seizure-barack-obama-united-states-russia-2016": "us-restricts-russian-compounds-2016",
    "flights-ban-joe-biden-united-states-russia-2022": "us-closes-airspace-to-russian-carriers-2022",
    "proposal-russia-united-states-2025": "russia-proposals-property-air-links-2025",
    "meeting-summit-donald-trump-vladimir-putin-hungary-2025": "trump-putin-budapest-summit-proposed-2025",
    "sanctions-imposed-donald-trump-united-states-lukoil-rosneft-2025-10": "us-sanctions-rosneft-lukoil-2025",
    "statement-vladimir-putin-united-states-2025-10": "putin-sanctions-unfriendly-move-2025",
}


def defaults(response):
    """The form as the page sends it when the curator changes nothing."""
    post = {"document": response.context["document"]}
    for row in response.context["rows"]:
        post[f"keep-{row['index']}"] = "1"
        post[f"target-{row['index']}"] = row["target"]
    return post


@pytest.mark.parametrize("url", [ARTICLE_URL, NEW_URL], ids=["the article they cite", "another article"])
def test_each_proposal_that_repeats_a_curated_event_is_offered_as_a_citation_of_it(editor_client, demo, url):
    rows = paste(editor_client, url=url).context["rows"]
    assert {row["proposal"]["id"]: row["target"] for row in rows} == SEED_EVENTS
    # The other stored events it may repeat stay on offer, and so does a new draft.
    talks = next(row for row in rows if row["target"] == "us-ru-talks-riyadh-2025")
    offered = [(c.event.pk, c.match) for c in talks["candidates"]]
    assert offered[0] == ("us-ru-talks-riyadh-2025", True)
    assert ("us-ru-talks-istanbul-2025", False) in offered  # the same talks, in another place
    assert 'name="target-{}" value="new"'.format(talks["index"]) in paste(editor_client, url=url).content.decode()


def test_saving_the_seed_articles_proposals_as_offered_adds_nothing_and_says_why(editor_client, demo):
    response = paste(editor_client, url=ARTICLE_URL)
    before = row_counts()
    response = editor_client.post(FROM_ARTICLE, defaults(response))
    assert response.status_code == 200
    assert row_counts() == before
    cited = list(SEED_EVENTS.values())  # in the order of the proposals
    assert response.context["nothing_saved"] == (
        "0 draft events saved, 0 citations added: the source is already cited by "
        f"{', '.join(cited[:-1])} and {cited[-1]}."
    )
    assert "0 draft events saved, 0 citations added: the source is already cited by" in response.content.decode()


def test_citing_an_article_again_adds_nothing_the_second_time(admin_client, demo):
    response = admin_client.post(FROM_ARTICLE, defaults(paste(admin_client)))
    assert response.status_code == 302
    assert Citation.objects.filter(source__url=NEW_URL).count() == 12
    events = Event.objects.count()
    response = admin_client.post(FROM_ARTICLE, defaults(paste(admin_client)))
    assert response.status_code == 200
    assert response.context["nothing_saved"].startswith("0 draft events saved, 0 citations added: the source is")
    assert (Event.objects.count(), Citation.objects.filter(source__url=NEW_URL).count()) == (events, 12)


@pytest.fixture
def demo_actors(db):
    """The demo's actors and types, none of its events."""
    document = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    import_document({"actors": copy.deepcopy(document["actors"]), "events": []})


def test_saving_an_articles_proposals_twice_makes_no_duplicates(editor_client, demo_actors):
    first = editor_client.post(FROM_ARTICLE, defaults(paste(editor_client)))
    assert first.status_code == 302
    assert Event.objects.count() == 12
    again = paste(editor_client)
    # Each proposal is now its own draft, saved the first time.
    assert {row["proposal"]["id"]: row["target"] for row in again.context["rows"]} == {
        proposal: proposal for proposal in SEED_EVENTS
    }
    second = editor_client.post(FROM_ARTICLE, defaults(again))
    assert second.status_code == 200
    assert second.context["nothing_saved"].startswith("0 draft events saved, 0 citations added: the source is")
    assert Event.objects.count() == 12


def test_a_new_draft_never_takes_the_id_of_a_stored_event(editor_client, demo_actors):
    editor_client.post(FROM_ARTICLE, defaults(paste(editor_client)))
    response = paste(editor_client)
    row = by_type(response)[("sanctions.imposed", "occurred")]
    post = {"document": response.context["document"], f"keep-{row['index']}": "1", f"target-{row['index']}": "new"}
    post[f"title-{row['index']}"] = "A second copy, on purpose"
    response = editor_client.post(FROM_ARTICLE, post)
    assert response.status_code == 302
    first, second = Event.objects.filter(type_id="sanctions.imposed").order_by("created_at", "id")
    assert second.pk == f"{first.pk}-2"
    assert (first.title, second.title) == (row["proposal"]["title"], "A second copy, on purpose")
    assert response["Location"] == reverse("admin:events_event_changelist") + f"?id__in={second.pk}"


def test_a_save_with_nothing_kept_says_so(editor_client, demo):
    response = paste(editor_client)
    response = editor_client.post(FROM_ARTICLE, {"document": response.context["document"]})
    assert response.context["nothing_saved"] == (
        "0 draft events saved, 0 citations added: no proposal was kept (ticked)."
    )


def test_a_save_names_what_it_added_and_what_it_did_not(admin_client, demo):
    response = paste(admin_client)
    rows = {row["target"]: row for row in response.context["rows"]}
    sanctions, cancelled = rows["us-sanctions-rosneft-lukoil-2025"], rows["us-ru-third-round-cancelled-2025"]
    post = {"document": response.context["document"]}
    for row, target in ((sanctions, "new"), (cancelled, cancelled["target"])):
        post |= {f"keep-{row['index']}": "1", f"target-{row['index']}": target}
    # A second proposal choosing the same stored event cites the article there once.
    statement = rows["lavrov-ria-novosti-interview-2025"]
    post |= {f"keep-{statement['index']}": "1", f"target-{statement['index']}": cancelled["target"]}
    response = admin_client.post(FROM_ARTICLE, post, follow=True)
    (message,) = [str(m) for m in response.context["messages"]]
    assert message == (
        "1 draft event saved, 1 citation added to us-ru-third-round-cancelled-2025. Not added: more than one "
        "proposal chose us-ru-third-round-cancelled-2025, which cites the article once."
    )
    shown = {event.pk for event in response.context["cl"].result_list}
    assert shown == {sanctions["proposal"]["id"], "us-ru-third-round-cancelled-2025"}


# ---------------------------------------------------------------- corrections before saving


def corrected(response, row, **fields):
    """The form keeping `row` as a new draft, with `fields` changed: `start=...` for the proposal's start,
    `role__1=...` for its second participant's role."""
    i = row["index"]
    post = {"document": response.context["document"], f"keep-{i}": "1", f"target-{i}": "new"}
    for j, participant in enumerate(row["participants"]):
        post[f"actor-{i}-{j}"], post[f"role-{i}-{j}"] = participant["actor"], participant["role"] or "participant"
    for name, value in fields.items():
        field, _, participant = name.partition("__")
        post[f"{field}-{i}-{participant}" if participant else f"{field}-{i}"] = value
    return post


def test_the_curator_corrects_participants_roles_dates_and_status_before_saving(editor_client, demo_actors):
    response = paste(editor_client)
    row = by_type(response)[("talks", "cancelled")]
    assert [(p["actor"], p["role"]) for p in row["participants"]] == [
        ("united-states", "initiator"),
        ("russia", "participant"),
        ("", "participant"),
        ("", "participant"),
    ]
    post = corrected(
        response,
        row,
        role__1="target",  # Russia: the side the US cancelled on
        actor__2="donald-trump",  # added in an empty row
        role__2="initiator",
        start="2025-04",
        start_precision="month",
        end="2025-05-15",
        end_precision="day",
        status="postponed",
    )
    assert editor_client.post(FROM_ARTICLE, post).status_code == 302
    event = Event.objects.get(pk=row["proposal"]["id"])
    assert (event.status, event.start_text, event.start_precision, event.end_text, event.end_precision) == (
        "postponed",
        "2025-04",
        "month",
        "2025-05-15",
        "day",
    )
    assert sorted(event.participants.values_list("actor_id", "role")) == [
        ("donald-trump", "initiator"),
        ("russia", "target"),
        ("united-states", "initiator"),
    ]
    assert event.review_state == "draft"


def test_emptying_an_actor_removes_the_participant(editor_client, demo_actors):
    response = paste(editor_client)
    row = by_type(response)[("sanctions.imposed", "occurred")]
    gone = next(j for j, p in enumerate(row["participants"]) if p["actor"] == "donald-trump")
    assert editor_client.post(FROM_ARTICLE, corrected(response, row, **{f"actor__{gone}": ""})).status_code == 302
    event = Event.objects.get(pk=row["proposal"]["id"])
    assert "donald-trump" not in set(event.participants.values_list("actor_id", flat=True))
    assert set(event.participants.values_list("actor_id", flat=True)) == {"united-states", "rosneft", "lukoil"}


def test_wrong_corrections_are_shown_beside_their_fields_and_nothing_is_saved(editor_client, demo_actors):
    response = paste(editor_client)
    row = by_type(response)[("talks", "cancelled")]
    i = row["index"]
    before = row_counts()
    post = corrected(
        response,
        row,
        actor__2="nobody-we-know",
        role__2="initiator",
        start="2025-13-40",
        end_precision="day",  # without an end
        status="maybe",
        title="",
    )
    response = editor_client.post(FROM_ARTICLE, post)
    assert response.status_code == 200
    assert row_counts() == before
    shown = response.context["rows"][i]
    assert shown["errors"] == {
        "title": ["required"],
        "start": ["'2025-13-40' is not a date that exists"],
        "end_precision": ["given without end: give both or neither"],
        "status": ["not one of proposed, scheduled, occurred, cancelled, postponed"],
    }
    assert shown["participants"][2]["errors"] == ["unknown actor 'nobody-we-know': not in the file nor in the database"]
    # Everything typed is still in the form, the error beside it.
    html = response.content.decode()
    assert f'name="start-{i}" value="2025-13-40"' in html
    assert 'value="nobody-we-know" list="actors"' in html
    assert "<option selected>maybe</option>" in html
    assert "Nothing was saved" in html
    start_error = html.index("&#x27;2025-13-40&#x27; is not a date that exists")
    assert html.index(f'name="start-{i}"') - start_error < 400


def test_a_correction_fixed_after_an_error_saves(editor_client, demo_actors):
    response = paste(editor_client)
    row = by_type(response)[("talks", "cancelled")]
    refused = editor_client.post(FROM_ARTICLE, corrected(response, row, start="2025-02-30"))
    assert refused.status_code == 200
    fixed = corrected(refused, refused.context["rows"][row["index"]], start="2025-02-28", start_precision="day")
    assert editor_client.post(FROM_ARTICLE, fixed).status_code == 302
    assert Event.objects.get(pk=row["proposal"]["id"]).start_text == "2025-02-28"


# ---------------------------------------------------------------- what the extractor left out

RURITANIA = """Expulsions in the north

Ruritania expelled two diplomats of Freedonia on Monday. Russia expelled two US diplomats on Tuesday, the ministry said.
"""


def test_the_sentences_left_out_are_listed_with_the_reason(editor_client, demo):
    response = paste(editor_client, content=RURITANIA)
    assert [row["proposal"]["type"] for row in response.context["rows"]] == ["diplomats.expelled"]
    assert response.context["skipped"] == [
        {"quote": "Expulsions in the north", "reason": "no actor Chancery knows"},
        {"quote": "Ruritania expelled two diplomats of Freedonia on Monday.", "reason": "no actor Chancery knows"},
    ]
    html = response.content.decode()
    assert "2 sentences named a kind of event but gave no proposal" in html
    assert "<q>Ruritania expelled two diplomats of Freedonia on Monday.</q>" in html
    # Still listed when a save is refused and the proposals come back.
    post = corrected(response, response.context["rows"][0], start="soon")
    assert editor_client.post(FROM_ARTICLE, post).context["skipped"] == response.context["skipped"]


def test_an_article_with_no_proposal_says_so_and_why(editor_client, demo):
    response = paste(editor_client, content=RURITANIA.replace("Russia expelled two US diplomats", "It rained"))
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "No event was proposed from this article" in html
    assert "no actor Chancery knows" in html


def test_finding_the_stored_events_takes_one_query_per_proposal(demo, django_assert_num_queries):
    records = proposals_to_dataset(propose(SEED, url=NEW_URL, published="2025-11-09"))["events"]
    assert len(records) == 12
    curator = User(username="su", is_superuser=True, is_active=True)  # whose permissions need no query
    # The hosts' countries; per proposal, its candidates; then the participants and citations of them all.
    with django_assert_num_queries(1 + 12 + 2):
        found = candidates_for(records, NEW_URL, curator)
    assert [len(candidates) for candidates in found] == [2, 5, 5, 5, 3, 1, 1, 1, 1, 1, 1, 2]


def test_a_new_draft_of_a_long_id_taken_gets_a_free_id_as_long(editor_client, demo_actors):
    response = paste(editor_client)
    row = by_type(response)[("sanctions.imposed", "occurred")]
    long_id = (row["proposal"]["id"] + "-" + "x" * 100)[:100]
    import_document({"events": [{**row["proposal"], "id": long_id, "title": "Taken"}]})
    document = {"events": [{**row["proposal"], "id": long_id}]}
    rows = curation.rows_for(document, NEW_URL, User.objects.get(username="edith"))
    rows[0]["target"] = "new"
    saved = curation.save_kept(rows, User.objects.get(username="edith"))
    assert saved.drafts == [long_id[:98] + "-2"]
    assert Event.objects.filter(pk=long_id[:98] + "-2").exists()


def test_citing_an_event_that_is_no_longer_stored_says_so_and_saves_nothing(editor_client, demo_actors):
    response = paste(editor_client)
    before = row_counts()
    post = {"document": response.context["document"], "keep-0": "1", "target-0": "deleted-meanwhile"}
    response = editor_client.post(FROM_ARTICLE, post)
    assert response.context["rows"][0]["problems"] == [
        "there is no stored event 'deleted-meanwhile' to cite the article in"
    ]
    assert "Nothing was saved" in response.content.decode()
    assert row_counts() == before
