# ruff: noqa: F811 - pytest fixtures imported from tests/page/test_browser.py are parameters here
"""The TimelineJS export read by TimelineJS itself: Knight Lab's library from npm, in headless Chromium.

The export is fetched from the live server (demo data) and handed to `new TL.Timeline(...)` in a
small page served, with TimelineJS's `dist/` from node_modules, by a web server on 127.0.0.1: no
CDN, and any request to another host fails the test. Shares tests/page/test_browser.py's fixtures and
its rule: no test body touches the ORM while the browser runs (what to expect comes from the demo
document). Skipped where node_modules lacks TimelineJS (`npm ci --ignore-scripts`, as .ci/run does).
"""

import datetime
import functools
import http.server
import json
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.page.test_browser import DEMO, browser, published, shoot, site, sync_api  # noqa: F401 - shared fixtures
from tests.page.test_browser import pytestmark as browser_marks

ROOT = Path(__file__).resolve().parents[2]
TIMELINEJS = ROOT / "node_modules" / "@knight-lab" / "timelinejs"
TIMELINEJS_JS = TIMELINEJS / "dist" / "js" / "timeline.js"
PINNED = json.loads((ROOT / "package.json").read_text())["devDependencies"]["@knight-lab/timelinejs"]
INSTALLED = json.loads((TIMELINEJS / "package.json").read_text())["version"] if TIMELINEJS_JS.is_file() else None
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip

pytestmark = [
    *browser_marks,
    pytest.mark.skipif(
        not TIMELINEJS_JS.is_file(),
        reason=f"{TIMELINEJS_JS.relative_to(ROOT)} is missing: `npm ci --ignore-scripts --no-audit --no-fund` "
        "installs the devDependencies of package-lock.json (as .ci/run does)",
    ),
]

# The page: TimelineJS's own CSS and JS, then a timeline of the export. `script_path` and `font` keep
# TimelineJS on this server: by default it loads its font CSS from cdn.knightlab.com, and the default
# font's CSS loads PT Sans from fonts.gstatic.com; "georgia-helvetica" is the bundled font set that
# needs nothing from elsewhere.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Chancery export in TimelineJS</title>
<link rel="stylesheet" href="timelinejs/css/timeline.css">
<script src="timelinejs/js/timeline.js"></script>
<style>html, body {{ margin: 0; height: 100%; }} #timeline {{ height: 100vh; }}</style>
</head>
<body>
<div id="timeline"></div>
<script type="application/json" id="export">{export}</script>
<script>
  const source = {source};
  window.timeline = new TL.Timeline("timeline", source, {{
    script_path: new URL("timelinejs/js/", location.href).href,
    font: "georgia-helvetica",
  }});
  timeline.on("loaded", () => {{ window.timelineLoaded = true; }});
</script>
</body>
</html>
"""
# Either TimelineJS reads the file from a URL, as from a site that hosts the download, or it is given the object.
SOURCES = {
    "url": '"export.timeline.json"',
    "object": 'JSON.parse(document.getElementById("export").textContent)',
}


@pytest.fixture
def local_server(tmp_path):
    """A web server on 127.0.0.1 (a free port) for tmp_path, where /timelinejs/ is TimelineJS's dist/."""
    (tmp_path / "timelinejs").symlink_to(TIMELINEJS / "dist", target_is_directory=True)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def fetch_export(site, query):
    with urllib.request.urlopen(f"{site}/api/v1/events/export/?format=timelinejs{query}") as response:
        assert response.headers["Content-Type"] == "application/json"
        return response.read().decode("utf-8")


def in_words(text, precision):
    """A partial date as the exporter words it in display_date: "29 December 2016", "December 2016", "2016"."""
    year, month, day = ([int(part) for part in text.split("-")] + [None, None])[:3]
    if precision == "year":
        return str(year)
    if precision == "month":
        return f"{MONTHS[month - 1]} {year}"
    return f"{day} {MONTHS[month - 1]} {year}"


def shown_date(event):
    """The date TimelineJS shows for a demo event: its own for dates known to the day, else the display_date."""
    if event["start_precision"] == "day" and event["end_precision"] in (None, "day"):
        # TimelineJS's English format, "mmmm d, yyyy"; a range is joined by an em dash.
        dates = [datetime.date.fromisoformat(text) for text in (event["start"], event["end"]) if text]
        return " — ".join(f"{MONTHS[day.month - 1]} {day.day}, {day.year}" for day in dates)
    shown = in_words(event["start"], event["start_precision"])
    if event["end"] is not None:
        shown += f" – {in_words(event['end'], event['end_precision'])}"
    return shown


@pytest.mark.parametrize(
    ("query", "family", "how", "screenshot", "month_event"),
    [
        ("", None, "url", "timelinejs.png", "us-sanctions-russia-2022"),
        ("&type=talks", "talks", "object", "timelinejs-talks.png", "us-ru-bilateral-dialogue-2025"),
    ],
    ids=["all-read-from-url", "talks-given-as-object"],
)
def test_timelinejs_shows_one_slide_per_exported_event(
    browser, site, local_server, query, family, how, screenshot, month_event
):
    expected = published(family=family)
    events = {event["id"]: event for event in DEMO["events"] if event["id"] in expected}
    assert events[month_event]["start_precision"] == "month"
    text = fetch_export(site, query)
    assert sorted(slide["unique_id"] for slide in json.loads(text)["events"]) == expected

    assert INSTALLED == PINNED, f"node_modules has TimelineJS {INSTALLED}, package.json pins {PINNED}: run `npm ci`"
    folder, origin = local_server
    (folder / "export.timeline.json").write_text(text, encoding="utf-8")
    # Inside <script>, "</" would end the element; "<\/" is the same JSON string.
    page_html = PAGE.format(export=text.replace("</", "<\\/"), source=SOURCES[how])
    (folder / "index.html").write_text(page_html, encoding="utf-8")

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    foreign, errors, failed = [], [], []

    def only_this_machine(route):
        if urllib.parse.urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"))
    try:
        page.goto(f"{origin}/index.html")
        try:
            page.wait_for_function("window.timelineLoaded === true", timeout=20_000)
        except sync_api.TimeoutError:
            pytest.fail(f"TimelineJS did not load the export: {page.inner_text('#timeline')!r}; errors: {errors}")
        assert page.evaluate("timeline.config.getErrors().map(String)") == []

        # One slide per event, and the title slide that the export's `title` adds.
        slides = page.locator("#timeline .tl-storyslider .tl-slide")
        assert slides.count() == len(expected) + 1
        assert page.locator("#timeline .tl-slide-titleslide").count() == 1
        assert page.locator("#timeline .tl-slide-titleslide .tl-headline").text_content() == "Chancery"
        assert page.locator("#timeline .tl-timenav .tl-timemarker").count() == len(expected)
        shown = page.evaluate(
            """() => Object.fromEntries(
                [...document.querySelectorAll('#timeline .tl-slide:not(.tl-slide-titleslide)')].map(slide => [
                    slide.id,
                    {
                        headline: slide.querySelector('.tl-headline').textContent,
                        date: slide.querySelector('.tl-headline-date').textContent,
                        links: [...slide.querySelectorAll('.tl-text-content a')].map(a => a.target),
                    },
                ]))"""
        )
        assert sorted(shown) == expected
        # Where the export gives a display_date (dates known to the month or year), that is what is shown.
        display_dates = {slide["unique_id"]: slide.get("display_date") for slide in json.loads(text)["events"]}
        assert display_dates[month_event] is not None
        for event_id, display_date in display_dates.items():
            assert display_date is None or shown[event_id]["date"] == display_date, event_id
        for event_id, event in events.items():
            # Titles arrive HTML-escaped in the export and read as written ("'mess'", "İstanbul").
            assert shown[event_id]["headline"] == event["title"], event_id
            assert shown[event_id]["date"] == shown_date(event), event_id
            # The sources are links, which TimelineJS opens in a new tab.
            assert shown[event_id]["links"] == ["_blank"] * len(event["sources"]), event_id

        # The event known to the month shows the month, not an invented day.
        page.evaluate("id => timeline.goToId(id)", month_event)
        current = page.locator(f"#timeline .tl-slide[id='{month_event}']")
        page.wait_for_function(
            """id => {
                const slide = document.getElementById(id).getBoundingClientRect();
                const frame = document.querySelector('#timeline .tl-storyslider').getBoundingClientRect();
                return Math.abs(slide.left - frame.left) < 1;
            }""",
            arg=month_event,
        )
        date = current.locator(".tl-headline-date")
        assert date.is_visible()
        assert date.text_content() == shown_date(events[month_event])
        page.wait_for_timeout(300)  # the time navigation scrolls to the marker after the slide
        shoot(page, screenshot)
    finally:
        context.close()
    assert foreign == []
    assert failed == []
    assert errors == []
