"""XLSX: the CSV's rows as an Excel workbook, written while it streams.

openpyxl's write-only worksheet writes each row's XML as it is appended, and its inline strings need no
table of every text kept until the end. Here the sheet's XML goes straight into the workbook's ZIP
archive, which writes into a buffer emptied after each chunk of events: the first bytes leave before the
last event is read, and memory stays what one chunk needs, whatever the export's size. The rest of the
workbook (styles, the workbook's part, the content types) is openpyxl's, written after the sheet. A ZIP
written without seeking back carries each part's sizes after its data, as the format allows.

That road goes through three of openpyxl's inner names (`WorksheetWriter`, the sheet's `_writer` and
`_id`, `ExcelWriter.write_worksheet`): openpyxl is pinned, and tests/exports/test_xlsx.py reads every
file it writes back with openpyxl.

The same events give the same bytes (a release's SHA-256 then names its content, and the release's
workbook equals the export asked `as_of` its moment): every part of the archive is dated 1980-01-01, the
ZIP format's first day, as reproducible builds do, and so are the workbook's own creation and change.
"""

import contextlib
import datetime
import zipfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from ..shape import CSV_COLUMNS, csv_row, neutralise
from .base import ExportFormat, read_chunks

NUMBER_COLUMNS = frozenset({"location_lat", "location_lon", "goldstein"})
"""Columns written as numbers, which a spreadsheet sorts and sums; every other cell is text."""

SHEET_TITLE = "events"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The date of every part of the archive: none that changes from one export to the next."""
REPLACEMENT = "\ufffd"


class _DatedZip(zipfile.ZipFile):
    """A ZIP archive whose parts written by name (openpyxl's) are dated ZIP_TIME, not when they are written."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = _part(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def _part(name):
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # what ZipFile.writestr gives a part written by name
    return info


class _Buffer:
    """Where the archive writes: the bytes wait here until the next chunk is handed on. It cannot seek, so
    the ZIP writer puts each part's sizes after its data."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class _SheetWrittenWriter(ExcelWriter):
    """openpyxl's workbook writer for a sheet whose XML is in the archive already: it records the sheet
    (its relations, its entry in the content types) without copying its XML from a temporary file."""

    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


def _text(value):
    """A text cell's value: the control characters XML cannot hold (all but tab, line feed and carriage
    return) become U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)


def cells(ws, row):
    """The sheet's cells of a CSV row (`csv_row`, values as stored): numbers as numbers, text as text.

    A text that would open a formula is written as stored, typed as text (a cell of the sheet runs only
    what is written as a formula, never a text) and marked with Excel's `quotePrefix`, which is how Excel
    keeps the apostrophe typed before such a text: it shows the text, and editing the cell keeps it text.
    """
    values = []
    for column, value in zip(CSV_COLUMNS, row, strict=True):
        if value == "":
            values.append(None)
        elif column in NUMBER_COLUMNS:
            values.append(float(value))
        elif neutralise(value) != value:
            cell = WriteOnlyCell(ws, _text(value))
            cell.data_type = "s"  # openpyxl takes a text starting with "=" for a formula
            cell.quotePrefix = True
            values.append(cell)
        else:
            values.append(_text(value))
    return values


class XLSXFormat(ExportFormat):
    """An Excel workbook of one sheet: the CSV's header and one row per event (docs/exports.md)."""

    name = "xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"
    binary = True

    def stream(self, events, progress=None):
        buffer = _Buffer()
        archive = _DatedZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        workbook = Workbook(write_only=True)
        workbook.properties.created = workbook.properties.modified = datetime.datetime(*ZIP_TIME)
        ws = workbook.create_sheet(SHEET_TITLE)
        ws._id = 1  # its part's name, xl/worksheets/sheet1.xml, which openpyxl would give it when saving
        ws.freeze_panes = "A2"  # the header stays in view
        entry = archive.open(_part(ws.path[1:]), "w", force_zip64=True)
        ws._writer = WorksheetWriter(ws, out=entry)
        ws._writer.write_top()
        bold = Font(bold=True)
        header = []
        for column in CSV_COLUMNS:
            cell = WriteOnlyCell(ws, column)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        chunks = read_chunks(events, actor_names=True, progress=progress)
        finished = False
        try:
            for chunk in chunks:
                for event in chunk:
                    ws.append(cells(ws, csv_row(event)))
                if data := buffer.take():
                    yield data
            ws.close()
            entry.close()
            _SheetWrittenWriter(workbook, archive).save()  # the other parts, then the archive's directory
            finished = True
            yield buffer.take()
        finally:
            chunks.close()
            if not finished:  # the reader stopped early, or an error: close what is open, and send nothing more
                with contextlib.suppress(Exception):
                    entry.close()
                    archive.close()
