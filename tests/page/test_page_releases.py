"""The public page's list of releases, with their files and citation."""

import json
import time

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases(settings, tmp_path):
    settings.CHANCERY_RELEASES_DIR = tmp_path / "releases"
    settings.CHANCERY_SITE_URL = "https://chancery.example.org"
    return settings.CHANCERY_RELEASES_DIR


@pytest.fixture
def two(demo, releases):
    """Two releases of the demo data, `older` made before `newer`."""
    call_command("release", "older", verbosity=0)
    time.sleep(0.001)
    call_command("release", "newer", verbosity=0)
    return releases


def manifest_of(releases, name):
    return json.loads((releases / name / "manifest.json").read_text(encoding="utf-8"))


def test_the_page_lists_the_releases_with_their_files_and_citation(client, two):
    page = client.get("/").content.decode()
    assert 'id="releases"' in page
    for name in ("newer", "older"):
        manifest = manifest_of(two, name)
        assert f'data-release="{name}"' in page
        assert manifest["citation"] in page
        for entry in manifest["files"]:
            assert f'href="/api/v1/releases/{name}/{entry["name"]}"' in page
            assert entry["sha256"] in page
    assert page.index('data-release="newer"') < page.index('data-release="older"')


def test_the_page_links_to_the_releases_without_any(client, demo, releases):
    page = client.get("/").content.decode()
    assert 'id="releases"' not in page
    assert 'href="/api/v1/releases/">Releases</a>' in page
