"""The admin's upload: a dataset file or a CSV, previewed before anything is written.

The CSV is the export's own (docs/exports.md, version 3, 2 or 1): what
Chancery writes as CSV it reads back. Every check is the dataset reader's, so an
upload meets exactly the rules of `import_dataset`.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from ..dataset import (
    DatasetError,
    DatasetReader,
    ImportSummary,
    Problem,
    parse_json,
    save_dataset,
    wait_for_other_imports,
)
from ..dataset.review import review_problems
from ..models import Event
from ..shape import (
    CSV_COLUMNS,
    FREE_TEXT_COLUMNS,
    LIST_SEPARATOR,
    ROLE_COLUMNS,
    ROLE_NAME_COLUMNS,
    restore,
    split_source_values,
)

# Columns the CSV export derives from other data (the type's codes, the actors' names): read back, they are ignored.
DERIVED_COLUMNS = {"cameo_code", "goldstein", "plover_type", "plover_mode", *ROLE_NAME_COLUMNS.values()}
REQUIRED_COLUMNS = ("id", "title", "type", "start")
MAX_DUPLICATE_CHECKS = 200


def csv_to_document(text):
    """A dataset document from CSV text with the export's columns (any order, derived ones optional)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if missing or unknown:
        problems = [Problem("file", "csv", f"missing column {c!r}") for c in missing]
        problems += [Problem("file", "csv", f"unknown column {c!r} (see docs/exports.md)") for c in unknown]
        raise DatasetError(problems)
    try:
        return {"events": [_event_from_row(_restored(row)) for row in reader]}
    except csv.Error as exc:
        raise DatasetError([Problem("file", "csv", f"line {reader.line_num}: {exc}")]) from None


def _restored(row):
    """The row's values as stored, where the export neutralised its free text against spreadsheet
    formulas (`events.exports.neutralise`). A value that was not neutralised reads as it is, except one
    starting with apostrophes then a formula's first character: the export never writes such a value
    without adding an apostrophe, so one is taken off."""
    return {
        column: restore(value) if column in FREE_TEXT_COLUMNS and isinstance(value, str) else value
        for column, value in row.items()
    }


def _split(text):
    """A '; '-joined list of slugs."""
    return [item.strip() for item in (text or "").split(LIST_SEPARATOR.strip()) if item.strip()]


def _number(text):
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text  # the reader names it as not a number


def _event_from_row(row):
    urls = split_source_values(row.get("source_urls") or "")

    def per_source(column):
        values = split_source_values(row.get(column) or "")
        return values + [""] * (len(urls) - len(values))

    titles, publishers, dates = per_source("source_titles"), per_source("publishers"), per_source("published_dates")
    quotes, claimants = per_source("quotes"), per_source("claimed_by")
    location = None
    if row.get("location_name"):
        location = {
            "name": row["location_name"],
            "country": row.get("location_country") or None,
            "lat": _number(row.get("location_lat")),
            "lon": _number(row.get("location_lon")),
        }
    related = []
    for item in _split(row.get("related")):
        relation, _, target = item.partition(":")
        related.append({"event": target, "relation": relation})
    return {
        "id": row["id"],
        "title": row["title"],
        "summary": row.get("summary") or "",
        "type": row["type"],
        "status": row.get("status") or "occurred",
        "start": row["start"],
        **({"start_precision": row["start_precision"]} if row.get("start_precision") else {}),
        "end": row.get("end") or None,
        "end_precision": row.get("end_precision") or None,
        "participants": [
            {"actor": actor, "role": role} for role, column in ROLE_COLUMNS.items() for actor in _split(row.get(column))
        ],
        "location": location,
        "sources": [
            {
                "url": url,
                "title": titles[i],
                "publisher": publishers[i],
                "published": dates[i] or None,
                "quote": quotes[i],
                "claimed_by": claimants[i] or None,
            }
            for i, url in enumerate(urls)
        ],
        "tags": _split(row.get("tags")),
        "related": related,
        "review_state": row.get("review_state") or "draft",
    }


def read_upload(name, data):
    """The dataset document in an uploaded file: `.csv` by its name, else a dataset file (JSON)."""
    if name.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DatasetError([Problem("file", "csv", f"not UTF-8 text: {exc.reason} at byte {exc.start}")]) from None
        return csv_to_document(text)
    return parse_json(data)


@dataclass
class Preview:
    """What an import would do, found by doing it and rolling it back."""

    summary: ImportSummary | None = None
    problems: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)  # (new event id, [stored events])
    checked_all_duplicates: bool = True


def import_upload(document, user):
    """Import an upload for `user`, atomically, under the same rules as its preview."""
    with transaction.atomic():
        wait_for_other_imports()
        reader = DatasetReader(document).read()
        review_problems(reader, user)
        return save_dataset(reader, user=user, reason="admin import")


def preview(document, user=None):
    result = Preview()
    try:
        with transaction.atomic():
            reader = DatasetReader(document).read()
            if user is not None:
                review_problems(reader, user)
            stored = set(Event.objects.filter(pk__in=[c.event.pk for c in reader.events]).values_list("pk", flat=True))
            new_events = [c for c in reader.events if c.event.pk not in stored]
            result.summary = save_dataset(reader, user=user, reason="admin import preview")
            transaction.set_rollback(True)
    except DatasetError as exc:
        result.problems = exc.problems
        return result
    result.checked_all_duplicates = len(new_events) <= MAX_DUPLICATE_CHECKS
    for clean in new_events[:MAX_DUPLICATE_CHECKS]:
        actors = {actor for actor, _ in clean.participants}
        candidates = list(Event.objects.likely_duplicates(clean.event, actors)[:5])
        if candidates:
            result.duplicates.append((clean.event.pk, candidates))
    return result
