"""The exports for spreadsheets: `csv-excel` (the CSV with a byte-order mark) and `xlsx` (an Excel workbook).

The workbook is read back with openpyxl and compared with the CSV, cell for cell; on both databases
(SQLite, and PostgreSQL with DATABASE_URL set, where the CSV is written by the database's COPY).
"""

import csv
import io
import tracemalloc
import zipfile

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from events import exports
from events.admin.upload import csv_to_document
from events.dataset import import_document
from events.exports import FORMATS
from events.exports.xlsx import NUMBER_COLUMNS
from events.models import Event
from events.shape import CSV_COLUMNS
from tests.demo import dataset, event_record
from tests.exports import xlsx_rows
from tests.exports.test_csv_formulas import HYPERLINK, formula_event

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get(client, query):
    response = client.get(f"/api/v1/events/export/?{query}")
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def as_cells(csv_row):
    """The cells the workbook has for a row of the CSV as stored (csv_raw=true)."""
    return tuple(
        None if value == "" else float(value) if column in NUMBER_COLUMNS else value
        for column, value in zip(CSV_COLUMNS, csv_row, strict=True)
    )


# ---------------------------------------------------------------- xlsx


def test_the_xlsx_holds_what_the_csv_holds_cell_for_cell(client, demo):
    import_document(dataset(formula_event()))
    response, data = get(client, "format=xlsx")
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="chancery-events-')
    assert response["Content-Disposition"].endswith('.xlsx"')

    rows = xlsx_rows(data)
    _, raw = get(client, "format=csv&csv_raw=true")
    expected = csv_rows(raw.decode())
    assert rows[0] == tuple(CSV_COLUMNS) == tuple(expected[0])
    assert rows[1:] == [as_cells(row) for row in expected[1:]]
    assert len(rows) == Event.objects.published().count() + 1


def test_the_xlsx_writes_dates_as_text_in_their_precision(client, demo):
    rows = {row[0]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in xlsx_rows(get(client, "format=xlsx")[1])}
    dialogue = rows["us-ru-bilateral-dialogue-2025"]
    assert (dialogue["start"], dialogue["start_precision"], dialogue["end"], dialogue["end_precision"]) == (
        "2025-02",
        "month",
        "2025-11",
        "month",
    )
    sanctions = rows["us-sanctions-rosneft-lukoil-2025"]
    assert (sanctions["start"], sanctions["goldstein"], sanctions["cameo_code"]) == ("2025-10-22", -8.0, "163")
    assert sanctions["initiator_names"] == "Donald Trump | United States"
    # No cell is a spreadsheet date: the file has no date style, every date cell is a text.
    workbook = load_workbook(io.BytesIO(get(client, "format=xlsx")[1]))
    start = CSV_COLUMNS.index("start") + 1
    sheet = workbook["events"]
    assert {sheet.cell(row, start).data_type for row in range(2, sheet.max_row + 1)} == {"s"}


def test_the_xlsx_keeps_a_text_that_opens_a_formula_text(client, demo):
    import_document(dataset(formula_event()))
    workbook = load_workbook(io.BytesIO(get(client, "format=xlsx&type=diplomats.expelled")[1]))
    sheet = workbook["events"]
    (number,) = [index for index in range(2, sheet.max_row + 1) if sheet.cell(index, 1).value == "formula-talks"]
    row = {column: sheet.cell(number, index) for index, column in enumerate(CSV_COLUMNS, 1)}
    # As stored, typed as text (never a formula) and marked as Excel marks a text typed after an apostrophe.
    for column, value in [("title", HYPERLINK), ("summary", "+1 delegation"), ("location_name", "@Riyadh")]:
        assert (row[column].value, row[column].data_type, row[column].quotePrefix) == (value, "s", True), column
    assert (row["source_titles"].value, row["source_titles"].quotePrefix) == ("-2+3 talks | '=already quoted", True)
    # Other texts carry no mark; numbers are numbers, negative ones included.
    assert (row["type"].value, row["type"].quotePrefix) == ("diplomats.expelled", False)
    assert (row["location_lon"].value, row["location_lon"].data_type, row["goldstein"].value) == (-3.7, "n", -7.0)
    sheet_xml = zipfile.ZipFile(io.BytesIO(get(client, "format=xlsx")[1])).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


def test_the_xlsx_writes_characters_xml_cannot_hold_as_a_replacement_character(client, demo):
    import_document(dataset(event_record("control-characters", title="Bell\x07 and form feed\x0c, tab\tkept")))
    rows = {row[0]: row for row in xlsx_rows(get(client, "format=xlsx")[1])}
    assert rows["control-characters"][1] == "Bell\ufffd and form feed\ufffd, tab\tkept"


def test_the_xlsx_of_no_events_is_a_sheet_with_the_header(client, db):
    assert xlsx_rows(get(client, "format=xlsx")[1]) == [tuple(CSV_COLUMNS)]


def test_export_events_writes_an_xlsx_file(demo, tmp_path):
    target = tmp_path / "talks.xlsx"
    call_command("export_events", "--format", "xlsx", "--type", "talks", str(target), stderr=io.StringIO())
    rows = xlsx_rows(target.read_bytes())
    assert [row[0] for row in rows[1:]] == list(
        Event.objects.of_type("talks").chronological().values_list("id", flat=True)
    )
    assert not list(tmp_path.glob(".export-*"))


def test_export_events_writes_an_xlsx_to_standard_output(demo, capfdbinary):
    call_command("export_events", "--format", "xlsx", "--type", "sanctions", "-", stderr=io.StringIO())
    assert [row[0] for row in xlsx_rows(capfdbinary.readouterr().out)[1:]] == [
        "us-sanctions-russia-2022",
        "us-sanctions-rosneft-lukoil-2025",
    ]


def generated(count):
    call_command("generate_events", events=count, seed=5, stdout=io.StringIO())
    return Event.objects.chronological()


def consumed(events):
    """(the number of non-empty pieces the xlsx export yields, the peak of Python's memory while it runs)."""
    tracemalloc.start()
    try:
        pieces = sum(1 for piece in FORMATS["xlsx"].stream(events) if piece)
        return pieces, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_xlsx_streams_a_chunk_at_a_time_in_constant_memory(monkeypatch):
    monkeypatch.setattr(exports.base, "CHUNK_SIZE", 50)
    events = generated(900)
    small_pieces, small_peak = consumed(events[:150])
    pieces, peak = consumed(events)
    # The bytes leave as the chunks are written, not all at the end.
    assert pieces > 5
    # Six times the events, about the same memory: what one chunk needs, not what the file holds.
    assert peak < small_peak * 1.5
    assert small_pieces < pieces


# ---------------------------------------------------------------- csv-excel


def test_the_excel_csv_is_the_csv_after_a_byte_order_mark(client, demo):
    response, data = get(client, "format=csv-excel")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    assert data.startswith(b"\xef\xbb\xbfid,title,")
    assert data[3:] == get(client, "format=csv")[1]
    assert data.count(b"\r\n") == data.count(b"\n")  # every line ends in CRLF
    _, raw = get(client, "format=csv-excel&csv_raw=true")
    assert raw == b"\xef\xbb\xbf" + get(client, "format=csv&csv_raw=true")[1]


def test_export_events_writes_the_excel_csv(demo, tmp_path):
    target = tmp_path / "talks.csv"
    call_command("export_events", "--format", "csv-excel", "--type", "talks", str(target), stderr=io.StringIO())
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,")
    assert len(csv_rows(data.decode("utf-8-sig"))) == 1 + Event.objects.of_type("talks").count()


def test_the_admin_import_reads_the_excel_csv(admin_client, demo):
    _, data = get(admin_client, "format=csv-excel")
    document = csv_to_document(data.decode("utf-8"))
    assert len(document["events"]) == Event.objects.count()
