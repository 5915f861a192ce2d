"""The export formats (events/exports/, docs/exports.md), on the demo data.

The exporter writes what it is given: these tests pass it every demo event,
drafts included, or a filtered queryset, as the export endpoint would.
"""

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from events import exports, postgres
from events.dataset import event_to_dict, import_document
from events.exports import FORMATS, export_filename
from events.models import Actor, Citation, Event, EventRelation, Participant, Source, Tag
from events.shape import CSV_COLUMNS, split_source_values
from tests.demo import dataset, demo_ids, event_record
from tests.exports import xlsx_rows

ALL_FORMATS = ["csv", "csv-excel", "xlsx", "json", "ndjson", "ics", "geojson", "timelinejs", "plover"]
CSV_FORMATS = ("csv", "csv-excel", "xlsx")
TALKS = [
    "us-ru-third-round-cancelled-2025",
    "us-ru-bilateral-dialogue-2025",
    "us-ru-ukraine-settlement-talks-2025",
    "us-ru-talks-riyadh-2025",
    "us-ru-talks-istanbul-2025",
    "us-ru-working-contacts-2025-11",
]
LOCATED = ["us-ru-talks-riyadh-2025", "us-ru-talks-istanbul-2025", "trump-putin-budapest-summit-proposed-2025"]
ARTICLE = "https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov"
ARTICLE_TITLE = "A lot of 'mess' to clear up in Russia-US ties - Lavrov"


def export(fmt, events=None):
    """The export as text; an xlsx as the CSV of its cells, a csv-excel without its byte-order mark."""
    events = Event.objects.chronological() if events is None else events
    if fmt == "xlsx":
        text = io.StringIO()
        csv.writer(text).writerows(
            ["" if value is None else value for value in row]
            for row in xlsx_rows(b"".join(FORMATS[fmt].stream(events)))
        )
        return text.getvalue()
    return "".join(FORMATS[fmt].stream(events)).removeprefix("\ufeff" if fmt == "csv-excel" else "")


def empty_the_database():
    """Delete every event and actor, dependants first (the foreign keys PROTECT)."""
    Citation.objects.all().delete()
    Participant.objects.all().delete()
    EventRelation.objects.all().delete()
    Event.objects.all().delete()
    Source.objects.all().delete()
    Tag.objects.all().delete()
    # Children before their parents: a parent is PROTECTed while it has any.
    while Actor.objects.exists():
        Actor.objects.exclude(pk__in=Actor.objects.exclude(parent=None).values("parent")).delete()


# ---------------------------------------------------------------- the interface


def test_it_offers_the_six_formats_of_the_contract_plover_and_two_for_spreadsheets():
    assert sorted(FORMATS) == sorted(ALL_FORMATS)
    assert {name: (fmt.name, fmt.media_type, fmt.extension) for name, fmt in FORMATS.items()} == {
        "csv": ("csv", "text/csv; charset=utf-8", "csv"),
        "csv-excel": ("csv-excel", "text/csv; charset=utf-8", "excel.csv"),
        "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        "json": ("json", "application/json", "json"),
        "ndjson": ("ndjson", "application/x-ndjson", "ndjson"),
        "ics": ("ics", "text/calendar; charset=utf-8", "ics"),
        "geojson": ("geojson", "application/geo+json", "geojson"),
        "timelinejs": ("timelinejs", "application/json", "timeline.json"),
        "plover": ("plover", "application/x-ndjson", "plover.jsonl"),
    }


def test_it_names_the_file_after_the_day_and_the_format():
    day = datetime.date(2026, 11, 28)
    assert export_filename("csv", day) == "chancery-events-2026-11-28.csv"
    assert export_filename("timelinejs", day) == "chancery-events-2026-11-28.timeline.json"
    late_evening = datetime.datetime(2026, 11, 28, 23, 59, tzinfo=datetime.UTC)
    assert export_filename("ics", late_evening) == "chancery-events-2026-11-28.ics"


def test_it_names_the_file_after_today_by_default():
    assert export_filename("geojson") == f"chancery-events-{timezone.localdate().isoformat()}.geojson"


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_it_writes_a_well_formed_file_for_an_empty_set(db, fmt):
    text = export(fmt, Event.objects.none())
    if fmt in CSV_FORMATS:
        assert text == ",".join(CSV_COLUMNS) + "\r\n"
    elif fmt == "json":
        assert json.loads(text) == {"events": [], "actors": []}
    elif fmt in ("ndjson", "plover"):
        assert text == ""
    elif fmt == "ics":
        assert len(Calendar.from_ical(text).walk("VEVENT")) == 0
    elif fmt == "geojson":
        assert json.loads(text) == {"type": "FeatureCollection", "features": []}
    else:
        assert json.loads(text)["events"] == []


# ---------------------------------------------------------------- CSV


def test_it_writes_one_csv_row_per_event_in_the_given_order(demo):
    rows = list(csv.DictReader(io.StringIO(export("csv"))))
    assert [row["id"] for row in rows] == demo_ids(demo)
    assert len(demo_ids(demo)) == 17


def test_it_writes_the_version_3_columns_id_first():
    assert exports.csv.CSV_VERSION == 3
    assert CSV_COLUMNS[0] == "id"
    assert len(set(CSV_COLUMNS)) == len(CSV_COLUMNS) == 36


def test_it_writes_the_sanctions_event_as_a_flat_csv_row(demo):
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export("csv")))}
    assert rows["us-sanctions-rosneft-lukoil-2025"] == {
        "id": "us-sanctions-rosneft-lukoil-2025",
        "title": "US imposes sanctions on Rosneft and Lukoil",
        "summary": (
            'Washington cited a lack of progress in peace talks on Ukraine. The article says "last month"; the day '
            "is from the public record: the Treasury (OFAC) designated both companies on 22 October 2025."
        ),
        "type": "sanctions.imposed",
        "status": "occurred",
        "start": "2025-10-22",
        "start_precision": "day",
        "end": "",
        "end_precision": "",
        "initiators": "donald-trump; united-states",
        "targets": "lukoil; rosneft",
        "participants": "",
        "mediators": "",
        "hosts": "",
        "location_name": "",
        "location_country": "",
        "location_lat": "",
        "location_lon": "",
        "cameo_code": "163",
        "goldstein": "-8.0",
        "plover_type": "SANCTION",
        "plover_mode": "discontinue",
        "tags": "oil",
        "related": "responds_to:us-ru-ukraine-settlement-talks-2025",
        "source_urls": ARTICLE,
        "source_titles": ARTICLE_TITLE,
        "publishers": "RT",
        "published_dates": "2025-11-09",
        "quotes": (
            "Last month, Trump imposed sanctions on Russian oil giants Rosneft and Lukoil, "
            "citing lack of progress in peace talks on Ukraine."
        ),
        "claimed_by": "",
        "review_state": "published",
        "initiator_names": "Donald Trump | United States",
        "target_names": "Lukoil | Rosneft",
        "participant_names": "",
        "mediator_names": "",
        "host_names": "",
    }


def test_it_writes_imprecise_dates_truncated_with_their_precision_in_csv(demo):
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export("csv")))}
    dialogue, staff = rows["us-ru-bilateral-dialogue-2025"], rows["us-ru-diplomatic-staff-limits"]
    assert [dialogue[k] for k in ("start", "start_precision", "end", "end_precision")] == [
        "2025-02",
        "month",
        "2025-11",
        "month",
    ]
    assert [staff[k] for k in ("start", "start_precision", "end", "end_precision")] == ["2016", "year", "2021", "year"]
    assert staff["initiators"] == staff["targets"] == "russia; united-states"
    riyadh = rows["us-ru-talks-riyadh-2025"]
    assert [riyadh[k] for k in ("participants", "hosts", "location_name", "location_country")] == [
        "russia; united-states",
        "saudi-arabia",
        "Riyadh",
        "SAU",
    ]
    assert (float(riyadh["location_lat"]), float(riyadh["location_lon"])) == (24.7136, 46.6753)


def test_it_keeps_the_per_source_lists_parallel_and_escapes_pipes(db):
    sources = [
        {
            "url": "https://example.org/b",
            "title": "Talks resume | World \\ Europe",
            "publisher": "",
            "published": None,
            "quote": "They met, on a Tuesday.\nThen again.",
            "claimed_by": None,
        },
        {
            "url": "https://example.org/a",
            "title": "Delegations meet",
            "publisher": "Example News",
            "published": "2025-02-19",
            "quote": "The delegations met.",
            "claimed_by": "russia",
        },
    ]
    import_document(dataset(event_record("ru-us-talks", sources=sources)))
    row = next(csv.DictReader(io.StringIO(export("csv"))))
    # Sources in URL order, the same position in every list.
    assert row["source_urls"] == "https://example.org/a | https://example.org/b"
    assert row["source_titles"] == "Delegations meet | Talks resume \\| World \\\\ Europe"
    assert row["publishers"] == "Example News | "
    assert row["published_dates"] == "2025-02-19 | "
    assert row["claimed_by"] == "russia | "
    assert split_source_values(row["source_titles"]) == ["Delegations meet", "Talks resume | World \\ Europe"]
    assert split_source_values(row["quotes"]) == ["The delegations met.", "They met, on a Tuesday.\nThen again."]
    assert split_source_values(row["publishers"]) == ["Example News", ""]


def test_it_streams_the_csv_a_chunk_at_a_time(demo, monkeypatch):
    monkeypatch.setattr(exports.base, "CHUNK_SIZE", 5)
    chunks = list(FORMATS["csv"].stream(Event.objects.chronological()))
    # The header first, before any event is read, then the 17 events in chunks of 5.
    assert chunks[0] == ",".join(CSV_COLUMNS) + "\r\n"
    assert [len(list(csv.reader(io.StringIO(chunk)))) for chunk in chunks[1:]] == [5, 5, 5, 2]
    assert all(chunk.endswith("\r\n") for chunk in chunks)


# ---------------------------------------------------------------- the dataset file (json) and ndjson


def test_it_exports_a_dataset_file_that_imports_into_an_empty_database(demo):
    text = export("json")
    document = json.loads(text)
    assert list(document) == ["events", "actors"]
    assert [event["id"] for event in document["events"]] == demo_ids(demo)
    # Every actor an event names, with their parents: Lavrov (a claimant only) brings his ministry.
    assert [actor["id"] for actor in document["actors"]] == [
        "barack-obama",
        "donald-trump",
        "hungary",
        "joe-biden",
        "lukoil",
        "rosneft",
        "russia",
        "russian-foreign-ministry",
        "saudi-arabia",
        "sergey-lavrov",
        "united-states",
        "vladimir-putin",
    ]

    empty_the_database()
    assert (Event.objects.count(), Actor.objects.count(), Source.objects.count()) == (0, 0, 0)
    summary = import_document(document)

    assert summary.created == {"actors": 12, "events": 17, "sources": 1}
    assert [event_to_dict(e) for e in Event.objects.with_dataset_relations().chronological()] == document["events"]
    assert export("json") == text


def test_it_writes_the_dataset_file_as_utf8_text_not_escapes(demo):
    text = export("json")
    assert "İstanbul" in text and "Türkiye" in text
    assert "\\u" not in text


def test_it_drops_relations_to_events_outside_the_exported_set(demo):
    pair = Event.objects.filter(pk__in=["us-ru-talks-riyadh-2025", "us-ru-talks-istanbul-2025"]).chronological()
    document = json.loads(export("json", pair))

    # Riyadh is also part_of two processes that are not exported; only the link between the two stays.
    assert {event["id"]: event["related"] for event in document["events"]} == {
        "us-ru-talks-riyadh-2025": [{"event": "us-ru-talks-istanbul-2025", "relation": "followed_by"}],
        "us-ru-talks-istanbul-2025": [{"event": "us-ru-talks-riyadh-2025", "relation": "follows"}],
    }
    assert [actor["id"] for actor in document["actors"]] == ["russia", "saudi-arabia", "united-states"]
    empty_the_database()
    assert import_document(document).created == {"actors": 3, "events": 2, "sources": 1}
    assert EventRelation.objects.count() == 2


def test_it_checks_relations_of_a_sliced_queryset_against_the_slice(demo):
    first_three = Event.objects.chronological()[:3]
    related = {event["id"]: event["related"] for event in json.loads(export("json", first_three))["events"]}
    assert related == {
        "us-ru-diplomatic-staff-limits": [],
        "us-restricts-russian-compounds-2016": [],
        "us-seizes-more-russian-property-2017": [
            {"event": "us-restricts-russian-compounds-2016", "relation": "follows"}
        ],
    }


def test_it_writes_one_dataset_event_per_ndjson_line(demo):
    text = export("ndjson")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) == 17
    # Relations are kept as stored: an NDJSON stream is read line by line, not imported.
    assert [json.loads(line) for line in lines] == demo["events"]


# ---------------------------------------------------------------- iCalendar


def test_it_writes_an_icalendar_file_with_one_vevent_per_event(demo):
    text = export("ics")
    calendar = Calendar.from_ical(text)
    vevents = calendar.walk("VEVENT")

    assert str(calendar["PRODID"]) == "-//Chancery//Diplomatic events//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert len(vevents) == 17
    assert [str(v["UID"]) for v in vevents] == [f"{event_id}@chancery" for event_id in demo_ids(demo)]
    # RFC 5545: every line ends with CRLF.
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_it_spans_the_whole_month_or_year_of_an_imprecise_event_in_icalendar(demo):
    vevents = {str(v["UID"]): v for v in Calendar.from_ical(export("ics")).walk("VEVENT")}

    sanctions = vevents["us-sanctions-russia-2022@chancery"]
    assert sanctions["DTSTART"].params["VALUE"] == "DATE"
    assert (sanctions.decoded("DTSTART"), sanctions.decoded("DTEND")) == (
        datetime.date(2022, 2, 1),
        datetime.date(2022, 3, 1),
    )
    assert str(sanctions["SUMMARY"]) == (
        "Biden administration imposes sanctions on Russia over the Ukraine conflict (date known to the month)"
    )

    dialogue = vevents["us-ru-bilateral-dialogue-2025@chancery"]
    assert (dialogue.decoded("DTSTART"), dialogue.decoded("DTEND")) == (
        datetime.date(2025, 2, 1),
        datetime.date(2025, 12, 1),
    )
    staff = vevents["us-ru-diplomatic-staff-limits@chancery"]
    assert (staff.decoded("DTSTART"), staff.decoded("DTEND")) == (datetime.date(2016, 1, 1), datetime.date(2022, 1, 1))
    assert str(staff["SUMMARY"]).endswith("(dates known to the year)")

    rosneft = vevents["us-sanctions-rosneft-lukoil-2025@chancery"]
    assert (rosneft.decoded("DTSTART"), rosneft.decoded("DTEND")) == (
        datetime.date(2025, 10, 22),
        datetime.date(2025, 10, 23),
    )
    assert str(rosneft["SUMMARY"]) == "US imposes sanctions on Rosneft and Lukoil"


def test_it_describes_the_event_with_its_actors_and_sources_in_icalendar(demo):
    vevents = {str(v["UID"]): v for v in Calendar.from_ical(export("ics")).walk("VEVENT")}
    rosneft = vevents["us-sanctions-rosneft-lukoil-2025@chancery"]
    assert str(rosneft["DESCRIPTION"]) == (
        'Washington cited a lack of progress in peace talks on Ukraine. The article says "last month"; the day '
        "is from the public record: the Treasury (OFAC) designated both companies on 22 October 2025.\n"
        "\n"
        "When: 2025-10-22\n"
        "Type: Sanctions imposed (sanctions.imposed)\n"
        "Status: occurred\n"
        "Initiators: Donald Trump, United States\n"
        "Targets: Lukoil, Rosneft\n"
        "Sources:\n"
        f"{ARTICLE}"
    )
    assert str(rosneft["STATUS"]) == "CONFIRMED"
    assert "LOCATION" not in rosneft and "GEO" not in rosneft

    riyadh = vevents["us-ru-talks-riyadh-2025@chancery"]
    assert str(riyadh["LOCATION"]) == "Riyadh"
    assert (riyadh["GEO"].latitude, riyadh["GEO"].longitude) == (24.7136, 46.6753)
    assert str(vevents["us-ru-third-round-cancelled-2025@chancery"]["STATUS"]) == "CANCELLED"


# ---------------------------------------------------------------- GeoJSON


def test_it_writes_a_geojson_point_per_event_with_coordinates(demo):
    collection = json.loads(export("geojson"))

    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == LOCATED
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert collection["features"][0] == {
        "type": "Feature",
        "id": "us-ru-talks-riyadh-2025",
        "geometry": {"type": "Point", "coordinates": [46.6753, 24.7136]},
        "properties": {
            "id": "us-ru-talks-riyadh-2025",
            "title": "US and Russian delegations hold high-level talks in Riyadh",
            "type": "talks",
            "status": "occurred",
            "start": "2025-02-18",
            "start_precision": "day",
            "end": None,
            "end_precision": None,
            "location_name": "Riyadh",
            "location_country": "SAU",
            "participants": [
                {"actor": "russia", "role": "participant"},
                {"actor": "united-states", "role": "participant"},
                {"actor": "saudi-arabia", "role": "host"},
            ],
        },
    }
    budapest = collection["features"][2]["properties"]
    assert (budapest["start"], budapest["start_precision"]) == ("2025-10", "month")


# ---------------------------------------------------------------- TimelineJS


def test_it_writes_a_timelinejs_slide_per_event_with_partial_dates(demo):
    timeline = json.loads(export("timelinejs"))
    slides = {slide["unique_id"]: slide for slide in timeline["events"]}

    assert timeline["title"]["text"]["headline"] == "Chancery"
    assert [slide["unique_id"] for slide in timeline["events"]] == demo_ids(demo)
    assert {k: slides["us-sanctions-russia-2022"][k] for k in ("start_date", "display_date", "group")} == {
        "start_date": {"year": "2022", "month": "2"},
        "display_date": "February 2022",
        "group": "sanctions",
    }
    assert "end_date" not in slides["us-sanctions-russia-2022"]
    staff = slides["us-ru-diplomatic-staff-limits"]
    assert (staff["start_date"], staff["end_date"], staff["display_date"], staff["group"]) == (
        {"year": "2016"},
        {"year": "2021"},
        "2016 – 2021",
        "diplomats",
    )
    assert slides["us-ru-bilateral-dialogue-2025"]["display_date"] == "February 2025 – November 2025"
    rosneft = slides["us-sanctions-rosneft-lukoil-2025"]
    assert rosneft["start_date"] == {"year": "2025", "month": "10", "day": "22"}
    assert "display_date" not in rosneft and "end_date" not in rosneft
    assert rosneft["text"] == {
        "headline": "US imposes sanctions on Rosneft and Lukoil",
        "text": (
            "<p>Washington cited a lack of progress in peace talks on Ukraine. The article says &quot;last month&quot;;"
            " the day is from the public record: the Treasury (OFAC) designated both companies on 22 October 2025.</p>"
            f'<p>Sources:</p><ul><li><a href="{ARTICLE}">A lot of &#x27;mess&#x27; to clear up in Russia-US ties - '
            "Lavrov</a> (RT, 2025-11-09)</li></ul>"
        ),
    }


def test_it_escapes_html_from_the_data_in_timelinejs(demo):
    Event.objects.filter(pk="us-sanctions-rosneft-lukoil-2025").update(
        title="<script>alert(1)</script> & co", summary='<img src=x onerror="alert(2)">'
    )
    slide = json.loads(export("timelinejs", Event.objects.filter(pk="us-sanctions-rosneft-lukoil-2025")))["events"][0]
    assert slide["text"]["headline"] == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    assert slide["text"]["text"].startswith("<p>&lt;img src=x onerror=&quot;alert(2)&quot;&gt;</p>")


# ---------------------------------------------------------------- filtered sets and queries


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_it_accepts_a_queryset_that_already_prefetches(demo, fmt):
    prefetched = Event.objects.with_dataset_relations().chronological()
    assert export(fmt, prefetched) == export(fmt)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_it_exports_only_the_events_of_the_filtered_queryset(demo, fmt):
    text = export(fmt, Event.objects.of_type("talks").chronological())
    if fmt in CSV_FORMATS:
        ids = [row["id"] for row in csv.DictReader(io.StringIO(text))]
    elif fmt == "json":
        ids = [event["id"] for event in json.loads(text)["events"]]
    elif fmt == "ndjson":
        ids = [json.loads(line)["id"] for line in text.splitlines()]
    elif fmt == "ics":
        ids = [str(v["UID"]).removesuffix("@chancery") for v in Calendar.from_ical(text).walk("VEVENT")]
    elif fmt == "geojson":
        ids = [feature["id"] for feature in json.loads(text)["features"]]
    elif fmt == "plover":
        ids = [json.loads(line)["id"] for line in text.splitlines()]
    else:
        ids = [slide["unique_id"] for slide in json.loads(text)["events"]]
    expected = [event_id for event_id in TALKS if fmt != "geojson" or event_id in LOCATED]
    assert ids == expected


# One round per chunk: the events, then the prefetched participants, citations (with their
# sources), relations and tags. json adds the chunk's relation targets that are in the set, the
# actor hierarchy and the actors; csv and ics add the participants' actor names, plover their names and countries.
QUERIES = {
    "csv": 6,
    "csv-excel": 6,
    "xlsx": 6,
    "json": 8,
    "ndjson": 5,
    "ics": 6,
    "geojson": 5,
    "timelinejs": 5,
    "plover": 6,
}
# On PostgreSQL, csv and ndjson read the whole set with one COPY (not counted): a savepoint (the tests run in
# a transaction), the session's settings, the savepoint's release.
if connection.vendor == "postgresql":
    QUERIES.update({"csv": 3, "csv-excel": 3, "ndjson": 3})


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_it_runs_as_many_queries_for_17_events_as_for_3(demo, fmt):
    # Three events that still have a relation, a location and actors with parents.
    three = ["us-seizes-more-russian-property-2017", "us-ru-talks-riyadh-2025", "us-sanctions-rosneft-lukoil-2025"]
    with CaptureQueriesContext(connection) as few:
        export(fmt, Event.objects.filter(pk__in=three).chronological())
    with CaptureQueriesContext(connection) as many:
        export(fmt, Event.objects.chronological())
    assert len(few) == len(many) == QUERIES[fmt]


def test_it_reads_the_events_a_chunk_at_a_time(demo, monkeypatch):
    monkeypatch.setattr(exports.base, "CHUNK_SIZE", 5)
    # The road every database takes (PostgreSQL's is in tests/exports/test_export_fast.py).
    monkeypatch.setattr(postgres, "on_postgresql", lambda events: False)
    with CaptureQueriesContext(connection) as queries:
        chunks = list(FORMATS["ndjson"].stream(Event.objects.chronological()))
    # 17 events in chunks of 5: four chunks, each with its four prefetches, after the one events query.
    assert [chunk.count("\n") for chunk in chunks] == [5, 5, 5, 2]
    assert len(queries) == 1 + 4 * 4


# ---------------------------------------------------------------- relations to events the reader may not see


@pytest.fixture
def related_to_a_draft(demo):
    related = [{"event": "us-ru-working-contacts-2025-11", "relation": "followed_by"}]
    moscow = {"name": "Moscow", "country": "RUS", "lat": 55.75, "lon": 37.62}
    import_document({"events": [event_record("ru-us-follow-up", start="2025-12-01", related=related, location=moscow)]})


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_an_export_for_anonymous_readers_names_no_unpublished_event(related_to_a_draft, fmt):
    text = export(fmt, Event.objects.visible_to(AnonymousUser()).chronological())
    assert "ru-us-follow-up" in text
    assert "us-ru-working-contacts-2025-11" not in text


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_an_export_of_every_event_keeps_every_relation(related_to_a_draft, fmt):
    text = export(fmt, Event.objects.filter(pk="ru-us-follow-up"))
    assert "followed_by" in text and "us-ru-working-contacts-2025-11" in text


def test_the_dataset_export_keeps_the_relations_to_drafts(related_to_a_draft, tmp_path):
    call_command("export_dataset", str(tmp_path / "all.json"), stdout=io.StringIO(), stderr=io.StringIO())
    events = {e["id"]: e for e in json.loads((tmp_path / "all.json").read_text())["events"]}
    assert events["ru-us-follow-up"]["related"] == [
        {"event": "us-ru-working-contacts-2025-11", "relation": "followed_by"}
    ]
