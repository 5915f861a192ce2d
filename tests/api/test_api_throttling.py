"""Anonymous clients over the configured rate get 429, with a JSON body, not an error; the rate holds
across every worker of the server."""

import datetime
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from tests.demo import ANON_THROTTLE_QUERIES
from tests.servers import database_url, gunicorn, manage, request, security_headers, sent_security_headers

PAST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
FUTURE = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def two_a_minute(monkeypatch):
    # The rate comes from ANON_THROTTLE_RATE at start-up; this sets what it would.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_anonymous_clients_over_the_rate_get_429(two_a_minute, demo):
    client = APIClient()
    assert [client.get("/api/v1/events/").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/api/v1/timeline/")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"].lower()
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_authenticated_clients_are_not_throttled_as_anonymous(two_a_minute, demo, admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    assert {client.get("/api/v1/events/").status_code for _ in range(4)} == {200}


def test_the_schema_and_its_docs_are_not_throttled_nor_need_the_database(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    client = APIClient()
    assert [client.get(path).status_code for path in ["/api/schema/"] * 3 + ["/api/docs/"] * 3] == [200] * 6


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each server (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("throttle") / "template.sqlite3"
    manage(f"sqlite:///{path}", "migrate", "--noinput")
    return path


@pytest.fixture
def served_database(request, tmp_path):
    """A migrated database for a server of the test's own: the test database on PostgreSQL (its counts
    cleared at the end), a new SQLite file otherwise (the test's own is in memory)."""
    if connection.vendor == "postgresql":
        url = database_url(connection.settings_dict)
        yield url
        manage(url, "shell", "-c", "from django.core.cache import cache; cache.clear()")
    else:
        path = tmp_path / "db.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"


@pytest.fixture
def throttled_server(served_database, tmp_path):
    """gunicorn with 3 workers, 10 anonymous requests a minute, behind one (pretended) proxy so that each
    test's client has an address of its own; yields (port, access log: worker pid, status, path)."""
    access_log = tmp_path / "access.log"
    with gunicorn(
        served_database,
        tmp_path / "gunicorn.log",
        workers=3,
        ANON_THROTTLE_RATE="10/minute",
        TRUSTED_PROXY_COUNT="1",
        GUNICORN_CMD_ARGS=f"--access-logfile {access_log} --access-logformat '%(p)s %(s)s %(U)s'",
    ) as port:
        yield port, access_log


def anonymous_list(port, address):
    return request(port, "GET", "/api/v1/events/?page_size=1", headers={"X-Forwarded-For": address})


@pytest.mark.django_db
def test_the_rate_holds_across_the_workers_of_gunicorn(throttled_server):
    port, access_log = throttled_server
    answers = [anonymous_list(port, "192.0.2.1") for _ in range(25)]
    assert [status for status, _, _ in answers] == [200] * 10 + [429] * 15
    status, headers, body = answers[-1]
    assert int(headers["retry-after"]) > 0
    assert sent_security_headers(headers) == security_headers("/api/v1/events/")
    # Several workers answered: a count kept by each worker apart would have let 10 through each.
    workers = {line.split()[0] for line in access_log.read_text().splitlines() if line.endswith("/api/v1/events/")}
    assert len(workers) >= 2, access_log.read_text()


@pytest.mark.django_db
def test_the_rate_holds_for_requests_sent_at_once(throttled_server):
    port, _ = throttled_server
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: anonymous_list(port, "192.0.2.2")[0], range(40)))
    assert Counter(statuses) == {200: 10, 429: 30}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED is PostgreSQL's")
@pytest.mark.django_db
def test_the_counts_skip_the_write_ahead_log_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'chancery_cache'")
        assert cursor.fetchone() == ("u",)


@pytest.mark.django_db
def test_a_new_window_starts_once_the_last_has_passed(two_a_minute, demo):
    client = APIClient()
    assert [client.get("/api/v1/event-types/").status_code for _ in range(3)] == [200, 200, 429]
    retry_after = int(client.get("/api/v1/event-types/")["Retry-After"])
    assert 1 <= retry_after <= 60
    # The window's end, moved into the past as a minute's wait would.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE chancery_cache SET expires = %s", [connection.ops.adapt_datetimefield_value(PAST)])
    assert [client.get("/api/v1/event-types/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db
def test_each_request_is_counted_in_one_statement_and_passed_windows_go(two_a_minute, demo):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO chancery_cache (cache_key, value, expires) VALUES ('gone', '1', %s), ('kept', 'x', %s)",
            [connection.ops.adapt_datetimefield_value(PAST), connection.ops.adapt_datetimefield_value(FUTURE)],
        )
    with CaptureQueriesContext(connection) as queries:
        assert APIClient().get("/api/v1/event-types/").status_code == 200
    throttle = [query["sql"] for query in queries if "chancery_cache" in query["sql"]]
    assert len(throttle) == ANON_THROTTLE_QUERIES
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM chancery_cache ORDER BY cache_key")
        rows = cursor.fetchall()
    assert [key for key, _ in rows if key in ("gone", "kept")] == ["kept"]
    assert [value for key, value in rows if "throttle" in key] == ["1"]
