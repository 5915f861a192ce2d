"""The dataset file: what it refuses (every problem named, nothing written), what it accepts, and the round trip."""

import copy
import datetime
import json

import pytest
from django.db import transaction

from events.dataset import DatasetError, Problem, import_document, parse_json
from events.models import Actor, Citation, Event, EventRelation, Participant, Source
from tests.demo import actor_record, dataset, empty_the_database, event_record, export_text, row_counts

pytestmark = pytest.mark.django_db

ARTICLE = "https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov"
GOOD = "good-talks"


def problems_of(document):
    """Import a bad document: it must raise, and leave every table as it was. Returns the problems."""
    before = row_counts()
    with pytest.raises(DatasetError) as exc:
        import_document(document)
    assert row_counts() == before
    return exc.value.problems


def with_a_good_event(*events, actors=None):
    """A document holding a valid event besides the bad ones, so that "nothing imported" means something."""
    return dataset(event_record(GOOD), *events, actors=actors)


def the_only_problem(document):
    problems = problems_of(document)
    assert len(problems) == 1, problems
    return problems[0]


def source(url="https://example.org/talks", **fields):
    record = {
        "url": url,
        "title": "Delegations meet",
        "publisher": "Example News",
        "published": "2025-02-19",
        "quote": "The delegations met.",
        "claimed_by": None,
    }
    record.update(fields)
    return record


# ---------------------------------------------------------------- references


def test_it_refuses_a_participant_that_is_no_known_actor():
    bad = event_record("bad", participants=[{"actor": "atlantis", "role": "participant"}])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "participants[0].actor", "unknown actor 'atlantis': not in the file nor in the database"
    )


def test_it_refuses_a_claimant_that_is_no_known_actor():
    bad = event_record("bad", sources=[source(claimed_by="atlantis")])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "sources[0].claimed_by", "unknown actor 'atlantis': not in the file nor in the database"
    )


def test_it_refuses_a_claimant_that_is_not_an_actor_id():
    bad = event_record("bad", sources=[source(claimed_by=["russia"])])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "sources[0].claimed_by", "unknown actor ['russia']: not in the file nor in the database"
    )


def test_it_refuses_an_actor_parent_that_is_no_known_actor():
    minister = actor_record("minister", kind="person", parent="atlantis")

    assert the_only_problem(with_a_good_event(actors=[minister])) == Problem(
        "actor minister", "parent", "unknown actor 'atlantis': not in the file nor in the database"
    )


def test_it_accepts_actors_already_in_the_database():
    import_document(dataset())
    document = {"actors": [], "events": [event_record(GOOD, sources=[source(claimed_by="russia")])]}

    import_document(document)

    assert sorted(Participant.objects.values_list("actor_id", flat=True)) == ["russia", "united-states"]
    assert Citation.objects.get().claimed_by_id == "russia"


def test_it_refuses_an_unknown_type():
    bad = event_record("bad", type="talks.secret")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "type", "unknown type code 'talks.secret' (see /api/v1/event-types/)"
    )


def test_it_refuses_a_relation_to_a_missing_event():
    bad = event_record("bad", related=[{"event": "never-happened", "relation": "follows"}])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "related[0].event", "unknown event 'never-happened': not in the file nor in the database"
    )


def test_it_accepts_a_relation_to_an_event_in_the_database():
    import_document(dataset(event_record("first")))

    import_document(dataset(event_record("second", related=[{"event": "first", "relation": "follows"}])))

    assert list(EventRelation.objects.values_list("from_event_id", "relation", "to_event_id")) == [
        ("second", "follows", "first")
    ]


def test_it_refuses_a_relation_of_an_event_to_itself():
    bad = event_record("bad", related=[{"event": "bad", "relation": "follows"}])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "related[0].event", "an event cannot relate to itself"
    )


def test_it_refuses_an_unknown_relation():
    bad = event_record("bad", related=[{"event": GOOD, "relation": "precedes"}])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad",
        "related[0].relation",
        "'precedes' is not one of followed_by, follows, responds_to, cancels, part_of, supersedes",
    )


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("start", ["2025-02-30", "2025-13-01", "2025-02-29"])
def test_it_refuses_a_start_that_does_not_exist(start):
    bad = event_record("bad", start=start)

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "start", f"{start!r} is not a date that exists"
    )


def test_it_refuses_an_end_that_does_not_exist():
    bad = event_record("bad", end="2025-13", end_precision="month")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "end", "'2025-13' is not a date that exists"
    )


@pytest.mark.parametrize("start", ["18 February 2025", "2025-2-18", "2025-02-18T10:00", "", 2025])
def test_it_refuses_a_start_that_is_not_an_iso_date(start):
    bad = event_record("bad", start=start)

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "start", f"{start!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"
    )


def test_it_refuses_an_event_without_a_start():
    bad = event_record("bad", start=None)

    assert the_only_problem(with_a_good_event(bad)) == Problem("event bad", "start", "required")


def test_it_refuses_a_day_in_a_month_precision_date():
    bad = event_record("bad", start="2016-12-29", start_precision="month")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "start", "2016-12-29 has a day but start_precision is 'month': write '2016-12'."
    )


def test_it_refuses_a_month_in_a_year_precision_end():
    bad = event_record("bad", start="2016", start_precision="year", end="2021-06-01", end_precision="year")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "end", "2021-06-01 has a month or day but end_precision is 'year': write '2021'."
    )


def test_it_refuses_a_date_less_precise_than_its_stated_precision():
    bad = event_record("bad", start="2016-12", start_precision="day")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "start", "'2016-12' is not precise to the day that start_precision says"
    )


def test_it_refuses_an_end_before_the_start():
    bad = event_record("bad", start="2025-03-01", end="2025-02-28", end_precision="day")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "end", "The event ends (2025-02-28) before it starts (2025-03-01)."
    )


def test_it_refuses_an_end_month_over_before_the_start():
    bad = event_record("bad", start="2025-03-15", end="2025-02", end_precision="month")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "end", "The event ends (2025-02-01) before it starts (2025-03-15)."
    )


def test_it_accepts_an_end_month_that_contains_the_start():
    import_document(dataset(event_record(GOOD, start="2025-03-15", end="2025-03", end_precision="month")))

    assert Event.objects.values_list("start", "end", "span_end").get() == (
        datetime.date(2025, 3, 15),
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 31),
    )


@pytest.mark.parametrize("precision", ["week", "Day", ""])
def test_it_refuses_an_unknown_precision(precision):
    bad = event_record("bad", start_precision=precision)

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "start_precision", "not one of day, month, year"
    )


def test_it_refuses_an_unknown_end_precision():
    bad = event_record("bad", end="2025-03-01", end_precision="week")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "end_precision", "not one of day, month, year"
    )


def test_it_refuses_an_end_precision_without_an_end():
    bad = event_record("bad", end=None, end_precision="day")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "end_precision", "given without end: give both or neither"
    )


def test_it_takes_a_first_of_the_month_with_month_precision_as_that_month():
    import_document(
        dataset(
            event_record("written-in-full", start="2016-12-01", start_precision="month"),
            event_record("truncated", start="2016-12", start_precision="month"),
        )
    )

    assert sorted(Event.objects.values_list("id", "start", "start_precision")) == [
        ("truncated", datetime.date(2016, 12, 1), "month"),
        ("written-in-full", datetime.date(2016, 12, 1), "month"),
    ]
    assert [event["start"] for event in json.loads(export_text())["events"]] == ["2016-12", "2016-12"]


@pytest.mark.parametrize(
    ("start", "first_day", "precision"),
    [
        ("2016-12-29", datetime.date(2016, 12, 29), "day"),
        ("2016-12", datetime.date(2016, 12, 1), "month"),
        ("2016", datetime.date(2016, 1, 1), "year"),
    ],
)
def test_it_infers_an_omitted_start_precision_from_the_date(start, first_day, precision):
    record = event_record(GOOD, start=start)
    del record["start_precision"]

    import_document(dataset(record))

    assert Event.objects.values_list("start", "start_precision").get() == (first_day, precision)


def test_it_infers_a_null_end_precision_from_the_date():
    import_document(dataset(event_record(GOOD, start="2016", start_precision="year", end="2021", end_precision=None)))

    assert Event.objects.values_list("end", "end_precision", "span_end").get() == (
        datetime.date(2021, 1, 1),
        "year",
        datetime.date(2021, 12, 31),
    )


# ---------------------------------------------------------------- fields and values


@pytest.mark.parametrize("status", ["done", "Occurred"])
def test_it_refuses_an_unknown_status(status):
    bad = event_record("bad", status=status)

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "status", "not one of proposed, scheduled, occurred, cancelled, postponed"
    )


def test_it_refuses_an_empty_status():
    bad = event_record("bad", status="")

    assert the_only_problem(with_a_good_event(bad)) == Problem("event bad", "status", "This field cannot be blank.")


def test_it_takes_a_missing_status_as_occurred():
    record = event_record(GOOD)
    del record["status"]

    import_document(dataset(record))

    assert Event.objects.values_list("status", flat=True).get() == "occurred"


def test_it_refuses_an_unknown_review_state():
    bad = event_record("bad", review_state="final")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "review_state", "not one of draft, reviewed, published"
    )


def test_it_refuses_an_event_without_a_title():
    bad = event_record("bad")
    del bad["title"]

    assert the_only_problem(with_a_good_event(bad)) == Problem("event bad", "title", "required")


@pytest.mark.parametrize("title", ["", "   ", None])
def test_it_refuses_an_empty_title(title):
    bad = event_record("bad", title=title)

    assert the_only_problem(with_a_good_event(bad)) == Problem("event bad", "title", "required")


def test_it_refuses_a_title_that_is_not_text():
    bad = event_record("bad", title=["Talks"])

    assert the_only_problem(with_a_good_event(bad)) == Problem("event bad", "title", 'expected text, got ["Talks"]')


def test_it_refuses_an_event_id_twice_in_one_file():
    problems = problems_of(with_a_good_event(event_record("twice"), event_record("twice")))

    assert problems == [Problem("event twice", "id", "the event id appears more than once")]


def test_it_refuses_an_actor_id_twice_in_one_file():
    twice = [actor_record("hungary", country="HUN"), actor_record("hungary", country="HUN")]

    assert problems_of(with_a_good_event(actors=twice)) == [
        Problem("actor hungary", "id", "the actor id appears more than once")
    ]


@pytest.mark.parametrize("event_id", ["export", "deleted", "facets", "feed"])
def test_it_refuses_a_reserved_event_id(event_id):
    bad = event_record(event_id)

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        f"event {event_id}",
        "id",
        f"'{event_id}' is reserved by the API (/api/v1/events/{event_id}/) and cannot be an event id; "
        "the reserved ids are deleted, export, facets, feed.",
    )


def test_it_refuses_an_event_id_that_is_not_a_slug():
    bad = event_record("Talks in Riyadh")

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event Talks in Riyadh",
        "id",
        "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens. "
        "Use lower-case letters, digits and single hyphens or underscores, e.g. 'us-ru-talks-2025'.",
    )


def test_it_names_a_record_without_an_id_by_its_place_in_the_file():
    bad = event_record("bad")
    del bad["id"]

    assert the_only_problem(with_a_good_event(bad)) == Problem("event #2 (no id)", "id", "required")


@pytest.mark.parametrize("role", ["observer", "Host", None])
def test_it_refuses_an_unknown_role(role):
    bad = event_record("bad", participants=[{"actor": "russia", "role": role}])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "participants[0].role", f"{role!r} is not one of initiator, target, participant, mediator, host"
    )


def test_it_refuses_the_same_participant_twice():
    twice = [{"actor": "russia", "role": "host"}, {"actor": "russia", "role": "host"}]
    bad = event_record("bad", participants=twice)

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "participants[1].actor", "'russia' is already a participant as host"
    )


@pytest.mark.parametrize("country", ["rus", "RU", "XXX"])
def test_it_refuses_an_actor_country_that_is_not_alpha3(country):
    bad = actor_record("somewhere", country=country)

    assert the_only_problem(with_a_good_event(actors=[bad])) == Problem(
        "actor somewhere", "country", f"{country!r} is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS', 'USA')."
    )


def test_it_refuses_an_actor_country_longer_than_three_letters():
    bad = actor_record("somewhere", country="RUSS")

    assert the_only_problem(with_a_good_event(actors=[bad])) == Problem(
        "actor somewhere",
        "country",
        "'RUSS' is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS', 'USA'). "
        "Ensure this value has at most 3 characters (it has 4).",
    )


@pytest.mark.parametrize("country", ["sau", "SA", "XXX"])
def test_it_refuses_a_location_country_that_is_not_alpha3(country):
    bad = event_record("bad", location={"name": "Riyadh", "country": country, "lat": None, "lon": None})

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad",
        "location.country",
        f"{country!r} is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS', 'USA').",
    )


@pytest.mark.parametrize(
    ("lat", "lon", "field", "message"),
    [
        (91, 0, "location.lat", "Ensure this value is less than or equal to 90."),
        (-90.5, 0, "location.lat", "Ensure this value is greater than or equal to -90."),
        (0, 180.01, "location.lon", "Ensure this value is less than or equal to 180."),
        (0, -181, "location.lon", "Ensure this value is greater than or equal to -180."),
    ],
)
def test_it_refuses_coordinates_out_of_range(lat, lon, field, message):
    bad = event_record("bad", location={"name": "Nowhere", "country": None, "lat": lat, "lon": lon})

    assert the_only_problem(with_a_good_event(bad)) == Problem("event bad", field, message)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("NaN", "NaN"),  # Python's json module reads these, though JSON has no such numbers.
        ("Infinity", "Infinity"),
        ("1" + "0" * 400, "1" + "0" * 39),  # too large for a float
        ('"24.7"', '"24.7"'),
        ("true", "true"),
    ],
)
def test_it_refuses_a_latitude_that_is_not_a_finite_number(text, shown):
    document = with_a_good_event(event_record("bad", location={"name": "Nowhere", "country": None, "lon": 0}))
    raw = json.dumps(document).replace('"country": null, "lon": 0', f'"country": null, "lon": 0, "lat": {text}')

    assert the_only_problem(parse_json(raw)) == Problem(
        "event bad", "location.lat", f"expected a number or null, got {shown}"
    )


def test_it_refuses_a_latitude_without_a_longitude():
    bad = event_record("bad", location={"name": "Riyadh", "country": "SAU", "lat": 24.7136, "lon": None})

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "location.lon", "Give both coordinates or neither."
    )


def test_it_refuses_a_location_without_a_name():
    bad = event_record("bad", location={"name": "", "country": "SAU", "lat": None, "lon": None})

    assert the_only_problem(with_a_good_event(bad)) == Problem("event bad", "location.name", "a location needs a name")


def test_it_refuses_a_published_event_without_a_source():
    bad = event_record("bad", sources=[])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "sources", "A published event needs at least one source."
    )


@pytest.mark.parametrize("review_state", ["draft", "reviewed"])
def test_it_accepts_an_unpublished_event_without_a_source(review_state):
    import_document(dataset(event_record(GOOD, sources=[], review_state=review_state)))

    assert Event.objects.values_list("id", "review_state").get() == (GOOD, review_state)
    assert not Citation.objects.exists()


def test_it_refuses_one_source_url_with_two_titles():
    first = event_record("first", sources=[source(ARTICLE, title="A lot of 'mess' to clear up")])
    second = event_record("second", sources=[source(ARTICLE, title="Lavrov: a lot of mess")])

    assert the_only_problem(with_a_good_event(first, second)) == Problem(
        "event second",
        "sources[0].title",
        f"the source {ARTICLE} has a different title in event first: "
        "\"A lot of 'mess' to clear up\" there, 'Lavrov: a lot of mess' here",
    )


def test_it_refuses_one_source_under_two_spellings_with_two_publishers():
    first = event_record("first", sources=[source("https://example.org/interview", publisher="RT")])
    second = event_record("second", sources=[source("HTTPS://EXAMPLE.org:443/interview#top", publisher="TASS")])

    assert the_only_problem(with_a_good_event(first, second)) == Problem(
        "event second",
        "sources[0].publisher",
        "the source https://example.org/interview has a different publisher in event first: 'RT' there, 'TASS' here",
    )


def test_it_refuses_a_source_that_is_not_an_http_url():
    bad = event_record("bad", sources=[source("ftp://example.org/talks")])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "sources[0].url", "'ftp://example.org/talks' is not an http(s) URL"
    )


def test_it_refuses_a_source_url_longer_than_the_database_keeps():
    url = "https://example.org/" + "a" * 1990

    assert the_only_problem(with_a_good_event(event_record("bad", sources=[source(url)]))) == Problem(
        "event bad", "sources[0].url", "Ensure this value has at most 2000 characters (it has 2010)."
    )


@pytest.mark.parametrize("published", ["2025-02", "19 February 2025", "2025-W08-3", "20250219", 20250219])
def test_it_refuses_a_publication_date_that_is_not_a_day(published):
    bad = event_record("bad", sources=[source(published=published)])

    assert the_only_problem(with_a_good_event(bad)) == Problem(
        "event bad", "sources[0].published", f"{published!r} is not an ISO date (YYYY-MM-DD) or null"
    )


def test_it_refuses_a_tag_longer_than_the_database_keeps():
    tag = "a" * 61

    assert the_only_problem(with_a_good_event(event_record("bad", tags=[tag]))) == Problem(
        "event bad", "tags[0]", "a tag has at most 60 characters"
    )


def test_it_refuses_unknown_fields_wherever_they_are():
    actor = actor_record("hungary", country="HUN", capital="Budapest")
    bad = event_record(
        "bad",
        colour="red",
        location={"name": "Budapest", "country": "HUN", "lat": None, "lon": None, "altitude": 96},
        sources=[source(author="Someone")],
    )
    document = with_a_good_event(bad, actors=[actor])
    document["comment"] = "draft file"

    assert problems_of(document) == [
        Problem("file", "comment", "unknown key(s) ['comment']: a dataset has actors and events"),
        Problem(
            "actor hungary",
            "capital",
            "unknown field (an actor has id, name, kind, country, aliases, parent, wikidata)",
        ),
        Problem(
            "event bad",
            "colour",
            "unknown field (an event has id, title, summary, type, status, start, start_precision, end, "
            "end_precision, participants, location, sources, tags, related, review_state)",
        ),
        Problem("event bad", "location.altitude", "unknown field (a location has name, country, lat, lon)"),
        Problem(
            "event bad",
            "sources[0].author",
            "unknown field (a source has url, title, publisher, published, language, archive_url, quote, claimed_by)",
        ),
    ]


def test_it_ignores_the_read_only_fields_the_api_adds():
    record = event_record(GOOD, created_at="2025-01-01T00:00:00Z", updated_at="2025-01-01T00:00:00Z", incoming=[])

    import_document(dataset(record))

    assert Event.objects.values_list("id", flat=True).get() == GOOD


# ---------------------------------------------------------------- actor hierarchy


def test_it_refuses_an_actor_parent_loop_in_the_file():
    actors = [
        actor_record("ministry", kind="government", parent="minister"),
        actor_record("minister", kind="person", parent="ministry"),
    ]

    assert problems_of(with_a_good_event(actors=actors)) == [
        Problem("actor ministry", "parent", "'minister' makes the parent chain loop back"),
        Problem("actor minister", "parent", "'ministry' makes the parent chain loop back"),
    ]


def test_it_refuses_an_actor_that_is_its_own_parent():
    assert problems_of(with_a_good_event(actors=[actor_record("hungary", parent="hungary")])) == [
        Problem("actor hungary", "parent", "'hungary' makes the parent chain loop back")
    ]


def test_it_refuses_a_parent_loop_through_the_database():
    import_document(dataset(actors=[actor_record("russian-foreign-ministry", kind="government", parent="russia")]))
    looped = {"actors": [actor_record("russia", country="RUS", parent="russian-foreign-ministry")], "events": []}

    assert problems_of(looped) == [
        Problem("actor russia", "parent", "'russian-foreign-ministry' makes the parent chain loop back")
    ]


# ---------------------------------------------------------------- the file itself


def test_it_reports_malformed_json_with_its_line_and_column():
    with pytest.raises(DatasetError) as exc:
        parse_json('{\n "actors": [],\n "events": [,]\n}\n')

    assert exc.value.problems == [
        Problem("file", "json", "not valid JSON: Expecting value at line 3, column 13"),
    ]


def test_it_reports_truncated_json_with_its_line_and_column():
    with pytest.raises(DatasetError) as exc:
        parse_json('{\n "actors": [\n  {"id": "russia",')

    assert exc.value.problems == [
        Problem(
            "file", "json", "not valid JSON: Expecting property name enclosed in double quotes at line 3, column 19"
        )
    ]


def test_it_reports_bytes_that_are_not_utf8():
    with pytest.raises(DatasetError) as exc:
        parse_json(b'{"actors": [], "events": [{"title": "\xff"}]}')

    assert exc.value.problems == [Problem("file", "json", "not UTF-8 text: invalid start byte at byte 37")]


def test_it_reads_utf8_bytes():
    assert parse_json('{"actors": [{"name": "Türkiye"}]}'.encode()) == {"actors": [{"name": "Türkiye"}]}


@pytest.mark.parametrize("document", [[], "dataset", None])
def test_it_refuses_a_document_that_is_not_an_object(document):
    with pytest.raises(DatasetError) as exc:
        import_document(document)

    assert exc.value.problems == [Problem("file", "json", 'expected an object {"actors": [...], "events": [...]}')]


def test_it_refuses_events_that_are_not_a_list():
    with pytest.raises(DatasetError) as exc:
        import_document({"actors": [], "events": {"id": GOOD}})

    assert exc.value.problems == [Problem("file", "events", "expected a list")]


def test_it_reports_every_bad_record_of_a_file_and_changes_nothing(demo):
    renamed = copy.deepcopy(demo)
    renamed["events"][0]["title"] = "A new title that must not be written"
    renamed["actors"].append(actor_record("atlantis", country="ATL"))
    renamed["events"] += [
        event_record("bad-type", type="talks.secret"),
        event_record("bad-date", start="2025-02-30"),
        event_record("bad-actor", participants=[{"actor": "nobody", "role": "host"}], sources=[]),
    ]
    before = export_text()

    assert [(p.record, p.field) for p in problems_of(renamed)] == [
        ("actor atlantis", "country"),
        ("event bad-type", "type"),
        ("event bad-date", "start"),
        ("event bad-actor", "participants[0].actor"),
        ("event bad-actor", "sources"),
    ]
    assert export_text() == before


# ---------------------------------------------------------------- sources


def test_two_spellings_of_a_url_are_one_source():
    import_document(
        dataset(
            event_record("first", sources=[source("HTTPS://Example.ORG:443/talks#second-paragraph")]),
            event_record("second", sources=[source("https://example.org/talks")]),
        )
    )

    assert list(Source.objects.values_list("url", flat=True)) == ["https://example.org/talks"]
    assert sorted(Citation.objects.values_list("event_id", "source__url")) == [
        ("first", "https://example.org/talks"),
        ("second", "https://example.org/talks"),
    ]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("http://Example.org:80/a?b=1#c", "http://example.org/a?b=1"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("http://example.org:443/a", "http://example.org:443/a"),
        ("https://example.org/Path/Keeps/Its/Case", "https://example.org/Path/Keeps/Its/Case"),
    ],
)
def test_it_stores_a_source_url_normalized(given, stored):
    import_document(dataset(event_record(GOOD, sources=[source(given)])))

    assert Source.objects.values_list("url", flat=True).get() == stored


def test_a_source_seen_again_with_new_metadata_is_updated():
    import_document(dataset(event_record(GOOD, sources=[source(title="Old headline")])))

    import_document(dataset(event_record(GOOD, sources=[source(title="New headline")])))

    assert Source.objects.values_list("title", flat=True).get() == "New headline"


# ---------------------------------------------------------------- importing and re-importing


def test_a_valid_file_imports_every_row_and_exports_as_it_came_in():
    host = actor_record("saudi-arabia", country="SAU", aliases=["Kingdom of Saudi Arabia"], wikidata="Q851")
    riyadh = event_record(
        "riyadh-talks",
        summary="First round.",
        participants=[
            {"actor": "russia", "role": "participant"},
            {"actor": "united-states", "role": "participant"},
            {"actor": "saudi-arabia", "role": "host"},
        ],
        location={"name": "Riyadh", "country": "SAU", "lat": 24.7136, "lon": 46.6753},
        sources=[source(ARTICLE, title="A lot of 'mess'", publisher="RT", published="2025-11-09", claimed_by="russia")],
        tags=["embassy-operations", "normalization"],
        related=[{"event": "istanbul-talks", "relation": "followed_by"}],
    )
    istanbul = event_record("istanbul-talks", start="2025-02-27", review_state="draft", sources=[])

    summary = import_document(dataset(riyadh, istanbul, actors=[host]))

    assert str(summary) == (
        "actors: 3 created, 0 updated, 0 unchanged; events: 2 created, 0 updated, 0 unchanged; "
        "sources: 1 created, 0 updated, 0 unchanged"
    )
    event = Event.objects.get(id="riyadh-talks")
    assert (event.title, event.type_id, event.status, event.review_state) == (
        "Russian and US delegations hold talks",
        "talks",
        "occurred",
        "published",
    )
    assert (event.location_name, event.location_country, event.location_lat, event.location_lon) == (
        "Riyadh",
        "SAU",
        24.7136,
        46.6753,
    )
    assert sorted(event.participants.values_list("actor_id", "role")) == [
        ("russia", "participant"),
        ("saudi-arabia", "host"),
        ("united-states", "participant"),
    ]
    assert list(event.citations.values_list("source__url", "source__publisher", "quote", "claimed_by_id")) == [
        (ARTICLE, "RT", "The delegations met.", "russia")
    ]
    assert sorted(event.tags.values_list("slug", flat=True)) == ["embassy-operations", "normalization"]
    assert list(event.relations.values_list("relation", "to_event_id")) == [("followed_by", "istanbul-talks")]
    exported = json.loads(export_text())
    riyadh["sources"][0].update(language=None, archive_url=None)
    assert exported["events"] == [riyadh, istanbul]
    assert exported["actors"] == [dataset(actors=[host])["actors"][i] for i in (0, 2, 1)]


def test_importing_the_same_file_again_changes_nothing(demo):
    before, updated = row_counts(), dict(Event.objects.values_list("id", "updated_at"))

    summary = import_document(copy.deepcopy(demo))

    assert str(summary) == (
        "actors: 0 created, 0 updated, 14 unchanged; events: 0 created, 0 updated, 17 unchanged; "
        "sources: 0 created, 0 updated, 1 unchanged"
    )
    assert row_counts() == before
    assert dict(Event.objects.values_list("id", "updated_at")) == updated


def test_a_changed_title_updates_that_event_only_and_records_one_history_row(demo):
    changed = copy.deepcopy(demo)
    record = next(e for e in changed["events"] if e["id"] == "us-sanctions-rosneft-lukoil-2025")
    record["title"] = "US Treasury sanctions Rosneft and Lukoil"
    before, updated = row_counts(), dict(Event.objects.values_list("id", "updated_at"))

    summary = import_document(changed)

    assert summary.updated == {"actors": 0, "events": 1, "sources": 0}
    after = row_counts()
    assert {label: after[label] - before[label] for label in after if after[label] != before[label]} == {
        "events.HistoricalEvent": 1,
        "events.HistoricalEvent_tags": 1,  # the history's snapshot of the event's one tag, "oil"
    }
    assert Event.objects.get(id="us-sanctions-rosneft-lukoil-2025").title == "US Treasury sanctions Rosneft and Lukoil"
    latest = Event.history.filter(id="us-sanctions-rosneft-lukoil-2025").latest("history_id")
    assert (latest.history_type, latest.title) == ("~", "US Treasury sanctions Rosneft and Lukoil")
    changed_ids = [i for i, moment in Event.objects.values_list("id", "updated_at") if moment != updated[i]]
    assert changed_ids == ["us-sanctions-rosneft-lukoil-2025"]


def test_re_importing_without_a_participant_a_citation_a_relation_or_a_tag_removes_it():
    full = event_record(
        GOOD,
        participants=[
            {"actor": "russia", "role": "participant"},
            {"actor": "united-states", "role": "participant"},
            {"actor": "saudi-arabia", "role": "host"},
        ],
        sources=[source("https://example.org/one"), source("https://example.org/two")],
        tags=["embassy-operations", "normalization"],
        related=[{"event": "earlier", "relation": "follows"}],
    )
    earlier = event_record("earlier", start="2025-01-10")
    host = [actor_record("saudi-arabia", country="SAU")]
    import_document(dataset(earlier, full, actors=host))
    trimmed = copy.deepcopy(full)
    del trimmed["participants"][2], trimmed["sources"][1], trimmed["related"][0], trimmed["tags"][1]

    import_document(dataset(earlier, trimmed, actors=host))

    event = Event.objects.get(id=GOOD)
    assert sorted(event.participants.values_list("actor_id", flat=True)) == ["russia", "united-states"]
    assert list(event.citations.values_list("source__url", flat=True)) == ["https://example.org/one"]
    assert not event.relations.exists()
    assert list(event.tags.values_list("slug", flat=True)) == ["embassy-operations"]
    # The source and the actor themselves stay; their removal from the event is in the history.
    assert Source.objects.count() == 3  # with the one "earlier" cites
    assert Actor.objects.filter(id="saudi-arabia").exists()
    assert Participant.history.filter(actor_id="saudi-arabia", history_type="-").count() == 1
    assert Citation.history.filter(history_type="-").count() == 1
    assert EventRelation.history.filter(history_type="-").count() == 1


# ---------------------------------------------------------------- exporting


def test_the_export_is_the_canonical_dump_of_itself(demo):
    text = export_text()

    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"


def test_an_empty_database_exports_an_empty_dataset():
    assert export_text() == '{\n "actors": [],\n "events": []\n}\n'


def test_export_then_import_into_an_empty_database_then_export_gives_the_same_bytes(demo):
    exported = export_text()
    empty_the_database()
    assert not Event.objects.exists() and not Actor.objects.exists() and not Source.objects.exists()
    assert export_text() == '{\n "actors": [],\n "events": []\n}\n'

    import_document(parse_json(exported.encode()))

    assert export_text() == exported


def test_the_export_lists_actors_by_id_and_events_by_start_then_id(demo):
    exported = json.loads(export_text())

    assert [a["id"] for a in exported["actors"]] == sorted(a["id"] for a in demo["actors"])
    starts = [(Event.objects.get(id=e["id"]).start, e["id"]) for e in exported["events"]]
    assert starts == sorted(starts)


# ---------------------------------------------------------------- malformed values


WRONG_VALUES = [None, 5, True, -1.5, "x", [], {}, [1], [["a"]], {"a": 1}, [{"a": 1}]]
PLACES = (
    [("event", key) for key in event_record()]
    + [("participant", key) for key in ("actor", "role")]
    + [("source", key) for key in ("url", "title", "publisher", "published", "language", "archive_url", "quote")]
    + [("source", "claimed_by")]
    + [("location", key) for key in ("name", "country", "lat", "lon")]
    + [("related", key) for key in ("event", "relation")]
    + [("actor", key) for key in actor_record()]
)


@pytest.mark.parametrize(("place", "key"), PLACES)
def test_a_value_of_any_json_type_anywhere_is_accepted_or_named_as_a_problem_never_a_crash(place, key):
    for value in WRONG_VALUES:
        bad = event_record(
            "bad",
            location={"name": "Riyadh", "country": None, "lat": None, "lon": None},
            related=[{"event": GOOD, "relation": "follows"}],
        )
        actor = actor_record("someone")
        target = {
            "event": bad,
            "participant": bad["participants"][0],
            "source": bad["sources"][0],
            "location": bad["location"],
            "related": bad["related"][0],
            "actor": actor,
        }[place]
        target[key] = value
        label = "actor" if place == "actor" else "event"
        if key == "id":
            label = f"{label} {value}" if isinstance(value, str) else f"{label} #{3 if place == 'actor' else 2} (no id)"
        else:
            label = f"{label} someone" if place == "actor" else f"{label} bad"

        try:
            with transaction.atomic():
                import_document(with_a_good_event(bad, actors=[actor]))
                transaction.set_rollback(True)
        except DatasetError as exc:
            assert {problem.record for problem in exc.problems} == {label}, (value, exc.problems)
