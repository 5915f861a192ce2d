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
