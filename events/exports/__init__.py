"""Export formats: the same filtered, ordered events, written as CSV, XLSX, JSON, iCalendar, GeoJSON, TimelineJS...

Each format streams: `stream(events)` reads the queryset a chunk at a time
(`CHUNK_SIZE` events, with their relations prefetched for the chunk) and
yields text as it goes, so an export of any size runs in constant memory and
a constant number of queries per chunk. The caller (the API's export
endpoint, a management command) filters and orders; the exporter writes
exactly what it is given. The formats are described in docs/exports.md.

Each format is a module of this package (csv.py, json.py, ...) defining an
`ExportFormat` (base.py), registered below: a new format is one new module
and its line in `FORMATS`.

On PostgreSQL, CSV and NDJSON take a faster road to the same bytes: the
database flattens each event (its actors by role, sources, tags, relations)
into the CSV's fields or the NDJSON line, writes them out with one
`COPY ... TO STDOUT`, and Python passes the rows on (events/postgres.py `database_copy`).
Building model instances, grouping their relations and quoting their fields
in Python was most of an export's time.
"""

import datetime

from django.utils import timezone

from . import csv, geojson, ics, json, ndjson, plover, timelinejs, xlsx
from .base import ExportFormat, streamed

FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        csv.CSVFormat(),
        csv.ExcelCSVFormat(),
        xlsx.XLSXFormat(),
        json.DatasetJSONFormat(),
        ndjson.NDJSONFormat(),
        ics.ICSFormat(),
        geojson.GeoJSONFormat(),
        timelinejs.TimelineJSFormat(),
        plover.PLOVERFormat(),
    )
}
"""The formats by name, in the order the API, the page and the docs list them."""


def export_filename(fmt_name, when=None) -> str:
    """The download's file name, e.g. 'chancery-events-2026-11-28.csv'; `when` is a date or datetime (today)."""
    fmt = FORMATS[fmt_name]
    if when is None:
        when = timezone.localdate()
    elif isinstance(when, datetime.datetime):
        when = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    return f"chancery-events-{when.isoformat()}.{fmt.extension}"


__all__ = ["FORMATS", "ExportFormat", "export_filename", "streamed"]
