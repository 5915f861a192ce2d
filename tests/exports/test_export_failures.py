"""An export that fails midway never looks complete: over real HTTP, and from the command line.

A streamed export has sent its status line and its first thousand events before
it reads the next thousand. When that read fails, the server can only cut the
connection: gunicorn closes it without the chunked body's last chunk, so an HTTP
client sees an incomplete response (http.client's IncompleteRead, curl's error
18), and the site logs which export failed. `manage.py export_events` exits
non-zero with a message saying where it stopped, and leaves no file behind.

The failure is real: a row in the second thousand that the server cannot read,
its end date written by SQL behind the models' back (on SQLite a day that does
not exist, on PostgreSQL a day before the year 1, which Python's dates cannot
hold). Both databases: SQLite, and PostgreSQL with DATABASE_URL set.
"""

import http.client
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from events.models import Event
from tests.servers import ROOT, database_url, gunicorn

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_postgresql = connection.vendor == "postgresql"

EVENTS = 1100  # the export reads a thousand at a time: the failure is in the second thousand
PUBLISHED = 1019  # of them, for seed 3


@pytest.fixture
def events():
    call_command("generate_events", events=EVENTS, seed=3, verbosity=0)
    assert Event.objects.published().count() == PUBLISHED


def break_the_last_event():
    """Give the chronologically last published event an end date that reading it fails on."""
    last = Event.objects.published().chronological().last()
    unreadable = "0001-01-01 BC" if on_postgresql else "9999-02-30"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_event SET \"end\" = %s, end_precision = 'day' WHERE id = %s", [unreadable, last.pk]
        )


def served_database(tmp_path):
    """DATABASE_URL for another process: PostgreSQL's test database, or a copy of SQLite's (kept in memory)."""
    if on_postgresql:
        return database_url(connection.settings_dict)
    path = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{path}"


@pytest.mark.parametrize("fmt", ["json", "ics"])
@committed
def test_an_export_that_fails_midway_reaches_the_client_as_an_incomplete_response(events, tmp_path, fmt):
    break_the_last_event()
    log_path = tmp_path / "gunicorn.log"
    path = f"/api/v1/events/export/?format={fmt}"
    with gunicorn(served_database(tmp_path), log_path) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            assert response.status == 200
            assert response.getheader("Transfer-Encoding") == "chunked"
            with pytest.raises(http.client.IncompleteRead) as cut:
                response.read()
        finally:
            conn.close()
    text = cut.value.partial.decode("utf-8")
    # The first thousand events went out whole; the file's end never did.
    if fmt == "json":
        assert text.startswith('{\n "events": [\n')
        assert text.count('"id": "gen-') == 1000
        assert not text.endswith("}\n")
    else:
        assert text.startswith("BEGIN:VCALENDAR\r\n")
        assert text.count("BEGIN:VEVENT\r\n") == text.count("END:VEVENT\r\n") == 1000
        assert "END:VCALENDAR" not in text
    log = log_path.read_text()
    assert f"export {path} failed after {len(text)} characters: the connection is cut" in log


def run_export(database, *arguments):
    """manage.py export_events in its own process; (exit status, standard output, standard error)."""
    env = {**os.environ, "DATABASE_URL": database, "DEBUG": "1", "SECRET_KEY": "export-failure-test"}
    command = [sys.executable, "manage.py", "export_events", *arguments]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


@committed
def test_export_events_stops_with_a_message_and_a_non_zero_exit_when_the_export_fails_midway(events, tmp_path):
    break_the_last_event()
    database = served_database(tmp_path)
    unreadable = "ValueError: year -1 is out of range" if on_postgresql else "ValueError: day is out of range for month"

    status, out, err = run_export(database, "--format", "json", "-")
    assert (status, err) == (
        1,
        f"CommandError: standard output holds an incomplete export: it stopped after 1000 events: {unreadable}\n",
    )
    assert out.count('"id": "gen-') == 1000 and not out.endswith("}\n")

    target = tmp_path / "events.json"
    status, out, err = run_export(database, "--format", "json", str(target))
    assert (status, err) == (
        1,
        f"CommandError: {target}: nothing was written: the export stopped after 1000 events: {unreadable}\n",
    )
    assert not target.exists()
    assert not list(tmp_path.glob(".export-*"))


@committed
def test_export_events_writes_the_whole_export_when_nothing_fails(events, tmp_path):
    target = tmp_path / "events.json"
    status, out, err = run_export(served_database(tmp_path), "--format", "json", str(target))
    assert (status, err.strip()) == (0, f"{target}: {EVENTS} events written as json")
    assert len(json.loads(target.read_text(encoding="utf-8"))["events"]) == EVENTS
