"""PostgreSQL's road for the CSV and NDJSON exports (events/postgres.py, `database_copy`).

On PostgreSQL the database flattens each event into the CSV's fields or the
NDJSON line and writes them out with one COPY. The tests compare that road
with the one every database takes (model instances and their relations read
a chunk at a time), byte for byte: on the demo data, on generated data, and
on events made to hold every precision, type, role and awkward character.
They run on PostgreSQL only: on SQLite there is one road.
"""

import csv
import io
import json
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from events import exports, postgres
from events.dataset import event_to_dict, import_document
from events.exports import FORMATS
from events.models import Event, EventType, Role
from events.shape import CSV_COLUMNS
from tests.demo import actor_record, dataset, event_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's road is PostgreSQL's"),
]

FAST_FORMATS = ["csv", "ndjson"]

# Every character the CSV quotes or the JSON escapes, the list separators, and text beyond ASCII.
AWKWARD = 'a, "quoted" one;\r\nnext\rline\nthird\ttab \x01\x1f\x7f back\\slash | pipe \\| İstanbul «Москва» 🚀 \u2028'


def export(fmt, events):
    return "".join(FORMATS[fmt].stream(events))


def generic_export(fmt, events, monkeypatch):
    """The export as on every other database: model instances, their relations read per chunk."""
    with monkeypatch.context() as patch:
        patch.setattr(postgres, "on_postgresql", lambda events: False)
        return export(fmt, events)


def assert_same_on_both_roads(events, monkeypatch):
    for fmt in FAST_FORMATS:
        assert export(fmt, events) == generic_export(fmt, events, monkeypatch), fmt
    # The CSV as stored too (csv_raw): the same bytes on both roads.
    raw = "".join(FORMATS["csv"].stream(events, raw=True))
    with monkeypatch.context() as patch:
        patch.setattr(postgres, "on_postgresql", lambda events: False)
        assert raw == "".join(FORMATS["csv"].stream(events, raw=True))


def awkward_events():
    """Events with every type, precision, role, kind of location and awkward text; returns their ids."""
    actors = [
        actor_record("a-initiator", kind="government", country="RUS", name='=HYPERLINK("x") | the \\ "Kremlin", ok'),
        actor_record("b-target", kind="company", name="-minus, " + AWKWARD),
        actor_record("z-person", kind="person", name="'@apostrophe first"),
        actor_record("mediator-1", kind="igo"),
        actor_record("host-2", kind="organization", country="TUR"),
    ]
    everyone = ["a-initiator", "b-target", "z-person", "mediator-1", "host-2", "russia"]
    locations = [
        None,
        {"name": "Riyadh", "country": "SAU", "lat": 24.7136, "lon": 46.6753},
        {"name": "On the line", "country": None, "lat": 24.0, "lon": -180.0},
        {"name": "Near zero", "country": "TUR", "lat": 0.0001, "lon": 1e-05},
        {"name": 'Far east, "quoted"', "country": None, "lat": -90.0, "lon": 179.99999999999997},
        {"name": "No coordinates, İstanbul", "country": "TUR", "lat": None, "lon": None},
        {"name": "Negative zero", "country": None, "lat": -0.0, "lon": -0.5},
    ]
    dates = [
        ("2025-02-18", "day", None, None),
        ("2016-12", "month", None, None),
        ("2016", "year", "2021", "year"),
        ("2025-02", "month", "2025-11", "month"),
        ("2025-02-18", "day", "2025-03", "month"),
        ("0999", "year", "1000-01-02", "day"),
    ]
    records = []
    codes = list(EventType.objects.order_by("code").values_list("code", flat=True))
    for index, code in enumerate(codes):
        start, start_precision, end, end_precision = dates[index % len(dates)]
        roles = list(Role.values)
        participants = [
            {"actor": everyone[(index + offset) % len(everyone)], "role": roles[(index + offset) % len(roles)]}
            for offset in range(index % 7 + 1)
        ]
        sources = [
            {
                "url": f"https://example.org/B-{index}?q=a,b",
                "title": AWKWARD if index % 2 else "",
                "publisher": "Example News | Wire" if index % 3 else "",
                "published": None if index % 4 == 0 else "2025-02-19",
                "language": "ru" if index % 5 == 0 else None,
                "archive_url": "https://archive.example/x" if index % 5 == 1 else None,
                "quote": AWKWARD,
                "claimed_by": "a-initiator" if index % 2 else None,
            },
            {
                "url": f"https://example.org/a-{index}",
                "title": "Plain title",
                "publisher": "Example News",
                "published": "2025-02-20",
                "quote": "",
                "claimed_by": None,
            },
        ][: 1 + index % 2]
        records.append(
            event_record(
                f"event-{index:02d}",
                title=AWKWARD if index % 3 == 0 else f"Event {code}",
                summary=AWKWARD if index % 2 == 0 else "",
                type=code,
                status=["proposed", "scheduled", "occurred", "cancelled", "postponed"][index % 5],
                start=start,
                start_precision=start_precision,
                end=end,
                end_precision=end_precision,
                participants=participants,
                location=locations[index % len(locations)],
                sources=sources if index % 6 else [],
                tags=["zeta", "alpha", "b-2"][: index % 4],
                related=[
                    {"event": "event-00", "relation": "responds_to"},
                    {"event": "event-00", "relation": "follows"},
                    {"event": "event-01", "relation": "part_of"},
                ][: index % 4]
                if index
                else [],
                review_state="published" if index % 6 else "draft",
            )
        )
    import_document(dataset(*records, actors=actors))
    return [record["id"] for record in records]


# ---------------------------------------------------------------- the same bytes


def test_it_writes_the_demo_data_as_the_generic_road_does(demo, monkeypatch):
    assert_same_on_both_roads(Event.objects.chronological(), monkeypatch)


def test_it_writes_generated_events_as_the_generic_road_does(monkeypatch):
    call_command("generate_events", events=300, seed=11, stdout=io.StringIO())
    assert_same_on_both_roads(Event.objects.chronological(), monkeypatch)
    assert_same_on_both_roads(Event.objects.published().order_by("-updated_at", "id"), monkeypatch)


def test_it_writes_every_precision_type_role_and_awkward_character_as_the_generic_road_does(db, monkeypatch):
    ids = awkward_events()
    assert len(ids) == EventType.objects.count() > 20
    events = Event.objects.chronological()
    assert_same_on_both_roads(events, monkeypatch)

    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export("csv", events)))}
    assert rows["event-00"]["summary"] == AWKWARD
    # Sources in the code-point order of their URLs ("B" before "a"), the second one's quote empty.
    assert rows["event-07"]["source_urls"] == "https://example.org/B-7?q=a,b | https://example.org/a-7"
    assert rows["event-07"]["quotes"] == AWKWARD.replace("\\", "\\\\").replace("|", "\\|") + " | "
    lines = {json.loads(line)["id"]: json.loads(line) for line in export("ndjson", events).split("\n")[:-1]}
    assert lines["event-00"]["summary"] == AWKWARD
    assert (lines["event-02"]["location"]["lat"], lines["event-02"]["location"]["lon"]) == (24.0, -180.0)
    assert "\\u0001" in export("ndjson", events)
    # The actors' names, parallel to their ids, escaped as the per-source lists and neutralised.
    first = rows["event-00"]
    assert first["initiators"] == "a-initiator"
    assert first["initiator_names"] == "'" + '=HYPERLINK("x") \\| the \\\\ "Kremlin", ok'


def test_it_leaves_out_relations_to_unpublished_events_for_anonymous_readers_as_the_generic_road_does(db, monkeypatch):
    awkward_events()  # event-00, a draft, is the target of others' relations
    events = Event.objects.visible_to(AnonymousUser()).chronological()
    assert_same_on_both_roads(events, monkeypatch)
    assert "event-00" not in export("ndjson", events) and "event-00" in export("ndjson", Event.objects.all())
    assert_documents_are_the_dataset_shape(events)


def assert_documents_are_the_dataset_shape(events):
    """`with_documents()` (the database writes each event's JSON) gives what the relations give, key for key."""
    written = {event.pk: event_to_dict(event) for event in events.with_documents()}
    read = {event.pk: event_to_dict(event) for event in events.with_dataset_relations()}
    assert written == read and written
    assert [list(document) for document in written.values()] == [list(shape) for shape in read.values()]


def test_the_database_writes_each_event_of_a_page_as_the_relations_give_it(demo, monkeypatch):
    assert_documents_are_the_dataset_shape(Event.objects.all())
    awkward_events()
    assert_documents_are_the_dataset_shape(Event.objects.filter(id__startswith="event-"))
    call_command("generate_events", events=200, seed=12, stdout=io.StringIO())
    assert_documents_are_the_dataset_shape(Event.objects.filter(id__startswith="gen-"))


def test_a_page_of_events_with_their_documents_is_one_query(demo):
    with CaptureQueriesContext(connection) as queries:
        page = list(Event.objects.published().involving("russia").with_documents().chronological()[:5])
    assert len(queries) == 1 and len(page) == 5
    assert [json.loads(event.document)["id"] for event in page] == [event.pk for event in page]


def test_it_writes_the_integral_and_tiny_coordinates_as_python_does(db):
    awkward_events()
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export("csv", Event.objects.chronological())))}
    assert [rows["event-02"][k] for k in ("location_lat", "location_lon")] == ["24.0", "-180.0"]
    assert [rows["event-03"][k] for k in ("location_lat", "location_lon")] == ["0.0001", "1e-05"]
    assert [rows["event-04"][k] for k in ("location_lat", "location_lon")] == ["-90.0", "179.99999999999997"]
    assert rows["event-06"]["location_lon"] == "-0.5"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "type=talks",
        "actor=russia&actor=united-states&date_from=2025-01-01",
        "initiator=united-states&ordering=-start",
        "country=RUS&ordering=-updated",
        "q=sanctions&ordering=relevance",
        "status=occurred&status=cancelled&tag=oil",
    ],
)
def test_the_api_exports_the_same_bytes_with_every_filter_and_ordering(demo, client, monkeypatch, query):
    for fmt in FAST_FORMATS:
        url = f"/api/v1/events/export/?format={fmt}&{query}"
        fast = b"".join(client.get(url).streaming_content)
        with monkeypatch.context() as patch:
            patch.setattr(postgres, "on_postgresql", lambda events: False)
            generic = b"".join(client.get(url).streaming_content)
        assert fast == generic, (fmt, query)
        assert fast.count(b"\n") >= 1 + (fmt == "csv"), (fmt, query)  # not an empty export


def test_it_writes_a_slice_and_an_empty_set_as_the_generic_road_does(demo, monkeypatch):
    assert_same_on_both_roads(Event.objects.chronological()[2:7], monkeypatch)
    assert_same_on_both_roads(Event.objects.none(), monkeypatch)
    assert_same_on_both_roads(Event.objects.filter(pk__in=[]), monkeypatch)
    assert export("csv", Event.objects.none()) == ",".join(CSV_COLUMNS) + "\r\n"


# ---------------------------------------------------------------- streaming, queries and the COPY


def test_it_reads_the_whole_set_with_one_copy_a_chunk_at_a_time(demo, monkeypatch):
    monkeypatch.setattr(exports.base, "CHUNK_SIZE", 5)
    for fmt in FAST_FORMATS:
        with CaptureQueriesContext(connection) as queries:
            chunks = list(FORMATS[fmt].stream(Event.objects.chronological()))
        # The header (csv), then the 17 events in chunks of 5.
        if fmt == "csv":
            assert chunks[0] == ",".join(CSV_COLUMNS) + "\r\n"
            assert [len(list(csv.reader(io.StringIO(chunk)))) for chunk in chunks[1:]] == [5, 5, 5, 2]
        else:
            assert [chunk.count("\n") for chunk in chunks] == [5, 5, 5, 2]
        # A savepoint (the test runs in a transaction) and the session's settings; the COPY is no query of
        # Django's.
        assert [q["sql"].split()[0] for q in queries] == ["SAVEPOINT", "SELECT", "RELEASE"], fmt


def test_it_counts_the_events_written_for_a_progress_bar(demo, monkeypatch):
    monkeypatch.setattr(exports.base, "CHUNK_SIZE", 5)
    for fmt in FAST_FORMATS:
        counts = []
        list(FORMATS[fmt].stream(Event.objects.chronological(), progress=counts.append))
        assert counts == [5, 5, 5, 2], fmt


def test_it_stops_the_database_when_the_reader_stops_early(monkeypatch):
    call_command("generate_events", events=300, seed=11, stdout=io.StringIO())
    monkeypatch.setattr(exports.base, "CHUNK_SIZE", 5)

    def copying():
        return [thread for thread in threading.enumerate() if thread.name == "chancery-export-copy"]

    for fmt in FAST_FORMATS:
        stream = FORMATS[fmt].stream(Event.objects.chronological())
        next(stream)
        next(stream)
        assert len(copying()) == 1
        stream.close()  # what the server does when the client goes away
        assert copying() == []
        # The connection is good for what comes next, in the same transaction.
        assert Event.objects.count() == 300


def test_a_database_error_midway_reaches_the_reader(monkeypatch):
    call_command("generate_events", events=300, seed=11, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '1ms'")
    try:
        for fmt in FAST_FORMATS:
            with pytest.raises(OperationalError, match="statement timeout"):
                export(fmt, Event.objects.chronological())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
    assert Event.objects.count() == 300
