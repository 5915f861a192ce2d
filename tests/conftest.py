"""Shared fixtures: the demo data, imported. The builders of records and the demo's facts are in tests/demo.py."""

import copy
import json
import time

import pytest
from django.core.management import call_command

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


@pytest.fixture
def releases(settings, tmp_path):
    """An empty directory of releases, and the site's address their citations name."""
    settings.CHANCERY_RELEASES_DIR = tmp_path / "releases"
    settings.CHANCERY_SITE_URL = "https://chancery.example.org"
    return settings.CHANCERY_RELEASES_DIR


@pytest.fixture
def two_releases(demo, releases):
    """Two releases of the demo data, `older` made before `newer`."""
    call_command("release", "older", verbosity=0)
    time.sleep(0.001)
    call_command("release", "newer", verbosity=0)
    return releases
