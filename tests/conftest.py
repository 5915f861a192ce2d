"""Shared fixtures: the demo data, imported. The builders of records and the demo's facts are in tests/demo.py."""

import copy
import json

import pytest

from events.dataset import import_document

# The names the extraction and gazetteer tests import from here.
from tests.demo import ARTICLE_URL, DEMO_PATH, event_record, export_text, row_counts

__all__ = ["ARTICLE_URL", "DEMO_PATH", "event_record", "export_text", "row_counts"]


@pytest.fixture
def demo(db):
    """The demo dataset, imported; returns the document."""
    document = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    import_document(copy.deepcopy(document))
    return document
