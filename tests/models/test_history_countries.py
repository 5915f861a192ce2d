"""The countries of each event version (migration 0019) and the country filter of `as_of` that reads them.

On PostgreSQL every event history row carries `history_settled` (from when its participants stayed as they
were until its end) and `history_countries` (its location's country and its participants' actors' countries
then); each test writes history one way or another and compares the stored columns with those that the
history rows give, computed here in Python. The filter's answers, at moments before, inside and after a
version's last stretch, are checked on both databases (SQLite asks the participants of the moment, always).
"""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from events.asof import visible_then
from events.dataset import import_document
from events.models import Actor, Event, Participant
from events.restore import restore_event
from tests.demo import actor_record, dataset, event_record

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the columns are PostgreSQL's")


def expected_columns():
    """{history_id: (settled, countries)} of every event version, from the history rows of the participants
    and the actors' countries now."""
    countries = dict(Actor.objects.values_list("id", "country"))
    participations = {}
    for row in Participant.history.model.objects.values(
        "event_id", "actor_id", "history_date", "history_end", "history_type"
    ):
        participations.setdefault(row["event_id"], []).append(row)
    expected = {}
    for version in Event.history.model.objects.values(
        "history_id", "id", "history_date", "history_end", "location_country"
    ):
        rows = participations.get(version["id"], [])
        start, end = version["history_date"], version["history_end"]
        changes = [
            row["history_date"]
            for row in rows
            if row["history_date"] > start and (end is None or row["history_date"] < end)
        ]
        settled = max([start, *changes])
        valid = [
            row
            for row in rows
            if row["history_type"] != "-"
            and row["history_date"] <= settled
            and (row["history_end"] is None or row["history_end"] > settled)
        ]
        names = {countries.get(row["actor_id"], "") for row in valid} | {version["location_country"] or ""}
        expected[version["history_id"]] = (settled, sorted(names - {""}))
    return expected


def stored_columns():
    with connection.cursor() as cursor:
        cursor.execute("SELECT history_id, history_settled, history_countries FROM events_historicalevent")
        return {history_id: (settled, countries) for history_id, settled, countries in cursor.fetchall()}


def assert_every_version_is_exact():
    assert stored_columns() == expected_columns()


@pytest.fixture
def curator_client():
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("ada"))
    return client


def in_country_then(moment, code):
    return sorted(visible_then(moment, None).in_country(code).values_list("id", flat=True))


@on_postgresql
def test_api_writes_deletes_and_restores_keep_the_countries(demo, curator_client):
    record = event_record("talks", participants=[{"actor": "russia", "role": "participant"}])
    assert curator_client.post("/api/v1/events/", record, format="json").status_code == 201
    participants = [{"actor": "united-states", "role": "participant"}]
    response = curator_client.patch("/api/v1/events/talks/", {"participants": participants}, format="json")
    assert response.status_code == 200, response.content
    assert_every_version_is_exact()
    latest = Event.history.model.objects.filter(id="talks").latest("history_date", "history_id").history_id
    assert stored_columns()[latest][1] == ["USA"]

    assert curator_client.delete("/api/v1/events/talks/").status_code == 204
    restore_event("talks", User.objects.get(username="ada"))
    assert_every_version_is_exact()


@on_postgresql
def test_dataset_imports_keep_the_countries(demo):
    import_document(
        dataset(event_record("talks"), actors=[actor_record("ukraine", name="Ukraine", country="UKR")]),
    )
    record = event_record("talks", participants=[{"actor": "ukraine", "role": "host"}])
    import_document(dataset(record), reason="corrected")
    assert_every_version_is_exact()


@on_postgresql
def test_an_actors_new_country_reaches_the_versions_of_its_events(demo):
    Actor.objects.filter(id="russia").update(country="SUN")
    assert_every_version_is_exact()
    assert any("SUN" in countries for _, countries in stored_columns().values())


@on_postgresql
def test_generated_events_are_filled_after_the_load():
    call_command("generate_events", events=50, seed=5, stdout=io.StringIO())
    assert_every_version_is_exact()
    assert all(countries for _, countries in stored_columns().values())


def test_the_filter_asks_the_participants_of_a_moment_before_they_settled():
    """A version written at `t`, its participant an hour later and deleted two hours after that, written
    out of order as a bulk load may: each moment answers with the participants valid then."""
    Actor.objects.create(id="moscow-office", name="Moscow office", kind="organization", country="RUS")
    Event.objects.create(id="talks", title="Talks", type_id="talks", start="2025-02-18", review_state="published")
    Event.history.model.objects.all().delete()
    t = timezone.now() - datetime.timedelta(days=1)
    hour = datetime.timedelta(hours=1)
    fields = {"id": 1, "event_id": "talks", "actor_id": "moscow-office", "role": "host"}
    Participant.history.model.objects.bulk_create(
        [
            Participant.history.model(history_date=t + 3 * hour, history_type="-", **fields),
            Participant.history.model(history_date=t + hour, history_type="+", **fields),
        ]
    )
    version = Event.history.model(
        history_date=t,
        history_type="+",
        **{f.attname: getattr(Event.objects.get(), f.attname) for f in Event.history.model.tracked_fields},
    )
    version.save()
    if connection.vendor == "postgresql":
        assert_every_version_is_exact()
        assert stored_columns()[version.history_id] == (t + 3 * hour, [])

    assert in_country_then(t + hour / 2, "RUS") == []
    assert in_country_then(t + 2 * hour, "RUS") == ["talks"]
    assert in_country_then(t + 4 * hour, "RUS") == []


def test_the_filter_reads_the_versions_location_and_its_settled_participants(demo, curator_client):
    location = {"name": "Riyadh", "country": "SAU", "lat": None, "lon": None}
    record = event_record("talks", location=location)
    assert curator_client.post("/api/v1/events/", record, format="json").status_code == 201
    created = timezone.now()
    participants = [{"actor": "united-states", "role": "participant"}]
    response = curator_client.patch(
        "/api/v1/events/talks/", {"participants": participants, "location": None}, format="json"
    )
    assert response.status_code == 200, response.content
    changed = timezone.now()

    assert "talks" in in_country_then(created, "SAU")
    assert "talks" in in_country_then(created, "RUS")
    assert "talks" not in in_country_then(changed, "SAU")
    assert "talks" not in in_country_then(changed, "RUS")
    assert "talks" in in_country_then(changed, "USA")
