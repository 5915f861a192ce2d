"""The public page's list of releases, with their files and citation."""

import pytest

from tests.demo import manifest_of

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_releases_with_their_files_and_citation(client, two_releases):
    page = client.get("/").content.decode()
    assert 'id="releases"' in page
    for name in ("newer", "older"):
        manifest = manifest_of(two_releases, name)
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
