# ruff: noqa: F811 - pytest fixtures imported from tests/page/test_browser.py are parameters here
"""A curator's day in a real browser: an editor turns the seed article into drafts, a reviewer publishes one.

Debian's Chromium driven by Playwright against the live server, as in tests/page/test_browser.py (whose
fixtures and rules this module shares: no test body touches the ORM while the browser runs).
"""

import json
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from .test_browser import ARTIFACTS, browser, pytestmark, shoot, site  # noqa: F401 - shared fixtures, marks, skips

SEED = (Path(__file__).parents[1] / "data" / "seed-article.txt").read_text(encoding="utf-8")
PASSWORD = "curation-pass-8429!x"


@pytest.fixture
def curators(site):
    """An editor and a reviewer, made before the browser starts."""
    for name, group in (("edith", "editor"), ("rita", "reviewer")):
        user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))


def log_in(browser, site, username):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")
    return page


def test_an_editor_saves_drafts_from_the_seed_article_and_a_reviewer_publishes_one(curators, browser, site):
    editor = log_in(browser, site, "edith")
    editor.goto(f"{site}/admin/events/source/")
    editor.click("text=Add from article")
    editor.fill("#id_url", "https://news.example.org/lavrov-mess-in-russia-us-ties")
    editor.fill("#id_published", "2025-11-09")
    editor.fill("#id_publisher", "RT")
    editor.fill("#id_content", SEED)
    shoot(editor, "curation-1-pasted.png")
    started = time.monotonic()
    editor.click("text=Propose events")
    editor.wait_for_selector("#proposals")
    proposals = editor.locator("#proposals tr.proposal").count()
    assert proposals >= 7
    shoot(editor, "curation-2-proposals.png", full_page=True)
    editor.click("text=Save the kept proposals")
    editor.wait_for_selector("#result_list")
    seconds = time.monotonic() - started
    assert f"{proposals} draft event(s) saved" in editor.inner_text(".messagelist")
    shoot(editor, "curation-3-drafts.png")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "curation-timing.txt").write_text(
        f"{proposals} proposals from the seed article, paste to saved drafts: {seconds:.2f} s\n"
    )

    reviewer = log_in(browser, site, "rita")
    reviewer.goto(f"{site}/admin/events/event/?review_state__exact=draft&q=Rosneft")
    row = reviewer.locator("#result_list tbody tr").filter(has_text="Rosneft").first
    event_id = row.locator("input.action-select").get_attribute("value")
    row.locator("input.action-select").check()
    reviewer.select_option("select[name=action]", "publish")
    reviewer.click("button[name=index]")
    reviewer.wait_for_selector(".messagelist")
    assert "1 event(s) published" in reviewer.inner_text(".messagelist")
    shoot(reviewer, "curation-4-published.png")

    with urllib.request.urlopen(f"{site}/api/v1/events/{event_id}/") as response:
        event = json.load(response)
    assert event["review_state"] == "published"
    assert event["type"] == "sanctions.imposed"
    assert event["sources"][0]["url"] == "https://news.example.org/lavrov-mess-in-russia-us-ties"
