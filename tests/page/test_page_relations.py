"""The two-actor view, server-side: each side rolled up, and the relations index with its table and links.

The chart itself (drawn by timeline.js) is tested in Chromium: tests/page/test_browser_relations.py.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from tests.demo import PUBLISHED_DEMO

from .test_page import listed, page_data

pytestmark = pytest.mark.django_db

PAIR = "/?view=pair&actor=russia&actor=united-states"
# Published events of Russia and the US whose Russian side is its president or its foreign minister.
BELOW_RUSSIA = ["putin-sanctions-unfriendly-move-2025", "lavrov-ria-novosti-interview-2025"]


@pytest.fixture
def client():
    return Client()


def table(html):
    """[(period, url query, count, cooperation, conflict, score text)] of the index's table."""
    return [
        (period, parse_qs(urlsplit(unescape(href)).query), int(count), int(cooperation), int(conflict), score)
        for period, href, count, cooperation, conflict, score in re.findall(
            r'<tr data-period="([^"]+)"><th scope="row"><a href="([^"]*)"[^>]*>[^<]*</a></th>'
            r"<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td class=\"score\">([^<]*)</td></tr>",
            html,
        )
    ]


def signed(score):
    return f"{'+' if score > 0 else '−' if score < 0 else ''}{abs(score):.1f}"


def test_each_side_of_the_two_actor_view_is_rolled_up(client, demo):
    exact = listed(client.get("/?actor=russia&actor=united-states"))
    rolled = listed(client.get(PAIR))
    assert not set(BELOW_RUSSIA) & set(exact)
    assert set(rolled) == set(exact) | set(BELOW_RUSSIA)
    assert set(rolled) <= set(PUBLISHED_DEMO)
    # What the script asks of the API, the downloads and the feed are the same rolled-up question.
    response = client.get(PAIR)
    data = page_data(response)
    assert data["query"] == "actor_tree=russia&actor_tree=united-states"
    assert set(data["trees"]["russia"]) == {"russia", "russian-foreign-ministry", "sergey-lavrov", "vladimir-putin"}
    html = unescape(response.content.decode())
    assert "/api/v1/events/export/?format=csv&actor_tree=russia&actor_tree=united-states" in html
    assert 'href="/api/v1/events/feed/?actor_tree=russia&actor_tree=united-states"' in html
    api = client.get("/api/v1/events/?actor_tree=russia&actor_tree=united-states&page_size=100").json()
    assert sorted(event["id"] for event in api["results"]) == sorted(rolled)


def test_the_relations_index_is_the_apis(client, demo):
    html = client.get(PAIR).content.decode()
    api = client.get("/api/v1/relations/?a=russia&b=united-states&interval=year").json()
    rows = table(html)
    assert (
        [row[0] for row in rows] == [bucket["period"] for bucket in api["buckets"]] == ["2016", "2017", "2022", "2025"]
    )
    for (_, _, count, cooperation, conflict, score), bucket in zip(rows, api["buckets"], strict=True):
        assert (count, cooperation, conflict, score) == (
            bucket["count"],
            bucket["cooperation"],
            bucket["conflict"],
            signed(bucket["score"]),
        )
    assert f"{api['count']} occurred events, score {signed(api['score'])}" in html
    assert "Relations index: Russia and United States, per year" in html
    # What the script draws from: the same numbers, each period with its link rather than its events' ids.
    buckets = page_data(client.get(PAIR))["relations"]["buckets"]
    numbers = [{key: value for key, value in b.items() if key not in ("url", "score_text")} for b in buckets]
    assert numbers == [{key: value for key, value in b.items() if key != "events"} for b in api["buckets"]]
    assert all(bucket["url"].startswith("?") for bucket in buckets)


def test_each_period_links_to_its_events(client, demo):
    starts = {event["id"]: event["start"] for event in demo["events"]}
    api = client.get("/api/v1/relations/?a=russia&b=united-states&interval=year").json()
    for (period, query, *_), bucket in zip(table(client.get(PAIR).content.decode()), api["buckets"], strict=True):
        assert query == {
            "actor": ["russia", "united-states"],
            "date_from": [period],
            "date_to": [period],
            "status": ["occurred"],
            "view": ["pair"],
            "interval": ["year"],
        }
        shown = listed(client.get("/?" + urlencode(query, doseq=True)))
        # The events the period counts (those that start in it), and those that started before and go on into it.
        assert set(bucket["events"]) <= set(shown)
        assert all(starts[event] < period for event in set(shown) - set(bucket["events"]))


def test_a_period_stays_within_the_dates_chosen(client, demo):
    rows = table(client.get(PAIR + "&date_from=2025-02-20&interval=month").content.decode())
    assert [row[0] for row in rows][:2] == ["2025-02", "2025-10"]
    assert rows[0][1]["date_from"] == ["2025-02-20"] and rows[0][1]["date_to"] == ["2025-02"]
    assert rows[1][1]["date_from"] == ["2025-10"] and rows[1][1]["date_to"] == ["2025-10"]


def test_the_interval_is_the_views_or_follows_the_span(client, demo):
    by_month = client.get("/api/v1/relations/?a=russia&b=united-states&interval=month").json()
    rows = table(client.get(PAIR + "&interval=month").content.decode())
    assert [row[0] for row in rows] == [bucket["period"] for bucket in by_month["buckets"]]
    assert "2025-02" in [row[0] for row in rows]
    # Without an interval (auto): by year over a decade, by month within three years.
    assert page_data(client.get(PAIR))["relations"]["interval"] == "year"
    assert page_data(client.get(PAIR + "&date_from=2024"))["relations"]["interval"] == "month"
    assert page_data(client.get(PAIR + "&interval=auto"))["relations"]["interval"] == "year"


def test_there_is_no_index_without_two_actors_or_with_a_moment(client, demo):
    for path in ["/?actor=russia&actor=united-states", "/?view=pair&actor=russia", "/?view=pair"]:
        response = client.get(path)
        assert response.status_code == 200
        assert 'id="relations"' not in response.content.decode()
        assert page_data(response)["relations"] is None
    # The index counts the events as they are now; with a moment the view shows the events then, without it.
    response = client.get(PAIR + "&as_of=2026-01-01T00:00:00Z")
    assert response.status_code == 200
    assert 'id="relations"' not in response.content.decode()
    assert page_data(response)["as_of"] == "2026-01-01T00:00:00Z"


def test_an_unknown_actor_of_the_pair_is_named(client, demo):
    response = client.get("/?view=pair&actor=russia&actor=atlantis")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>Actor</strong>" in html and "atlantis" in html
    assert 'id="relations"' not in html


def test_markup_in_an_actor_name_is_text(client, demo):
    from events.models import Actor

    Actor.objects.filter(pk="russia").update(name='Russia <img src="/x.png">')
    html = client.get(PAIR).content.decode()
    assert "Relations index: Russia &lt;img src=&quot;/x.png&quot;&gt; and United States" in html
    assert '<img src="/x.png">' not in html
