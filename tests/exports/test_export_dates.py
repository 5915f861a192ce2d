"""Every export format writes every date the API accepts: the years 1 to 9999, to the day, the month or the year.

The iCalendar export ends an all-day event on the day after its last day; after
9999-12-31 there is none, and such an event gives its length instead (DURATION).
On PostgreSQL the CSV and NDJSON exports, written by the database, must give the
same bytes as the road every database takes. Both databases: SQLite, and
PostgreSQL with DATABASE_URL set.
"""

import csv
import datetime
import io
import json
import os

import pytest
from django.core.cache import cache
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from events import dates, postgres
from events.dataset import import_document
from events.exports import FORMATS
from events.models import Event
from tests.demo import dataset, event_record
from tests.exports import xlsx_rows

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

RIYADH = {"name": "Riyadh", "country": "SAU", "lat": 24.7136, "lon": 46.6753}

# (start, start precision, end, end precision): the calendar's ends, alone and together.
EXTREMES = [
    ("9999-12-31", "day", None, None),
    ("9999-12", "month", None, None),
    ("9999", "year", None, None),
    ("2025-02", "month", "9999-12", "month"),
    ("0001-01-01", "day", None, None),
    ("0001", "year", "9999", "year"),
    ("0001-01-01", "day", "9999-12-31", "day"),
]


def store(start, start_precision, end, end_precision, event_id="far-event"):
    record = event_record(
        event_id,
        start=start,
        start_precision=start_precision,
        end=end,
        end_precision=end_precision,
        location=RIYADH,
    )
    import_document(dataset(record))
    return record


def exported(client, fmt):
    response = client.get("/api/v1/events/export/", {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def span_of(vevent):
    """(first day, last day) of an all-day VEVENT, from DTEND (exclusive) or DURATION."""
    first = vevent.decoded("DTSTART")
    days = (vevent.decoded("DTEND") - first).days if "DTEND" in vevent else vevent.decoded("DURATION").days
    return first, datetime.date.fromordinal(first.toordinal() + days - 1)


def assert_every_format_holds(client, record):
    """The event is in every format, with its dates as stored; on PostgreSQL both roads agree."""
    first, _ = dates.parse_partial_date(record["start"])
    last = (
        dates.period_end(*dates.parse_partial_date(record["end"])[:1], record["end_precision"])
        if record["end"]
        else dates.period_end(first, record["start_precision"])
    )
    texts = {fmt: exported(client, fmt) for fmt in FORMATS if not FORMATS[fmt].binary}

    row = next(csv.DictReader(io.StringIO(texts["csv"])))
    assert (row["id"], row["start"], row["end"]) == (record["id"], record["start"], record["end"] or "")
    [event] = json.loads(texts["json"])["events"]
    assert (event["start"], event["end"]) == (record["start"], record["end"])
    [line] = texts["ndjson"].splitlines()
    assert (json.loads(line)["start"], json.loads(line)["end"]) == (record["start"], record["end"])
    [vevent] = Calendar.from_ical(texts["ics"]).walk("VEVENT")
    assert span_of(vevent) == (first, last)
    assert not ("DTEND" in vevent and "DURATION" in vevent)  # RFC 5545: one or the other
    [feature] = json.loads(texts["geojson"])["features"]
    assert feature["properties"]["start"] == record["start"]
    [slide] = json.loads(texts["timelinejs"])["events"]
    assert slide["start_date"]["year"] == str(first.year)
    assert texts["csv-excel"] == "\ufeff" + texts["csv"]
    header, cells = xlsx_rows(b"".join(client.get("/api/v1/events/export/", {"format": "xlsx"}).streaming_content))
    cell = dict(zip(header, cells, strict=True))
    assert (cell["start"], cell["end"]) == (record["start"], record["end"])  # text, as the dataset writes them

    if connection.vendor == "postgresql":
        events = Event.objects.chronological()
        for fmt in ("csv", "ndjson"):
            fast = "".join(FORMATS[fmt].stream(events))
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(postgres, "on_postgresql", lambda events: False)
                generic = "".join(FORMATS[fmt].stream(events))
            assert fast == generic == texts[fmt], fmt


@pytest.mark.parametrize(("start", "start_precision", "end", "end_precision"), EXTREMES)
def test_every_format_exports_an_event_at_the_ends_of_the_calendar(client, start, start_precision, end, end_precision):
    assert_every_format_holds(client, store(start, start_precision, end, end_precision))


def test_an_event_on_the_last_day_of_9999_is_one_day_long_in_icalendar(client):
    store("9999-12-31", "day", None, None)
    text = exported(client, "ics")
    assert "DTSTART;VALUE=DATE:99991231\r\nDURATION:P1D\r\n" in text
    assert "DTEND" not in text
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_an_event_spanning_the_whole_calendar_lasts_every_day_of_it_in_icalendar(client):
    store("0001", "year", "9999", "year")
    text = exported(client, "ics")
    assert "DTSTART;VALUE=DATE:00010101\r\nDURATION:P3652059D\r\n" in text


def test_an_event_ending_before_the_last_day_keeps_its_exclusive_dtend(client):
    store("9999-12-30", "day", None, None)
    text = exported(client, "ics")
    assert "DTSTART;VALUE=DATE:99991230\r\nDTEND;VALUE=DATE:99991231\r\n" in text
    assert "DURATION" not in text


def test_one_event_at_the_end_of_the_calendar_leaves_the_others_in_the_calendar(client, demo):
    store("9999-12-31", "day", None, None)
    vevents = Calendar.from_ical(exported(client, "ics")).walk("VEVENT")
    assert len(vevents) == 14  # the 13 published demo events and this one
    assert str(vevents[-1]["UID"]) == "far-event@chancery"


# ---------------------------------------------------------------- any date


@st.composite
def spans(draw):
    """(start, start precision, end, end precision) of any valid event, the ends of the calendar often."""
    edge = st.sampled_from([datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(9999, 1, 1)])
    day = draw(st.one_of(st.dates(), edge))
    precision = draw(st.sampled_from(dates.PRECISIONS))
    start = dates.parse_partial_date(dates.format_partial_date(day, precision))[0]
    if draw(st.booleans()):
        return dates.format_partial_date(start, precision), precision, None, None
    end_day = draw(st.one_of(st.dates(min_value=start), st.just(datetime.date(9999, 12, 31))))
    end_precision = draw(st.sampled_from(dates.PRECISIONS))
    end = dates.parse_partial_date(dates.format_partial_date(end_day, end_precision))[0]
    if dates.period_end(end, end_precision) < start:
        end, end_precision = start, precision
    return (
        dates.format_partial_date(start, precision),
        precision,
        dates.format_partial_date(end, end_precision),
        end_precision,
    )


def test_every_format_exports_any_date_of_any_precision(client):
    @SETTINGS
    @given(spans())
    def check(span):
        cache.clear()  # the anonymous throttle counts in the cache
        Event.objects.filter(pk="far-event").delete()
        assert_every_format_holds(client, store(*span))

    check()
