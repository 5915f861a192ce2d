"""The public page at /, as the server renders it: what works without JavaScript, and what the script is given."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.db import connection

from events.exports import FORMATS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "events" / "static" / "vendor"
# The files `make vendor` copies from node_modules/vis-timeline: the standalone UMD build, its CSS, their maps.
VENDOR_FILES = {
    "vis-timeline-graph2d.min.js": "standalone/umd/vis-timeline-graph2d.min.js",
    "vis-timeline-graph2d.min.js.map": "standalone/umd/vis-timeline-graph2d.min.js.map",
    "vis-timeline-graph2d.min.css": "styles/vis-timeline-graph2d.min.css",
    "vis-timeline-graph2d.min.css.map": "styles/vis-timeline-graph2d.min.css.map",
}


def listed(response):
    """Ids of the events in the server-rendered list, in order."""
    return re.findall(r'<li class="event [^"]*" id="([^"]+)"', response.content.decode())


def page_data(response):
    match = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


def test_it_lists_the_published_events_in_order(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    assert listed(response) == [
        "us-ru-diplomatic-staff-limits",
        "us-restricts-russian-compounds-2016",
        "us-seizes-more-russian-property-2017",
        "us-sanctions-russia-2022",
        "us-closes-airspace-to-russian-carriers-2022",
        "us-ru-third-round-cancelled-2025",
        "us-ru-bilateral-dialogue-2025",
        "us-ru-ukraine-settlement-talks-2025",
        "us-ru-talks-riyadh-2025",
        "us-ru-talks-istanbul-2025",
        "us-sanctions-rosneft-lukoil-2025",
        "putin-sanctions-unfriendly-move-2025",
        "lavrov-ria-novosti-interview-2025",
    ]
    assert "13 events in this view" in response.content.decode()


def test_it_filters_by_the_parameters_in_the_url(client, demo):
    response = client.get("/?actor=russia&actor=united-states&type=talks&date_from=2025-02-01&status=occurred")
    assert listed(response) == [
        "us-ru-bilateral-dialogue-2025",
        "us-ru-ukraine-settlement-talks-2025",
        "us-ru-talks-riyadh-2025",
        "us-ru-talks-istanbul-2025",
    ]


def test_it_fills_the_form_from_the_url_so_that_a_view_can_be_shared(client, demo):
    html = client.get("/?actor=saudi-arabia&type=talks&type=sanctions&status=cancelled&date_from=2022&q=talks").content
    html = html.decode()
    assert 'name="actor" value="saudi-arabia" data-name="Saudi Arabia"' in html
    assert 'name="type" value="talks" checked' in html
    assert 'name="type" value="sanctions" checked' in html
    assert 'name="type" value="sanctions.imposed">' in html
    assert 'name="status" value="cancelled" checked' in html
    assert 'name="date_from" value="2022"' in html
    assert 'name="q" value="talks"' in html
    # The details of the types stay open when some are chosen, so that the reader sees which.
    assert '<details class="types" open>' in html


def test_it_treats_empty_form_fields_as_no_filter(client, demo):
    response = client.get("/?view=all&actor=&actor=russia&type=&status=&date_from=&date_to=&q=")
    assert response.status_code == 200
    assert len(listed(response)) == 10
    assert page_data(response)["query"] == "actor=russia"


@pytest.mark.parametrize(
    "query, label, message",
    [
        ("date_from=2025-13-45", "From", "is not a date that exists"),
        ("status=exploded", "Status", "exploded is not one of the available choices"),
        ("actor=atlantis", "Actor", "unknown actor atlantis"),
        ("type=weather", "Type", "unknown type weather"),
        ("date_from=2025&date_to=2024", "To", "is before date_from"),
    ],
)
def test_it_answers_400_with_a_message_on_a_bad_filter(client, demo, query, label, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<div class="errors" role="alert" id="errors">' in html
    assert re.search(rf"<li><strong>{label}</strong>: [^<]*{re.escape(message)}", html.replace("&#x27;", "'"))
    assert listed(response) == []
    # No time axis on filters that could not be applied, and the script knows it.
    assert 'id="explore"' not in html
    assert page_data(response)["valid"] is False


def test_it_answers_403_to_anonymous_readers_asking_for_drafts(client, demo):
    response = client.get("/?review_state=draft")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<li><strong>Review state</strong>: only curators see unpublished events" in html
    assert listed(response) == []
    assert 'id="explore"' not in html


def test_it_refuses_a_null_character_without_asking_the_database(client, demo):
    response = client.get("/?actor=%00")
    assert response.status_code == 400
    assert "<li><strong>Actor</strong>: Null characters are not allowed.</li>" in response.content.decode()


def test_it_keeps_the_filters_the_form_has_no_field_for(client, demo):
    response = client.get("/?country=SAU&type=talks")
    assert listed(response) == ["us-ru-talks-riyadh-2025"]
    html = response.content.decode()
    # Sent again with the form, and in the downloads.
    assert '<input type="hidden" name="country" value="SAU"><code>country=SAU</code>' in html
    assert 'href="/api/v1/events/export/?format=csv&amp;country=SAU&amp;type=talks"' in html


def test_it_offers_every_export_format_of_the_view(client, demo):
    html = client.get("/?view=pair&actor=russia&actor=united-states&type=talks&interval=month").content.decode()
    links = dict(re.findall(r'<a class="button" href="([^"]+)" download data-format="([a-z-]+)"', html))
    assert sorted(links.values()) == sorted(FORMATS)
    for href, fmt in links.items():
        url = urlsplit(href.replace("&amp;", "&"))
        assert url.path == "/api/v1/events/export/"
        # The filters of the view, and none of the page's own parameters; the two actors rolled up.
        assert parse_qs(url.query) == {
            "format": [fmt],
            "actor_tree": ["russia", "united-states"],
            "type": ["talks"],
        }


def test_its_downloads_answer_with_the_file(client, demo):
    html = client.get("/?type=sanctions").content.decode()
    href = re.search(r'href="([^"]+)" download data-format="csv"', html).group(1).replace("&amp;", "&")
    response = client.get(href)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["us-sanctions-russia-2022", "us-sanctions-rosneft-lukoil-2025"]


def test_it_loads_nothing_from_other_hosts(client, demo):
    html = client.get("/").content.decode()
    refs = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html)
    scripts_and_styles = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)=["\']([^"\']+)["\']', html)
    assert scripts_and_styles == [
        "data:,",
        "/static/vendor/vis-timeline-graph2d.min.css",
        "/static/events/site.css",
        "/static/vendor/vis-timeline-graph2d.min.js",
        "/static/events/timeline.js",
        "/api/v1/events/feed/",  # the feed of the same question, for readers that discover feeds
    ]
    for ref in refs:
        if ref.startswith("/static/"):
            assert finders.find(ref.removeprefix("/static/")), ref
    # Only the sources' own links point elsewhere.
    foreign = {ref for ref in refs if re.match(r"(https?:)?//", ref)}
    assert foreign == {"https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov"}
    assert "@import" not in (ROOT / "events" / "static" / "events" / "site.css").read_text()
    # The script asks only its own site (the SVG namespace is a name, not a request).
    script = (ROOT / "events" / "static" / "events" / "timeline.js").read_text()
    assert re.findall(r"https?://[^\s\"']+", script) == ["http://www.w3.org/2000/svg"]


def test_the_pair_view_has_two_actor_fields(client, demo):
    html = client.get("/?view=pair&actor=russia").content.decode()
    assert '<input type="radio" name="view" value="pair" checked>' in html
    assert re.findall(r'<label for="actor-\d">([^<]+)</label>', html) == ["First actor", "Second actor"]
    assert page_data(client.get("/?view=pair&actor=russia&actor=united-states"))["actors"] == [
        "russia",
        "united-states",
    ]


def test_it_shows_each_event_with_its_precision_actors_and_sources(client, demo):
    html = client.get("/?q=unfriendly").content.decode()
    assert "23 October 2025" in html
    assert "Claim attributed to <strong>Vladimir Putin</strong>" in html
    assert "<dt>initiator</dt><dd>Vladimir Putin</dd>" in html
    html = client.get("/?type=diplomats").content.decode()
    assert '2016 – 2021</time> <span class="precision">dates known to the year</span>' in html


def test_it_hands_the_script_the_filters_and_the_names_it_knows(client, demo):
    data = page_data(client.get("/?actor=saudi-arabia&interval=month"))
    assert data["query"] == "actor=saudi-arabia"
    assert data["interval"] == "month"
    assert data["valid"] is True
    assert data["names"] == {"russia": "Russia", "saudi-arabia": "Saudi Arabia", "united-states": "United States"}
    assert data["api"] == {
        "events": "/api/v1/events/",
        "timeline": "/api/v1/timeline/",
        "actors": "/api/v1/actors/",
        "types": "/api/v1/event-types/",
    }


def test_it_renders_in_a_fixed_number_of_queries(client, demo, django_assert_num_queries):
    # The events; their participants, citations with sources, relations and tags (prefetched);
    # the names of their actors; the taxonomy for the form; the total and the five facets (on PostgreSQL one
    # query of the facet summary for both: the page without filters shows every published event). Nothing per event.
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 13):
        client.get("/")


def test_the_committed_vis_timeline_is_the_pinned_version():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = package["dependencies"]["vis-timeline"]
    assert version == "8.5.4"
    assert lock["packages"]["node_modules/vis-timeline"]["version"] == version
    assert sorted(path.name for path in VENDOR.iterdir()) == sorted(VENDOR_FILES)
    script = (VENDOR / "vis-timeline-graph2d.min.js").read_text(encoding="utf-8")
    assert f"@version {version}" in script[:1000]
    # Each file names its map, which lies beside it (collectstatic's manifest storage follows the names).
    assert script.rstrip().endswith("//# sourceMappingURL=vis-timeline-graph2d.min.js.map")
    style = (VENDOR / "vis-timeline-graph2d.min.css").read_text(encoding="utf-8")
    assert style.rstrip().endswith("/*# sourceMappingURL=vis-timeline-graph2d.min.css.map */")
    for name in ("vis-timeline-graph2d.min.js.map", "vis-timeline-graph2d.min.css.map"):
        assert json.loads((VENDOR / name).read_text(encoding="utf-8"))["version"] == 3


def test_the_committed_vis_timeline_matches_node_modules():
    """Where `npm ci` has run, the committed copy is byte for byte the installed one (`make vendor` refreshes it)."""
    installed = ROOT / "node_modules" / "vis-timeline"
    if not installed.exists():
        pytest.skip("node_modules/ is absent: `make vendor` installs it with npm")
    assert json.loads((installed / "package.json").read_text())["version"] == "8.5.4"
    for name, path in VENDOR_FILES.items():
        assert (VENDOR / name).read_bytes() == (installed / path).read_bytes(), name
