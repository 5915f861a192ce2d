"""`q` on the event list means the same on SQLite and PostgreSQL: every word, stemmed (English), in any
case and with or without its accents, in the title and summary together or in one source's quote;
`ordering=relevance` puts the events whose title and summary answer the words first.

Run on SQLite by default and on PostgreSQL with DATABASE_URL set: every assertion holds on both.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events.dataset import import_document
from tests.demo import dataset, event_record

pytestmark = pytest.mark.django_db


def source(number, quote):
    return {
        "url": f"https://example.org/{number}",
        "title": f"Report {number}",
        "publisher": "Example News",
        "published": "2025-02-19",
        "quote": quote,
        "claimed_by": None,
    }


def event(event_id, title, summary="", quotes=("",), start="2025-02-18"):
    sources = [source(f"{event_id}-{n}", quote) for n, quote in enumerate(quotes)]
    return event_record(event_id, title=title, summary=summary, sources=sources, start=start)


@pytest.fixture
def texts(db):
    import_document(
        dataset(
            event("sanctions", "US imposes sanctions on Rosneft", "The measures target oil exports."),
            event("turkey", "Talks in Türkiye", "Delegations met in Istanbul.", start="2025-03-01"),
            event("turkey-plain", "Envoy visits Turkiye", start="2025-03-02"),
            event(
                "quoted",
                "Ministers meet",
                quotes=["The icebreaker fleet was discussed.", "Grain corridor reopened."],
                start="2025-04-01",
            ),
            event("cafe", "Café diplomacy in Genève", start="2025-05-01"),
        )
    )


def found(params):
    response = APIClient().get("/api/v1/events/", params)
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()["results"]]


def q(text, **params):
    return found({"q": text, **params})


def test_a_word_finds_its_inflections(texts):
    assert q("sanction") == q("sanctions") == q("SANCTIONED") == ["sanctions"]
    assert q("export") == q("exporting") == ["sanctions"]  # in the summary
    assert q("meeting") == ["quoted"]  # and not "met" in another: stems, not lemmas


def test_accents_are_ignored_either_way(texts):
    assert q("turkiye") == q("Türkiye") == q("TÜRKIYE") == ["turkey", "turkey-plain"]
    assert q("cafe geneve") == q("café genève") == q("CAFÉ Geneve") == ["cafe"]


def test_a_word_only_in_a_quote_is_found(texts):
    assert q("icebreakers") == q("grain") == ["quoted"]


def test_every_word_must_be_in_the_title_and_summary_or_in_one_quote(texts):
    assert q("sanctions oil") == ["sanctions"]  # one in the title, one in the summary
    assert q("icebreaker fleet") == ["quoted"]  # both in one quote
    assert q("icebreaker grain") == []  # in two quotes
    assert q("ministers icebreaker") == []  # in the title and a quote
    assert q("sanctions turkiye") == []  # in two events


def test_english_stop_words_are_left_out_of_the_words(texts):
    # "on", "the" and "of" are not words of the search on either database.
    assert q("sanctions on the oil") == q("sanctions of oil") == ["sanctions"]
    assert q("the") == q("of the") == []
    # A word of no letters the search reads (an underscore) is left out too.
    assert q("_") == []
    assert q("_ sanctions") == ["sanctions"]


def test_relevance_puts_matches_in_the_title_and_summary_first(texts):
    import_document(
        dataset(
            event("grain-title", "Grain deal signed", start="2020-01-01"),
            event("grain-quote", "Ministers sign a deal", quotes=["Grain will flow."], start="2019-01-01"),
        )
    )
    # By date, the quote-only matches come first; by relevance, the title's.
    assert q("grain") == ["grain-quote", "grain-title", "quoted"]
    ranked = q("grain", ordering="relevance")
    assert ranked[0] == "grain-title"
    assert set(ranked) == {"grain-title", "grain-quote", "quoted"}
    # Paged one by one through the cursor: the same order.
    pages, params = [], {"q": "grain", "ordering": "relevance", "page_size": 1}
    response = APIClient().get("/api/v1/events/", params).json()
    while True:
        pages += [e["id"] for e in response["results"]]
        if not response["next"]:
            break
        response = APIClient().get(response["next"]).json()
    assert pages == ranked


def test_the_events_as_they_were_are_searched_alike(texts):
    moment = (timezone.now() + datetime.timedelta(microseconds=1)).isoformat()
    import_document(dataset(event("later", "Sanctions lifted", start="2025-06-01")))
    assert q("sanction") == ["sanctions", "later"]
    assert q("sanction", as_of=moment) == ["sanctions"]
    assert q("turkiye", as_of=moment) == q("Türkiye", as_of=moment) == ["turkey", "turkey-plain"]
    assert q("icebreaker grain", as_of=moment) == []
    assert q("the", as_of=moment) == []
