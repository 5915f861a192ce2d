"""The list of releases (the API's and the page's) is read from their manifests once, and again only when
the releases directory changes: a release written, or one taken away by hand."""

import json
import os
import shutil
import time

import pytest
from django.core.management import call_command

from events.releases import all_manifests

pytestmark = pytest.mark.django_db


def settle(directory):
    """The directory's mtime a minute ago: as if its last change were long past."""
    past = time.time_ns() - 60 * 1_000_000_000
    os.utime(directory, ns=(past, past))


def names():
    return [manifest["name"] for manifest in all_manifests()]


def test_the_manifests_are_not_read_again_while_the_directory_is_unchanged(two_releases):
    settle(two_releases)
    assert names() == ["newer", "older"]
    # A manifest changed in place (never done by `release`) does not touch the directory: the list stays.
    path = two_releases / "older" / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "name": "renamed"}), encoding="utf-8")

    assert names() == ["newer", "older"]


def test_a_release_written_is_listed_at_once(two_releases):
    settle(two_releases)
    assert names() == ["newer", "older"]

    call_command("release", "newest", verbosity=0)

    assert names() == ["newest", "newer", "older"]


def test_a_release_taken_away_is_no_longer_listed(two_releases):
    settle(two_releases)
    assert names() == ["newer", "older"]

    shutil.rmtree(two_releases / "older")

    assert names() == ["newer"]


def test_a_directory_changed_just_now_is_read_each_time(two_releases):
    # Its mtime may not move for a second change within the file system's clock tick: nothing is kept.
    assert names() == ["newer", "older"]
    path = two_releases / "older" / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "name": "renamed"}), encoding="utf-8")

    assert names() == ["newer", "renamed"]


def test_there_are_none_without_the_directory(releases):
    assert not releases.exists()
    assert all_manifests() == []
