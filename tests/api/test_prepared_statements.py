"""Pages without filters and details read through statements prepared once per PostgreSQL connection
(events/api/statements.py `prepared`): the same answers, one query each, the statement reused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from events.api.statements import prepared_statement
from events.models import Event

pytestmark = pytest.mark.django_db


def prepared_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'chancery_q_%%'")
        return {row[0] for row in cursor.fetchall()}


def test_it_writes_the_inlined_values_into_the_text_and_keeps_the_others_as_parameters():
    sql = "SELECT 1 FROM t WHERE state = %s AND start >= %s AND name LIKE 'a%%' AND id > %s"
    statement, values = prepared_statement(sql, ["published", "2020-01-01", "it's"], {"published"})
    assert values == ["2020-01-01", "it's"]
    assert statement.sql == "SELECT 1 FROM t WHERE state = 'published' AND start >= %s AND name LIKE 'a%%' AND id > %s"
    assert statement.types == ("unknown", "unknown")
    # An id that happens to be a review state is written in: a statement of its own, the same rows.
    other, values = prepared_statement(sql, ["published", "2020-01-01", "published"], {"published"})
    assert values == ["2020-01-01"] and other.name != statement.name
    assert prepared_statement(sql, ["published", "2021-02-02", "x"], {"published"})[0] is statement


def test_pages_without_filters_and_details_are_planned_once_per_connection(demo):
    if connection.vendor != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL only")
    client = APIClient()
    first = client.get("/api/v1/events/", {"page_size": 3})
    assert first.status_code == 200
    following = client.get(first.json()["next"])
    detail = client.get("/api/v1/events/us-ru-talks-riyadh-2025/")
    assert detail.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = client.get(first.json()["next"])
        detail_again = client.get("/api/v1/events/us-ru-talks-riyadh-2025/")
    assert again.content == following.content and detail_again.content == detail.content
    assert detail_again["ETag"] == detail["ETag"]
    # Besides the anonymous throttle's count (in the cache table), one EXECUTE each, of statements prepared
    # on this connection by the requests before (or by earlier tests': the same SQL, the same statement).
    reads = [query["sql"] for query in queries if "chancery_cache" not in query["sql"]]
    assert [sql.split(" ", 1)[0] for sql in reads] == ["EXECUTE", "EXECUTE"]
    executed = {sql.split()[1].split("(")[0] for sql in reads}
    assert len(executed) == 2 and executed <= prepared_names()
    assert client.get("/api/v1/events/no-such-event/").status_code == 404


def test_filtered_pages_are_sent_as_text(demo):
    if connection.vendor != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL only")
    client = APIClient()
    before = prepared_names()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/events/", {"actor": "russia", "page_size": 2})
    assert page.status_code == 200
    assert prepared_names() == before
    assert not [query for query in queries if query["sql"].startswith(("PREPARE", "EXECUTE"))]
    shown = [event["id"] for event in page.json()["results"]]
    assert shown == list(Event.objects.published().involving("russia").chronological().values_list("id", flat=True)[:2])


def test_an_id_the_database_cannot_take_is_not_found_and_the_statement_still_serves(demo):
    client = APIClient()
    # psycopg2 refuses a NUL before the statement is sent, the first time as later.
    assert client.get("/api/v1/events/us%00ru/").status_code == 404
    assert client.get("/api/v1/events/us%00ru/").status_code == 404
    assert client.get("/api/v1/events/us-ru-talks-riyadh-2025/").status_code == 200
    assert client.get("/api/v1/events/" + "x" * 300 + "/").status_code == 404
