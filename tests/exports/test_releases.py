"""manage.py release: every export format frozen at one moment, with a manifest, never rewritten."""

import csv
import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from events.dataset import event_to_dict
from events.exports import FORMATS
from events.models import Event, ReviewState
from tests.demo import empty_the_database, manifest_of
from tests.servers import ROOT, database_url

pytestmark = pytest.mark.django_db


def published_shapes():
    """The published events in the dataset shape, their relations to unpublished events left out (as a release
    has them)."""
    published = set(Event.objects.published().values_list("id", flat=True))
    shapes = []
    for event in Event.objects.published().chronological().with_dataset_relations():
        shape = event_to_dict(event)
        shape["related"] = [r for r in shape["related"] if r["event"] in published]
        shapes.append(shape)
    return shapes


def test_it_writes_every_format_and_a_manifest_of_them(demo, releases):
    call_command("release", "2026-q4", verbosity=0)

    manifest = manifest_of(releases, "2026-q4")
    assert [entry["format"] for entry in manifest["files"]] == list(FORMATS)
    assert sorted(path.name for path in (releases / "2026-q4").iterdir()) == sorted(
        [f"chancery-2026-q4.{fmt.extension}" for fmt in FORMATS.values()] + ["manifest.json"]
    )
    for entry in manifest["files"]:
        data = (releases / "2026-q4" / entry["name"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["media_type"] == FORMATS[entry["format"]].media_type
    published = Event.objects.published()
    assert manifest["counts"] == {
        "events": published.count(),
        "actors": len({p.actor_id for event in published for p in event.participants.all()}),
        "sources": len({c.source_id for event in published for c in event.citations.all()}),
    }
    assert manifest["counts"]["events"] == 13
    moment = datetime.datetime.fromisoformat(manifest["moment"])
    assert moment.utcoffset() == datetime.timedelta(0)
    assert manifest["software"]["name"] == "Chancery" and manifest["software"]["version"]
    assert manifest["citation"] == (
        f"Chancery, release 2026-q4 (the published events as of {manifest['moment']}). "
        "https://chancery.example.org/api/v1/releases/2026-q4/"
    )
    assert not [path for path in releases.iterdir() if path.name.startswith(".")]


def test_its_files_are_the_anonymous_exports_of_that_moment(demo, releases):
    call_command("release", "r1", verbosity=0)
    manifest = manifest_of(releases, "r1")

    client = APIClient()
    for entry in manifest["files"]:
        response = client.get("/api/v1/events/export/", {"format": entry["format"], "as_of": manifest["moment"]})
        assert b"".join(response.streaming_content) == (releases / "r1" / entry["name"]).read_bytes(), entry["name"]


def test_the_json_file_holds_the_published_events_only(demo, releases):
    call_command("release", "r1", verbosity=0)
    document = json.loads((releases / "r1" / "chancery-r1.json").read_text(encoding="utf-8"))
    assert document["events"] == published_shapes()
    assert Event.objects.exclude(review_state=ReviewState.PUBLISHED).exists()  # the demo has drafts, left out


@pytest.mark.parametrize("name", ["Bad Name", "..", ".", "a/b", "../escape", "2026.q4", "q4-", "Q4", "a" * 101, ""])
def test_it_refuses_a_name_that_is_not_a_slug_naming_it(demo, releases, name):
    with pytest.raises(CommandError, match="is not a release name") as refused:
        call_command("release", name, verbosity=0)
    assert repr(name[:100]) in str(refused.value)
    assert not releases.exists() or list(releases.iterdir()) == []


def test_a_second_release_of_the_same_name_is_refused_and_writes_nothing(demo, releases):
    call_command("release", "r1", verbosity=0)
    before = {path.name: path.read_bytes() for path in (releases / "r1").iterdir()}
    Event.objects.filter(pk=Event.objects.published().first().pk).update(title="Changed since")

    with pytest.raises(CommandError, match="release 'r1' exists"):
        call_command("release", "r1", verbosity=0)

    assert {path.name: path.read_bytes() for path in (releases / "r1").iterdir()} == before
    assert [path.name for path in releases.iterdir()] == ["r1"]


def test_a_release_that_fails_midway_leaves_nothing_behind(demo, releases):
    # A row that reading fails on, written behind the models' back: a day that does not exist on SQLite, a day
    # before the year 1 on PostgreSQL, neither of which Python's dates can hold.
    unreadable = "0001-01-01 BC" if connection.vendor == "postgresql" else "9999-02-30"
    last = Event.objects.published().chronological().last()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_event SET \"end\" = %s, end_precision = 'day' WHERE id = %s", [unreadable, last.pk]
        )

    with pytest.raises(CommandError, match="release 'broken': nothing was written"):
        call_command("release", "broken", verbosity=0)

    assert list(releases.iterdir()) == []


def test_a_release_round_trips_through_an_empty_database(demo, releases):
    call_command("release", "r1", verbosity=0)
    shapes = published_shapes()

    empty_the_database()
    assert not Event.objects.exists()
    call_command("import_dataset", str(releases / "r1" / "chancery-r1.json"), verbosity=0)

    assert [event_to_dict(event) for event in Event.objects.chronological().with_dataset_relations()] == shapes
    # Released again from the imported events, every file is the same, byte for byte, but the iCalendar's: its
    # DTSTAMP is when each event was last changed, which the import was.
    call_command("release", "r2", verbosity=0)
    first, second = manifest_of(releases, "r1"), manifest_of(releases, "r2")
    assert [e["sha256"] for e in first["files"] if e["format"] != "ics"] == [
        e["sha256"] for e in second["files"] if e["format"] != "ics"
    ]


def test_a_release_stands_at_its_moment_whatever_changes_since(demo, releases):
    call_command("release", "r1", verbosity=0)
    manifest = manifest_of(releases, "r1")
    released = [
        json.loads(line) for line in (releases / "r1" / "chancery-r1.ndjson").read_text(encoding="utf-8").splitlines()
    ]

    changed = Event.objects.published().chronological().first()
    changed.title = "A title written after the release"
    changed.save()
    Event.objects.published().chronological().last().delete()
    for draft in Event.objects.filter(review_state=ReviewState.REVIEWED):
        draft.review_state = ReviewState.PUBLISHED
        draft.save()

    for entry in manifest["files"]:
        assert hashlib.sha256((releases / "r1" / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    response = APIClient().get("/api/v1/events/", {"as_of": manifest["moment"], "page_size": 1000})
    assert response.status_code == 200
    answered = response.json()["results"]
    assert [event["id"] for event in answered] == [event["id"] for event in released]
    assert [{key: event[key] for key in released[0]} for event in answered] == released
    assert APIClient().get("/api/v1/events/", {"page_size": 1000}).json()["results"] != answered


# -- one snapshot, while curators save: the command in its own process, as an operator runs it

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def served_database(tmp_path):
    """DATABASE_URL for another process: PostgreSQL's test database, or a copy of SQLite's (kept in memory)."""
    if connection.vendor == "postgresql":
        return database_url(connection.settings_dict)
    path = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
        # As the site's connections have it (tracker/settings.py) before any of them opens it: readers and a writer
        # at once, which the rollback journal does not allow.
        copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    return f"sqlite:///{path}"


def saver(database):
    """A function that gives an event a new title and commits it, from outside the releasing process."""
    if connection.vendor == "postgresql":
        return lambda event_id, title: Event.objects.filter(pk=event_id).update(title=title)
    writer = sqlite3.connect(database.removeprefix("sqlite:///"), timeout=20, isolation_level=None)
    return lambda event_id, title: writer.execute("UPDATE events_event SET title = ? WHERE id = ?", [title, event_id])


@committed
def test_every_file_stands_at_one_moment_while_an_event_is_saved_and_saved_again(tmp_path):
    call_command("generate_events", events=1100, seed=3, verbosity=0)
    event_id = Event.objects.published().chronological().first().pk
    database = served_database(tmp_path)
    save = saver(database)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CHANCERY_RELEASES_DIR": str(tmp_path / "releases"),
        "DEBUG": "1",
        "SECRET_KEY": "release-test",
    }
    release = subprocess.Popen(
        [sys.executable, "manage.py", "release", "busy"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    saves = 0
    while release.poll() is None:
        save(event_id, f"Saved {saves} times")
        saves += 1
        time.sleep(0.005)
    out, err = release.communicate()
    assert release.returncode == 0, err.decode()
    assert "\r" not in err.decode()  # no progress bar in a pipe

    folder = tmp_path / "releases" / "busy"
    with open(folder / "chancery-busy.csv", encoding="utf-8", newline="") as rows:
        in_csv = {row["id"]: row["title"] for row in csv.DictReader(rows)}[event_id]
    in_ndjson = {
        record["id"]: record["title"]
        for record in map(json.loads, (folder / "chancery-busy.ndjson").read_text(encoding="utf-8").splitlines())
    }[event_id]
    document = json.loads((folder / "chancery-busy.json").read_text(encoding="utf-8"))
    in_json = {record["id"]: record["title"] for record in document["events"]}[event_id]
    # Saved hundreds of times while the release ran, the event has one title in every file, and it is not the
    # last one: the files were read from one snapshot, taken before the last saves.
    assert in_csv == in_ndjson == in_json != f"Saved {saves - 1} times"
    assert saves > 20
