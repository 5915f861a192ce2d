"""The event's shape is declared once (events/shape.py): what else describes an event agrees with it."""

from events.api.fields import API_ONLY_KEYS
from events.api.serializers import EVENT_EXAMPLE, CitedSourceSerializer, EventSerializer
from events.postgres import CSV_EVENT_COLUMNS, CSV_FIELDS, NDJSON_EVENT_COLUMNS
from events.shape import CSV_COLUMNS, EVENT_KEYS, FIELDS, FREE_TEXT_COLUMNS, SOURCE_KEYS


def test_the_api_declares_the_keys_of_the_shape_in_its_order():
    assert tuple(EventSerializer().fields) == EVENT_KEYS + API_ONLY_KEYS
    assert tuple(CitedSourceSerializer().fields) == SOURCE_KEYS
    assert tuple(EVENT_EXAMPLE) == EVENT_KEYS


def test_every_csv_column_has_its_sql_and_comes_once():
    assert tuple(CSV_FIELDS) == CSV_COLUMNS
    assert len(set(CSV_COLUMNS)) == len(CSV_COLUMNS)
    assert FREE_TEXT_COLUMNS <= set(CSV_COLUMNS)


def test_the_csv_keeps_its_column_order():
    # Version 2 of the CSV (docs/exports.md): the type's codes after the location, the sources before the review.
    assert CSV_COLUMNS[9:14] == ("initiators", "targets", "participants", "mediators", "hosts")
    assert CSV_COLUMNS[18:24] == ("cameo_code", "goldstein", "plover_type", "plover_mode", "tags", "related")
    assert CSV_COLUMNS[24:31] == (
        "source_urls", "source_titles", "publishers", "published_dates", "quotes", "claimed_by", "review_state"
    )  # fmt: skip
    # Version 3: the actors' names, a column a role, after everything version 2 had.
    assert CSV_COLUMNS[31:] == ("initiator_names", "target_names", "participant_names", "mediator_names", "host_names")


def test_the_database_reads_only_the_columns_the_fields_name():
    reads = {name for field in FIELDS for name in field.reads}
    assert set(NDJSON_EVENT_COLUMNS) <= reads
    assert set(CSV_EVENT_COLUMNS) == reads
    assert not any(name.startswith("type__") for name in NDJSON_EVENT_COLUMNS)
