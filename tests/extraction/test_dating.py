"""Date phrases read against the publication date (events/extraction/dating.py)."""

import datetime

import pytest

from events import dates
from events.extraction import (
    find_dates,
    resolve_date,
)

from .helpers import PUBLISHED


@pytest.mark.parametrize(
    "phrase, start, precision, qualifier",
    [
        ("last month", "2025-10", "month", ""),
        ("earlier this year", "2025", "year", "earlier"),
        ("in late 2016", "2016", "year", "late"),
        ("mid-2016", "2016", "year", "mid"),
        ("at the end of 2016", "2016", "year", "end of"),
        ("on Saturday", "2025-11-08", "day", ""),
        ("on Sunday", "2025-11-09", "day", ""),
        ("in February 2022", "2022-02", "month", ""),
        ("14 March 2024", "2024-03-14", "day", ""),
        ("March 14, 2024", "2024-03-14", "day", ""),
        ("Nov. 9, 2025", "2025-11-09", "day", ""),
        ("2024-03-14", "2024-03-14", "day", ""),
        ("on 5 March", "2025-03-05", "day", ""),
        ("Feb. 18", "2025-02-18", "day", ""),
        ("in December", "2024-12", "month", ""),  # the latest December on or before publication
        ("in January", "2025-01", "month", ""),
        ("yesterday", "2025-11-08", "day", ""),
        ("two days ago", "2025-11-07", "day", ""),
        ("last week", "2025-11", "month", ""),  # the contract has no week precision
        ("in 2018", "2018", "year", ""),
    ],
)
def test_it_resolves_date_phrases_against_the_publication_date(phrase, start, precision, qualifier):
    guess = resolve_date(phrase, PUBLISHED)
    assert (dates.format_partial_date(guess.start, guess.precision), guess.precision, guess.qualifier) == (
        start,
        precision,
        qualifier,
    )


def test_the_past_decade_is_a_span_of_years():
    guess = resolve_date("over the past decade", PUBLISHED)
    assert (guess.start, guess.precision, guess.end, guess.end_precision) == (
        datetime.date(2015, 1, 1),
        "year",
        datetime.date(2025, 1, 1),
        "year",
    )
    assert resolve_date("over the last two years", PUBLISHED).start == datetime.date(2023, 1, 1)


def test_what_is_still_to_come_reads_a_weekday_forward():
    assert resolve_date("on Saturday", PUBLISHED, future=True).start == datetime.date(2025, 11, 15)
    assert resolve_date("in March", PUBLISHED, future=True).start == datetime.date(2026, 3, 1)


@pytest.mark.parametrize("phrase", ["nothing here", "May", "32 March 2024", "the 2010s", "", "Saturdays"])
def test_what_is_not_a_date_resolves_to_none(phrase):
    assert resolve_date(phrase, PUBLISHED) is None


def test_relative_dates_need_a_publication_date_and_explicit_ones_do_not():
    assert resolve_date("last month", None) is None
    assert resolve_date("on Saturday", None) is None
    assert resolve_date("in late 2016", None).start == datetime.date(2016, 1, 1)


def test_it_finds_the_dates_of_a_sentence_and_nothing_else():
    sentence = "After the arrival of the Trump administration in January, it is not as quickly as we would like."
    assert [d.phrase for _, _, d in find_dates(sentence, PUBLISHED)] == ["in January"]  # not "we" (Wednesday)
    assert find_dates("Russia may use the March 8 holiday.", PUBLISHED)[0][2].phrase == "March 8"
    assert find_dates("Russia and the US held 2,000 talks with 300 people.", PUBLISHED) == []
