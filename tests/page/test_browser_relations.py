# ruff: noqa: F811 - pytest fixtures imported from tests/page/test_browser.py are parameters here
"""The two-actor view's relations index in a real browser: a state, its minister and another state, with
events of cooperation and of conflict; the chart drawn from the API's numbers, each period a link to its
events, and an actor's name as text.

Debian's Chromium driven by Playwright against the live server, as in tests/page/test_browser.py (whose
fixtures and rules this module shares: no test body touches the ORM while the browser runs).
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .test_browser import (  # noqa: F401 - shared fixtures, marks, skips
    MARKUP,
    assert_nothing_made_of_markup,
    browser,
    open_page,
    pytestmark,
    shoot,
    site,
    wait_for_items,
)

PAIR = "/?view=pair&actor=ruritania&actor=freedonia"
RURITANIA = "Ruritania " + MARKUP
# (id, type, status, start, {actor: role}): the minister stands for Ruritania in three of them.
EVENTS = [
    ("talks-2023-03", "talks", "occurred", "2023-03-10", {"ruritania": "participant", "freedonia": "participant"}),
    (
        "sanctions-2023-05",
        "sanctions.imposed",
        "occurred",
        "2023-05-02",
        {"freedonia": "initiator", "ruritania-fm": "target"},
    ),
    ("statement-2024-01", "statement", "occurred", "2024-01-15", {"ruritania-fm": "initiator", "freedonia": "target"}),
    ("talks-2024-06", "talks", "occurred", "2024-06-01", {"ruritania-fm": "participant", "freedonia": "participant"}),
    (
        "talks-cancelled-2024-06",
        "talks",
        "cancelled",
        "2024-06-20",
        {"ruritania": "participant", "freedonia": "participant"},
    ),
    (
        "seizure-2024-06",
        "property.seizure",
        "occurred",
        "2024-06-25",
        {"ruritania": "initiator", "freedonia": "target"},
    ),
]
# The months of the occurred events: the index's periods (auto: the events start within three years).
PERIODS = ["2023-03", "2023-05", "2024-01", "2024-06"]


@pytest.fixture
def dyad(site):
    """Ruritania (with markup in its name), its foreign minister below it, Freedonia, and their events.
    Imported before the browser starts (see `browser`)."""
    from events.dataset.importer import import_document

    actors = [
        {"id": "ruritania", "name": RURITANIA, "kind": "state"},
        {"id": "ruritania-fm", "name": "Foreign Minister of Ruritania", "kind": "person", "parent": "ruritania"},
        {"id": "freedonia", "name": "Freedonia", "kind": "state"},
    ]
    events = [
        {
            "id": event_id,
            "title": f"{event_type} between Ruritania and Freedonia ({start})",
            "type": event_type,
            "status": status,
            "start": start,
            "start_precision": "day",
            "participants": [{"actor": actor, "role": role} for actor, role in participants.items()],
            "sources": [{"url": f"https://news.example.org/{event_id}", "title": event_id, "quote": "Reported."}],
            "review_state": "published",
        }
        for event_id, event_type, status, start, participants in EVENTS
    ]
    import_document({"actors": actors, "events": events})


def relations_api(page, site, interval):
    response = page.request.get(f"{site}/api/v1/relations/?a=ruritania&b=freedonia&interval={interval}")
    assert response.ok
    return response.json()


def drawn(page):
    """[(period, score, cooperation, conflict)] of the chart's periods."""
    return page.eval_on_selector_all(
        "#relations-chart a.period",
        "links => links.map(a => [a.dataset.period, Number(a.dataset.score), Number(a.dataset.cooperation),"
        " Number(a.dataset.conflict)])",
    )


def test_the_relations_index_is_drawn_from_the_apis_numbers(dyad, open_page, site):
    page = open_page(PAIR)
    wait_for_items(page, len(EVENTS))
    page.wait_for_selector("#relations-chart a.period")
    api = relations_api(page, site, "month")
    assert [bucket["period"] for bucket in api["buckets"]] == PERIODS
    expected = [[b["period"], b["score"], b["cooperation"], b["conflict"]] for b in api["buckets"]]
    assert drawn(page) == expected
    # The minister's events count for Ruritania: three of the five occurred events.
    assert api["count"] == 5
    assert [b["count"] for b in api["buckets"]] == [1, 1, 1, 2]
    # Cooperation and conflict apart: talks up, sanctions down, and the month of both has one of each.
    assert expected[0][1] > 0 and expected[1][1] < 0 and expected[3][2:] == [1, 1]
    for period, score, cooperation, conflict in expected:
        link = page.locator(f"#relations-chart a.period[data-period='{period}']")
        bar = "up" if score > 0 else "down" if score < 0 else "zero"
        assert link.locator(f"rect.score.{bar}").count() == 1
        assert link.locator("rect.cooperation").count() == (1 if cooperation else 0)
        assert link.locator("rect.conflict").count() == (1 if conflict else 0)
    assert page.inner_text("#relations-title") == f"Relations index: {RURITANIA} and Freedonia, per month"
    # The text equivalent: a table of the same periods and numbers.
    page.click("#relations-table summary")
    rows = page.locator("#relations-table tbody tr")
    assert rows.count() == len(PERIODS)
    assert rows.nth(3).inner_text().split("\t") == ["2024-06", "2", "1", "1", "−2.2"]
    # Each side rolled up on the time axis too: Ruritania's lane has what its minister initiated.
    lanes = page.locator("#timeline .vis-label").all_inner_texts()
    assert f"{RURITANIA} → Freedonia" in lanes and f"Freedonia → {RURITANIA}" in lanes
    assert_nothing_made_of_markup(page, open_page.requested)
    shoot(page, "page-relations.png", full_page=True)


def test_clicking_a_period_shows_its_events(dyad, open_page):
    page = open_page(PAIR)
    page.click("#relations-chart a.period[data-period='2024-06']")
    page.wait_for_url(re.compile(r"date_from=2024-06"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["date_to"] == ["2024-06"] and query["status"] == ["occurred"] and query["view"] == ["pair"]
    assert page.locator("#events li[data-event]").evaluate_all("items => items.map(li => li.id)") == [
        "talks-2024-06",
        "seizure-2024-06",
    ]
    wait_for_items(page, 2)
    page.wait_for_selector("#relations-chart a.period")
    assert [row[0] for row in drawn(page)] == ["2024-06"]
    assert page.inner_text("#facets-title") == "2 matching events"
    # The periods are links for the keyboard too.
    page.goto(page.url.split("?")[0] + PAIR)
    page.wait_for_selector("#relations-chart a.period")
    # Tab goes from the first period to the next one.
    page.focus("#relations-chart a.period[data-period='2023-03']")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.period") == "2023-05"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"date_from=2023-05"))
    assert page.locator("#events li[data-event]").evaluate_all("items => items.map(li => li.id)") == [
        "sanctions-2023-05"
    ]


def test_the_json_link_of_an_event_keeps_the_moment(dyad, open_page, site):
    page = open_page("/")
    moment = page.request.get(site + "/api/v1/events/export/?format=ndjson").headers["x-chancery-as-of"]
    page.goto(f"{site}/?view=pair&actor=ruritania&actor=freedonia&as_of={moment}#event=talks-2024-06")
    link = page.locator("#detail a", has_text="This event as JSON")
    link.wait_for()
    href = link.get_attribute("href")
    assert urlsplit(href).path == "/api/v1/events/talks-2024-06/"
    assert parse_qs(urlsplit(href).query) == {"as_of": [moment]}
    assert page.request.get(site + href).json()["id"] == "talks-2024-06"
    # Without a moment, the link is the event as it is now.
    page.goto(f"{site}/?actor=freedonia#event=talks-2024-06")
    page.locator("#detail a", has_text="This event as JSON").wait_for()
    assert page.get_attribute("#detail a:text('This event as JSON')", "href") == "/api/v1/events/talks-2024-06/"
