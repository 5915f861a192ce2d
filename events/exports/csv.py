"""CSV: one row per event, its columns declared by the event's shape (events/shape.py)."""

import csv
import io

from .. import postgres
from ..postgres import (
    CSV_EVENT_COLUMNS,
    CSV_JOINS,
    CSV_SELECT,
    CSV_SELECT_RAW,
)
from ..shape import (
    CSV_COLUMNS,
    FREE_TEXT_COLUMNS,
    csv_row,
    neutralise,
)
from . import base
from .base import ExportFormat, read_chunks

CSV_VERSION = 3
"""Version of the CSV columns (docs/exports.md); any change to `CSV_COLUMNS`, or to how their values are
written, increments it. 2: free text neutralised against spreadsheet formulas (`neutralise`). 3: the actors'
names beside their ids, in five columns at the end."""


# Where `neutralise` applies in a row of `csv_row`.
_TEXT_POSITIONS = [index for index, column in enumerate(CSV_COLUMNS) if column in FREE_TEXT_COLUMNS]


def neutralised_row(row):
    for index in _TEXT_POSITIONS:
        row[index] = neutralise(row[index])
    return row


class CSVFormat(ExportFormat):
    """One row per event, columns of version CSV_VERSION; RFC 4180 quoting and CRLF line ends.

    Text cells a spreadsheet would run as formulas are neutralised (`neutralise`); with `raw`, every
    value is written as stored.
    """

    name = "csv"
    media_type = "text/csv; charset=utf-8"
    extension = "csv"
    version = CSV_VERSION
    takes_raw = True

    def stream(self, events, progress=None, raw=False):
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush():
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        writer.writerow(CSV_COLUMNS)
        yield flush()
        if postgres.on_postgresql(events):
            select = CSV_SELECT_RAW if raw else CSV_SELECT
            joins = CSV_JOINS[events.hides_unpublished]
            rows = postgres.database_copy(
                events, CSV_EVENT_COLUMNS, select, joins, "FORMAT csv", base.CHUNK_SIZE, progress
            )
            for chunk in rows:
                # Each row ends with \n, where the csv module writes \r\n; a line break inside a field is quoted.
                yield (b"\r\n".join([row[:-1] for row in chunk]) + b"\r\n").decode()
            return
        for chunk in read_chunks(events, actor_names=True, progress=progress):
            rows = (csv_row(event) for event in chunk)
            writer.writerows(rows if raw else map(neutralised_row, rows))
            yield flush()


class ExcelCSVFormat(CSVFormat):
    """The same CSV, opened by a double click in Excel: a UTF-8 byte-order mark first (the lines end in CRLF
    already). Without the mark Excel reads the file in the system's legacy code page, and "Türkiye" comes out
    as "TÃ¼rkiye"."""

    name = "csv-excel"
    extension = "excel.csv"  # a file of its own beside the CSV in a release; still a .csv to a spreadsheet

    def stream(self, events, progress=None, raw=False):
        yield BYTE_ORDER_MARK
        yield from super().stream(events, progress=progress, raw=raw)


BYTE_ORDER_MARK = "\ufeff"
