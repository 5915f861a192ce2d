"""The bench's analyst questions (bench/run.py, bench/sql.py): each floor answers what Chancery's API answers,
and the bench's corrections leave a past that `as_of` reads back, on generated data (PostgreSQL: the floors
read its search columns)."""

import importlib.util
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from tests.servers import ROOT

spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_run)
sql = bench_run.sql

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench's floors are PostgreSQL's SQL")


@pytest.fixture
def generated(db):
    call_command("generate_events", events=600, seed=1, stdout=io.StringIO())


def floor(query, params=None):
    with connection.cursor() as cursor:
        cursor.execute(query, params if params is not None else bench_run.PARAMS)
        return cursor.fetchall()


def test_each_facet_floor_counts_what_the_api_counts(client, generated):
    where = {"actor": sql.DYAD, "country": sql.COUNTRY}
    for name, filters, names, _ in bench_run.FACET_QUESTIONS:
        response = client.get("/api/v1/events/facets/", {**filters, "facet": list(names)})
        assert response.status_code == 200, name
        condition = " AND ".join(where[key] for key in filters) or "TRUE"
        last = {"chancery": response.content, "floor": floor(sql.facets(names, condition))}
        assert bench_run.same_facets(last, names), name
        # And the check can fail: a count off by one is seen.
        rows = [(facet, value, count + (facet == names[-1])) for facet, value, count in last["floor"]]
        assert not bench_run.same_facets({**last, "floor": rows}, names), name


def test_the_relations_floor_is_the_api_index(client, generated):
    response = client.get("/api/v1/relations/", {"a": bench_run.A, "b": bench_run.B, "interval": "month"})
    assert response.status_code == 200
    rows = floor(sql.RELATIONS_MONTH)
    assert bench_run.same_index(response.content, rows)
    assert not bench_run.same_index(response.content, rows[1:])
    assert json.loads(response.content)["count"] == sum(row[2] for row in rows) > 0


def test_the_corrections_leave_a_past_that_as_of_reads(client, generated):
    page = {"country": "RUS", "page_size": 100}
    before = client.get("/api/v1/events/", page).json()["results"]
    (columns,) = floor(sql.HISTORY_COLUMNS, ())[0]
    (moment,) = floor("SELECT clock_timestamp()", ())[0]
    (corrected,) = floor(sql.correct_a_tenth(columns), {"corrected": bench_run.CORRECTED})[0]
    published = floor("SELECT count(*) FROM events_event WHERE review_state = 'published'", ())[0][0]
    assert corrected == published // 10 > 0
    now = client.get("/api/v1/events/", page).json()["results"]
    assert [e["id"] for e in now] == [e["id"] for e in before] and now != before
    assert sum(e["title"].endswith(bench_run.CORRECTED) for e in now) > 0
    then = client.get("/api/v1/events/", {**page, "as_of": moment.isoformat()}).json()["results"]
    assert then == before
