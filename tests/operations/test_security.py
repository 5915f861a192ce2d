"""Security guards: request size, security headers and CSP, and escaping of stored text everywhere it is shown."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Event
from events.security import CONTENT_SECURITY_POLICY, SWAGGER_POLICY
from tests.demo import actor_record, event_record
from tests.servers import ROOT, free_port, gunicorn, manage, request, security_headers, sent_security_headers

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
XSS_ID = "xss-talks"
SEED = (Path(__file__).parents[1] / "data" / "seed-article.txt").read_text(encoding="utf-8")


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


# Every kind of response of a production server: (name, method, path, request headers, body, status).
RESPONSES = [
    ("public page", "GET", "/", {}, None, 200),
    ("event list", "GET", "/api/v1/events/", {}, None, 200),
    ("bad parameter", "GET", "/api/v1/events/?date_from=soon", {}, None, 400),
    ("export", "GET", "/api/v1/events/export/?format=csv", {}, None, 200),
    ("schema", "GET", "/api/schema/", {}, None, 200),
    ("API docs", "GET", "/api/docs/", {}, None, 200),
    ("admin login", "GET", "/admin/login/", {}, None, 200),
    ("admin, logged out", "GET", "/admin/", {}, None, 302),
    ("static file", "GET", "/static/events/timeline.js", {}, None, 200),
    ("static file, compressed", "GET", "/static/events/site.css", {"Accept-Encoding": "gzip"}, None, 200),
    ("static file, HEAD", "HEAD", "/static/events/site.css", {}, None, 200),
    (
        "static file, not modified",
        "GET",
        "/static/events/site.css",
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        None,
        304,
    ),
    (
        "static file, Swagger UI's",
        "GET",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        {},
        None,
        200,
    ),
    ("missing static file", "GET", "/static/events/missing.js", {}, None, 404),
    ("missing page", "GET", "/missing/", {}, None, 404),
    ("missing API address", "GET", "/api/v1/missing/", {}, None, 404),
    ("oversized API body", "POST", "/api/v1/events/", {"Content-Type": "application/json"}, b"x" * 2000, 413),
    ("oversized form", "POST", "/admin/login/", {"Content-Type": "text/plain"}, b"x" * 70000, 413),
    ("unknown host", "GET", "/", {"Host": "evil.example"}, None, 400),
]


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """gunicorn as deployed: DEBUG=0, static files collected with their manifest and served by WhiteNoise, a
    database of its own (SQLite, migrated, the demo loaded); small body limits so that a 413 is cheap."""
    folder = tmp_path_factory.mktemp("headers")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    manage(url, "migrate", "--noinput")
    manage(url, "load_demo")
    manage(url, "collectstatic", "--noinput", STATIC_MANIFEST="1")
    with gunicorn(
        url, folder / "gunicorn.log", STATIC_MANIFEST="1", MAX_BODY_BYTES="1000", MAX_UPLOAD_BYTES="1000"
    ) as port:
        yield port


@pytest.mark.parametrize("kind", RESPONSES, ids=[kind[0] for kind in RESPONSES])
def test_every_response_of_a_production_server_carries_the_same_security_headers(production_site, kind):
    name, method, path, headers, body, expected = kind
    status, sent, _ = request(production_site, method, path, headers=headers, body=body)
    assert status == expected, name
    assert sent_security_headers(sent) == security_headers(path)


@pytest.fixture(scope="module")
def development_site(tmp_path_factory):
    """`manage.py runserver` as `make run` starts it (DEBUG on), on a database of its own."""
    folder = tmp_path_factory.mktemp("runserver")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    manage(url, "migrate", "--noinput")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    with open(folder / "runserver.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (folder / "runserver.log").read_text()
            try:
                request(port, "GET", "/admin/login/", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, (folder / "runserver.log").read_text()
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


@pytest.mark.parametrize("path", ["/", "/static/events/site.css", "/static/vendor/vis-timeline-graph2d.min.js"])
def test_the_development_server_sends_them_with_its_static_files_too(development_site, path):
    status, sent, _ = request(development_site, "GET", path)
    assert status == 200
    assert sent_security_headers(sent) == security_headers(path)


CHROMIUM = "/usr/bin/chromium"


def is_csp_violation_or_script_error(message):
    # A missing /favicon.ico on the admin's pages is a 404, not a policy matter.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is missing")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("path", ["/api/docs/", "/admin/login/"])
def test_pages_work_under_the_policy_in_a_browser(live_server, path):
    """A CSP violation is a console error; the public page is covered the same way by tests/page/test_browser.py."""
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


def hostile_document():
    """A published event whose title, summary, quote, actor name and source title and publisher carry markup."""
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
    return {"actors": [actor], "events": [record]}


@pytest.fixture
def hostile(demo):
    import_document(hostile_document())


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


def test_the_admin_pages_of_each_hostile_record_escape_it(hostile, curator):
    from events.models import Citation, Source

    client = Client()
    client.force_login(curator)
    source = Source.objects.get(url="https://example.org/xss")
    pages = {
        "event history": reverse("admin:events_event_history", args=[XSS_ID]),
        "actor change": reverse("admin:events_actor_change", args=["xss-land"]),
        "actor history": reverse("admin:events_actor_history", args=["xss-land"]),
        "source change": reverse("admin:events_source_change", args=[source.pk]),
        "citation change": reverse("admin:events_citation_change", args=[Citation.objects.get(source=source).pk]),
        "participant list": reverse("admin:events_participant_changelist"),
        "event search": reverse("admin:events_event_changelist") + "?q=Talks",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert_no_markup_from_the_data(response.content.decode())
    assert f"Xss {ESCAPED_IMG}" in client.get(pages["actor change"]).content.decode()
    source_page = client.get(pages["source change"]).content.decode()
    assert f"Source {ESCAPED_SCRIPT}" in source_page
    assert f"Pub {ESCAPED_IMG}" in source_page


def test_the_browsable_api_escapes_stored_text(hostile):
    response = APIClient().get(f"/api/v1/events/{XSS_ID}/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert_no_markup_from_the_data(html)
    assert "Talks &lt;script&gt;" in html


def test_the_api_serves_stored_text_as_json_data(hostile):
    response = APIClient().get(f"/api/v1/events/{XSS_ID}/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = response.json()
    assert (event["summary"], event["sources"][0]["quote"]) == (f"Summary {IMG}", f"Quote {SCRIPT} {IMG}")
    assert APIClient().get("/api/v1/actors/xss-land/").json()["name"] == f"Xss {IMG}"


# -- javascript: URLs never become a source's address


JAVASCRIPT_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


@pytest.mark.parametrize("url", JAVASCRIPT_URLS)
def test_the_dataset_reader_refuses_a_javascript_source_url(curator, demo, url):
    client = APIClient()
    client.force_authenticate(curator)
    source = {**event_record()["sources"][0], "url": url}
    response = client.post("/api/v1/events/", event_record("js-url", sources=[source]), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["sources[0].url"]
    assert not Event.objects.filter(pk="js-url").exists()


@pytest.mark.parametrize("url", JAVASCRIPT_URLS)
def test_the_admin_refuses_a_javascript_source_url(curator, demo, url):
    from events.models import Source

    client = Client()
    client.force_login(curator)
    response = client.post(reverse("admin:events_source_add"), {"url": url, "title": "x", "archive_url": url})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"url", "archive_url"}
    assert not Source.objects.filter(title="x").exists()


@pytest.mark.parametrize("url", JAVASCRIPT_URLS)
def test_the_article_page_refuses_a_javascript_url(curator, demo, url):
    client = Client()
    client.force_login(curator)
    response = client.post(reverse("admin:events_source_from_article"), {"url": url, "content": SEED})
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert "rows" not in response.context


def test_the_article_preview_escapes_the_pasted_text(demo, curator):
    client = Client()
    client.force_login(curator)
    text = SEED.replace("Russia and the US", f"Russia {SCRIPT} and the US {IMG}", 1)
    response = client.post(
        reverse("admin:events_source_from_article"),
        {"url": "https://news.example.org/xss", "published": "2025-11-09", "content": text},
    )
    assert response.context["rows"]
    html = response.content.decode()
    assert_no_markup_from_the_data(html)
    assert f"{ESCAPED_SCRIPT} and the US {ESCAPED_IMG}" in html or ESCAPED_SCRIPT in html


# -- the public page in a real browser: no dialog fires, the text shows as written

try:  # playwright is a test requirement; without it, only the browser tests below are skipped
    from tests.page.test_browser import browser, site  # noqa: F401
except pytest.skip.Exception:
    browser = site = None


@pytest.fixture
def hostile_site(site):
    """The hostile records, committed before the browser starts (no ORM while Playwright runs)."""
    import_document(hostile_document())
    return site


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK) or browser is None, reason=f"{CHROMIUM} or playwright missing")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("javascript", [True, False])
def test_the_public_page_shows_hostile_text_literally_in_a_browser(hostile_site, browser, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    dialogs, errors = [], []
    # Listening before the page loads: a payload run while the page builds itself would be caught too.
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{hostile_site}/?actor=xss-land#event={XSS_ID}")
    if javascript:
        where = page.locator("#detail")
        where.locator("h2", has_text="Talks").wait_for()
    else:
        where = page.locator("#events")
        where.locator("details summary").click()  # the sources, folded in the list
    text = where.inner_text()
    for shown in (f"Talks {SCRIPT}", f"Summary {IMG}", f"Quote {SCRIPT} {IMG}", f"Source {SCRIPT}", f"Xss {IMG}"):
        assert shown in text
    assert where.locator("script, img").count() == 0
    page.wait_for_timeout(300)  # an injected handler (onerror of a broken image) would have fired by now
    context.close()
    assert (dialogs, errors) == ([], [])
