"""Each history row's end (`history_end`, migration 0015): exact after every write, on SQLite and PostgreSQL.

A row's end is the `history_date` of the next history row of the same id (in the order of `history_date`,
then `history_id`), NULL for the latest. Each test writes history one way or another (the ORM's signals,
the API, a delete and a restore, dataset imports, bulk inserts, `generate_events`, raw deletes) and
compares every row's end with the one its neighbours give.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from events import history_end
from events.asof import versions_at
from events.dataset import import_document
from events.models import Citation, Event, EventRelation, Participant, Source
from events.restore import restore_event
from tests.demo import dataset, event_record

pytestmark = pytest.mark.django_db

MODELS = (Event, Participant, Citation, Source, EventRelation)


def expected_ends(history):
    """{history_id: end} as the rows' order gives it: the next row's moment, None for each id's last."""
    ends, following = {}, {}
    for row in history.objects.order_by("-history_date", "-history_id").values("history_id", "id", "history_date"):
        ends[row["history_id"]] = following.get(row["id"])
        following[row["id"]] = row["history_date"]
    return ends


def stored_ends(history):
    return dict(history.objects.values_list("history_id", "history_end"))


def assert_every_end_is_exact():
    for model in MODELS:
        history = model.history.model
        assert stored_ends(history) == expected_ends(history), history.__name__


def ends_of(model, pk):
    """(history_type, ended) of each version of one row, oldest first."""
    rows = model.history.model.objects.filter(id=pk).order_by("history_date", "history_id")
    return [(row.history_type, row.history_end is not None) for row in rows]


@pytest.fixture
def curator_client():
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("ada"))
    return client


def test_an_update_ends_the_version_before_it(demo, curator_client):
    record = event_record("talks", title="Talks")
    assert curator_client.post("/api/v1/events/", record, format="json").status_code == 201
    assert ends_of(Event, "talks") == [("+", False)]

    response = curator_client.patch("/api/v1/events/talks/", {"title": "Talks in Riyadh"}, format="json")
    assert response.status_code == 200, response.content

    assert ends_of(Event, "talks") == [("+", True), ("~", False)]
    first, second = Event.history.model.objects.filter(id="talks").order_by("history_date", "history_id")
    assert first.history_end == second.history_date
    assert_every_end_is_exact()


def test_a_delete_ends_every_version_and_a_restore_ends_the_deletion(demo, curator_client):
    assert curator_client.post("/api/v1/events/", event_record("talks"), format="json").status_code == 201
    participant = Participant.objects.filter(event_id="talks").first().pk
    assert curator_client.delete("/api/v1/events/talks/").status_code == 204

    assert ends_of(Event, "talks") == [("+", True), ("-", False)]
    assert ends_of(Participant, participant) == [("+", True), ("-", False)]
    assert_every_end_is_exact()

    restore_event("talks", User.objects.get(username="ada"))

    assert ends_of(Event, "talks") == [("+", True), ("-", True), ("+", False)]
    assert_every_end_is_exact()


def test_dataset_imports_of_new_and_updated_events_end_what_they_replace(demo):
    import_document(dataset(event_record("talks"), event_record("visit", start="2024-05-01")))
    record = event_record("talks", title="Talks again", participants=[{"actor": "russia", "role": "host"}])
    import_document(dataset(record), reason="corrected")

    assert ends_of(Event, "talks") == [("+", True), ("~", False)]
    assert ends_of(Event, "visit") == [("+", False)]
    assert_every_end_is_exact()


def test_bulk_inserts_in_any_order_and_raw_deletes_keep_the_ends():
    history = Participant.history.model
    moment = timezone.now() - datetime.timedelta(days=1)
    fields = {"id": 7, "event_id": "talks", "actor_id": "russia", "role": "host"}
    # Written late, out of order, two at one moment (a dataset import stamps its rows alike): the ties go
    # by history_id.
    history.objects.bulk_create(
        [
            history(history_date=moment + datetime.timedelta(hours=2), history_type="~", **fields),
            history(history_date=moment, history_type="+", **fields),
            history(history_date=moment + datetime.timedelta(hours=1), history_type="~", **fields),
            history(history_date=moment + datetime.timedelta(hours=1), history_type="~", **fields),
        ]
    )
    assert_every_end_is_exact()
    assert [row.history_end for row in history.objects.filter(id=7).order_by("history_date", "history_id")] == [
        moment + datetime.timedelta(hours=1),
        moment + datetime.timedelta(hours=1),
        moment + datetime.timedelta(hours=2),
        None,
    ]

    history.objects.filter(id=7, history_date=moment + datetime.timedelta(hours=1)).delete()
    assert_every_end_is_exact()
    assert [row.history_end for row in history.objects.filter(id=7).order_by("history_date")] == [
        moment + datetime.timedelta(hours=2),
        None,
    ]
    history.objects.filter(id=7, history_type="~").delete()
    assert stored_ends(history) == {history.objects.get(id=7).history_id: None}


def test_generated_events_are_each_one_open_version():
    call_command("generate_events", events=50, seed=5, stdout=io.StringIO())
    assert_every_end_is_exact()
    assert not Event.history.model.objects.filter(history_end__isnull=False).exists()
    assert versions_at(Event, timezone.now()).count() == Event.objects.count() == 50


def test_the_fill_writes_the_ends_of_the_rows_there_are(demo, curator_client):
    assert curator_client.post("/api/v1/events/", event_record("talks"), format="json").status_code == 201
    curator_client.patch("/api/v1/events/talks/", {"title": "Talks in Riyadh"}, format="json")
    curator_client.patch("/api/v1/events/talks/", {"title": "Talks in Jeddah"}, format="json")
    for model in MODELS:
        model.history.model.objects.update(history_end=None)
    assert Event.history.model.objects.filter(history_end__isnull=False).count() == 0

    history_end.fill(connection)

    assert ends_of(Event, "talks") == [("+", True), ("~", True), ("~", False)]
    assert_every_end_is_exact()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="Django remakes tables on SQLite alone")
def test_a_migrate_puts_back_the_triggers_a_remade_table_lost():
    with connection.cursor() as cursor:
        for table in history_end.TABLES:
            cursor.execute(f"DROP TRIGGER {table}_end_insert")
    Event.objects.create(id="talks", title="Talks", type_id="talks", start="2025-02-18")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    Event.objects.filter(pk="talks").first().save()

    assert ends_of(Event, "talks") == [("+", True), ("~", False)]
