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
"""

import contextlib
import time
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
REPLACEMENT = "\ufffd"


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
        archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(SHEET_TITLE)
        ws._id = 1  # its part's name, xl/worksheets/sheet1.xml, which openpyxl would give it when saving
        ws.freeze_panes = "A2"  # the header stays in view
        entry_info = zipfile.ZipInfo(ws.path[1:], time.localtime()[:6])
        entry_info.compress_type = zipfile.ZIP_DEFLATED
        entry = archive.open(entry_info, "w", force_zip64=True)
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
