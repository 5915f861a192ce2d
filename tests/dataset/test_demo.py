"""The demo data (events/data/demo.json): the facts of the article that started Chancery, pinned.

The article is kept beside the tests (tests/data/seed-article.txt) so that
each quote can be checked against it.
"""

import datetime
from pathlib import Path

import pytest

from events.models import Actor, Citation, Event, Source
from tests.demo import ARTICLE_URL, DEMO_PATH, export_text

pytestmark = pytest.mark.django_db

ARTICLE_PATH = Path(__file__).resolve().parents[1] / "data" / "seed-article.txt"
# The demo writes typographic quotes and the en dash as ASCII (docs/demo-data.md).
ASCII = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})


def article_text():
    return ARTICLE_PATH.read_text(encoding="utf-8").translate(ASCII)


def participants(event_id):
    return sorted(Event.objects.get(id=event_id).participants.values_list("role", "actor_id"))


def citations(event_id):
    return list(Citation.objects.filter(event_id=event_id).values_list("source__url", "claimed_by_id"))


def dates_of(event_id):
    return Event.objects.values_list("start", "start_precision", "end", "end_precision").get(id=event_id)


def test_the_demo_holds_fourteen_actors_and_seventeen_events_in_three_review_states(demo):
    assert Actor.objects.count() == 14
    assert Event.objects.count() == 17
    by_state = {state: Event.objects.filter(review_state=state).count() for state in ("published", "reviewed", "draft")}
    assert by_state == {"published": 13, "reviewed": 1, "draft": 3}


def test_every_citation_is_of_the_one_article(demo):
    assert list(Source.objects.values_list("url", "title", "publisher", "published")) == [
        (
            ARTICLE_URL,
            "A lot of 'mess' to clear up in Russia-US ties - Lavrov",
            "RT",
            datetime.date(2025, 11, 9),
        )
    ]
    assert Citation.objects.count() == 17
    assert not Event.objects.exclude(citations__source__url=ARTICLE_URL).exists()


def test_the_source_title_is_the_article_s_headline():
    assert article_text().splitlines()[0] == "A lot of 'mess' to clear up in Russia-US ties - Lavrov"


def test_every_quote_is_a_verbatim_passage_of_the_article(demo):
    text = article_text()
    quotes = list(Citation.objects.values_list("event_id", "quote"))

    assert len(quotes) == 17
    assert [(event_id, quote) for event_id, quote in quotes if not quote or quote not in text] == []


def test_every_published_event_has_a_source(demo):
    assert not Event.objects.published().filter(citations=None).exists()


def test_the_rosneft_and_lukoil_sanctions(demo):
    event = Event.objects.get(id="us-sanctions-rosneft-lukoil-2025")

    assert (event.type_id, event.status, event.review_state) == ("sanctions.imposed", "occurred", "published")
    assert dates_of(event.id) == (datetime.date(2025, 10, 22), "day", None, "")
    assert participants(event.id) == [
        ("initiator", "donald-trump"),
        ("initiator", "united-states"),
        ("target", "lukoil"),
        ("target", "rosneft"),
    ]
    assert citations(event.id) == [(ARTICLE_URL, None)]
    assert list(event.relations.values_list("relation", "to_event_id")) == [
        ("responds_to", "us-ru-ukraine-settlement-talks-2025")
    ]


def test_putin_s_answer_to_the_oil_sanctions(demo):
    event = Event.objects.get(id="putin-sanctions-unfriendly-move-2025")

    assert (event.type_id, event.status, event.review_state) == ("statement", "occurred", "published")
    assert dates_of(event.id) == (datetime.date(2025, 10, 23), "day", None, "")
    assert citations(event.id) == [(ARTICLE_URL, "vladimir-putin")]
    assert list(event.relations.values_list("relation", "to_event_id")) == [
        ("responds_to", "us-sanctions-rosneft-lukoil-2025")
    ]


def test_the_cancelled_third_round_as_moscow_tells_it(demo):
    event = Event.objects.get(id="us-ru-third-round-cancelled-2025")

    assert (event.type_id, event.status, event.review_state) == ("talks", "cancelled", "published")
    assert dates_of(event.id) == (datetime.date(2025, 1, 1), "year", None, "")
    assert participants(event.id) == [("initiator", "united-states"), ("participant", "russia")]
    assert citations(event.id) == [(ARTICLE_URL, "russia")]


def test_the_proposed_budapest_summit_hosted_by_hungary(demo):
    event = Event.objects.get(id="trump-putin-budapest-summit-proposed-2025")

    assert (event.type_id, event.status, event.review_state) == ("meeting.summit", "proposed", "draft")
    assert dates_of(event.id) == (datetime.date(2025, 10, 1), "month", None, "")
    assert participants(event.id) == [
        ("host", "hungary"),
        ("participant", "donald-trump"),
        ("participant", "vladimir-putin"),
    ]
    assert (event.location_name, event.location_country) == ("Budapest", "HUN")
    assert citations(event.id) == [(ARTICLE_URL, "donald-trump")]


def test_the_2016_restrictions_on_the_russian_compounds(demo):
    event = Event.objects.get(id="us-restricts-russian-compounds-2016")

    assert (event.type_id, event.status, event.review_state) == ("property.seizure", "occurred", "published")
    assert dates_of(event.id) == (datetime.date(2016, 12, 29), "day", None, "")
    assert participants(event.id) == [
        ("initiator", "barack-obama"),
        ("initiator", "united-states"),
        ("target", "russia"),
    ]


def test_the_2022_closure_of_us_airspace_is_part_of_that_year_s_sanctions(demo):
    event = Event.objects.get(id="us-closes-airspace-to-russian-carriers-2022")

    assert (event.type_id, event.status, event.review_state) == ("flights.ban", "occurred", "published")
    assert dates_of(event.id) == (datetime.date(2022, 3, 1), "day", None, "")
    assert participants(event.id) == [
        ("initiator", "joe-biden"),
        ("initiator", "united-states"),
        ("target", "russia"),
    ]
    assert list(event.relations.values_list("relation", "to_event_id")) == [("part_of", "us-sanctions-russia-2022")]
    assert dates_of("us-sanctions-russia-2022") == (datetime.date(2022, 2, 1), "month", None, "")


def test_the_riyadh_talks_hosted_by_saudi_arabia(demo):
    event = Event.objects.get(id="us-ru-talks-riyadh-2025")

    assert (event.type_id, event.status, event.review_state) == ("talks", "occurred", "published")
    assert dates_of(event.id) == (datetime.date(2025, 2, 18), "day", None, "")
    assert participants(event.id) == [
        ("host", "saudi-arabia"),
        ("participant", "russia"),
        ("participant", "united-states"),
    ]
    assert (event.location_name, event.location_country, event.location_lat, event.location_lon) == (
        "Riyadh",
        "SAU",
        24.7136,
        46.6753,
    )
    assert sorted(event.relations.values_list("relation", "to_event_id")) == [
        ("followed_by", "us-ru-talks-istanbul-2025"),
        ("part_of", "us-ru-bilateral-dialogue-2025"),
        ("part_of", "us-ru-ukraine-settlement-talks-2025"),
    ]


def test_the_istanbul_talks_in_turkiye_without_a_host(demo):
    event = Event.objects.get(id="us-ru-talks-istanbul-2025")

    assert (event.type_id, event.status, event.review_state) == ("talks", "occurred", "published")
    assert dates_of(event.id) == (datetime.date(2025, 2, 27), "day", None, "")
    # The round met at the US Consul General's residence: Türkiye is where, not a host (docs/demo-data.md).
    assert participants(event.id) == [("participant", "russia"), ("participant", "united-states")]
    assert (event.location_name, event.location_country, event.location_lat, event.location_lon) == (
        "İstanbul",
        "TUR",
        41.0082,
        28.9784,
    )
    assert sorted(event.relations.values_list("relation", "to_event_id")) == [
        ("follows", "us-ru-talks-riyadh-2025"),
        ("part_of", "us-ru-bilateral-dialogue-2025"),
    ]


def test_lavrov_s_interview_with_ria_novosti(demo):
    event = Event.objects.get(id="lavrov-ria-novosti-interview-2025")

    assert (event.type_id, event.status, event.review_state) == ("statement", "occurred", "published")
    assert dates_of(event.id) == (datetime.date(2025, 11, 8), "day", None, "")
    assert participants(event.id) == [("initiator", "sergey-lavrov"), ("target", "united-states")]
    assert citations(event.id) == [(ARTICLE_URL, "sergey-lavrov")]


def test_lavrov_answers_to_the_ministry_which_answers_to_russia(demo):
    chain = []
    actor = Actor.objects.get(id="sergey-lavrov")
    while actor is not None:
        chain.append(actor.id)
        actor = actor.parent

    assert chain == ["sergey-lavrov", "russian-foreign-ministry", "russia"]


def test_the_processes_span_their_years_and_months(demo):
    assert dates_of("us-ru-diplomatic-staff-limits") == (
        datetime.date(2016, 1, 1),
        "year",
        datetime.date(2021, 1, 1),
        "year",
    )
    assert Event.objects.get(id="us-ru-diplomatic-staff-limits").span_end == datetime.date(2021, 12, 31)
    assert dates_of("us-ru-bilateral-dialogue-2025") == (
        datetime.date(2025, 2, 1),
        "month",
        datetime.date(2025, 11, 1),
        "month",
    )
    assert Event.objects.get(id="us-ru-bilateral-dialogue-2025").span_end == datetime.date(2025, 11, 30)


def test_the_demo_file_is_in_canonical_form(demo):
    # The `demo` fixture loaded the file into the empty test database.
    assert export_text() == DEMO_PATH.read_text(encoding="utf-8")
