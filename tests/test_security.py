"""Security guards: request size, security headers and CSP, and escaping of stored text everywhere it is shown."""

import json
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Event
from events.security import CONTENT_SECURITY_POLICY, SWAGGER_POLICY
from tests.conftest import actor_record, event_record

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
XSS_ID = "xss-talks"
SEED = (Path(__file__).parent / "data" / "seed-article.txt").read_text(encoding="utf-8")


def assert_no_markup_from_the_data(html):
    assert "<script>alert" not in html
    assert "<img src=x" not in html


@pytest.fixture
def curator():
    return User.objects.create_superuser("ada", password="pass-8429!x")


# -- request size


def test_an_oversized_api_body_is_refused_with_413_before_it_is_read(curator, demo, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * 2**20
    client = APIClient()
    client.force_authenticate(curator)
    body = event_record("huge-event", summary="x" * (5 * 2**20))
    response = client.post("/api/v1/events/", body, format="json")
    assert response.status_code == 413
    length = int(response.wsgi_request.META["CONTENT_LENGTH"])
    assert response.json() == {"detail": f"the request body is {length} bytes; the limit is {5 * 2**20} bytes (5 MB)"}
    assert not Event.objects.filter(pk="huge-event").exists()


def test_the_limit_follows_the_setting_and_a_body_under_it_is_read(curator, demo, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4000
    client = APIClient()
    client.force_authenticate(curator)
    small = event_record("small-event", summary="x" * 1000)
    assert client.post("/api/v1/events/", small, format="json").status_code == 201
    big = event_record("big-event", summary="x" * 4000)
    response = client.patch(f"/api/v1/events/{XSS_ID}/", big, format="json")
    assert response.status_code == 413
    assert "the limit is 4000 bytes" in response.json()["detail"]


def test_anonymous_oversized_bodies_get_413_too(demo, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = APIClient().post("/api/v1/events/", {"summary": "x" * 200}, format="json")
    assert response.status_code == 413


# -- headers


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/v1/events/", "/api/schema/"])
def test_pages_carry_the_security_headers(demo, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_policy_loads_nothing_from_other_hosts():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "http" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


def test_only_the_swagger_page_may_run_its_inline_script(demo):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SWAGGER_POLICY
    assert SWAGGER_POLICY == CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


CHROMIUM = "/usr/bin/chromium"


def is_csp_violation_or_script_error(message):
    # A missing /favicon.ico on the admin's pages is a 404, not a policy matter.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is missing")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("path", ["/api/docs/", "/admin/login/"])
def test_pages_work_under_the_policy_in_a_browser(live_server, path):
    """A CSP violation is a console error; the public page is covered the same way by tests/test_browser.py."""
    sync_api = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--disable-background-networking"])
        page = browser.new_page()
        page.on("console", lambda message: is_csp_violation_or_script_error(message) and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.url + path)
        if path == "/api/docs/":
            page.wait_for_selector(".opblock-tag", timeout=15000)
        else:
            page.wait_for_selector("#id_username")
        browser.close()
    assert errors == []


# -- stored XSS: the payloads in every curated text field


@pytest.fixture
def hostile(demo):
    """A published event whose title, summary, quote, actor name and source title carry markup."""
    actor = actor_record("xss-land", name=f"Xss {IMG}", country="RUS")
    source = {
        "url": "https://example.org/xss",
        "title": f"Source {SCRIPT}",
        "publisher": f"Pub {IMG}",
        "published": "2025-02-19",
        "quote": f"Quote {SCRIPT} {IMG}",
        "claimed_by": "xss-land",
    }
    record = event_record(
        XSS_ID,
        title=f"Talks {SCRIPT}",
        summary=f"Summary {IMG}",
        participants=[{"actor": "xss-land", "role": "initiator"}, {"actor": "russia", "role": "participant"}],
        sources=[source],
    )
    import_document({"actors": [actor], "events": [record]})


def test_the_public_page_escapes_stored_text(hostile):
    html = Client().get("/", {"actor": "xss-land"}).content.decode()
    assert_no_markup_from_the_data(html)
    for shown in (
        f"Talks {ESCAPED_SCRIPT}",
        f"Summary {ESCAPED_IMG}",
        f"Source {ESCAPED_SCRIPT}",
        f"Xss {ESCAPED_IMG}",
    ):
        assert shown in html
    assert f"Quote {ESCAPED_SCRIPT} {ESCAPED_IMG}" in html


def test_the_api_returns_the_text_as_data_not_markup(hostile):
    event = APIClient().get(f"/api/v1/events/{XSS_ID}/").json()
    assert event["title"] == f"Talks {SCRIPT}"


def test_the_admin_escapes_stored_text(hostile, curator):
    client = Client()
    client.force_login(curator)
    pages = [
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_change", args=[XSS_ID]),
        reverse("admin:events_actor_changelist"),
        reverse("admin:events_source_changelist"),
        reverse("admin:events_citation_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_markup_from_the_data(response.content.decode())
    change = client.get(pages[1]).content.decode()
    assert f"Talks {ESCAPED_SCRIPT}" in change
    assert f"Quote {ESCAPED_SCRIPT} {ESCAPED_IMG}" in change
    assert f"Talks {ESCAPED_SCRIPT}" in client.get(pages[0]).content.decode()


def test_the_article_page_escapes_what_it_was_given(demo):
    user = User.objects.create_user("edith", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client = Client()
    client.force_login(user)
    text = SEED.replace("\n\n", f" {SCRIPT} {IMG}\n\n", 1)
    response = client.post(
        reverse("admin:events_source_from_article"),
        {"url": "https://news.example.org/xss", "published": "2025-02-19", "publisher": f"Pub {IMG}", "content": text},
    )
    assert response.status_code == 200
    assert response.context["rows"]
    html = response.content.decode()
    assert_no_markup_from_the_data(html)
    assert f"Pub {ESCAPED_IMG}" in html


def test_the_timelinejs_export_text_is_escaped_html(hostile):
    response = APIClient().get("/api/v1/events/export/", {"format": "timelinejs", "actor": "xss-land"})
    assert response.status_code == 200
    slides = json.loads(b"".join(response.streaming_content))["events"]
    (slide,) = [s for s in slides if s["unique_id"] == XSS_ID]
    assert slide["text"]["headline"] == f"Talks {ESCAPED_SCRIPT}"
    text = slide["text"]["text"]
    assert_no_markup_from_the_data(text)
    assert f"<p>Summary {ESCAPED_IMG}</p>" in text
    assert f">Source {ESCAPED_SCRIPT}</a>" in text
    assert f"Pub {ESCAPED_IMG}" in text
