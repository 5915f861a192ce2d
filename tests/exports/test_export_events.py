"""manage.py export_events: every export format from the command line, with the API's filters."""

import csv
import io
import json

import icalendar
import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_it_writes_the_filtered_events_to_a_file(demo, tmp_path):
    target = tmp_path / "talks.csv"
    call_command(
        "export_events",
        "--format",
        "csv",
        "--type",
        "talks",
        "--actor",
        "russia",
        "--date-from",
        "2025-02-20",
        str(target),
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [row["id"] for row in rows] == [
        "us-ru-third-round-cancelled-2025",
        "us-ru-bilateral-dialogue-2025",
        "us-ru-ukraine-settlement-talks-2025",
        "us-ru-talks-istanbul-2025",
        "us-ru-working-contacts-2025-11",  # a draft: the command exports every review state
    ]
    assert not list(tmp_path.glob(".export-*"))


def test_it_exports_every_review_state_unless_told(demo, tmp_path):
    target = tmp_path / "all.json"
    call_command("export_events", "--format", "json", str(target))
    assert len(json.loads(target.read_text())["events"]) == 17
    call_command("export_events", "--format", "json", "--review-state", "published", str(target))
    assert len(json.loads(target.read_text())["events"]) == 13


def test_it_writes_icalendar_to_standard_output(demo, capsys):
    call_command("export_events", "--format", "ics", "--tag", "oil", "-")
    calendar = icalendar.Calendar.from_ical(capsys.readouterr().out)
    assert sorted(str(e["UID"]) for e in calendar.walk("VEVENT")) == [
        "putin-sanctions-unfriendly-move-2025@chancery",
        "us-sanctions-rosneft-lukoil-2025@chancery",
    ]


def test_a_bad_filter_is_named_and_nothing_is_written(demo, tmp_path):
    target = tmp_path / "x.csv"
    with pytest.raises(CommandError, match="--date-from"):
        call_command("export_events", "--format", "csv", "--date-from", "2025-13-01", str(target))
    assert not target.exists()
