"""Partial dates: "YYYY", "YYYY-MM" or "YYYY-MM-DD", stored as the first day of their period."""

import datetime

import pytest

from events import dates
from events.dates import (
    DAY,
    MONTH,
    YEAR,
    format_partial_date,
    is_start_of_period,
    parse_partial_date,
    period_end,
    precision_is_finer,
)


def test_it_reads_a_day():
    assert parse_partial_date("2016-12-29") == (datetime.date(2016, 12, 29), DAY)


def test_it_reads_a_month_as_its_first_day():
    assert parse_partial_date("2016-12") == (datetime.date(2016, 12, 1), MONTH)


def test_it_reads_a_year_as_its_first_day():
    assert parse_partial_date("2016") == (datetime.date(2016, 1, 1), YEAR)


def test_a_first_of_the_month_written_in_full_is_a_day():
    # The precision is the text's own; a caller who means "December 2016" says so separately.
    assert parse_partial_date("2016-12-01") == (datetime.date(2016, 12, 1), DAY)


@pytest.mark.parametrize("text", ["2024-02-29", "2000-02-29", "1996-02-29"])
def test_it_accepts_the_29th_of_february_in_a_leap_year(text):
    assert parse_partial_date(text) == (datetime.date.fromisoformat(text), DAY)


@pytest.mark.parametrize("text", ["2025-02-29", "1900-02-29", "2100-02-29"])
def test_it_refuses_the_29th_of_february_outside_a_leap_year(text):
    with pytest.raises(ValueError) as exc:
        parse_partial_date(text)
    assert str(exc.value) == f"{text!r} is not a date that exists"


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30",  # February never has 30 days
        "2025-04-31",  # nor April 31
        "2025-13-01",  # no 13th month
        "2025-13",
        "2025-00",
        "2025-01-00",
        "2025-01-32",
        "0000",  # datetime has no year 0
    ],
)
def test_it_refuses_a_date_that_does_not_exist(text):
    with pytest.raises(ValueError) as exc:
        parse_partial_date(text)
    assert str(exc.value) == f"{text!r} is not a date that exists"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "25",
        "20251",
        "2025-1",
        "2025-1-01",
        "2025-01-1",
        "2025/01/01",
        "01-01-2025",
        "2025-01-01T00:00",
        "2025-01-01Z",
        " 2025-01-01",
        "2025-01-01 ",
        "2025-01-01\n",  # `$` would have let a trailing newline through
        "\uff12\uff10\uff12\uff15",  # full-width digits: `\d` would have read them as 2025
        "\u0662\u0660\u0662\u0665-01",  # Arabic-Indic digits
        "late 2016",
        "2025-W05",
    ],
)
def test_it_refuses_text_that_is_not_an_iso_date(text):
    with pytest.raises(ValueError) as exc:
        parse_partial_date(text)
    assert str(exc.value) == f"{text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"


@pytest.mark.parametrize("value", [None, 2025, 2025.0, datetime.date(2025, 1, 1), b"2025", ["2025"]])
def test_it_refuses_what_is_not_text(value):
    with pytest.raises(ValueError) as exc:
        parse_partial_date(value)
    assert str(exc.value) == f"{value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"


@pytest.mark.parametrize(
    ("value", "precision", "text"),
    [
        (datetime.date(2016, 12, 29), DAY, "2016-12-29"),
        (datetime.date(2016, 12, 1), MONTH, "2016-12"),
        (datetime.date(2016, 1, 1), YEAR, "2016"),
        (datetime.date(999, 3, 1), MONTH, "0999-03"),
    ],
)
def test_it_writes_a_date_truncated_to_its_precision(value, precision, text):
    assert format_partial_date(value, precision) == text


def test_it_writes_no_date_as_none():
    assert format_partial_date(None, DAY) is None


@pytest.mark.parametrize(
    ("value", "precision", "last_day"),
    [
        (datetime.date(2024, 2, 1), MONTH, datetime.date(2024, 2, 29)),  # leap year
        (datetime.date(2025, 2, 1), MONTH, datetime.date(2025, 2, 28)),
        (datetime.date(2000, 2, 1), MONTH, datetime.date(2000, 2, 29)),  # divisible by 400: leap
        (datetime.date(1900, 2, 1), MONTH, datetime.date(1900, 2, 28)),  # divisible by 100: not leap
        (datetime.date(2025, 4, 1), MONTH, datetime.date(2025, 4, 30)),
        (datetime.date(2025, 12, 1), MONTH, datetime.date(2025, 12, 31)),
        (datetime.date(2025, 1, 1), YEAR, datetime.date(2025, 12, 31)),
        (datetime.date(2024, 1, 1), YEAR, datetime.date(2024, 12, 31)),
        (datetime.date(2025, 2, 18), DAY, datetime.date(2025, 2, 18)),
        (datetime.date(2024, 2, 29), DAY, datetime.date(2024, 2, 29)),
    ],
)
def test_the_period_ends_on_its_last_day(value, precision, last_day):
    assert period_end(value, precision) == last_day


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (datetime.date(2025, 3, 1), MONTH, True),
        (datetime.date(2025, 3, 15), MONTH, False),
        (datetime.date(2025, 1, 1), YEAR, True),
        (datetime.date(2025, 3, 1), YEAR, False),
        (datetime.date(2025, 1, 15), YEAR, False),
        (datetime.date(2025, 3, 15), DAY, True),
    ],
)
def test_it_tells_whether_a_date_starts_its_period(value, precision, expected):
    assert is_start_of_period(value, precision) is expected


def test_it_orders_precisions_from_day_to_year():
    assert dates.PRECISIONS == (DAY, MONTH, YEAR)
    assert precision_is_finer(DAY, MONTH) is True
    assert precision_is_finer(MONTH, YEAR) is True
    assert precision_is_finer(DAY, YEAR) is True
    assert precision_is_finer(MONTH, MONTH) is False
    assert precision_is_finer(YEAR, DAY) is False


@pytest.mark.parametrize("year", [1900, 2000, 2024, 2025])
def test_writing_then_reading_any_day_gives_the_first_day_of_its_period_and_the_precision(year):
    # Every day of a common year, a leap year and the two century cases.
    day = datetime.date(year, 1, 1)
    while day.year == year:
        for precision in dates.PRECISIONS:
            first_day, read_precision = parse_partial_date(format_partial_date(day, precision))

            assert read_precision == precision
            assert is_start_of_period(first_day, precision)
            assert first_day <= day <= period_end(first_day, precision)
            assert period_end(first_day, precision) == period_end(day, precision)
        day += datetime.timedelta(days=1)
