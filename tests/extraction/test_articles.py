"""Whole articles through the extractor: the seed article against the curators' events, a press release, a
wire report in HTML, an article without dates, and fuzzing (HYPOTHESIS_EXAMPLES sets the examples, default 50)."""

import datetime
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.dataset import DatasetReader
from events.extraction import (
    ActorIndex,
    ExtractionError,
    Skipped,
    TypeIndex,
    proposals_to_dataset,
    propose,
)

from ..conftest import ARTICLE_URL
from .helpers import NO_DATE, PRESS_RELEASE, SEED, SEED_IDS, WIRE, WIRE_URL, events_of, roles


@pytest.fixture
def seed(demo):
    return propose(SEED.read_text(encoding="utf-8"), url=ARTICLE_URL, published="2025-11-09", publisher="RT")


@pytest.fixture
def seed_events(seed):
    return events_of(seed)


def test_the_seed_article_gives_twelve_proposals_in_article_order(seed):
    assert [p.id for p in seed.proposals] == SEED_IDS
    assert seed.skipped == []


def test_it_proposes_the_us_sanctions_on_rosneft_and_lukoil(seed_events):
    event = seed_events["sanctions-imposed-donald-trump-united-states-lukoil-rosneft-2025-10"]
    assert (event["type"], event["status"], event["start"], event["start_precision"]) == (
        "sanctions.imposed",
        "occurred",
        "2025-10",
        "month",
    )
    assert roles(event) == [
        ("donald-trump", "initiator"),
        ("united-states", "initiator"),
        ("lukoil", "target"),
        ("rosneft", "target"),
    ]
    assert event["title"] == "Sanctions imposed by Donald Trump and United States against Lukoil and Rosneft"
    assert event["sources"] == [
        {
            "url": ARTICLE_URL,
            "title": "A lot of 'mess' to clear up in Russia-US ties - Lavrov",
            "publisher": "RT",
            "published": "2025-11-09",
            "quote": "Last month, Trump imposed sanctions on Russian oil giants Rosneft and Lukoil, "
            "citing lack of progress in peace talks on Ukraine.",
            "claimed_by": None,
        }
    ]
    assert event["review_state"] == "draft"
    assert event["summary"] == "Proposed from the article's text. Date from “Last month”: 2025-10 (month)."


def test_it_proposes_one_round_of_talks_in_saudi_arabia_and_one_in_turkiye(seed_events):
    saudi = seed_events["talks-russia-united-states-saudi-arabia-2025"]
    turkish = seed_events["talks-russia-united-states-turkiye-2025"]
    assert [(e["type"], e["status"], e["start"], e["start_precision"]) for e in (saudi, turkish)] == [
        ("talks", "occurred", "2025", "year"),
        ("talks", "occurred", "2025", "year"),
    ]
    assert roles(saudi) == [("russia", "participant"), ("united-states", "participant"), ("saudi-arabia", "host")]
    assert roles(turkish) == [("russia", "participant"), ("united-states", "participant"), ("turkiye", "host")]
    assert saudi["location"] == {"name": "Saudi Arabia", "country": "SAU", "lat": None, "lon": None}
    assert turkish["location"] == {"name": "Türkiye", "country": "TUR", "lat": None, "lon": None}
    assert "“earlier this year”" in saudi["summary"] and "only the year is kept" in saudi["summary"]


def test_it_proposes_the_cancelled_third_round_as_russias_claim(seed_events):
    event = seed_events["talks-united-states-russia-2025"]
    assert (event["status"], event["start"], event["start_precision"]) == ("cancelled", "2025", "year")
    assert roles(event) == [("united-states", "initiator"), ("russia", "participant")]
    assert event["sources"][0]["claimed_by"] == "russia"
    assert event["title"] == "Talks between United States and Russia (cancelled)"
    assert "the previous sentence's “earlier this year” is kept" in event["summary"]


def test_it_proposes_the_restricted_residences_of_late_2016(seed_events):
    event = seed_events["property-seizure-barack-obama-united-states-russia-2016"]
    assert (event["type"], event["start"], event["start_precision"]) == ("property.seizure", "2016", "year")
    assert roles(event) == [("barack-obama", "initiator"), ("united-states", "initiator"), ("russia", "target")]
    assert event["sources"][0]["quote"].startswith("In late 2016, the administration of outgoing US President")
    assert "The article says “late”: only the year is kept." in event["summary"]


def test_it_proposes_the_flight_ban_of_2022_dated_by_what_it_followed(seed_events):
    event = seed_events["flights-ban-joe-biden-united-states-russia-2022"]
    assert (event["type"], event["start"], event["start_precision"]) == ("flights.ban", "2022", "year")
    assert roles(event) == [("joe-biden", "initiator"), ("united-states", "initiator"), ("russia", "target")]
    assert "(“after the escalation of the Ukraine conflict in February 2022”)" in event["summary"]


def test_it_proposes_the_trump_putin_meeting_in_hungary_from_a_read_more_headline(seed_events):
    event = seed_events["meeting-summit-donald-trump-vladimir-putin-hungary-2025"]
    assert (event["type"], event["status"], event["start"]) == ("meeting.summit", "proposed", "2025")
    assert roles(event) == [("donald-trump", "participant"), ("vladimir-putin", "participant"), ("hungary", "host")]
    assert event["sources"][0]["quote"] == "Trump sees ‘good chance’ of meeting Putin in Hungary"
    assert event["sources"][0]["claimed_by"] == "donald-trump"
    assert event["summary"].startswith("Proposed from the headline of a linked article")


def test_it_dates_lavrovs_interview_on_saturday_to_8_november(seed_events):
    event = seed_events["statement-sergey-lavrov-united-states-2025-11-08"]
    assert (event["type"], event["start"], event["start_precision"]) == ("statement", "2025-11-08", "day")
    assert roles(event) == [("sergey-lavrov", "initiator"), ("united-states", "target")]
    assert event["sources"][0]["quote"].startswith("In an interview with RIA Novosti on Saturday, Lavrov said")
    assert event["sources"][0]["claimed_by"] == "sergey-lavrov"
    # The headline ("... – Lavrov"), the lede ("... Lavrov has said") and "According to Lavrov, ..." are the
    # same interview.
    assert "3 other sentences of the article say the same." in event["summary"]


def test_it_proposes_the_rest_of_the_seed_article_as_the_curators_did(seed_events):
    staff = seed_events["diplomats-staff-limits-russia-united-states-2015"]
    assert (staff["start"], staff["end"], staff["start_precision"]) == ("2015", "2025", "year")
    assert roles(staff) == [
        ("russia", "initiator"),
        ("united-states", "initiator"),
        ("russia", "target"),
        ("united-states", "target"),
    ]
    proposal = seed_events["proposal-russia-united-states-2025"]
    assert roles(proposal) == [("russia", "initiator"), ("united-states", "target")]
    assert proposal["sources"][0]["claimed_by"] == "sergey-lavrov"
    putin = seed_events["statement-vladimir-putin-united-states-2025-10"]
    assert (putin["start"], roles(putin)) == ("2025-10", [("vladimir-putin", "initiator"), ("united-states", "target")])
    nuclear = seed_events["statement-sergey-lavrov-united-states-2025"]
    assert nuclear["sources"][0]["quote"] == "US has not elaborated on nuclear test plans – Lavrov"


def test_proposing_takes_two_queries_and_the_dataset_one(demo, django_assert_num_queries):
    text = SEED.read_text(encoding="utf-8")
    # The actors with their aliases; the event types with their keywords.
    with django_assert_num_queries(2):
        extraction = propose(text, url=ARTICLE_URL, published="2025-11-09")
    # The source, in case the URL is already known (its stored metadata wins).
    with django_assert_num_queries(1):
        proposals_to_dataset(extraction)


def test_a_press_release_is_dated_by_its_dateline(demo):
    extraction = propose(PRESS_RELEASE.read_text(encoding="utf-8"), url="https://mid.example/statement/1")
    assert extraction.article.published == datetime.date(2024, 3, 14)
    assert extraction.article.paragraphs[0].text.startswith("The Russian Foreign Ministry has declared")
    assert not any("media enquiries" in p.text or "©" in p.text for p in extraction.article.paragraphs)
    events = events_of(extraction)
    assert list(events) == [
        "diplomats-expelled-russia-russian-foreign-ministry-united-states-2024-03-14",
        "talks-russia-united-states-2024-04",
    ]
    # Lavrov's remark is quoted in passing: the release is about the expulsion, not about what he said.
    assert (
        Skipped(
            "Russian Foreign Minister Sergey Lavrov said the decision was a forced measure and that Moscow remained "
            "open to dialogue on the functioning of diplomatic missions.",
            "a remark quoted in passing, not a statement the article reports",
        )
        in extraction.skipped
    )
    expelled = events["diplomats-expelled-russia-russian-foreign-ministry-united-states-2024-03-14"]
    assert (expelled["type"], expelled["start"], expelled["start_precision"]) == (
        "diplomats.expelled",
        "2024-03-14",
        "day",
    )
    assert roles(expelled) == [
        ("russia", "initiator"),
        ("russian-foreign-ministry", "initiator"),
        ("united-states", "target"),
    ]
    # "declared ... persona non grata" is the act, not an attribution: the release speaks in its own voice.
    assert expelled["sources"][0]["claimed_by"] is None
    assert "the news of the lede is dated to the publication day" in expelled["summary"]
    talks = events["talks-russia-united-states-2024-04"]
    assert (talks["status"], talks["start"], talks["start_precision"]) == ("proposed", "2024-04", "month")
    assert talks["location"] == {"name": "Istanbul", "country": "TUR", "lat": None, "lon": None}


def test_a_wire_report_in_html_is_read_through_trafilatura(demo):
    extraction = propose(WIRE.read_text(encoding="utf-8"))
    article = extraction.article
    assert (article.title, article.publisher, article.published, article.url) == (
        "Russia and U.S. hold talks in Istanbul on embassy operations",
        "Reuters",
        datetime.date(2025, 2, 27),
        WIRE_URL,
    )
    body = article.text
    for furniture in (
        "Sign In",
        "Breakingviews",
        "Read Next",
        "Trump says Putin wants peace",
        "Reporting by",
        "Careers",
    ):
        assert furniture not in body
    assert body.startswith("Russian and U.S. diplomats held")  # the dateline "ISTANBUL, Feb 27 (Reuters) -" is gone
    events = events_of(extraction)
    assert list(events) == [
        "talks-russia-united-states-2025-02-27",
        "diplomats-expelled-united-states-russia-2018",
    ]
    talks = events["talks-russia-united-states-2025-02-27"]
    assert roles(talks) == [("russia", "participant"), ("united-states", "participant")]
    assert talks["location"]["name"] == "Istanbul"
    assert talks["sources"][0]["claimed_by"] == "russian-foreign-ministry"
    assert talks["sources"][0]["publisher"] == "Reuters"
    expelled = events["diplomats-expelled-united-states-russia-2018"]
    assert (expelled["start"], roles(expelled)) == ("2018", [("united-states", "initiator"), ("russia", "target")])
    assert [s.reason for s in extraction.skipped] == [
        "its actors are all in a clause about another event",
        "a remark quoted in passing, not a statement the article reports",
    ]


def test_an_article_without_dates_falls_back_to_the_publication_date_at_the_right_precision(demo):
    extraction = propose(NO_DATE.read_text(encoding="utf-8"), published="2025-06-03")
    found = [(p.type, p.status, p.date.start.isoformat(), p.date.precision, p.date.how) for p in extraction.proposals]
    assert found == [
        # The lede's news, in the present perfect: the publication day.
        ("diplomats.expelled", "occurred", "2025-06-03", "day", "lede"),
        # "are currently holding": ongoing, so the publication month.
        ("talks", "occurred", "2025-06-01", "month", "publication"),
        # Proposed, and a past tense without a date: only the publication year.
        ("meeting.summit", "proposed", "2025-01-01", "year", "publication"),
        ("sanctions.imposed", "occurred", "2025-01-01", "year", "publication"),
    ]
    summit = extraction.proposals[2]
    assert summit.participants == [
        ("russia", "initiator"),
        ("donald-trump", "participant"),
        ("vladimir-putin", "participant"),
    ]
    assert [(s.quote, s.reason) for s in extraction.skipped] == [
        (
            "The US State Department called the expulsion unjustified and said Washington would respond.",
            "refers back to an event named earlier, without a date of its own",
        )
    ]


def test_without_any_date_nothing_is_proposed_and_each_sentence_says_why(demo):
    extraction = propose(NO_DATE.read_text(encoding="utf-8"))
    assert extraction.article.published is None
    assert extraction.proposals == []
    assert {s.reason for s in extraction.skipped} == {
        "no date in the sentence and no publication date",
        "refers back to an event named earlier, without a date of its own",
    }
    assert len(extraction.skipped) == 5


@pytest.mark.parametrize("path", [SEED, PRESS_RELEASE, WIRE, NO_DATE], ids=lambda p: p.name)
def test_every_proposal_is_a_valid_draft_of_the_dataset(demo, path):
    document = proposals_to_dataset(propose(path.read_text(encoding="utf-8"), published="2025-06-03", url=ARTICLE_URL))
    assert document["events"]
    reader = DatasetReader(document).read()
    assert [clean.event.review_state for clean in reader.events] == ["draft"] * len(document["events"])


def test_a_statement_without_attribution_is_made_by_who_comes_first(demo):
    [proposal] = propose(
        "Title\n\nRussia issued a statement on Saturday about the US.", published="2025-11-09"
    ).proposals
    assert (proposal.type, proposal.participants, proposal.claimed_by) == (
        "statement",
        [("russia", "initiator"), ("united-states", "target")],
        None,
    )


def test_a_huge_article_still_gives_proposals(demo):
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    extraction = propose("Title\n" + body * 50, published="2025-11-09")
    # The same interview merges into one statement; the rest repeats once per copy.
    assert 50 < len(extraction.proposals) < 12 * 50


FUZZ = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "50")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


PIECES = [
    "<p>", "</p>", "<div>", "<html>", "<body>", "<script>", "</", ">", "<", "&amp;", "\n", " ", ".", ",", "“", "”",
    "\"", "’", "—", "Russia", "US", "U.S.", "Lavrov said", "with Moscow saying", "imposed sanctions on", "talks",
    "in Saudi Arabia and Türkiye", "last month", "on Saturday", "in late 2016", "Read more", "READ MORE: ",
    "MOSCOW, 14 March 2024 — ", "between Putin and Trump", "did not take place", "each other", "after", "\x00",
]  # fmt: skip


def test_any_text_gives_proposals_or_a_clear_error(demo):
    actors, types = ActorIndex.load(), TypeIndex.load()

    @FUZZ
    @given(
        st.one_of(st.text(max_size=2000), st.lists(st.sampled_from(PIECES), max_size=200).map("".join)),
        st.sampled_from([None, "2025-11-09", "2016-02-29"]),
    )
    def check(text, published):
        try:
            extraction = propose(text, published=published, url=ARTICLE_URL, actors=actors, types=types)
        except ExtractionError as error:
            assert str(error)
            return
        document = proposals_to_dataset(extraction)
        DatasetReader(document).read()  # every proposal is a record the dataset accepts
        assert len({event["id"] for event in document["events"]}) == len(document["events"])

    check()
