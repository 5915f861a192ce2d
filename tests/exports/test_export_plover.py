"""The `plover` export: PLOVER's JSON fields, with Chancery's status and precision beside them."""

import json

from events.exports import FORMATS
from events.exports.plover import FIELDS
from events.models import Event


def lines(events=None):
    events = Event.objects.chronological() if events is None else events
    return [json.loads(line) for line in "".join(FORMATS["plover"].stream(events)).splitlines()]


def test_each_line_has_the_plover_fields_and_chancerys_beside_them(demo):
    records = lines()
    assert len(records) == Event.objects.count()
    assert {tuple(record) for record in records} == {FIELDS}
    assert FIELDS[:9] == (
        "id", "event_date", "end_date", "event_type", "mode", "context", "actor", "recipient", "urls",
    )  # fmt: skip
    riyadh = next(record for record in records if record["id"] == "us-ru-talks-riyadh-2025")
    assert riyadh == {
        "id": "us-ru-talks-riyadh-2025",
        "event_date": "2025-02-18",
        "end_date": None,
        "event_type": "CONSULT",
        "mode": None,
        "context": "diplomatic",
        "actor": [
            {"code": "RUS", "entity_text": "Russia", "identifier_id": "russia"},
            {"code": "USA", "entity_text": "United States", "identifier_id": "united-states"},
        ],
        "recipient": [{"code": "SAU", "entity_text": "Saudi Arabia", "identifier_id": "saudi-arabia"}],
        "urls": [source["url"] for source in next(e for e in demo["events"] if e["id"] == riyadh["id"])["sources"]],
        "chancery_type": "talks",
        "chancery_status": "occurred",
        "chancery_start_precision": "day",
        "chancery_end_precision": None,
        "chancery_cameo": "046",
        "chancery_review_state": "published",
    }


def test_a_date_known_to_the_month_keeps_its_precision_beside_it(demo):
    event = Event.objects.exclude(start_precision="day").order_by("id").first()
    [record] = lines(Event.objects.filter(pk=event.pk))
    assert record["event_date"] == event.start.isoformat()
    assert record["chancery_start_precision"] == event.start_precision


def test_the_export_command_writes_it(demo, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "events.plover.jsonl"
    call_command("export_events", "--format", "plover", "--type", "talks", str(path))
    written = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {record["chancery_type"] for record in written} == {"talks"}
    assert [r["id"] for r in written] == list(
        Event.objects.of_type("talks").chronological().values_list("pk", flat=True)
    )


def test_the_api_streams_it_with_published_events_only_for_readers(demo, client):
    response = client.get("/api/v1/events/export/", {"format": "plover", "type": "talks"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].endswith('.plover.jsonl"')
    records = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    published = Event.objects.of_type("talks").filter(review_state="published").chronological()
    assert [r["id"] for r in records] == list(published.values_list("pk", flat=True))
    assert {r["chancery_review_state"] for r in records} == {"published"}
