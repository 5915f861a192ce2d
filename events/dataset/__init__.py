"""The dataset file: reading, checking, importing and writing it.

A dataset is `{"actors": [ACTOR...], "events": [EVENT...]}` (docs/dataset.md).
Every way an event enters Chancery (a file, the API, the admin's import)
goes through `DatasetReader` (reader.py), which applies the models' own
validation and reports each problem with the record's id and the field.
Nothing is written unless the whole input is clean (importer.py). files.py
parses and writes the file's text; records.py writes stored rows as records.
"""

from .files import MAX_DEPTH, NOT_UNICODE, SURROGATE, TOO_DEEP, parse_json, printable, unreadable, write_dataset
from .importer import CHUNK, ImportSummary, import_document, lock_event_id, save_dataset, wait_for_other_imports
from .problems import DatasetError, Problem, WriteConflict
from .reader import DatasetReader
from .records import actor_to_dict, content_changes, event_to_dict, source_to_dict

__all__ = [
    "CHUNK",
    "MAX_DEPTH",
    "NOT_UNICODE",
    "SURROGATE",
    "TOO_DEEP",
    "DatasetError",
    "DatasetReader",
    "ImportSummary",
    "Problem",
    "WriteConflict",
    "actor_to_dict",
    "content_changes",
    "event_to_dict",
    "import_document",
    "lock_event_id",
    "parse_json",
    "printable",
    "save_dataset",
    "source_to_dict",
    "unreadable",
    "wait_for_other_imports",
    "write_dataset",
]
