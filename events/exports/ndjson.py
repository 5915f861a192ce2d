"""NDJSON: one event a line, in the dataset shape."""

from .. import postgres
from ..dataset import event_to_dict
from ..postgres import (
    NDJSON_EVENT_COLUMNS,
    NDJSON_JOINS,
    NDJSON_SELECT,
)
from . import base
from .base import ExportFormat, dump_json, read_chunks


class NDJSONFormat(ExportFormat):
    """One event a line, in the dataset shape, relations as stored."""

    name = "ndjson"
    media_type = "application/x-ndjson"
    extension = "ndjson"

    def stream(self, events, progress=None):
        if postgres.on_postgresql(events):
            # COPY's CSV quotes a field that holds its delimiter, its quote or a line break. JSON text escapes
            # every control character: with two of them as delimiter and quote, the line goes out as it is.
            options = r"FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02'"
            joins = NDJSON_JOINS[events.hides_unpublished]
            for chunk in postgres.database_copy(
                events, NDJSON_EVENT_COLUMNS, NDJSON_SELECT, joins, options, base.CHUNK_SIZE, progress
            ):
                yield b"".join(chunk).decode()
            return
        for chunk in read_chunks(events, progress=progress):
            yield "".join(dump_json(event_to_dict(event)) + "\n" for event in chunk)
