"""Actors found by name, alias and the gazetteer's forms (events/extraction/actors.py)."""

import pytest

from events.extraction import (
    ActorIndex,
    KnownActor,
)

from .helpers import found


def test_it_finds_actors_by_name_and_alias(actors):
    assert found(actors, "Moscow and Washington agreed, the Kremlin said; Sergei Lavrov met Turkey's envoy.") == [
        ("russia", "Moscow"),
        ("united-states", "Washington"),
        ("russia", "Kremlin"),
        ("sergey-lavrov", "Sergei Lavrov"),
        ("turkiye", "Turkey"),
    ]


def test_the_longest_name_wins(actors):
    assert found(actors, "Russian Foreign Minister Sergey Lavrov met the United States of America's envoy.") == [
        ("sergey-lavrov", "Sergey Lavrov"),
        ("united-states", "United States of America"),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the US side", [("united-states", "US")]),
        ("US-Russia talks", [("united-states", "US"), ("russia", "Russia")]),
        ("U.S. President", [("united-states", "U.S.")]),
        ("USE the USSR", []),
        ("Russia's economy", [("russia", "Russia")]),
        ("not as quickly as us", []),
        ("Us and them", []),
        ("Russian oil giants", []),
        ("Russian diplomats", [("russia", "Russian")]),
        ("Russian and U.S. diplomats", [("russia", "Russian"), ("united-states", "U.S.")]),
        ("the Russian foreign ministry", [("russian-foreign-ministry", "Russian foreign ministry")]),
        ("MOSCOW, 14 March", [("russia", "MOSCOW")]),
        ("roast turkey in moscow", []),
        ("LUKOIL and Lukoil", [("lukoil", "LUKOIL"), ("lukoil", "Lukoil")]),
    ],
)
def test_it_matches_whole_words_and_short_capitals_exactly(actors, text, expected):
    assert found(actors, text) == expected


def test_it_finds_the_state_of_an_official(actors):
    assert [actors.state_of(a) for a in ("sergey-lavrov", "donald-trump", "rosneft", "russia", "nobody")] == [
        "russia",
        "united-states",
        None,
        "russia",
        None,
    ]
    assert [actors.is_leader(a) for a in ("vladimir-putin", "sergey-lavrov", "russia")] == [True, False, False]


def test_a_parent_loop_does_not_hang_the_state_lookup():
    looped = ActorIndex([KnownActor("a", "A", "person", parent="b"), KnownActor("b", "B", "person", parent="a")])
    assert looped.state_of("a") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Переговоры прошли в Москве.", [("russia", "Москве")]),
        ("Делегация Соединённых Штатов прибыла.", [("united-states", "Соединённых Штатов")]),
        ("высылка российских дипломатов", [("russia", "российских")]),
        ("российские нефтяные компании", []),  # companies, not the state
        ("МИД России объявил", [("russian-foreign-ministry", "МИД России")]),
        ("Представитель российского МИД заявила", [("russian-foreign-ministry", "российского")]),
    ],
)
def test_it_finds_russian_names_in_any_case_and_adjectives_before_what_stands_for_the_state(actors, text, expected):
    assert [(m.actor, m.text) for m in actors.find(text, "ru")] == expected


def test_the_gazetteer_gives_every_stored_state_its_adjective():
    actors = ActorIndex([KnownActor("estonia", "Estonia", "state", "EST")])
    assert [(m.actor, m.text) for m in actors.find("Estonian diplomats were expelled.")] == [("estonia", "Estonian")]
    assert actors.find("Estonian oil shale") == []


def test_an_adjective_before_a_persons_title_is_the_title():
    actors = ActorIndex([KnownActor("russia", "Russia", "state", "RUS")])
    assert actors.find("Russian President Vladimir Putin warned") == []
    assert [m.actor for m in actors.find("Russian diplomats were expelled")] == ["russia"]


def test_a_capital_before_a_documents_or_forums_noun_names_the_thing_not_the_state(actors):
    assert found(actors, "Moscow called it a violation of the Vienna Convention and of the Minsk agreements.") == [
        ("russia", "Moscow"),
    ]
    assert found(actors, "The Vienna accord was meant to rein in Moscow.") == [("russia", "Moscow")]
    assert found(actors, "Talks in Moscow resumed.") == [("russia", "Moscow")]
