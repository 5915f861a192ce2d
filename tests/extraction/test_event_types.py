"""Event types from the keywords and the trigger lexicon (events/extraction/event_types.py, lexicon.py)."""

import datetime

import pytest

from events.extraction import TypeIndex, propose
from events.extraction.morphology import tokens
from events.models import EventType

from .helpers import taxonomy_types


def test_the_keywords_are_the_staffs_to_edit(demo):
    text = "Title\n\nRussia and the US resumed their dialogue on Saturday."
    assert propose(text, published="2025-11-09").proposals == []
    EventType.objects.filter(code="talks").update(keywords=["talks", "dialogue"])
    [proposal] = propose(text, published="2025-11-09").proposals
    assert (proposal.type, proposal.date.start) == ("talks", datetime.date(2025, 11, 8))


def test_a_topic_heading_of_the_taxonomy_never_wins_alone(db):
    types = TypeIndex.load()
    assert types.guess("Lavrov spoke of the work of diplomatic missions and embassies.") is None
    assert types.guess("Trump imposed sanctions on Rosneft, citing peace talks.").code == "sanctions.imposed"
    assert types.guess("The suspension of flights and closure of US airspace were among the sanctions").code == (
        "flights.ban"
    )
    guess = types.guess("Moscow proposed a meeting between Putin and Trump.")
    assert (guess.code, guess.status) == ("meeting", "proposed")


@pytest.mark.parametrize(
    "sentence, language, code",
    [
        # Keyword forms the curators' keywords miss: "seizes", "ordered to shut down", "banned ... aircraft".
        ("Poland seizes Russian embassy school in Warsaw.", "en", "property.seizure"),
        ("Washington ordered Moscow to shut down its consulate in San Francisco.", "en", "missions.closed"),
        ("Russia banned aircraft from 36 countries from its airspace.", "en", "flights.ban"),
        ("Germany declares 40 Russian Embassy employees non grata.", "en", "diplomats.expelled"),
        ("Russia will lift restrictions on flights to Hurghada from 9 November.", "en", "flights.resumed"),
        ("The Council renewed its restrictive measures against Russia.", "en", "sanctions.imposed"),
        ("Россия выслала двух американских дипломатов.", "ru", "diplomats.expelled"),
        ("МИД объявил персонами нон грата трёх сотрудников посольства.", "ru", "diplomats.expelled"),
        ("Вашингтон ввёл санкции против российских банков.", "ru", "sanctions.imposed"),
        ("Стороны договорились возобновить прямое авиасообщение.", "ru", "flights.resumed"),
        ("Польша решила закрыть генконсульство России в Гданьске.", "ru", "missions.closed"),
        ("В Стамбуле начались российско-американские переговоры.", "ru", "talks"),
    ],
)
def test_triggers_are_matched_by_lemma_in_english_and_russian(sentence, language, code):
    guess = taxonomy_types().guess(sentence, words=tokens(sentence, language), language=language)
    assert guess.code == code


def test_an_act_beats_the_statement_that_announces_it():
    sentence = (
        "Russia declared two employees of the US Embassy personae non gratae on Thursday, "
        "the Foreign Ministry said in a statement."
    )
    assert taxonomy_types().guess(sentence, words=tokens(sentence, "en")).code == "diplomats.expelled"


def test_according_is_not_the_trigger_accord():
    sentence = "According to the ministry, the ambassador was summoned on Thursday."
    assert taxonomy_types().guess(sentence, words=tokens(sentence, "en")) is None


@pytest.mark.parametrize(
    "text, code",
    [
        ("The license authorizes transactions, effectively lifting sanctions on Syria.", "sanctions.lifted"),
        ("The US lifted sanctions on Iran.", "sanctions.lifted"),
        ("The EU imposed sanctions on Russia.", "sanctions.imposed"),
        # A describing trigger ("direct flights") hides no act inside it.
        ("Moscow-Tbilisi direct flights were cancelled in 2006.", "flights.ban"),
    ],
)
def test_a_word_inside_a_longer_trigger_of_the_same_family_does_not_count_apart(text, code):
    types = taxonomy_types()
    assert types.guess(text, words=tokens(text, "en"), language="en").code == code


def test_loosening_sanctions_is_a_lifting():
    text = "The plan rests on loosening economic sanctions against Tallinn."
    assert taxonomy_types().guess(text, words=tokens(text, "en"), language="en").code == "sanctions.lifted"
