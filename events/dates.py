"""Dates known to the day, the month or the year.

An imprecise date is stored as the first day of its period beside its
precision; it is written truncated ("2016-12", "2016") and covers its whole
period when a date range is asked for.
"""

import calendar
import datetime
import re

DAY, MONTH, YEAR = "day", "month", "year"
PRECISIONS = (DAY, MONTH, YEAR)

_LENGTH = {DAY: 10, MONTH: 7, YEAR: 4}
_PARTIAL = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")


def parse_partial_date(text):
    """Read "YYYY", "YYYY-MM" or "YYYY-MM-DD".

    Returns the first day the text can mean and the precision the text itself
    carries; raises ValueError saying what is wrong.
    """
    match = _PARTIAL.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{text!r} is not a date that exists") from None
    precision = DAY if day else MONTH if month else YEAR
    return value, precision


def format_partial_date(value, precision):
    """The date truncated to its precision: "2016-12-01" at month precision is "2016-12"."""
    if value is None:
        return None
    return value.isoformat()[: _LENGTH[precision]]


def is_start_of_period(value, precision):
    if precision == MONTH:
        return value.day == 1
    if precision == YEAR:
        return value.month == 1 and value.day == 1
    return True


def period_end(value, precision):
    """The last day a date of this precision may mean."""
    if precision == YEAR:
        return datetime.date(value.year, 12, 31)
    if precision == MONTH:
        return datetime.date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def precision_is_finer(precision, than):
    return PRECISIONS.index(precision) < PRECISIONS.index(than)
