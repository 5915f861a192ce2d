"""What must never be stored is refused by the database itself, and explained by `full_clean()` first.

Rows here are written with `objects.create()`/`save()`, which skip model
validation: the database's own constraints are what refuse them.
"""

import contextlib
import datetime
import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from events.models import (
    Actor,
    Citation,
    Event,
    EventRelation,
    EventType,
    Participant,
    Source,
)

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
D = datetime.date


@contextlib.contextmanager
def refused_by(constraint, sqlite_unique_columns=None):
    """The database refuses the write, naming the constraint.

    SQLite names a unique constraint by its columns rather than by its name.
    """
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        yield
    if sqlite_unique_columns and connection.vendor == "sqlite":
        assert f"UNIQUE constraint failed: {sqlite_unique_columns}" in str(exc.value)
    else:
        assert constraint in str(exc.value)


@pytest.fixture
def russia(db):
    return Actor.objects.create(id="russia", name="Russia", kind="state", country="RUS")


@pytest.fixture
def united_states(db):
    return Actor.objects.create(id="united-states", name="United States", kind="state", country="USA")


def new_event(event_id="talks-2025", **fields):
    """An event saved without validation: what the database alone lets through."""
    values = {"id": event_id, "title": "Talks", "type_id": "talks", "start": D(2025, 3, 1)}
    values.update(fields)
    return Event.objects.create(**values)


def unsaved_event(event_id="talks-2025", **fields):
    values = {"id": event_id, "title": "Talks", "type_id": "talks", "start": D(2025, 3, 1)}
    values.update(fields)
    return Event(**values)


def validation_messages(instance):
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
    return exc.value.message_dict


def new_source(url="https://example.org/talks"):
    return Source.objects.create(url=url, title="Talks", publisher="Example News")


# ---------------------------------------------------------------- actors


def test_it_accepts_an_actor_without_a_country():
    Actor.objects.create(id="someone", name="Someone", kind="person", country="")

    assert Actor.objects.get(id="someone").country == ""


@pytest.mark.parametrize("country", ["rus", "Rus", "RU", "R1S"])
def test_it_refuses_an_actor_country_that_is_not_upper_case_alpha3(country):
    with refused_by("actor_country_is_alpha3"):
        Actor.objects.create(id="someone", name="Someone", kind="person", country=country)
    assert not Actor.objects.filter(id="someone").exists()


def test_it_refuses_an_actor_country_longer_than_three_letters():
    # PostgreSQL refuses it for the column's length (varchar(3)) before reaching the check constraint.
    with pytest.raises(DataError if ON_POSTGRESQL else IntegrityError) as exc, transaction.atomic():
        Actor.objects.create(id="someone", name="Someone", kind="person", country="RUSS")
    if not ON_POSTGRESQL:
        assert "actor_country_is_alpha3" in str(exc.value)
    assert not Actor.objects.filter(id="someone").exists()


@pytest.mark.parametrize("wikidata", ["q159", "Q0", "Q0159", "159", "Q159x", "Q"])
def test_it_refuses_a_wikidata_id_that_is_not_a_q_number(wikidata):
    with refused_by("actor_wikidata_qid"):
        Actor.objects.create(id="russia", name="Russia", kind="state", wikidata=wikidata)


def test_it_refuses_an_actor_that_is_its_own_parent(russia):
    russia.parent_id = "russia"
    with refused_by("actor_is_not_its_own_parent"):
        russia.save()
    assert Actor.objects.get(id="russia").parent_id is None


# ---------------------------------------------------------------- event types


@pytest.mark.parametrize("goldstein", [Decimal("10.1"), Decimal("-10.5"), Decimal("99.9")])
def test_it_refuses_a_goldstein_score_outside_minus_ten_to_ten(goldstein):
    with refused_by("eventtype_goldstein_in_range"):
        EventType.objects.create(code="test", name="Test", goldstein=goldstein)


# ---------------------------------------------------------------- event dates


def test_it_refuses_an_end_before_the_start():
    with refused_by("event_does_not_end_before_start"):
        new_event(start=D(2025, 3, 1), end=D(2025, 2, 28), end_precision="day")
    assert not Event.objects.exists()


def test_it_refuses_an_end_month_that_is_over_before_the_start():
    with refused_by("event_does_not_end_before_start"):
        new_event(start=D(2025, 3, 15), end=D(2025, 2, 1), end_precision="month")


def test_it_accepts_an_end_month_that_contains_the_start():
    # The end's first day is before the start, but the end covers all of March.
    event = new_event(start=D(2025, 3, 15), end=D(2025, 3, 1), end_precision="month")

    assert Event.objects.get(pk=event.pk).span_end == D(2025, 3, 31)


def test_it_refuses_an_end_year_that_is_over_before_the_start():
    with refused_by("event_does_not_end_before_start"):
        new_event(start=D(2025, 1, 1), start_precision="year", end=D(2024, 1, 1), end_precision="year")


def test_it_refuses_a_month_precision_start_that_is_not_the_first_of_the_month():
    with refused_by("event_month_start_is_first_day"):
        new_event(start=D(2025, 3, 15), start_precision="month")


def test_it_refuses_a_year_precision_start_that_is_not_the_first_of_january():
    with refused_by("event_year_start_is_first_day"):
        new_event(start=D(2025, 3, 1), start_precision="year")


def test_it_refuses_a_year_precision_start_on_the_first_of_a_later_month():
    with refused_by("event_year_start_is_first_day"):
        new_event(start=D(2025, 1, 15), start_precision="year")


def test_it_refuses_a_month_precision_end_that_is_not_the_first_of_the_month():
    with refused_by("event_month_end_is_first_day"):
        new_event(start=D(2025, 3, 1), end=D(2025, 4, 15), end_precision="month")


def test_it_refuses_a_year_precision_end_that_is_not_the_first_of_january():
    with refused_by("event_year_end_is_first_day"):
        new_event(start=D(2024, 1, 1), end=D(2025, 2, 1), end_precision="year")


def test_it_stores_imprecise_dates_as_the_first_day_of_their_period():
    event = new_event(start=D(2016, 12, 1), start_precision="month", end=D(2021, 1, 1), end_precision="year")

    assert Event.objects.values_list("start", "span_end").get(pk=event.pk) == (D(2016, 12, 1), D(2021, 12, 31))


def test_it_refuses_an_end_without_its_precision():
    with refused_by("event_end_has_precision"):
        new_event(end=D(2025, 4, 1), end_precision="")


def test_it_refuses_an_end_precision_without_an_end():
    with refused_by("event_end_has_precision"):
        new_event(end=None, end_precision="day")


def test_it_refuses_an_end_precision_that_is_not_day_month_or_year():
    with refused_by("event_end_has_precision"):
        new_event(end=D(2025, 4, 1), end_precision="week")


def test_it_refuses_a_start_precision_that_is_not_day_month_or_year():
    with refused_by("event_start_precision_valid"):
        new_event(start_precision="week")


# ---------------------------------------------------------------- event location


@pytest.mark.parametrize(("lat", "lon"), [(90.5, 0.0), (-90.01, 0.0), (1000.0, 0.0)])
def test_it_refuses_a_latitude_beyond_the_poles(lat, lon):
    with refused_by("event_lat_in_range"):
        new_event(location_name="Nowhere", location_lat=lat, location_lon=lon)


@pytest.mark.parametrize(("lat", "lon"), [(0.0, 180.5), (0.0, -180.01)])
def test_it_refuses_a_longitude_beyond_the_date_line(lat, lon):
    with refused_by("event_lon_in_range"):
        new_event(location_name="Nowhere", location_lat=lat, location_lon=lon)


def test_it_accepts_coordinates_at_the_edges_of_their_ranges():
    new_event("north-pole", location_name="North Pole", location_lat=90.0, location_lon=180.0)
    new_event("south-pole", location_name="South Pole", location_lat=-90.0, location_lon=-180.0)

    assert Event.objects.count() == 2


def test_it_refuses_a_latitude_without_a_longitude():
    with refused_by("event_coordinates_come_in_pairs"):
        new_event(location_name="Riyadh", location_lat=24.7136)


def test_it_refuses_a_longitude_without_a_latitude():
    with refused_by("event_coordinates_come_in_pairs"):
        new_event(location_name="Riyadh", location_lon=46.6753)


def test_it_refuses_a_location_country_without_a_location_name():
    with refused_by("event_location_has_a_name"):
        new_event(location_country="SAU")


def test_it_refuses_coordinates_without_a_location_name():
    with refused_by("event_location_has_a_name"):
        new_event(location_lat=24.7136, location_lon=46.6753)


@pytest.mark.parametrize("country", ["sau", "Sau", "SA", "S4U"])
def test_it_refuses_a_location_country_that_is_not_upper_case_alpha3(country):
    with refused_by("event_location_country_is_alpha3"):
        new_event(location_name="Riyadh", location_country=country)


def test_it_refuses_a_location_country_longer_than_three_letters():
    with pytest.raises(DataError if ON_POSTGRESQL else IntegrityError) as exc, transaction.atomic():
        new_event(location_name="Riyadh", location_country="SAUD")
    if not ON_POSTGRESQL:
        assert "event_location_country_is_alpha3" in str(exc.value)


# ---------------------------------------------------------------- event id and states


@pytest.mark.parametrize("event_id", ["export", "deleted", "facets", "feed"])
def test_it_refuses_an_event_id_the_api_reserves(event_id):
    with refused_by("event_id_not_reserved"):
        new_event(event_id)
    assert not Event.objects.exists()


@pytest.mark.parametrize("status", ["done", "", "Occurred"])
def test_it_refuses_an_unknown_status(status):
    with refused_by("event_status_valid"):
        new_event(status=status)


@pytest.mark.parametrize("review_state", ["final", "", "Published"])
def test_it_refuses_an_unknown_review_state(review_state):
    with refused_by("event_review_state_valid"):
        new_event(review_state=review_state)


# ---------------------------------------------------------------- participants, sources, citations, relations


def test_it_refuses_an_unknown_participant_role(russia):
    event = new_event()
    with refused_by("participant_role_valid"):
        Participant.objects.create(event=event, actor=russia, role="observer")


def test_it_refuses_the_same_actor_twice_in_the_same_role(russia):
    event = new_event()
    Participant.objects.create(event=event, actor=russia, role="host")
    with refused_by(
        "participant_once_per_role",
        "events_participant.event_id, events_participant.actor_id, events_participant.role",
    ):
        Participant.objects.create(event=event, actor=russia, role="host")
    assert Participant.objects.count() == 1


def test_it_accepts_the_same_actor_in_two_roles(russia):
    event = new_event()
    Participant.objects.create(event=event, actor=russia, role="initiator")
    Participant.objects.create(event=event, actor=russia, role="target")

    assert sorted(event.participants.values_list("role", flat=True)) == ["initiator", "target"]


def test_it_refuses_two_citations_of_one_source_by_one_event():
    event, source = new_event(), new_source()
    Citation.objects.create(event=event, source=source, quote="First passage.")
    with refused_by("citation_once_per_source", "events_citation.event_id, events_citation.source_id"):
        Citation.objects.create(event=event, source=source, quote="Second passage.")


def test_it_refuses_two_spellings_of_one_source_url():
    new_source("https://example.org/talks")
    with refused_by("events_source_url", "events_source.url"):
        new_source("HTTPS://Example.ORG:443/talks#second-paragraph")
    assert list(Source.objects.values_list("url", flat=True)) == ["https://example.org/talks"]


def test_it_refuses_a_relation_from_an_event_to_itself():
    event = new_event()
    with refused_by("relation_not_to_itself"):
        EventRelation.objects.create(from_event=event, to_event=event, relation="follows")


def test_it_refuses_an_unknown_relation():
    first, second = new_event("first"), new_event("second")
    with refused_by("relation_kind_valid"):
        EventRelation.objects.create(from_event=second, to_event=first, relation="precedes")


def test_it_refuses_the_same_relation_twice():
    first, second = new_event("first"), new_event("second")
    EventRelation.objects.create(from_event=second, to_event=first, relation="follows")
    with refused_by(
        "relation_once",
        "events_eventrelation.from_event_id, events_eventrelation.to_event_id, events_eventrelation.relation",
    ):
        EventRelation.objects.create(from_event=second, to_event=first, relation="follows")


# ---------------------------------------------------------------- deletions


@pytest.fixture
def talks(russia, united_states):
    """Two events, the second following the first, each with participants and a citation."""
    source = new_source()
    first, second = new_event("first-round"), new_event("second-round", start=D(2025, 3, 10))
    for event in (first, second):
        Participant.objects.create(event=event, actor=russia, role="participant")
        Participant.objects.create(event=event, actor=united_states, role="participant")
        Citation.objects.create(event=event, source=source, quote="The delegations met.", claimed_by=russia)
    EventRelation.objects.create(from_event=second, to_event=first, relation="follows")
    return first, second


def test_it_refuses_to_delete_an_actor_still_taking_part_in_an_event(talks, united_states):
    with pytest.raises(ProtectedError) as exc, transaction.atomic():
        united_states.delete()
    assert exc.value.protected_objects == set(Participant.objects.filter(actor=united_states))
    assert Actor.objects.filter(id="united-states").exists()


def test_it_refuses_to_delete_an_actor_a_citation_names_as_claimant(russia):
    Citation.objects.create(event=new_event(), source=new_source(), claimed_by=russia)
    with pytest.raises(ProtectedError), transaction.atomic():
        russia.delete()
    assert Actor.objects.filter(id="russia").exists()


def test_it_refuses_to_delete_an_actor_that_is_another_s_parent(russia):
    Actor.objects.create(id="sergey-lavrov", name="Sergey Lavrov", kind="person", parent=russia)
    with pytest.raises(ProtectedError) as exc, transaction.atomic():
        russia.delete()
    assert exc.value.protected_objects == {Actor.objects.get(id="sergey-lavrov")}


def test_it_refuses_to_delete_a_cited_source(talks):
    source = Source.objects.get()
    with pytest.raises(ProtectedError) as exc, transaction.atomic():
        source.delete()
    assert exc.value.protected_objects == set(Citation.objects.all())
    assert Source.objects.count() == 1


def test_it_refuses_to_delete_an_event_type_in_use(talks):
    with pytest.raises(ProtectedError) as exc, transaction.atomic():
        EventType.objects.get(code="talks").delete()
    assert exc.value.protected_objects == set(Event.objects.all())
    assert EventType.objects.filter(code="talks").exists()


def test_it_deletes_an_event_type_nobody_uses():
    EventType.objects.create(code="unused", name="Unused")
    EventType.objects.get(code="unused").delete()

    assert not EventType.objects.filter(code="unused").exists()


def test_it_refuses_to_delete_an_event_another_event_relates_to(talks):
    first, _ = talks
    with pytest.raises(ProtectedError) as exc, transaction.atomic():
        first.delete()
    assert exc.value.protected_objects == set(EventRelation.objects.filter(to_event=first))
    assert Event.objects.filter(id="first-round").exists()
    assert first.participants.count() == 2


def test_deleting_an_event_deletes_its_participants_citations_and_relations_and_keeps_its_history(talks):
    _, second = talks

    second.delete()

    assert list(Event.objects.values_list("id", flat=True)) == ["first-round"]
    assert sorted(Participant.objects.values_list("event_id", "actor_id")) == [
        ("first-round", "russia"),
        ("first-round", "united-states"),
    ]
    assert list(Citation.objects.values_list("event_id", flat=True)) == ["first-round"]
    assert not EventRelation.objects.exists()
    # What it pointed to stays.
    assert Actor.objects.count() == 2
    assert Source.objects.count() == 1
    # Its history says it was created, then deleted, and so does that of its rows.
    assert list(
        Event.history.filter(id="second-round").order_by("history_id").values_list("history_type", flat=True)
    ) == [
        "+",
        "-",
    ]
    assert sorted(Participant.history.filter(event_id="second-round").values_list("actor_id", "history_type")) == [
        ("russia", "+"),
        ("russia", "-"),
        ("united-states", "+"),
        ("united-states", "-"),
    ]
    assert sorted(Citation.history.filter(event_id="second-round").values_list("history_type", flat=True)) == [
        "+",
        "-",
    ]
    assert sorted(
        EventRelation.history.filter(from_event_id="second-round").values_list("history_type", flat=True)
    ) == [
        "+",
        "-",
    ]


# ---------------------------------------------------------------- the friendly layer: full_clean()


def test_a_valid_event_passes_full_clean():
    event = unsaved_event(
        start=D(2025, 2, 1),
        start_precision="month",
        end=D(2025, 11, 1),
        end_precision="month",
        location_name="Riyadh",
        location_country="SAU",
        location_lat=24.7136,
        location_lon=46.6753,
    )

    event.full_clean()


def test_full_clean_checks_an_event_without_an_end_without_a_database_error(caplog):
    event = unsaved_event()

    with caplog.at_level(logging.WARNING, logger="django.db.models"):
        event.full_clean()

    assert caplog.messages == []


def test_full_clean_explains_an_end_before_the_start():
    event = unsaved_event(start=D(2025, 3, 1), end=D(2025, 2, 28), end_precision="day")

    assert validation_messages(event) == {"end": ["The event ends (2025-02-28) before it starts (2025-03-01)."]}


def test_full_clean_explains_an_end_month_over_before_the_start():
    event = unsaved_event(start=D(2025, 3, 15), end=D(2025, 2, 1), end_precision="month")

    assert validation_messages(event) == {"end": ["The event ends (2025-02-01) before it starts (2025-03-15)."]}


def test_full_clean_explains_a_day_in_a_month_precision_start():
    event = unsaved_event(start=D(2016, 12, 29), start_precision="month")

    assert validation_messages(event) == {
        "start": ["2016-12-29 has a day but start_precision is 'month': write '2016-12'."]
    }


def test_full_clean_explains_a_month_in_a_year_precision_start():
    event = unsaved_event(start=D(2016, 12, 1), start_precision="year")

    assert validation_messages(event) == {
        "start": ["2016-12-01 has a month or day but start_precision is 'year': write '2016'."]
    }


def test_full_clean_explains_a_day_in_a_month_precision_end():
    event = unsaved_event(start=D(2025, 2, 1), end=D(2025, 11, 9), end_precision="month")

    assert validation_messages(event) == {
        "end": ["2025-11-09 has a day but end_precision is 'month': write '2025-11'."]
    }


def test_full_clean_explains_a_month_in_a_year_precision_end():
    event = unsaved_event(start=D(2016, 1, 1), end=D(2021, 6, 1), end_precision="year")

    assert validation_messages(event) == {
        "end": ["2021-06-01 has a month or day but end_precision is 'year': write '2021'."]
    }


def test_full_clean_explains_an_end_without_its_precision():
    event = unsaved_event(end=D(2025, 4, 1), end_precision="")

    assert validation_messages(event) == {"end_precision": ["An end date needs its precision."]}


def test_full_clean_explains_an_end_precision_without_an_end():
    event = unsaved_event(end=None, end_precision="day")

    assert validation_messages(event) == {"end_precision": ["An end precision needs an end date."]}


def test_full_clean_explains_a_latitude_out_of_range():
    event = unsaved_event(location_name="Nowhere", location_lat=91.0, location_lon=0.0)

    assert validation_messages(event) == {"location_lat": ["Ensure this value is less than or equal to 90."]}


def test_full_clean_explains_a_longitude_out_of_range():
    event = unsaved_event(location_name="Nowhere", location_lat=0.0, location_lon=-180.5)

    assert validation_messages(event) == {"location_lon": ["Ensure this value is greater than or equal to -180."]}


def test_full_clean_explains_a_latitude_without_a_longitude():
    event = unsaved_event(location_name="Riyadh", location_lat=24.7136)

    assert validation_messages(event) == {"location_lon": ["Give both coordinates or neither."]}


def test_full_clean_explains_a_longitude_without_a_latitude():
    event = unsaved_event(location_name="Riyadh", location_lon=46.6753)

    assert validation_messages(event) == {"location_lat": ["Give both coordinates or neither."]}


def test_full_clean_explains_a_location_without_a_name():
    event = unsaved_event(location_country="SAU", location_lat=24.7136, location_lon=46.6753)

    assert validation_messages(event) == {"location_name": ["A location needs a name."]}


@pytest.mark.parametrize("country", ["sau", "SA", "XXX"])
def test_full_clean_explains_a_location_country_that_is_not_alpha3(country):
    event = unsaved_event(location_name="Riyadh", location_country=country)

    assert validation_messages(event) == {
        "location_country": [f"'{country}' is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS', 'USA')."]
    }


@pytest.mark.parametrize("event_id", ["export", "deleted", "facets", "feed"])
def test_full_clean_explains_a_reserved_event_id(event_id):
    event = unsaved_event(event_id)

    assert validation_messages(event) == {
        "id": [
            f"'{event_id}' is reserved by the API (/api/v1/events/{event_id}/) and cannot be an event id; "
            "the reserved ids are deleted, export, facets, feed."
        ]
    }


def test_full_clean_explains_an_unknown_status():
    event = unsaved_event(status="done")

    assert validation_messages(event) == {"status": ["Value 'done' is not a valid choice."]}


def test_full_clean_explains_an_unknown_review_state():
    event = unsaved_event(review_state="final")

    assert validation_messages(event) == {"review_state": ["Value 'final' is not a valid choice."]}


def test_full_clean_explains_a_lower_case_actor_country():
    actor = Actor(id="russia", name="Russia", kind="state", country="rus")

    assert validation_messages(actor) == {
        "country": ["'rus' is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS', 'USA')."]
    }


def test_full_clean_explains_an_actor_that_is_its_own_parent(russia):
    russia.parent_id = "russia"

    assert validation_messages(russia) == {"parent": ["'russia' would make the hierarchy a loop."]}


def test_full_clean_explains_an_actor_parent_loop(russia):
    ministry = Actor.objects.create(id="russian-foreign-ministry", name="MFA", kind="government", parent=russia)
    russia.parent = ministry

    assert validation_messages(russia) == {"parent": ["'russian-foreign-ministry' would make the hierarchy a loop."]}


def test_full_clean_explains_a_duplicate_participant(russia):
    event = new_event()
    Participant.objects.create(event=event, actor=russia, role="host")

    assert validation_messages(Participant(event=event, actor=russia, role="host")) == {
        "__all__": ["Participant with this Event, Actor and Role already exists."]
    }


def test_full_clean_explains_an_unknown_participant_role(russia):
    participant = Participant(event=new_event(), actor=russia, role="observer")

    assert validation_messages(participant) == {"role": ["Value 'observer' is not a valid choice."]}


def test_full_clean_explains_a_duplicate_citation():
    event, source = new_event(), new_source()
    Citation.objects.create(event=event, source=source)

    assert validation_messages(Citation(event=event, source=source)) == {
        "__all__": ["Citation with this Event and Source already exists."]
    }


def test_full_clean_refuses_a_relation_to_itself():
    event = new_event()

    assert validation_messages(EventRelation(from_event=event, to_event=event, relation="follows")) == {
        "__all__": ["An event cannot relate to itself."]
    }
