"""The public page in a real browser: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Screenshots go to test-artifacts/ (gitignored). Without /usr/bin/chromium (a developer's machine
where `apt-get install chromium` was not run) these tests are skipped; .ci/run installs it.
"""

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

from tests.demo import DEMO_PATH

CHROMIUM = "/usr/bin/chromium"
# Nothing of Chromium's own may reach the network: the page must work offline.
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
DEMO = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: `apt-get install -y chromium fonts-liberation` (as .ci/run does)",
    ),
    # The live server answers from another thread, so the data must be committed; the taxonomy that
    # the migrations brought is restored after each test for the tests that run later.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def site(live_server, demo, settings):
    """The live server's address, with the demo data; static files as they are, without a manifest.

    On SQLite the test database is a file (tests/conftest.py), so the anonymous throttle's writes on
    the page's simultaneous API requests wait for each other as deployed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return live_server.url


@pytest.fixture
def browser(site):
    """Chromium, started after the database is ready and stopped before it is emptied.

    Playwright's sync API keeps an event loop running in this thread, and while it runs Django
    hands out other connection objects (they are context-local), which know nothing of the test
    database's saved state. So no test body touches the ORM: what they expect comes from the demo
    document, and the browser lives only as long as one test.
    """
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, site):
    """Opens a path of the site in a fresh context; fails the test on any script error or request elsewhere.

    Every URL the pages requested is kept in `open_.requested`.
    """
    contexts, errors, foreign, requested = [], [], [], []

    def open_(path="/", width=1280, height=900, javascript=True):
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("request", lambda request: request.url.startswith(site) or foreign.append(request.url))
        page.on("request", lambda request: requested.append(request.url))
        page.goto(site + path)
        return page

    open_.requested = requested
    yield open_
    for context in contexts:
        context.close()
    assert errors == []
    assert foreign == []


def shoot(page, name, full_page=False):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=full_page)


def wait_for_items(page, count):
    page.wait_for_function(
        "n => document.querySelectorAll('#timeline .vis-item.vis-box, #timeline .vis-item.vis-range').length === n",
        arg=count,
    )


def item(page, event_id):
    """The box or range of an event on the time axis (a box also has a line and a dot)."""
    return page.locator(f"#timeline .vis-item.event-{event_id}:not(.vis-dot):not(.vis-line)")


def published(family=None, actors=()):
    """Ids of the demo's published events of a type family, in which all the actors take part."""
    return sorted(
        event["id"]
        for event in DEMO["events"]
        if event["review_state"] == "published"
        and family in (None, event["type"].split(".")[0])
        and set(actors) <= {p["actor"] for p in event["participants"]}
    )


def test_the_page_loads_the_demo_data(open_page):
    page = open_page("/")
    wait_for_items(page, len(published()))
    page.wait_for_selector("#histogram svg .bar rect")
    assert page.inner_text("#explore-status") == "13 events, 2016–2025."
    # Imprecise dates look imprecise: a range over the whole month or year, hatched, and said so.
    month = item(page, "us-sanctions-russia-2022")
    assert "vis-range" in month.get_attribute("class")
    assert "prec-month" in month.get_attribute("class")
    assert "known to the month" in month.inner_text()
    assert "known to the year" in item(page, "us-ru-third-round-cancelled-2025").inner_text()
    assert "vis-box" in item(page, "us-ru-talks-riyadh-2025").get_attribute("class")
    # The histogram counts by family, from the timeline API.
    legend = page.inner_text("#histogram-legend")
    assert "Talks" in legend and "Sanctions" in legend
    shoot(page, "page-desktop.png")
    shoot(page, "page-desktop-full.png", full_page=True)


def test_a_filter_narrows_it_and_stays_in_the_url(open_page):
    page = open_page("/")
    wait_for_items(page, len(published()))
    page.fill("#actor-1", "Saudi")
    page.wait_for_selector("#actor-1-options [role=option]")
    assert page.get_attribute("#actor-1", "aria-expanded") == "true"
    page.keyboard.press("Enter")  # picks the highlighted actor
    assert page.input_value("#actor-1") == "Saudi Arabia"
    page.check("input[name=status][value=occurred]")
    page.click("text=Apply filters")
    page.wait_for_url(re.compile(r"actor=saudi-arabia"))
    assert "status=occurred" in page.url
    wait_for_items(page, 1)
    assert item(page, "us-ru-talks-riyadh-2025").count() == 1
    assert page.locator("#events li[data-event]").count() == 1
    # The pickers show the chosen actor by name, and offer one more.
    assert page.input_value("#actor-1") == "Saudi Arabia"
    assert page.locator("#actor-fields input[role=combobox]").count() == 2
    shoot(page, "page-filtered.png")


def test_clicking_an_event_shows_its_actors_and_sources(open_page):
    page = open_page("/")
    wait_for_items(page, len(published()))
    item(page, "putin-sanctions-unfriendly-move-2025").click()
    detail = page.locator("#detail")
    detail.locator("h2", has_text="Putin calls the US oil sanctions").wait_for()
    assert detail.get_attribute("aria-live") == "polite"
    text = detail.inner_text()
    assert "Claim attributed to Vladimir Putin" in text
    assert "A lot of 'mess' to clear up in Russia-US ties - Lavrov, RT, 9 November 2025" in text
    assert "INITIATOR" in text.upper() and "Vladimir Putin" in text and "United States" in text
    assert "occurred" in text
    assert page.locator("#detail blockquote").count() == 1
    assert page.url.endswith("#event=putin-sanctions-unfriendly-move-2025")
    shoot(page, "page-detail.png")


def test_the_keyboard_walks_the_events(open_page):
    page = open_page("/")
    wait_for_items(page, len(published()))
    page.focus("#timeline")
    page.keyboard.press("ArrowRight")
    page.locator("#detail h2", has_text="Russia and the US drastically limit").wait_for()
    assert "known to the year" in page.inner_text("#detail .detail-when")
    page.keyboard.press("End")
    page.locator("#detail h2", has_text="Lavrov: a lot of").wait_for()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "detail-title"


def test_a_shared_link_opens_the_same_event(open_page):
    page = open_page("/?type=talks#event=us-ru-talks-istanbul-2025")
    page.locator("#detail h2", has_text="talks in İstanbul").wait_for()
    assert "vis-selected" in item(page, "us-ru-talks-istanbul-2025").get_attribute("class")


def test_each_download_returns_the_file_of_the_view(open_page, tmp_path):
    page = open_page("/?type=talks")
    talks = published(family="talks")
    texts = {}
    for fmt in ["csv", "json", "ndjson", "ics", "geojson", "timelinejs"]:
        with page.expect_download() as download_info:
            page.click(f".downloads a[data-format={fmt}]")
        download = download_info.value
        assert download.failure() is None
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        texts[fmt] = (download.suggested_filename, path.read_text(encoding="utf-8"))
    assert texts["csv"][0].endswith(".csv")
    assert sorted(row["id"] for row in csv.DictReader(io.StringIO(texts["csv"][1]))) == talks
    assert sorted(event["id"] for event in json.loads(texts["json"][1])["events"]) == talks
    assert sorted(json.loads(line)["id"] for line in texts["ndjson"][1].splitlines()) == talks
    assert texts["ics"][0].endswith(".ics")
    assert texts["ics"][1].startswith("BEGIN:VCALENDAR") and texts["ics"][1].count("BEGIN:VEVENT") == len(talks)
    assert json.loads(texts["geojson"][1])["type"] == "FeatureCollection"
    assert len(json.loads(texts["timelinejs"][1])["events"]) == len(talks)


def rolled_up(actor):
    """The demo's actor and those below it, at any depth."""
    below = {actor}
    while True:
        more = {a["id"] for a in DEMO["actors"] if a.get("parent") in below} - below
        if not more:
            return below
        below |= more


def published_between(a, b):
    """Ids of the demo's published events in which `a` or an actor below it and `b` or one below it take part."""
    trees = rolled_up(a), rolled_up(b)
    return sorted(
        event["id"]
        for event in DEMO["events"]
        if event["review_state"] == "published"
        and all({p["actor"] for p in event["participants"]} & tree for tree in trees)
    )


def test_the_two_actor_view_colours_events_from_cooperation_to_conflict(open_page):
    page = open_page("/?view=pair&actor=russia&actor=united-states")
    # Each side rolled up: Russia's president and foreign minister speak for it.
    between = published_between("russia", "united-states")
    assert len(between) == 12 and "lavrov-ria-novosti-interview-2025" in between
    wait_for_items(page, len(between))
    status = page.inner_text("#explore-status")
    assert status.startswith("Between Russia and United States: 12 events")
    assert "5 cooperative, 5 conflictual" in status
    assert page.locator("#pair-legend").is_visible()
    lanes = page.locator("#timeline .vis-label").all_inner_texts()
    assert "United States → Russia" in lanes
    # Talks (Goldstein +7) in blue, seized property (-9.2) in red.
    talks = item(page, "us-ru-talks-riyadh-2025").evaluate("e => getComputedStyle(e).backgroundColor")
    seizure = item(page, "us-seizes-more-russian-property-2017").evaluate("e => getComputedStyle(e).backgroundColor")
    red, green, blue = map(int, re.findall(r"\d+", talks)[:3])
    assert blue > red
    red, green, blue = map(int, re.findall(r"\d+", seizure)[:3])
    assert red > blue
    item(page, "us-seizes-more-russian-property-2017").click()
    page.locator("#detail .goldstein", has_text="−9.2 (conflict)").wait_for()
    shoot(page, "page-pair.png")


def test_it_fits_a_phone(open_page):
    page = open_page("/", width=390, height=844)
    wait_for_items(page, len(published()))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The filters fold behind a button on a phone, so that the time axis is on the first screen.
    assert page.locator("#filters").is_hidden()
    page.click("text=Filters")
    assert page.locator("#filters").is_visible()
    assert page.get_attribute(".filters-toggle", "aria-expanded") == "true"
    page.click("text=Filters")
    # A chosen event's details rise from the bottom of the screen.
    item(page, "us-ru-talks-riyadh-2025").click()
    page.locator("#detail.is-open h2", has_text="Riyadh").wait_for()
    shoot(page, "page-phone-detail.png")
    page.click("#detail .close")
    assert "is-open" not in page.get_attribute("#detail", "class")
    shoot(page, "page-phone.png")
    shoot(page, "page-phone-full.png", full_page=True)


def test_without_javascript_the_list_and_filters_work(open_page):
    page = open_page("/?actor=saudi-arabia", javascript=False)
    assert page.locator("#explore").is_hidden()
    assert page.locator("#events li[data-event]").count() == 1
    page.fill("#actor-1", "")
    page.fill("#q", "flights")
    page.click("text=Apply filters")
    page.wait_for_url(re.compile(r"q=flights"))
    assert page.locator("#events li[data-event] h3").all_inner_texts() == [
        "Biden administration imposes sanctions on Russia over the Ukraine conflict",
        "US suspends flights and closes its airspace to Russian carriers",
    ]
    shoot(page, "page-no-javascript.png")


# Markup as a curator might paste it, or an attacker type it: a live link and a tracking image if the page
# ever took a text as HTML (no script would run: the CSP forbids inline script, but a link or an image is enough).
MARKUP = '<a href="https://evil.example/login">verify</a><img src="/static/x.png?track">'
MARKED = "us-ru-talks-riyadh-2025"


@pytest.fixture
def marked_up(site):
    """Markup in every kind of text a curator types: an actor's name, an event's title, summary and place,
    a source's title and publisher, a quote. Set before the browser starts (see `browser`)."""
    from events.models import Actor, Citation, Event, Participant, Source

    Actor.objects.filter(pk="russia").update(name="Russia " + MARKUP)
    # Russia initiates it, so that the two-actor view has a lane "Russia → United States" too.
    Participant.objects.filter(event_id=MARKED, actor_id="russia").update(role="initiator")
    Event.objects.filter(pk=MARKED).update(
        title="<b>Talks</b> in Riyadh " + MARKUP, summary="<b>Summary</b> " + MARKUP, location_name="<b>Riyadh</b>"
    )
    Citation.objects.filter(event_id=MARKED).update(quote="<b>Quoted</b> " + MARKUP, claimed_by_id="russia")
    Source.objects.filter(citations__event_id=MARKED).update(title="<b>Headline</b> " + MARKUP, publisher="<b>RT</b>")


def assert_nothing_made_of_markup(page, requested):
    for selector in ["a[href*=evil]", "img[src*=track]", "img[src*='x.png']", "b"]:
        assert page.locator(selector).count() == 0, selector
    assert [url for url in requested if "/static/x.png" in url] == []


def test_texts_show_as_text_on_the_time_axis_and_in_the_detail(marked_up, open_page):
    page = open_page(f"/?actor=russia#event={MARKED}")
    page.locator("#detail h2", has_text="<b>Talks</b> in Riyadh").wait_for()
    assert page.input_value("#actor-1") == "Russia " + MARKUP
    assert page.inner_text("#detail h2") == "<b>Talks</b> in Riyadh " + MARKUP
    detail = page.inner_text("#detail")
    for text in [
        "<b>Summary</b> " + MARKUP,
        "Where: <b>Riyadh</b> (SAU)",
        "Russia " + MARKUP,
        "<b>Quoted</b> " + MARKUP,
        "Claim attributed to Russia " + MARKUP,
        "<b>Headline</b> " + MARKUP + ", <b>RT</b>, 9 November 2025",
    ]:
        assert text in detail
    marked = item(page, MARKED)
    assert marked.inner_text() == "<b>Talks</b> in Riyadh " + MARKUP
    # The tooltip of an event on the axis.
    marked.hover()
    page.locator("#timeline .vis-tooltip").wait_for()
    assert page.inner_text("#timeline .vis-tooltip") == "18 February 2025: <b>Talks</b> in Riyadh " + MARKUP
    # The server-rendered list.
    listed = page.inner_text(f"#events li[data-event={MARKED}]")
    assert "<b>Talks</b> in Riyadh " + MARKUP in listed and "Russia " + MARKUP in listed
    assert_nothing_made_of_markup(page, open_page.requested)


def test_actor_names_show_as_text_in_the_two_actor_view(marked_up, open_page):
    page = open_page(f"/?view=pair&actor=russia&actor=united-states#event={MARKED}")
    wait_for_items(page, len(published_between("russia", "united-states")))
    page.locator("#detail h2", has_text="<b>Talks</b> in Riyadh").wait_for()
    assert page.inner_text("#explore-status").startswith(f"Between Russia {MARKUP} and United States: 12 events")
    assert page.inner_text("#relations-title") == f"Relations index: Russia {MARKUP} and United States, per year"
    lanes = page.locator("#timeline .vis-label").all_inner_texts()
    assert f"United States → Russia {MARKUP}" in lanes
    assert f"Russia {MARKUP} → United States" in lanes
    assert page.input_value("#actor-1") == "Russia " + MARKUP
    assert_nothing_made_of_markup(page, open_page.requested)


def test_the_facets_count_the_view_and_a_click_narrows_it(open_page):
    page = open_page("/")
    wait_for_items(page, len(published()))
    assert page.inner_text("#facets-title") == f"{len(published())} matching events"
    assert page.inner_text("#facets [data-facet=type] li:first-child") == "Talks 5"
    page.click("#facets [data-facet=actor] a:text-is('Saudi Arabia')")
    page.wait_for_url(re.compile(r"actor=saudi-arabia"))
    wait_for_items(page, 1)
    assert page.inner_text("#facets-title") == "1 matching event"
    assert page.get_attribute("#facets .follow a", "href") == "/api/v1/events/feed/?actor=saudi-arabia"
    shoot(page, "page-facets.png", full_page=True)
