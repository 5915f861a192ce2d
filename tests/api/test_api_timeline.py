"""The timeline, the actors, the taxonomy, the sources and the export endpoint."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from rest_framework.test import APIClient

from tests.demo import ANON_THROTTLE_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


def test_the_timeline_counts_published_events_per_year_by_type(client, demo):
    response = client.get("/api/v1/timeline/")
    assert response.status_code == 200
    assert response.json() == {
        "count": 13,
        "buckets": [
            {"period": "2016", "count": 2, "types": {"diplomats.staff_limits": 1, "property.seizure": 1}},
            {"period": "2017", "count": 1, "types": {"property.seizure": 1}},
            {"period": "2022", "count": 2, "types": {"flights.ban": 1, "sanctions.imposed": 1}},
            {
                "period": "2025",
                "count": 8,
                "types": {"sanctions.imposed": 1, "statement": 2, "talks": 5},
            },
        ],
    }


def test_a_coarser_date_keeps_its_own_period_before_the_finer_ones(client, demo):
    response = client.get("/api/v1/timeline/", {"interval": "month", "type": "talks"})
    assert response.json() == {
        "count": 5,
        "buckets": [
            {"period": "2025", "count": 1, "types": {"talks": 1}},
            {"period": "2025-02", "count": 4, "types": {"talks": 4}},
        ],
    }


def test_the_day_timeline_keeps_month_periods(client, demo):
    response = client.get("/api/v1/timeline/", {"interval": "day", "type": "sanctions"})
    assert [(b["period"], b["count"]) for b in response.json()["buckets"]] == [("2022-02", 1), ("2025-10-22", 1)]


def test_the_timeline_takes_the_event_filters(client, demo):
    response = client.get("/api/v1/timeline/", {"actor": "sergey-lavrov", "interval": "month"})
    assert response.json()["buckets"] == [{"period": "2025-11", "count": 1, "types": {"statement": 1}}]


def test_the_timeline_refuses_an_unknown_interval(client, demo):
    response = client.get("/api/v1/timeline/", {"interval": "fortnight"})
    assert response.status_code == 400
    assert "interval" in response.json()


def test_the_timeline_is_one_query(client, demo, django_assert_num_queries):
    with django_assert_num_queries(1 + ANON_THROTTLE_QUERIES):
        client.get("/api/v1/timeline/", {"interval": "month"})


def test_curators_timelines_count_every_review_state(demo):
    client = APIClient()
    curator = User.objects.create_user("s", is_staff=True)
    curator.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_authenticate(curator)
    assert client.get("/api/v1/timeline/").json()["count"] == 17
    # Staff status alone counts what anonymous readers see.
    client.force_authenticate(User.objects.create_user("t", is_staff=True))
    assert client.get("/api/v1/timeline/").json()["count"] == 13


def test_actors_are_listed_and_filtered(client, demo):
    listed = client.get("/api/v1/actors/", {"page_size": 1000}).json()["results"]
    assert [a["id"] for a in listed] == sorted(a["id"] for a in demo["actors"])
    russia = client.get("/api/v1/actors/russia/").json()
    assert russia == next(a for a in demo["actors"] if a["id"] == "russia")
    by_alias = client.get("/api/v1/actors/", {"q": "kremlin"}).json()["results"]
    assert [a["id"] for a in by_alias] == ["russia"]
    companies = client.get("/api/v1/actors/", {"kind": "company", "country": "RUS"}).json()["results"]
    assert [a["id"] for a in companies] == ["lukoil", "rosneft"]
    assert client.get("/api/v1/actors/", {"kind": "planet"}).status_code == 400


def test_the_taxonomy_lists_every_contract_code_with_its_standard_codes(client, db):
    types = {t["code"]: t for t in client.get("/api/v1/event-types/").json()}
    assert set(types) >= {
        "talks", "meeting", "meeting.summit", "statement", "proposal", "agreement", "sanctions",
        "sanctions.imposed", "sanctions.lifted", "property", "property.seizure", "property.return", "flights",
        "flights.ban", "flights.resumed", "diplomats", "diplomats.expelled", "diplomats.staff_limits", "missions",
        "missions.closed", "missions.reopened",
    }  # fmt: skip
    assert types["talks"]["cameo_code"] == "046"
    assert types["talks"]["goldstein"] == 7.0
    assert types["sanctions.imposed"]["plover_type"] == "SANCTION"
    assert types["sanctions.imposed"]["family"] == "sanctions"
    assert types["property.seizure"]["cameo_code"] == "1711"


def test_sources_list_the_visible_events_they_support(client, demo):
    sources = client.get("/api/v1/sources/").json()["results"]
    assert len(sources) == 1
    assert "trump-putin-budapest-summit-proposed-2025" not in sources[0]["events"]
    assert len(sources[0]["events"]) == 13


def test_the_export_streams_the_filtered_set_with_a_file_name(client, demo):
    response = client.get("/api/v1/events/export/", {"format": "csv", "type": "talks"})
    assert response.status_code == 200
    assert response.streaming
    assert 'filename="chancery-events-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["id"] for row in rows] == [
        "us-ru-third-round-cancelled-2025",
        "us-ru-bilateral-dialogue-2025",
        "us-ru-ukraine-settlement-talks-2025",
        "us-ru-talks-riyadh-2025",
        "us-ru-talks-istanbul-2025",
    ]


def test_the_export_refuses_an_unknown_format_and_bad_filters(client, demo):
    response = client.get("/api/v1/events/export/", {"format": "pdfx"})
    assert response.status_code == 400
    assert "format" in response.json()
    response = client.get("/api/v1/events/export/", {"format": "csv", "status": "exploded"})
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN full-text indexes exist on PostgreSQL only")
def test_full_text_search_stems_words_and_uses_the_gin_indexes(client, demo):
    # "sanction" finds "sanctions" through English stemming.
    ids = [e["id"] for e in client.get("/api/v1/events/", {"q": "sanction", "page_size": 100}).json()["results"]]
    assert "us-sanctions-rosneft-lukoil-2025" in ids
    from events.models import Event

    with connection.cursor() as cursor:
        # Left to choose, a few rows are read in order through event_chrono_idx, the stored vector a filter.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = Event.objects.search("sanction").explain()
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SET enable_indexscan = on")
    assert "event_search_document_idx" in plan, plan


def test_sources_filter_by_publisher_in_any_case_beyond_ascii(client, demo):
    from events.models import Source

    Source.objects.update(publisher="Ведомости")
    assert len(client.get("/api/v1/sources/", {"publisher": "ВЕДОМОСТИ"}).json()["results"]) == 1
    assert client.get("/api/v1/sources/", {"publisher": "RT"}).json()["results"] == []
