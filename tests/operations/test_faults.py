"""Faults, against a real gunicorn: the database unreachable, refusing connections or dropping them, and a
client that leaves in the middle of an export.

Every request that needs the database answers 503 with Retry-After while it is down (JSON under /api/, a
short HTML page elsewhere), never a 500 or a stack trace; requests succeed again as soon as it is back,
without restarting the server; and an export whose client hangs up releases what it held in the database.
"""

import json
import os
import socket
import time
import urllib.parse
from contextlib import ExitStack, contextmanager
from http.cookies import SimpleCookie

import pytest
from django.core.management import call_command
from django.db import connection

from events.errors import RETRY_AFTER, UNAVAILABLE
from tests.demo import DEMO_PATH, event_record
from tests.servers import database_url, free_port, gunicorn, request, security_headers, sent_security_headers

DEMO_EVENT = json.loads(DEMO_PATH.read_text(encoding="utf-8"))["events"][0]["id"]
PASSWORD = "faults-only-password-7d2e"
# A session key of a valid shape: reading it is a query, so an admin page with it needs the database.
SESSION_COOKIE = "sessionid=" + "0123456789abcdefghijklmnopqrstuv"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: connections are refused, dropped and watched through pg_stat_activity",
)
# gunicorn reads the data from another process: it must be committed. The taxonomy that the
# migrations brought is restored after each test for the tests that run later.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def admin_login(port, username="curator", password=PASSWORD):
    """Log in through the admin's form, CSRF token and all; the answer to the POST."""
    status, headers, body = request(port, "GET", "/admin/login/")
    assert status == 200, body[:500]
    csrf = SimpleCookie(headers["set-cookie"])["csrftoken"].value
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": username, "password": password, "next": "/admin/"}
    )
    return request(
        port,
        "POST",
        "/admin/login/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{port}/admin/login/",
        },
        body=form,
    )


def create_event(port, token, event_id):
    record = event_record(event_id, review_state="draft")
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    return request(port, "POST", "/api/v1/events/", headers=headers, body=json.dumps(record))


# Every kind of request, and what it answers when the database is up: (name, request(port, token), status).
KINDS = [
    ("event list", lambda port, token: request(port, "GET", "/api/v1/events/?actor=russia&date_from=2022"), 200),
    ("event detail", lambda port, token: request(port, "GET", f"/api/v1/events/{DEMO_EVENT}/"), 200),
    ("timeline", lambda port, token: request(port, "GET", "/api/v1/timeline/?interval=year"), 200),
    ("csv export", lambda port, token: request(port, "GET", "/api/v1/events/export/?format=csv"), 200),
    ("ndjson export", lambda port, token: request(port, "GET", "/api/v1/events/export/?format=ndjson"), 200),
    (
        "list with a token",
        lambda port, token: request(port, "GET", "/api/v1/events/", headers={"Authorization": f"Token {token}"}),
        200,
    ),
    ("event creation", lambda port, token: create_event(port, token, f"faults-{time.monotonic_ns()}"), 201),
    ("public page", lambda port, token: request(port, "GET", "/"), 200),
    ("admin login", lambda port, token: admin_login(port), 302),
    (
        "admin page, signed in",
        lambda port, token: request(port, "GET", "/admin/", headers={"Cookie": SESSION_COOKIE}),
        302,
    ),
]
KIND_NAMES = [name for name, _, _ in KINDS]


def assert_unavailable(name, status, headers, body):
    shown = body[:300].decode("utf-8", "replace")
    assert status == 503, f"{name}: {status} {shown}"
    assert headers.get("retry-after") == RETRY_AFTER, f"{name}: {headers}"
    assert sent_security_headers(headers) == security_headers(""), f"{name}: {headers}"
    assert b"Traceback" not in body
    if headers["content-type"] == "application/json":
        assert json.loads(body) == {"detail": UNAVAILABLE}, f"{name}: {shown}"
    else:
        assert headers["content-type"] == "text/html; charset=utf-8", f"{name}: {headers}"
        assert UNAVAILABLE in body.decode("utf-8"), f"{name}: {shown}"


# ---------------------------------------------------------------- no database at all


@pytest.fixture(scope="module")
def server_without_database(tmp_path_factory):
    """gunicorn whose DATABASE_URL names a port where nothing listens."""
    url = f"postgres://chancery:chancery@127.0.0.1:{free_port()}/chancery"
    with gunicorn(url, tmp_path_factory.mktemp("faults") / "gunicorn.log") as port:
        yield port


@pytest.mark.parametrize("kind", KINDS, ids=KIND_NAMES)
def test_every_kind_of_request_answers_503_while_the_database_is_unreachable(server_without_database, kind):
    name, send, _ = kind
    started = time.monotonic()
    status, headers, body = send(server_without_database, "no-such-token")
    assert_unavailable(name, status, headers, body)
    # A refused connection is known at once: nothing waits for connect_timeout.
    assert time.monotonic() - started < 5


def test_the_503_pages_say_so_in_json_for_the_api_and_in_html_for_people(server_without_database):
    status, headers, body = request(server_without_database, "GET", "/api/v1/events/")
    assert (status, headers["content-type"], json.loads(body)) == (503, "application/json", {"detail": UNAVAILABLE})
    status, headers, body = request(server_without_database, "GET", "/")
    assert (status, headers["content-type"]) == (503, "text/html; charset=utf-8")
    assert "<h1>Temporarily unavailable</h1>" in body.decode("utf-8")


# ---------------------------------------------------------------- the database goes away and comes back


@pytest.fixture
def curator(django_user_model):
    """A superuser with an API token; returns the token's key."""
    from rest_framework.authtoken.models import Token

    user = django_user_model.objects.create_superuser("curator", "curator@example.org", PASSWORD)
    return Token.objects.create(user=user).key


@pytest.fixture
def served(demo, curator, tmp_path):
    """gunicorn on the test database, one worker keeping its connection (CONN_MAX_AGE); (port, application_name)."""
    application_name = f"chancery-faults-{os.getpid()}"
    url = database_url(connection.settings_dict, application_name=application_name)
    with gunicorn(url, tmp_path / "gunicorn.log") as port:
        yield port, application_name


@contextmanager
def own_connection(**params):
    """A psycopg2 connection of our own, in autocommit, outside any test transaction, to the test
    database's server (`params` override the database, user...), closed at the end."""
    import psycopg2

    settings_dict = connection.settings_dict
    conn = psycopg2.connect(
        **{
            "dbname": settings_dict["NAME"],
            "user": settings_dict["USER"],
            "password": settings_dict["PASSWORD"],
            "host": settings_dict["HOST"] or "127.0.0.1",
            "port": settings_dict["PORT"] or 5432,
            **params,
        }
    )
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def monitor():
    """Our own connection to the maintenance database (the test database refuses to stop accepting
    connections from a session of its own)."""
    return own_connection(dbname="postgres")


def drop_connections(conn, application_name):
    """End the server's backends, as a database restart does: its kept connection is now a dead one."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])
        pids = [pid for (pid,) in cursor.fetchall()]
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        # Termination is a signal: wait until the backends are gone, so that no request can still reach one.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        return len(pids)


def allow_connections(conn, allowed):
    name = connection.settings_dict["NAME"]
    with conn.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')


@on_postgresql
@committed
def test_requests_succeed_again_once_the_database_accepts_connections_again(served, curator):
    from events.models import Event

    port, application_name = served
    for name, send, expected in KINDS:
        assert send(port, curator)[0] == expected, name
    with monitor() as conn:
        allow_connections(conn, False)
        try:
            assert drop_connections(conn, application_name) == 1
            for name, send, _ in KINDS:
                assert_unavailable(name, *send(port, curator))
        finally:
            allow_connections(conn, True)
    # The very first request of each kind succeeds: the server was not restarted, and it kept no broken connection.
    for name, send, expected in KINDS:
        status, _, body = send(port, curator)
        assert status == expected, f"{name}: {status} {body[:300]}"
    # Two creations went through (before and after); the ones refused during the outage left nothing.
    assert Event.objects.filter(id__startswith="faults-").count() == 2


@on_postgresql
@committed
def test_a_connection_dropped_by_the_database_is_not_reused(served, curator):
    """What a quick database restart does to a kept connection: the next request still succeeds."""
    port, application_name = served
    with monitor() as conn:
        for name, send, expected in KINDS:
            assert send(port, curator)[0] == expected, name
            assert drop_connections(conn, application_name) == 1, name
            status, _, body = send(port, curator)
            assert status == expected, f"{name} after its connection was dropped: {status} {body[:300]}"


# ---------------------------------------------------------------- a client leaving mid-export


@contextmanager
def superuser_monitor():
    """A superuser connection (pg_ls_tmpdir needs one), or a skip saying what is missing."""
    import psycopg2

    with ExitStack() as stack:
        try:
            conn = stack.enter_context(own_connection(user="postgres", password=None, connect_timeout=5))
        except psycopg2.OperationalError as exc:
            pytest.skip(f"needs the PostgreSQL superuser postgres (to list temporary files): {str(exc).strip()}")
        yield conn


def held_by(conn, application_name):
    """What the server's backends hold: their states, and their temporary files (rows kept between reads)."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, left(query, 80) FROM pg_stat_activity WHERE application_name = %s ORDER BY pid",
            [application_name],
        )
        backends = cursor.fetchall()
        cursor.execute("SELECT name, size FROM pg_ls_tmpdir()")
        pids = {f"pgsql_tmp{pid}." for pid, _, _ in backends}
        files = [(name, size) for name, size in cursor.fetchall() if name.startswith(tuple(pids))]
    return backends, files


def left_holding(backends, files):
    busy = [backend for backend in backends if backend[1] != "idle"]
    return busy or files


@on_postgresql
@committed
def test_a_client_leaving_mid_export_leaves_nothing_held_in_the_database(tmp_path):
    call_command("generate_events", events=5000, seed=1, verbosity=0)
    application_name = f"chancery-export-{os.getpid()}"
    # With work_mem this small, any rows kept between reads (a cursor's, a transaction's) spill to a
    # temporary file that another connection can see; 5,000 events' rows are megabytes.
    url = database_url(connection.settings_dict, application_name=application_name, options="-c work_mem=64kB")
    with superuser_monitor() as conn, gunicorn(url, tmp_path / "gunicorn.log") as port:
        for fmt in ("csv", "ndjson"):
            client = socket.socket()
            # A small receive window: the server fills it and its own buffer, then waits, mid-export.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.settimeout(30)
            client.connect(("127.0.0.1", port))
            client.sendall(f"GET /api/v1/events/export/?format={fmt} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            received = b""
            while len(received) < 65536:
                block = client.recv(4096)
                assert block, f"{fmt}: the export ended after {len(received)} bytes"
                received += block
            assert received.startswith(b"HTTP/1.1 200 OK\r\n"), received[:300]
            time.sleep(0.5)
            backends, _ = held_by(conn, application_name)
            assert len(backends) == 1, backends
            client.close()

            deadline = time.monotonic() + 5
            while left_holding(*held_by(conn, application_name)) and time.monotonic() < deadline:
                time.sleep(0.1)
            backends, files = held_by(conn, application_name)
            assert not left_holding(backends, files), f"{fmt}: still held 5 s after the client left: {backends} {files}"
            # The server is free for the next client.
            status, _, body = request(port, "GET", f"/api/v1/events/export/?format={fmt}&type=talks")
            assert (status, bool(body)) == (200, True), f"{fmt}: {status} {body[:300]}"
