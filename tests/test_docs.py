"""The documentation stays true: every filter is documented, every example runs."""

import re
import shlex
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from events.exports import FORMATS
from events.filters import EventFilter

DOCS = Path(__file__).resolve().parents[1] / "docs"
API_DOC = (DOCS / "api.md").read_text(encoding="utf-8")


def documented_filters():
    """The names in the first column of the filter table."""
    table = API_DOC.split("## Filters", 1)[1].split("## Errors", 1)[0]
    rows = re.findall(r"^\| (`\w+`(?:, `\w+`)*) \|", table, re.M)
    return {name for row in rows for name in re.findall(r"`(\w+)`", row)}


def test_every_filter_of_the_event_list_is_documented():
    assert set(EventFilter.base_filters) - documented_filters() == set()


def test_every_export_format_is_documented():
    exports = (DOCS / "exports.md").read_text(encoding="utf-8")
    assert [name for name in FORMATS if f"`{name}`" not in exports] == []


def curl_examples():
    for line in API_DOC.splitlines():
        if line.startswith("curl -s '"):
            yield shlex.split(line)[2]


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(curl_examples()))
def test_every_read_example_of_the_api_doc_runs_on_the_demo_data(demo, url):
    client = APIClient()
    # The token of the examples that read drafts is a curator's: staff status alone shows published events only.
    analyst = User.objects.create_user("analyst", is_staff=True)
    analyst.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_authenticate(analyst)
    parts = urlsplit(url)
    response = client.get(parts.path, parse_qs(parts.query))
    assert response.status_code == 200, response.content
    if "results" in response.json() and "/deleted/" not in url:
        assert response.json()["results"], f"{url} finds nothing in the demo data"


@pytest.mark.django_db
def test_the_documented_answer_to_the_talks_question_holds(demo):
    response = APIClient().get(
        "/api/v1/events/",
        {"actor": ["russia", "united-states"], "type": "talks", "date_from": "2022-01-01"},
    )
    assert [e["start"] for e in response.json()["results"]] == [
        "2025",
        "2025-02",
        "2025-02",
        "2025-02-18",
        "2025-02-27",
    ]


@pytest.mark.django_db
def test_the_documented_timeline_example_holds(demo):
    response = APIClient().get("/api/v1/timeline/", {"type": "diplomats", "interval": "year"})
    assert response.content.decode() in API_DOC
