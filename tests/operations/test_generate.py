"""`manage.py generate_events`: synthetic events for benchmarks, deterministic for a seed."""

import hashlib
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from events import dates
from events.countries import COUNTRIES
from events.dataset import write_dataset
from events.management.commands import generate_events
from events.models import Actor, Citation, Event, EventType, Participant, Source
from tests.demo import empty_the_database

N = 300


def generate(events=N, seed=7):
    out = io.StringIO()
    call_command("generate_events", events=events, seed=seed, stdout=out)
    return out.getvalue()


def export_of_generated(seed=7):
    """The dataset file of every actor and of the seed's events, as export_dataset writes it."""
    out = io.StringIO()
    write_dataset(out, Actor.objects.all(), Event.objects.filter(id__startswith=f"gen-{seed}-"))
    return out.getvalue()


@pytest.mark.django_db
def test_it_gives_the_same_events_for_the_same_seed():
    generate()
    first = export_of_generated()
    empty_the_database()
    generate()
    second = export_of_generated()
    assert hashlib.sha256(first.encode()).hexdigest() == hashlib.sha256(second.encode()).hexdigest()
    assert first.count('"id": "gen-7-') == N


@pytest.mark.django_db
def test_it_gives_other_events_for_another_seed():
    generate(seed=7)
    generate(seed=8)
    assert Event.objects.filter(id__startswith="gen-7-").count() == N
    assert Event.objects.filter(id__startswith="gen-8-").count() == N
    titles = lambda seed: list(  # noqa: E731
        Event.objects.filter(id__startswith=f"gen-{seed}-").order_by("id").values_list("title", flat=True)
    )
    assert titles(7) != titles(8)


@pytest.mark.django_db
def test_it_refuses_a_seed_it_has_used():
    generate(events=5)
    with pytest.raises(CommandError, match="gen-7-... exist already"):
        generate(events=5)
    assert Event.objects.count() == 5


@pytest.mark.django_db
def test_it_adds_the_events_with_their_actors_sources_and_participants():
    output = generate()
    assert f"generated {N} events gen-7-..." in output
    assert Event.objects.count() == N
    assert Event.objects.order_by("id").first().id == "gen-7-0000001"
    # A state for each ISO code, and a few thousand governments, ministries, officials, companies and IGOs.
    assert Actor.objects.filter(kind="state").count() == len(COUNTRIES)
    assert 2000 <= Actor.objects.count() <= 5000
    assert set(Actor.objects.values_list("kind", flat=True).distinct()) == {
        "state", "government", "person", "company", "igo",
    }  # fmt: skip
    assert Actor.objects.filter(kind="government", parent__kind="state").exists()
    assert Actor.objects.filter(kind="government", parent__kind="government").exists()  # ministries
    per_event = Counter(Participant.objects.values_list("event_id", flat=True))
    assert min(per_event.values()) >= 2 and len(per_event) == N
    sources = Counter(Citation.objects.values_list("event_id", flat=True))
    assert len(sources) == N and set(sources.values()) == {1, 2, 3}
    assert Source.objects.exclude(publisher="").count() == Source.objects.count()
    # Some dyads are far busier than others: the states' activity is Zipf-like.
    states = Counter(Participant.objects.filter(actor__kind="state").values_list("actor_id", flat=True))
    (top, top_count), *_ = states.most_common(1)
    assert top == "united-states" and top_count > 10 * sorted(states.values())[len(states) // 2]


@pytest.mark.django_db
def test_it_mixes_precisions_types_statuses_and_review_states():
    generate()
    events = Event.objects.all()
    count = Counter
    precisions = count(events.values_list("start_precision", flat=True))
    assert set(precisions) == set(dates.PRECISIONS) and precisions["day"] > precisions["month"] > precisions["year"]
    assert set(events.values_list("status", flat=True)) == set(Event.Status.values)
    states = count(events.values_list("review_state", flat=True))
    assert set(states) == set(Event.ReviewState.values) and states["published"] > 0.8 * N
    assert len(set(events.values_list("type_id", flat=True))) >= 15
    assert events.exclude(end=None).exists() and events.filter(end=None).exists()
    assert 1990 <= min(e.start.year for e in events) and max(e.start.year for e in events) <= 2026
    located = events.exclude(location_name="").count()
    assert 0.25 * N < located < 0.45 * N
    assert events.exclude(tags=None).exists()
    assert Event.objects.filter(relations__isnull=False).exists()


@pytest.mark.django_db
def test_it_keeps_every_constraint_and_computes_span_end():
    generate()
    connection.check_constraints()  # the foreign keys, which bulk inserts leave to the end
    for event in Event.objects.all():
        assert event.span_end == event.compute_span_end(), event.id
        assert dates.is_start_of_period(event.start, event.start_precision), event.id
        event.validate_constraints()
        if event.location_name:
            assert event.location_country in COUNTRIES
            assert -90 <= event.location_lat <= 90 and -180 <= event.location_lon <= 180
    assert not Event.objects.published().filter(citations=None).exists()
    assert set(Event.objects.values_list("type_id", flat=True)) <= set(EventType.objects.values_list("code", flat=True))


@pytest.mark.django_db
def test_it_reuses_the_state_actors_it_finds(demo):
    generate()
    assert Actor.objects.filter(kind="state", country="RUS").count() == 1
    assert Participant.objects.filter(event__id__startswith="gen-", actor_id="russia").exists()
    assert Participant.objects.filter(event__id__startswith="gen-", actor_id="turkiye").exists()


@pytest.mark.django_db
def test_the_api_answers_on_generated_events(client):
    generate()
    # The busiest dyad of the sample, then the filters the benchmark asks.
    response = client.get("/api/v1/events/", {"actor": ["united-states", "russia"], "page_size": 1000})
    assert response.status_code == 200
    dyad = response.json()["results"]
    assert dyad and all({"united-states", "russia"} <= {p["actor"] for p in e["participants"]} for e in dyad)
    assert all(e["review_state"] == "published" for e in dyad)

    response = client.get("/api/v1/events/", {"q": "sanctions", "page_size": 5})
    assert response.status_code == 200 and response.json()["results"]

    response = client.get("/api/v1/events/", {"country": "RUS", "type": "talks", "date_from": "2000-01-01"})
    assert response.status_code == 200 and response.json()["results"]

    response = client.get("/api/v1/timeline/", {"interval": "month"})
    assert response.status_code == 200
    assert response.json()["count"] == Event.objects.published().count()

    response = client.get("/api/v1/events/export/", {"format": "csv"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().count("\r\ngen-7-") == Event.objects.published().count()


@pytest.mark.django_db
def test_it_rebuilds_indexes_and_foreign_keys_after_a_large_load_on_postgresql(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the index rebuild is PostgreSQL's COPY path")

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'events_%%' ORDER BY indexname"
            )
            indexes = cursor.fetchall()
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint ORDER BY conname")
            return indexes, cursor.fetchall()

    before = schema()
    monkeypatch.setattr(generate_events, "REBUILD_FROM", 100)
    generate()
    assert schema() == before
    connection.check_constraints()
    # The sequence of source ids went on past the generated ones.
    source = Source.objects.create(url="https://example.org/after", title="After")
    assert source.id > Source.objects.exclude(pk=source.pk).order_by("-id").first().id


@pytest.mark.django_db
def test_it_refuses_negative_numbers():
    with pytest.raises(CommandError, match="--events"):
        generate(events=-1)
    with pytest.raises(CommandError, match="--seed"):
        generate(seed=-1)


@pytest.mark.django_db
def test_generated_events_have_a_past_that_as_of_reads(client, django_user_model):
    before = timezone.now()
    generate()
    after = timezone.now()

    def everything(**params):
        response = client.get("/api/v1/events/", {"page_size": 1000, **params})
        assert response.status_code == 200
        return response.json()["results"]

    now = everything()
    then = everything(as_of=after.isoformat())
    assert len(now) == Event.objects.published().count() and then == now  # fields, participants, sources, tags
    assert everything(as_of=before.isoformat()) == []
    # Curators see the drafts of that moment too, and their relations both ways.
    client.force_login(django_user_model.objects.create_superuser("curator", password="x"))
    assert len(everything(as_of=after.isoformat())) == N
    assert everything(as_of=after.isoformat()) == everything()
    facets = client.get("/api/v1/events/facets/", {"facet": ["type", "tag", "publisher"], "as_of": after.isoformat()})
    assert facets.json() == client.get("/api/v1/events/facets/", {"facet": ["type", "tag", "publisher"]}).json()
    # One version of each row, all of the run's moment.
    for model in (Event, Participant, Citation, Source):
        history = model.history.model.objects
        assert history.count() == model.objects.count()
        assert set(history.values_list("history_date", "history_type").distinct()) == {
            (history.first().history_date, "+")
        }
