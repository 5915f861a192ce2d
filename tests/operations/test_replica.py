"""A real read replica: a PostgreSQL primary and its streaming standby, behind gunicorn.

The module makes both clusters of its own (bench/pgcluster.py): initdb for the
primary, a replication role, `pg_basebackup -R` for the standby, which then
follows the primary on loopback. The primary is migrated and filled with the
demo data after the standby has started, so all of it reaches the standby by
streaming replication. gunicorn serves them with DATABASE_URL and
DATABASE_REPLICA_URL, as in production (docs/operations.md, "Read replica").

Where a read was served from shows when the two differ: pausing the
standby's replay (pg_wal_replay_pause) holds it back while the primary
changes, directly in SQL or through the site.
"""

import html
import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from bench.pgcluster import Cluster, ClusterError, unavailable
from tests.demo import event_record
from tests.servers import free_port, gunicorn

from .test_faults import DEMO_EVENT, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "chancery"
# How soon a worker tries the standby again after finding it down (REPLICA_RETRY_SECONDS); short, for the test.
RETRY_SECONDS = 1

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="runs with the PostgreSQL suite (DATABASE_URL=postgres://...): it starts a primary and a standby",
    ),
    pytest.mark.skipif(unavailable() is not None, reason=f"no throw-away PostgreSQL cluster here: {unavailable()}"),
]


def query(cluster, sql, params=(), database=DATABASE):
    """Rows of one statement, run as the superuser in autocommit over a connection of its own."""
    import psycopg2

    conn = psycopg2.connect(cluster.url(database), connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def wait_replayed(primary, standby, timeout=30):
    """Until the standby has replayed everything the primary has written so far."""
    ((position,),) = query(primary, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while not query(standby, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])[0][0]:
        assert time.monotonic() < deadline, f"the standby did not replay up to {position} in {timeout} s"
        time.sleep(0.05)


@contextmanager
def replay_paused(primary, standby):
    """The standby receives the primary's changes but applies none of them until the block ends."""
    query(standby, "SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 10
    while query(standby, "SELECT pg_get_wal_replay_pause_state()")[0][0] != "paused":
        assert time.monotonic() < deadline, "the standby's replay did not pause"
        time.sleep(0.02)
    try:
        yield
    finally:
        query(standby, "SELECT pg_wal_replay_resume()")
        wait_replayed(primary, standby)


def set_title(cluster, title, event_id=DEMO_EVENT):
    """Change a published event's title on the primary itself, outside the site."""
    query(cluster, "UPDATE events_event SET title = %s WHERE id = %s", [title, event_id])


def title_in(cluster, event_id=DEMO_EVENT):
    rows = query(cluster, "SELECT title FROM events_event WHERE id = %s", [event_id])
    return rows[0][0] if rows else None


def manage_shell(url, code):
    """manage.py shell -c `code` against the database at `url`; its standard output."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DATABASE_REPLICA_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


FILL = f"""
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
curator = User.objects.create_superuser("curator", "curator@example.org", {PASSWORD!r})
print(Token.objects.create(user=curator).key)
"""


@pytest.fixture(scope="module")
def clusters():
    """(primary, standby), both running; the standby streams from the primary and is hot (it answers reads)."""
    started = time.monotonic()
    try:
        primary = Cluster.initdb(free_port(), {"wal_level": "replica"})
    except ClusterError as exc:
        pytest.fail(str(exc))
    standby = None
    try:
        primary.start()
        query(primary, "CREATE ROLE chancery LOGIN", database="postgres")
        query(primary, "CREATE ROLE replicator LOGIN REPLICATION", database="postgres")
        query(primary, f"CREATE DATABASE {DATABASE} OWNER chancery", database="postgres")
        standby = primary.standby(free_port(), "replicator", {"hot_standby": "on"})
        standby.start()
        assert query(standby, "SELECT pg_is_in_recovery()") == [(True,)]
        print(f"primary and standby up in {time.monotonic() - started:.1f} s")
        yield primary, standby
    except BaseException:
        print(primary.log(), standby.log() if standby else "", sep="\n")
        raise
    finally:
        if standby:
            standby.destroy()
        primary.destroy()


@pytest.fixture(scope="module")
def site(clusters, tmp_path_factory):
    """gunicorn (2 workers) on the primary and the standby; (port, the curator's API token, its log)."""
    primary, standby = clusters
    started = time.monotonic()
    token = manage_shell(primary.url(DATABASE, "chancery"), FILL).strip().splitlines()[-1]
    wait_replayed(primary, standby)
    assert title_in(standby) == title_in(primary) is not None
    env = {"DATABASE_REPLICA_URL": standby.url(DATABASE, "chancery"), "REPLICA_RETRY_SECONDS": str(RETRY_SECONDS)}
    log = tmp_path_factory.mktemp("replica") / "gunicorn.log"
    with gunicorn(primary.url(DATABASE, "chancery"), log, workers=2, **env) as port:
        print(f"migrated, filled, replicated and served in {time.monotonic() - started:.1f} s")
        yield port, token, log
    assert "Traceback" not in log.read_text(), log.read_text()


class Client:
    """An HTTP client that keeps its cookies, as a browser does, and sends its API token if it has one."""

    def __init__(self, port, token=None):
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def send(self, method, path, body=None, headers=None):
        """(status, headers, body bytes); an error status is an answer, not an exception."""
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if isinstance(body, dict):
            body, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif isinstance(body, str):
            body = body.encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def get(self, path):
        return self.send("GET", path)

    def title(self, event_id=DEMO_EVENT):
        """The event's title as the API shows this client, or its status when it does not."""
        status, _, body = self.get(f"/api/v1/events/{event_id}/")
        return json.loads(body)["title"] if status == 200 else status

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)

    def sign_in(self, username="curator", password=PASSWORD):
        """Through the admin's login form, CSRF token and all."""
        self.get("/admin/login/")
        form = {"csrfmiddlewaretoken": self.cookie("csrftoken"), "username": username, "password": password}
        status, _, body = self.send(
            "POST",
            "/admin/login/?next=/admin/",
            urllib.parse.urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 200 and self.cookie("sessionid"), (status, body[:300])


def shows(port, title):
    """Which anonymous reads of DEMO_EVENT show `title`: its detail, a list, the public page, an export."""
    client = Client(port)
    paths = {
        "detail": f"/api/v1/events/{DEMO_EVENT}/",
        "list": "/api/v1/events/?page_size=100",
        "page": "/",
        "export": "/api/v1/events/export/?format=ndjson",
    }
    seen = {}
    for name, path in paths.items():
        status, _, body = client.get(path)
        assert status == 200, (name, status, body[:300])
        seen[name] = (html.escape(title) if name == "page" else title) in body.decode()
    return seen


EVERY_READ = {"detail": True, "list": True, "page": True, "export": True}
NO_READ = dict.fromkeys(EVERY_READ, False)


def test_anonymous_reads_are_served_by_the_standby(clusters, site):
    primary, standby = clusters
    port, _, _ = site
    assert shows(port, title_in(primary)) == EVERY_READ

    with replay_paused(primary, standby):
        set_title(primary, "Retitled on the primary while the standby waits")
        assert title_in(primary) == "Retitled on the primary while the standby waits"

        assert shows(port, "Retitled on the primary while the standby waits") == NO_READ

    # Replayed: the standby, and so every anonymous read, has the change.
    assert shows(port, "Retitled on the primary while the standby waits") == EVERY_READ


def test_a_curators_own_write_is_read_back_from_the_primary(clusters, site):
    primary, standby = clusters
    port, token, _ = site
    curator, anonymous = Client(port, token), Client(port)

    with replay_paused(primary, standby):
        status, headers, body = curator.send(
            "POST", "/api/v1/events/", event_record("ru-us-own-write", review_state="draft")
        )
        assert status == 201, body[:500]
        assert curator.title("ru-us-own-write") == "Russian and US delegations hold talks"

        status, _, body = curator.send(
            "PATCH", "/api/v1/events/ru-us-own-write/", {"title": "Talks, as revised"}, {"If-Match": headers["ETag"]}
        )
        assert status == 200, body[:500]
        assert curator.title("ru-us-own-write") == "Talks, as revised"
        # A change of someone else's, made on the primary: the curator sees it as well.
        set_title(primary, "Retitled for the curator")
        assert curator.title() == "Retitled for the curator"
        assert anonymous.title() != "Retitled for the curator"


def test_a_signed_in_curator_reads_pages_and_the_api_from_the_primary(clusters, site):
    primary, standby = clusters
    port, _, _ = site
    browser = Client(port)
    browser.sign_in()

    with replay_paused(primary, standby):
        set_title(primary, "Retitled for the signed-in curator")

        assert browser.title() == "Retitled for the signed-in curator"
        status, _, page = browser.get("/")
        assert status == 200
        assert "Retitled for the signed-in curator" in page.decode()
        assert shows(port, "Retitled for the signed-in curator") == NO_READ


def test_writes_go_to_the_primary_never_to_the_standby(clusters, site):
    import psycopg2

    primary, standby = clusters
    port, token, _ = site
    curator = Client(port, token)

    with replay_paused(primary, standby):
        status, _, body = curator.send(
            "POST", "/api/v1/events/", event_record("ru-us-written-while-paused", review_state="draft")
        )
        assert status == 201, body[:500]
        count = "SELECT count(*) FROM events_event WHERE id = 'ru-us-written-while-paused'"
        assert (query(primary, count), query(standby, count)) == ([(1,)], [(0,)])
        # What a write sent to the standby would meet.
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            query(standby, "UPDATE events_event SET title = 'written on the standby' WHERE id = %s", [DEMO_EVENT])

    assert query(standby, count) == [(1,)]


def test_reads_fall_back_to_the_primary_while_the_standby_is_down_and_return_to_it_after(clusters, site):
    primary, standby = clusters
    port, _, log = site
    # The workers keep their connections to the standby (CONN_MAX_AGE), which its stop cuts.
    assert shows(port, title_in(primary)) == EVERY_READ
    assert shows(port, title_in(primary)) == EVERY_READ

    standby.stop()
    try:
        # Only the primary can have this change: the standby is not running.
        set_title(primary, "Retitled while the standby is down")
        for _ in range(3):  # each worker finds the standby gone, and finds it gone again later
            assert shows(port, "Retitled while the standby is down") == EVERY_READ
    finally:
        standby.start()
    assert f"replica unavailable, reading from the primary for {RETRY_SECONDS} s: " in log.read_text()
    wait_replayed(primary, standby)
    time.sleep(RETRY_SECONDS + 0.5)

    with replay_paused(primary, standby):
        set_title(primary, "Retitled once the standby is back")
        for _ in range(3):
            assert shows(port, "Retitled once the standby is back") == NO_READ
            assert shows(port, "Retitled while the standby is down") == EVERY_READ
