"""/api/v1/releases/: the releases' manifests and their files, as written."""

import hashlib
import json

import pytest
import yaml
from rest_framework.test import APIClient

from events.exports import FORMATS
from tests.demo import manifest_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return APIClient()


def test_the_list_is_empty_without_releases(anonymous, releases):
    response = anonymous.get("/api/v1/releases/")
    assert response.status_code == 200
    assert response.json() == []


def test_the_list_shows_every_release_latest_first_with_its_files(anonymous, two_releases):
    response = anonymous.get("/api/v1/releases/")
    assert response.status_code == 200
    listed = response.json()
    assert [release["name"] for release in listed] == ["newer", "older"]
    manifest = manifest_of(two_releases, "newer")
    base = "http://testserver/api/v1/releases/newer/"
    assert listed[0] == {
        **manifest,
        "files": [{**entry, "url": base + entry["name"]} for entry in manifest["files"]],
        "url": base,
        "manifest_url": base + "manifest.json",
    }
    assert listed[0]["citation"].startswith("Chancery, release newer (the published events as of ")


def test_one_release_is_its_manifest_with_addresses(anonymous, two_releases):
    response = anonymous.get("/api/v1/releases/older/")
    assert response.status_code == 200
    assert response.json() == anonymous.get("/api/v1/releases/").json()[1]


@pytest.mark.parametrize("name", ["nothing", "..", "Older", "older.json"])
def test_a_release_that_does_not_exist_is_a_404(anonymous, two_releases, name):
    response = anonymous.get(f"/api/v1/releases/{name}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_file_is_served_as_written_with_its_media_type_and_etag(anonymous, two_releases):
    manifest = manifest_of(two_releases, "older")
    for entry in manifest["files"]:
        response = anonymous.get(f"/api/v1/releases/older/{entry['name']}")
        assert response.status_code == 200, entry["name"]
        body = b"".join(response.streaming_content)
        assert body == (two_releases / "older" / entry["name"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert response["Content-Type"] == FORMATS[entry["format"]].media_type
        assert response["Content-Length"] == str(entry["size"])
        assert response["ETag"] == f'"{entry["sha256"]}"'
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["Content-Disposition"] == f'attachment; filename="{entry["name"]}"'


def test_the_manifest_is_served_too(anonymous, two_releases):
    response = anonymous.get("/api/v1/releases/older/manifest.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(b"".join(response.streaming_content)) == manifest_of(two_releases, "older")


def test_a_file_you_have_is_a_304(anonymous, two_releases):
    entry = manifest_of(two_releases, "older")["files"][0]
    url = f"/api/v1/releases/older/{entry['name']}"
    response = anonymous.get(url, HTTP_IF_NONE_MATCH=f'"{entry["sha256"]}"')
    assert response.status_code == 304
    assert response["ETag"] == f'"{entry["sha256"]}"'
    assert anonymous.get(url, HTTP_IF_NONE_MATCH='"another", "' + entry["sha256"] + '"').status_code == 304
    assert anonymous.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert anonymous.get(url, HTTP_IF_NONE_MATCH='"another"').status_code == 200


def test_head_answers_the_headers_of_a_file(anonymous, two_releases):
    entry = manifest_of(two_releases, "older")["files"][0]
    response = anonymous.head(f"/api/v1/releases/older/{entry['name']}")
    assert response.status_code == 200
    assert response["ETag"] == f'"{entry["sha256"]}"'


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/releases/older/chancery-newer.csv",  # another release's file
        "/api/v1/releases/older/nothing.csv",
        "/api/v1/releases/older/..",
        "/api/v1/releases/older/.",
        "/api/v1/releases/../older/manifest.json",
        "/api/v1/releases/../releases/older/manifest.json",
        "/api/v1/releases/older/..%2Fnewer%2Fmanifest.json",
        "/api/v1/releases/older/%2E%2E",
        "/api/v1/releases/../manifest.json",
        "/api/v1/releases/..%2Fnewer/manifest.json",
        "/api/v1/releases/nothing/manifest.json",
        "/api/v1/releases/older/secret.txt",  # in the directory, but not in the release
        "/api/v1/releases/..%2F..%2Fetc/passwd",
    ],
)
def test_a_file_outside_the_release_is_a_404(anonymous, two_releases, path):
    (two_releases / "older" / "secret.txt").write_text("not a file of the release")
    (two_releases / "manifest.json").write_text("{}")
    assert anonymous.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/releases/",
        "/api/v1/releases/older/",
        "/api/v1/releases/older/manifest.json",
        "/api/v1/releases/older/chancery-older.csv",
    ],
)
def test_a_parameter_the_endpoint_does_not_take_is_a_400_naming_it(anonymous, two_releases, path):
    response = anonymous.get(path, {"format": "csv"})
    assert response.status_code == 400
    assert list(response.json()) == ["format"]


def test_the_schema_describes_the_releases(anonymous):
    paths = yaml.safe_load(anonymous.get("/api/schema/").content)["paths"]
    assert {"/api/v1/releases/", "/api/v1/releases/{name}/", "/api/v1/releases/{name}/{file}"} <= set(paths)


def test_a_manifest_changed_by_hand_into_something_unreadable_is_not_served(anonymous, two_releases, caplog):
    (two_releases / "older" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert [release["name"] for release in anonymous.get("/api/v1/releases/").json()] == ["newer"]
    assert anonymous.get("/api/v1/releases/older/").status_code == 404
    assert anonymous.get("/api/v1/releases/older/chancery-older.csv").status_code == 404
    assert "is not a release's manifest" in caplog.text
