# ruff: noqa: F811 - pytest fixtures imported from tests/page/test_browser.py are parameters here
"""A curator's day in a real browser: from a stored source, an editor proposes events, corrects them, cites
one in the draft it repeats and saves one as a new draft; a reviewer publishes them.

Debian's Chromium driven by Playwright against the live server, as in tests/page/test_browser.py (whose
fixtures and rules this module shares: no test body touches the ORM while the browser runs).
"""

import json
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from events.models import Event, Source
from tests.demo import ARTICLE_URL

from .test_browser import ARTIFACTS, browser, pytestmark, shoot, site  # noqa: F401 - shared fixtures, marks, skips

SEED = (Path(__file__).parents[1] / "data" / "seed-article.txt").read_text(encoding="utf-8")
PASSWORD = "curation-pass-8429!x"


NEW_URL = "https://news.example.org/lavrov-mess-in-russia-us-ties"
SANCTIONS = "sanctions-imposed-donald-trump-united-states-lukoil-rosneft-2025-10"
SUMMIT = "meeting-summit-donald-trump-vladimir-putin-hungary-2025"
SUMMIT_DRAFT = "trump-putin-budapest-summit-proposed-2025"


@pytest.fixture
def curators(site):
    """An editor and a reviewer; a stored source (the seed article, reprinted by another site); and one
    curated event back in draft, which an editor may cite. Made before the browser starts."""
    for name, group in (("edith", "editor"), ("rita", "reviewer")):
        user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
    Source.objects.create(
        url=NEW_URL, title="Lavrov on the mess in Russia-US ties", publisher="RT", published="2025-11-09"
    )
    Event.objects.filter(pk=SUMMIT_DRAFT).update(review_state="draft", published_at=None, published_by=None)


def log_in(browser, site, username):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")
    return page


def test_an_editor_proposes_from_a_source_corrects_cites_and_creates_and_a_reviewer_publishes(curators, browser, site):
    editor = log_in(browser, site, "edith")
    editor.goto(f"{site}/admin/events/source/?q=lavrov-mess-in-russia-us-ties")
    editor.locator("#result_list tr").filter(has_text="news.example.org").get_by_text("Propose events").click()
    # The source's URL, publisher and date are filled in: only the text is pasted.
    assert editor.input_value("#id_url") == NEW_URL
    assert (editor.input_value("#id_publisher"), editor.input_value("#id_published")) == ("RT", "2025-11-09")
    editor.fill("#id_content", SEED)
    shoot(editor, "curation-1-pasted.png")
    started = time.monotonic()
    editor.click("text=Propose events")
    editor.wait_for_selector("#proposals")
    proposals = editor.locator("#proposals tr.proposal")
    proposed = proposals.count()
    assert proposed >= 7
    assert editor.locator("#skipped").count() == 0  # the seed article leaves out no sentence naming an event
    shoot(editor, "curation-2-proposals.png", full_page=True)

    # Keep two: the summit, cited as a source of the curated draft it repeats (offered first), and the
    # sanctions as a new draft, its date and a participant corrected.
    for index in range(proposed):
        row = proposals.nth(index)
        if row.get_attribute("data-id") not in (SANCTIONS, SUMMIT):
            row.locator("input[name^=keep-]").uncheck()
    summit = editor.locator(f"tr.proposal[data-id={SUMMIT}]")
    assert summit.locator(f"input[type=radio][value={SUMMIT_DRAFT}]").is_checked()
    sanctions = editor.locator(f"tr.proposal[data-id={SANCTIONS}]")
    assert not sanctions.locator("input[type=radio][value=new]").is_checked()  # it repeats a published event
    sanctions.locator("input[type=radio][value=new]").check()
    sanctions.locator("input[name^=start-]").fill("2025-10-32")
    sanctions.locator("select[name^=start_precision-]").select_option("day")
    blank = sanctions.locator("input.actor").nth(4)
    assert blank.input_value() == ""
    blank.fill("russia")
    sanctions.locator("tr.participant select").nth(4).select_option("target")
    editor.click("text=Save the kept proposals")

    # A date that does not exist: said beside it, nothing saved, everything typed still there.
    editor.wait_for_selector(".errornote")
    sanctions = editor.locator(f"tr.proposal[data-id={SANCTIONS}]")
    assert "'2025-10-32' is not a date that exists" in sanctions.locator(".errorlist").first.inner_text()
    assert sanctions.locator("input.actor").nth(4).input_value() == "russia"
    assert sanctions.locator("input[type=radio][value=new]").is_checked()
    shoot(editor, "curation-3-refused.png", full_page=True)
    sanctions.locator("input[name^=start-]").fill("2025-10-22")
    editor.click("text=Save the kept proposals")

    editor.wait_for_selector("#result_list")
    seconds = time.monotonic() - started
    assert editor.inner_text(".messagelist") == (f"1 draft event saved, 1 citation added to {SUMMIT_DRAFT}.")
    listed = editor.locator("#result_list tbody tr")
    assert listed.count() == 2
    shoot(editor, "curation-4-saved.png")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "curation-timing.txt").write_text(
        f"{proposed} proposals from the seed article, propose, correct, refused once, saved: {seconds:.2f} s\n"
    )

    reviewer = log_in(browser, site, "rita")
    for event_id in (SANCTIONS, SUMMIT_DRAFT):
        reviewer.goto(f"{site}/admin/events/event/?review_state__exact=draft&id__in={event_id}")
        reviewer.locator("#result_list input.action-select").check()
        reviewer.select_option("select[name=action]", "publish")
        reviewer.click("button[name=index]")
        reviewer.wait_for_selector(".messagelist")
        assert "1 event(s) published" in reviewer.inner_text(".messagelist")
    shoot(reviewer, "curation-5-published.png")

    with urllib.request.urlopen(f"{site}/api/v1/events/{SANCTIONS}/") as response:
        event = json.load(response)
    assert (event["type"], event["start"], event["start_precision"]) == ("sanctions.imposed", "2025-10-22", "day")
    assert {(p["actor"], p["role"]) for p in event["participants"]} == {
        ("donald-trump", "initiator"),
        ("united-states", "initiator"),
        ("rosneft", "target"),
        ("lukoil", "target"),
        ("russia", "target"),
    }
    assert [s["url"] for s in event["sources"]] == [NEW_URL]
    with urllib.request.urlopen(f"{site}/api/v1/events/{SUMMIT_DRAFT}/") as response:
        summit = json.load(response)
    assert sorted(s["url"] for s in summit["sources"]) == [NEW_URL, ARTICLE_URL]
