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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, as deployed, not memory.

    Django's live server shares an in-memory database's one connection among its threads. Python's
    sqlite3 holds the GIL while it waits for that connection's mutex, and a thread inside SQLite calls
    back into Python (`casefold`, `fts_match`, Django's own functions) for the GIL while it holds the
    mutex: two threads could wait on each other for ever, and a browser test once hung CI that way.
    With a file each thread opens its own connection, and a writer waits for another (WAL, timeout)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


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
