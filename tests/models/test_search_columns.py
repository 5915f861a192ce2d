"""The events' search columns on PostgreSQL (migration 0007): exact after every write, same answers as the joins.

`actor_ids`, `countries` and `search_document` are kept by triggers; the
actor, initiator, target, country and q filters read them. Each test here
recomputes them from the tables in Python (and, for the text, from each piece
of text on its own) and compares, or asks each filter both ways.
"""

import copy
import io
import itertools
import json
import random
import re

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Actor, Citation, Event, Participant, Source
from tests.demo import DEMO_PATH, dataset, event_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the search columns are PostgreSQL's"),
]


def stored_columns():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, actor_ids, countries, tsvector_to_array(search_document) FROM events_event")
        return {row[0]: (sorted(row[1]), sorted(row[2]), sorted(row[3])) for row in cursor.fetchall()}


def recomputed_columns():
    """The columns from the tables: the participants and their actors, the location, each text's lexemes."""
    actor_ids = {event_id: set() for event_id in Event.objects.values_list("id", flat=True)}
    countries = {event_id: set() for event_id in actor_ids}
    for event_id, actor_id, role, country in Participant.objects.values_list(
        "event_id", "actor_id", "role", "actor__country"
    ):
        actor_ids[event_id] |= {actor_id, f"{role}:{actor_id}"}
        countries[event_id].add(country)
    for event_id, country in Event.objects.values_list("id", "location_country"):
        countries[event_id].add(country)
    with connection.cursor() as cursor:
        # Every lexeme of the title and summary, and of each quote on its own.
        cursor.execute(
            """
            SELECT e.id, ARRAY(
                SELECT unnest(tsvector_to_array(
                    to_tsvector('chancery_english', coalesce(e.title, '') || ' ' || coalesce(e.summary, ''))))
                UNION
                SELECT unnest(tsvector_to_array(to_tsvector('chancery_english', c.quote)))
                FROM events_citation c WHERE c.event_id = e.id)
            FROM events_event e
            """
        )
        lexemes = dict(cursor.fetchall())
    return {
        event_id: (sorted(actor_ids[event_id]), sorted(countries[event_id] - {""}), sorted(lexemes[event_id]))
        for event_id in actor_ids
    }


def assert_the_columns_are_exact():
    stored = stored_columns()
    assert stored == recomputed_columns()
    return stored


@pytest.fixture
def token_client(django_user_model):
    curator = django_user_model.objects.create_user("curator", password="pass-8429!x", is_staff=True, is_superuser=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")
    return client


def test_they_follow_orm_writes_of_events_participants_and_citations():
    russia = Actor.objects.create(id="russia", name="Russia", kind="state", country="RUS")
    Actor.objects.create(id="united-states", name="United States", kind="state", country="USA")
    Actor.objects.create(id="lavrov", name="Sergey Lavrov", kind="person", country="RUS", parent=russia)
    event = Event.objects.create(
        id="talks", title="Delegations meet in Riyadh", type_id="talks", start="2025-02-18", review_state="published"
    )
    assert assert_the_columns_are_exact()["talks"] == ([], [], ["deleg", "meet", "riyadh"])

    Participant.objects.create(event=event, actor_id="russia", role="initiator")
    Participant.objects.create(event=event, actor_id="united-states", role="target")
    source = Source.objects.create(url="https://example.org/a", title="A")
    citation = Citation.objects.create(event=event, source=source, quote="The icebreaker sailed.")
    stored = assert_the_columns_are_exact()["talks"]
    assert stored[:2] == (
        ["initiator:russia", "russia", "target:united-states", "united-states"],
        ["RUS", "USA"],
    )
    assert "icebreak" in stored[2]

    event.title, event.summary, event.location_name, event.location_country = "Talks", "On oil.", "Geneva", "CHE"
    event.save()
    Participant.objects.filter(actor_id="russia").update(role="participant")
    Participant.objects.create(event=event, actor_id="lavrov", role="participant")
    citation.quote = "Nothing about ships."
    citation.save()
    stored = assert_the_columns_are_exact()["talks"]
    assert stored == (
        ["lavrov", "participant:lavrov", "participant:russia", "russia", "target:united-states", "united-states"],
        ["CHE", "RUS", "USA"],
        ["noth", "oil", "ship", "talk"],
    )

    Participant.objects.filter(actor_id="united-states").delete()
    citation.delete()
    Event.objects.filter(pk="talks").update(location_country="", location_name="")
    assert assert_the_columns_are_exact()["talks"] == (
        ["lavrov", "participant:lavrov", "participant:russia", "russia"],
        ["RUS"],
        ["oil", "talk"],
    )
    event.delete()
    assert stored_columns() == {}


def test_q_finds_words_together_in_the_title_and_summary_or_in_one_quote_as_before():
    event = Event.objects.create(
        id="talks", title="Icebreaker delegation", type_id="talks", start="2025-02-18", review_state="published"
    )
    for n, quote in enumerate(["Fishing rights.", "Grain corridor."]):
        Citation.objects.create(event=event, source=Source.objects.create(url=f"https://example.org/{n}"), quote=quote)

    def found(text):
        return list(Event.objects.search(text).values_list("id", flat=True))

    assert found("icebreakers delegations") == found("fishing right") == found("grain") == ["talks"]
    # The stored vector holds all these words, but no one text has both.
    assert found("icebreaker fishing") == found("fishing grain") == []


def test_they_follow_an_actors_change_of_country_and_bulk_inserts():
    Actor.objects.bulk_create(
        [Actor(id=f"state-{n}", name=f"State {n}", kind="state", country="FRA") for n in range(30)]
    )
    Event.objects.bulk_create(
        [
            Event(id=f"e-{n}", title=f"Event {n}", type_id="talks", start="2020-01-01", span_end="2020-01-01")
            for n in range(300)
        ]
    )
    # One statement each: the triggers update the 300 events once per statement.
    Participant.objects.bulk_create(
        [
            Participant(event_id=f"e-{n}", actor_id=f"state-{(n + k) % 30}", role="participant")
            for n in range(300)
            for k in range(3)
        ]
    )
    Source.objects.bulk_create([Source(url=f"https://example.org/{n}") for n in range(300)])
    sources = dict(Source.objects.values_list("url", "id"))
    Citation.objects.bulk_create(
        [
            Citation(event_id=f"e-{n}", source_id=sources[f"https://example.org/{n}"], quote=f"Word{n} said.")
            for n in range(300)
        ]
    )
    assert assert_the_columns_are_exact()["e-7"][1] == ["FRA"]

    actor = Actor.objects.get(pk="state-7")
    actor.country = "DEU"
    actor.save()
    Actor.objects.filter(pk="state-8").update(country="")
    stored = assert_the_columns_are_exact()
    assert stored["e-7"][1] == ["DEU", "FRA"]
    assert stored["e-5"][1] == ["DEU", "FRA"]  # states 5, 6 and 7
    assert stored["e-8"][1] == ["FRA"]  # states 8 (no country now), 9 and 10
    assert stored["e-100"][1] == ["FRA"]


def test_they_follow_dataset_imports_of_new_and_updated_events():
    document = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    import_document(copy.deepcopy(document))
    assert len(assert_the_columns_are_exact()) == len(document["events"])

    changed = copy.deepcopy(document)
    event = changed["events"][0]
    event["title"] = "A wholly different icebreaker title"
    event["participants"] = event["participants"][:1] + [{"actor": "russia", "role": "mediator"}]
    for source in event["sources"]:
        source["quote"] = "Quoted anew about pipelines."
    event["location"] = None
    import_document(changed)
    stored = assert_the_columns_are_exact()
    assert "mediator:russia" in stored[event["id"]][0]
    assert {"icebreak", "pipelin"} <= set(stored[event["id"]][2])

    import_document(dataset(event_record("ru-us-new", summary="Grain corridor.")))
    assert "corridor" in assert_the_columns_are_exact()["ru-us-new"][2]


def test_they_follow_api_writes(token_client, demo):
    record = event_record(
        "ru-us-talks-2024", start="2024-05", start_precision="month", title="Talks on Arctic shipping"
    )
    assert token_client.post("/api/v1/events/", record, format="json").status_code == 201
    assert "arctic" in assert_the_columns_are_exact()["ru-us-talks-2024"][2]

    record["participants"] = [{"actor": "russia", "role": "host"}]
    record["sources"][0]["quote"] = "Fishing rights were raised."
    assert token_client.put("/api/v1/events/ru-us-talks-2024/", record, format="json").status_code == 200
    assert assert_the_columns_are_exact()["ru-us-talks-2024"][:2] == (["host:russia", "russia"], ["RUS"])

    response = token_client.patch(
        "/api/v1/events/ru-us-talks-2024/", {"summary": "Reindeer herding.", "location": None}, format="json"
    )
    assert response.status_code == 200, response.content
    assert "reindeer" in assert_the_columns_are_exact()["ru-us-talks-2024"][2]

    etag = token_client.get("/api/v1/events/ru-us-talks-2024/")["ETag"]
    assert token_client.delete("/api/v1/events/ru-us-talks-2024/", HTTP_IF_MATCH=etag).status_code == 204
    assert "ru-us-talks-2024" not in assert_the_columns_are_exact()


def test_generate_events_fills_them_and_turns_the_triggers_back_on():
    call_command("generate_events", events=400, seed=3, stdout=io.StringIO())
    assert len(assert_the_columns_are_exact()) == 400
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'search\\_columns%%' AND tgenabled = 'D'")
        assert cursor.fetchone() == (0,)
    # The triggers work again after the load.
    Participant.objects.filter(event_id="gen-3-0000001").delete()
    assert assert_the_columns_are_exact()["gen-3-0000001"][0] == []


# ---------------------------------------------------------------- the filters, through the columns and the joins


def both_ways(queryset, actors=(), initiators=(), targets=(), country=None, q=None):
    """The ids the filters give through the columns, and through the joins."""
    through_columns, through_joins = queryset, queryset
    if actors:
        through_columns = through_columns.involving(*actors)
        through_joins = through_joins._involving_by_joins(*actors)
    for role, ids in (("initiator", initiators), ("target", targets)):
        for actor_id in ids:
            through_columns = through_columns.with_role(role, actor_id)
            through_joins = through_joins._with_role_by_joins(role, actor_id)
    if country is not None:
        through_columns = through_columns.in_country(country)
        through_joins = through_joins._in_country_by_joins(country)
    if q is not None:
        through_columns = through_columns.search(q)
        through_joins = through_joins._search_by_joins(re.findall(r"\w+", q))
    return set(through_columns.values_list("id", flat=True)), set(through_joins.values_list("id", flat=True))


def test_every_filter_gives_the_same_events_through_the_columns_as_through_the_joins():
    call_command("generate_events", events=2000, seed=5, stdout=io.StringIO())
    rng = random.Random(5)
    busiest = list(Participant.objects.values_list("actor_id", flat=True).order_by().distinct())
    busiest.sort(key=lambda actor_id: -Participant.objects.filter(actor_id=actor_id).count())
    actors = busiest[:8] + rng.sample(busiest[8:], 4)
    countries = [
        "USA",
        "RUS",
        "CHE",
        "AUT",
        "FRA",
        rng.choice(sorted(set(Actor.objects.exclude(country="").values_list("country", flat=True)))),
    ]
    # Words of a title and of another event's quote: together in no single text of most events.
    titles = list(Event.objects.order_by("?").values_list("title", flat=True)[:5])
    quotes = list(Citation.objects.order_by("?").values_list("quote", flat=True)[:5])
    words = ["icebreaker", "talks", "sanctions", "the", "nuclear programme", "discussed grain", "Icebreakers"]
    words += [f"{t.split()[-1]} {q.split()[-2]}" for t, q in zip(titles, quotes, strict=True)]
    bases = {
        "all": Event.objects.all(),
        "published": Event.objects.published(),
        "talks 2010-2015": Event.objects.of_type("talks").overlapping(date_from="2010-01-01", date_to="2015-12-31"),
        "published sanctions since 2020": Event.objects.published()
        .of_type("sanctions")
        .overlapping(date_from="2020-01-01"),
    }
    filters = (
        [dict(actors=(a,)) for a in actors]
        + [dict(actors=pair) for pair in itertools.combinations(actors[:6], 2)]
        + [dict(actors=tuple(actors[:3]))]
        + [dict(initiators=(a,)) for a in actors[:6]]
        + [dict(targets=(a,)) for a in actors[:6]]
        + [dict(initiators=(actors[0],), targets=(actors[1],)), dict(actors=(actors[2],), targets=(actors[0],))]
        + [dict(country=c) for c in countries]
        + [dict(country=c, actors=(actors[1],)) for c in countries[:3]]
        + [dict(q=text) for text in words]
        + [dict(q="talks", actors=(actors[0],), country="RUS")]
    )
    cases = [(base, case) for base in bases.values() for case in filters]
    found, differences = 0, []
    for base, case in cases:
        through_columns, through_joins = both_ways(base, **case)
        found += len(through_joins)
        if through_columns != through_joins:
            differences.append((str(case), sorted(through_columns ^ through_joins)[:5]))
    assert differences == []
    assert found > 10_000  # the cases find events: they compare something
