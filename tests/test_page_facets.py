"""The page's total and facets beside the filters: each value a link that narrows; and its feed link."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.demo import PUBLISHED_DEMO

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def facet_links(html, facet):
    """[(text, count, query)] of the facet's values on the page."""
    section = re.search(rf'<section class="facet" data-facet="{facet}">(.*?)</section>', html, re.S)
    if section is None:
        return []
    return [
        (unescape(text), int(count), parse_qs(urlsplit(unescape(href)).query))
        for href, text, count in re.findall(
            r'<li><a href="([^"]*)"[^>]*>([^<]*)</a> <span class="count">(\d+)</span></li>', section.group(1)
        )
    ]


def total(html):
    return int(re.search(r'<span class="total">(\d+)</span> matching event', html).group(1))


def test_it_shows_the_total_and_the_counts_of_the_matching_events(client, demo):
    html = client.get("/").content.decode()
    assert total(html) == len(PUBLISHED_DEMO)
    types = facet_links(html, "type")
    assert types[0] == ("Talks", 5, {"type": ["talks"]})
    statuses = facet_links(html, "status")
    assert statuses == [("occurred", 12, {"status": ["occurred"]}), ("cancelled", 1, {"status": ["cancelled"]})]
    years = facet_links(html, "year")
    assert years[0] == ("2025", 8, {"date_from": ["2025"], "date_to": ["2025"]})
    countries = facet_links(html, "country")
    assert countries[0][:2] == ("Russian Federation", 13)


def test_each_value_narrows_the_current_question(client, demo):
    html = client.get("/?actor=russia&type=talks&type=sanctions&date_from=2025-02&view=pair").content.decode()
    actors = {text: query for text, _, query in facet_links(html, "actor")}
    assert actors["Saudi Arabia"] == {
        "actor": ["russia", "saudi-arabia"],
        "type": ["talks", "sanctions"],
        "date_from": ["2025-02"],
        "view": ["pair"],
    }
    types = {text: query for text, _, query in facet_links(html, "type")}
    assert types["Talks"]["type"] == ["talks"]
    # A later date_from than the year's first day stays: the link narrows, never widens.
    (year,) = facet_links(html, "year")
    assert year[2]["date_from"] == ["2025-02"] and year[2]["date_to"] == ["2025"]


def test_following_a_link_gives_as_many_events_as_it_said(client, demo):
    html = client.get("/").content.decode()
    for text, count, query in facet_links(html, "actor") + facet_links(html, "type") + facet_links(html, "country"):
        assert total(client.get("/", query).content.decode()) == count, text
    # A year counts the events that start in it; its link, a date range, finds those that go on into it too.
    for text, count, query in facet_links(html, "year"):
        assert total(client.get("/", query).content.decode()) >= count, text


def test_it_offers_the_feed_of_the_same_question(client, demo):
    html = client.get("/?actor=russia&q=&view=pair").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" title="These events (Atom)" ' in html
    assert '<a href="/api/v1/events/feed/?actor=russia" type="application/atom+xml">Follow these events</a>' in html


def test_a_misspelt_filter_is_said_not_ignored(client, demo):
    response = client.get("/?actr=russia")
    assert response.status_code == 400
    assert "<strong>actr</strong>: is not a filter" in response.content.decode()
