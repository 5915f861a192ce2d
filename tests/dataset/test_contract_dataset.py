"""Chancery's own contract dataset (tests/data/contract/): an actor hierarchy four levels deep.

`make contract-own` asks its cases of a server on SQLite; here the same cases, with the answers worked
out by hand, are asked of the API on whichever database the suite runs on, PostgreSQL included.
"""

import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from events.dataset import import_document
from events.gazetteer.load import load_gazetteer

FOLDER = Path(__file__).resolve().parents[1] / "data" / "contract"
DATASET = json.loads((FOLDER / "hierarchy_dataset.json").read_text(encoding="utf-8"))
SPEC = json.loads((FOLDER / "hierarchy_cases.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(db):
    import_document(json.loads(json.dumps(DATASET)))
    return APIClient()


def get(client, case, **extra):
    response = client.get(case["endpoint"], {**case["params"], **extra})
    assert response.status_code == case.get("expect_status", 200), response.content[:300]
    return response.json()


@pytest.mark.parametrize("case", SPEC["cases"], ids=[case["name"] for case in SPEC["cases"]])
def test_the_analysts_question_gets_the_answer_worked_out_by_hand(client, case):
    if "expect_ids" in case:
        data = get(client, case, page_size=1000)
        assert data["next"] is None
        ids = [event["id"] for event in data["results"]]
        assert (ids if case.get("ordered") else sorted(ids)) == (
            case["expect_ids"] if case.get("ordered") else sorted(case["expect_ids"])
        )
    elif "expect_status" in case:
        data = get(client, case)
        assert {key: data[key] for key in case.get("expect_fields", {})} == case.get("expect_fields", {})
        if "expect_source" in case:
            wanted = case["expect_source"]
            assert any(all(source[k] == v for k, v in wanted.items()) for source in data["sources"])
    else:
        data = get(client, case)
        assert {bucket["period"]: bucket["count"] for bucket in data["buckets"]} == case["expect_buckets"]
        assert data["count"] == case["expect_count"]
        types = {bucket["period"]: bucket["types"] for bucket in data["buckets"]}
        assert {period: types[period] for period in case.get("expect_types", {})} == case.get("expect_types", {})


def test_only_the_published_events_are_listed(client):
    listed = [event["id"] for event in client.get("/api/v1/events/", {"page_size": 1000}).json()["results"]]
    assert sorted(listed) == sorted(SPEC["published"])
    hidden = {event["id"] for event in DATASET["events"]} - set(SPEC["published"])
    assert hidden == {"russia-seeks-direct-flights-2025", "lavrov-us-nuclear-test-plans-2025"}


def test_the_relations_index_rolls_both_sides_up_and_leaves_out_what_did_not_occur(client):
    # By hand: the rolled-up dyad's 20 events (README) less the cancelled round (16), the proposed summit (19)
    # and the proposed return of property (23): 17, by year, with the Goldstein values of /api/v1/event-types/.
    data = client.get("/api/v1/relations/", {"a": "russia", "b": "united-states"}).json()
    got = {b["period"]: (b["count"], b["cooperation"], b["conflict"], round(b["score"], 1)) for b in data["buckets"]}
    assert got == {
        "2016": (2, 0, 2, -16.2),  # expelled -7.0, property seized -9.2
        "2017": (3, 0, 3, -17.2),  # staff limits -4.0, consulate closed -4.0, property seized -9.2
        "2018": (1, 0, 1, -4.0),  # consulate closed
        "2021": (1, 1, 0, 8.0),  # agreement
        "2022": (2, 0, 2, -16.0),  # sanctions -8.0, flight ban -8.0
        "2025": (8, 6, 0, 27.9),  # talks 3 x 7.0, summit 1.0, meeting 1.9, proposal 4.0, statements 2 x 0.0
    }
    assert (data["count"], round(data["score"], 1)) == (17, -17.5)


def test_the_gazetteer_finds_its_governments_and_ministries_among_the_curated_ones(client):
    # The ministries sit under the governments, two levels below their states: none is made a second time.
    summary = load_gazetteer()
    assert {gid: summary.reused.get(gid) for gid in ("russia-government", "russia-foreign-ministry")} == {
        "russia-government": "russian-government",
        "russia-foreign-ministry": "russian-foreign-ministry",
    }
    assert {gid: summary.reused.get(gid) for gid in ("united-states-government", "united-states-foreign-ministry")} == {
        "united-states-government": "us-government",
        "united-states-foreign-ministry": "us-state-department",
    }
