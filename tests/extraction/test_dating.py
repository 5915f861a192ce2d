"""Date phrases read against the publication date (events/extraction/dating.py)."""

import datetime

import pytest

from events import dates
from events.extraction import (
    find_dates,
    propose,
    resolve_date,
)

from .helpers import PUBLISHED, gazetteer_actors, taxonomy_types


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


@pytest.mark.parametrize(
    "phrase, future, start, precision",
    [
        # Published Friday 23 April 2021.
        ("в пятницу", False, "2021-04-23", "day"),
        ("в среду", False, "2021-04-21", "day"),
        ("в среду", True, "2021-04-28", "day"),
        ("15 мая", False, "2020-05-15", "day"),
        ("15 мая", True, "2021-05-15", "day"),
        ("15 мая 2022 года", False, "2022-05-15", "day"),
        ("в марте 2022 года", False, "2022-03", "month"),
        ("в мае", False, "2020-05", "month"),
        ("в прошлом месяце", False, "2021-03", "month"),
        ("на прошлой неделе", False, "2021-04", "month"),
        ("в 2014 году", False, "2014", "year"),
        ("в прошлом году", False, "2020", "year"),
        ("вчера", False, "2021-04-22", "day"),
    ],
)
def test_it_reads_russian_date_phrases(phrase, future, start, precision):
    [(_, _, guess)] = find_dates(phrase, datetime.date(2021, 4, 23), future=future, language="ru")
    assert (dates.format_partial_date(guess.start, guess.precision), guess.precision) == (start, precision)


def test_a_weekday_still_to_come_written_on_that_day_is_that_day():
    wednesday = datetime.date(2021, 12, 8)
    [(_, _, guess)] = find_dates("talks resume on Wednesday", wednesday, future=True)
    assert guess.start == wednesday
    [(_, _, guess)] = find_dates("talks resume on Thursday", wednesday, future=True)
    assert guess.start == datetime.date(2021, 12, 9)


def test_a_day_without_a_year_said_in_january_about_what_is_to_come_is_this_year():
    [(_, _, guess)] = find_dates("from May 15", datetime.date(2026, 1, 20), future=True)
    assert guess.start == datetime.date(2026, 5, 15)
    [(_, _, guess)] = find_dates("from May 15", datetime.date(2026, 1, 20), future=False)
    assert guess.start == datetime.date(2025, 5, 15)


def test_a_span_of_days_reads_as_its_first():
    [(_, _, guess)] = find_dates("in Islamabad on 7-8 October", datetime.date(2021, 9, 27), future=True)
    assert (guess.start, guess.precision) == (datetime.date(2021, 10, 7), "day")
    [(_, _, guess)] = find_dates("a visit on 10-12 Sep 2015", datetime.date(2015, 9, 10))
    assert guess.start == datetime.date(2015, 9, 10)


def test_a_deadline_is_not_the_date_of_the_event():
    text = (
        "Заголовок новости\n\nМосква объявила персоной нон грата сотрудника посольства Украины, "
        "он должен покинуть Россию до 30 апреля."
    )
    extraction = propose(text, published="2021-04-26", actors=gazetteer_actors(), types=taxonomy_types())
    [proposal] = extraction.proposals
    # The lede's news of the day, not the day the diplomat must be gone by.
    assert (proposal.type, proposal.date.start, proposal.date.how) == (
        "diplomats.expelled",
        datetime.date(2021, 4, 26),
        "lede",
    )


def test_a_measure_announced_for_the_future_is_dated_by_its_announcement():
    text = "Заголовок новости\n\nРоссия закроет генконсульство Польши в Калининграде, заявила Мария Захарова."
    extraction = propose(text, published="2025-11-19", actors=gazetteer_actors(), types=taxonomy_types())
    [proposal] = extraction.proposals
    assert (proposal.status, proposal.date.start, proposal.date.how) == (
        "occurred",
        datetime.date(2025, 11, 19),
        "announced",
    )
