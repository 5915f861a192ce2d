"""Forged cursors: whatever a client puts in `cursor`, a list answers 200 or a 400 naming `cursor`, never a 500.

A cursor is base64 of a JSON object `{"o": ordering keys, "v": their values, "d": "n" or "p"}`
(events/api/pagination.py). Hypothesis writes cursors with the right keys and wild values (moments
far in the past or future with any offset, numbers beyond every column's range, nested lists,
text of any kind) for every listing that pages by cursor and every ordering of the event list.
Both databases: SQLite, and PostgreSQL with DATABASE_URL set.
"""

import base64
import datetime
import json
import os
import urllib.parse

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.dataset import import_document
from events.models import Event, EventTombstone
from tests.demo import event_record

SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Every listing paged by cursor, and each ordering of the event list (relevance needs q).
LISTINGS = [
    "/api/v1/events/?ordering=start",
    "/api/v1/events/?ordering=-start",
    "/api/v1/events/?ordering=updated",
    "/api/v1/events/?ordering=-updated",
    "/api/v1/events/?q=talks&ordering=relevance",
    "/api/v1/events/deleted/",
    "/api/v1/actors/",
    "/api/v1/sources/",
]


def encode(token):
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode().rstrip("=")


def decode(link):
    raw = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["cursor"][0]
    return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


@pytest.fixture
def listings(demo, client):
    """{listing: the ordering keys of its cursors}, read from a real next link of each."""
    for event in Event.objects.order_by("id")[:3]:
        EventTombstone.objects.create(event_id=event.pk)
    import_document({"events": [event_record("cursor-second-source")]})  # the demo cites one source
    keys = {}
    for listing in LISTINGS:
        page = client.get(f"{listing}&page_size=1" if "?" in listing else f"{listing}?page_size=1").json()
        keys[listing] = decode(page["next"])["o"]
    return keys


def get(client, listing, cursor):
    return client.get(listing + ("&" if "?" in listing else "?") + urllib.parse.urlencode({"cursor": cursor}))


def assert_answered(response):
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert list(response.json()) == ["cursor"]


MOMENT_FAR_AHEAD = "9999-12-31T23:59:59-05:00"  # after the year 9999 once in UTC


@pytest.mark.parametrize(
    ("listing", "values"),
    [
        ("/api/v1/events/?ordering=updated", [MOMENT_FAR_AHEAD, "us-ru-talks-riyadh-2025"]),
        ("/api/v1/events/?ordering=-updated", [MOMENT_FAR_AHEAD, "us-ru-talks-riyadh-2025"]),
        ("/api/v1/events/deleted/", [MOMENT_FAR_AHEAD, 1]),
        ("/api/v1/events/deleted/", ["0001-01-01T00:00:00+00:01", 1]),  # before the year 1 in UTC
    ],
)
def test_a_cursor_moment_outside_the_years_1_to_9999_in_utc_is_a_400_naming_cursor(client, listings, listing, values):
    response = get(client, listing, encode({"o": listings[listing], "v": values, "d": "n"}))
    assert response.status_code == 400
    assert response.json() == {"cursor": ["not a cursor of this listing: follow the next/previous links"]}


def test_the_cursor_of_the_finding_is_a_400(client, listings):
    cursor = "eyJvIjpbInVwZGF0ZWRfYXQiLCJpZCJdLCJ2IjpbIjk5OTktMTItMzFUMjM6NTk6NTktMDU6MDAiLCJhIl0sImQiOiJuIn0"
    for listing in ("/api/v1/events/?ordering=updated", "/api/v1/events/deleted/"):
        assert get(client, listing, cursor).status_code == 400


def test_a_real_cursor_still_leads_to_the_next_page(client, listings):
    for listing in LISTINGS:
        first = client.get(listing + ("&" if "?" in listing else "?") + "page_size=1").json()
        second = client.get(first["next"])
        assert second.status_code == 200, listing
        assert second.json()["results"] and second.json()["results"] != first["results"], listing


# ---------------------------------------------------------------- generated cursors

offsets = st.builds(
    lambda sign, hours, minutes: f"{sign}{hours:02d}:{minutes:02d}",
    st.sampled_from("+-"),
    st.integers(0, 23),
    st.integers(0, 59),
)
# The ends of the calendar as often as the rest: an offset there leaves the years 1 to 9999 in UTC.
days = st.one_of(st.dates(), st.sampled_from([datetime.date.min, datetime.date.max]))
times = st.one_of(st.times(), st.sampled_from([datetime.time.min, datetime.time.max]))
moments = st.builds(
    lambda day, time, offset: f"{day.isoformat()}T{time.isoformat()}{offset}",
    days,
    times,
    st.one_of(offsets, st.just("Z"), st.just("")),
)
wild_scalars = st.one_of(
    moments,
    days.map(lambda day: day.isoformat()),
    st.sampled_from(["0000-01-01", "10000-01-01", "9999-12-31T24:00:00Z", "2025-02-30", "NaN", "-inf", "1e309"]),
    st.integers(),
    st.integers(min_value=2**62, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="abcdefghij-_0123456789", max_size=120),
)
wild_values = st.recursive(
    wild_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
)


@st.composite
def cursors(draw, keys):
    """Cursors shaped as the listing's own, mostly: its keys, as many values, a direction."""
    ordering = draw(st.one_of(st.just(keys), st.just(keys), st.just(keys), wild_values))
    count = draw(st.sampled_from([len(keys)] * 3 + [0, 1, 3]))
    values = draw(st.lists(wild_values, min_size=count, max_size=count) | wild_values)
    direction = draw(st.sampled_from(["n", "p", "n", "x"]) | wild_values)
    token = {"o": ordering, "v": values, "d": direction}
    for key in draw(st.sets(st.sampled_from(["o", "v", "d"]), max_size=1)):
        del token[key]
    return encode(token)


@pytest.mark.parametrize("listing", LISTINGS)
def test_any_cursor_gets_200_or_a_400_naming_cursor(client, listings, listing):
    @SETTINGS
    @given(st.data())
    def check(data):
        cache.clear()  # the anonymous throttle counts in the cache: many examples must not reach its rate
        assert_answered(get(client, listing, data.draw(cursors(listings[listing]))))

    check()


def test_garbage_that_is_not_a_cursor_gets_a_400(client, listings):
    for garbage in ["%%%", "e30", "bnVsbA", "W10", "eyJvIjpudWxsfQ", "é", "AAAA" * 1000]:
        for listing in LISTINGS:
            response = get(client, listing, garbage)
            assert response.status_code == 400, (listing, garbage)
            assert list(response.json()) == ["cursor"]
