"""SQLite's search index (migration 0012): exact after every write, the same answers as the texts themselves.

`events_search` (FTS5) holds one row for each event's title and summary and one for each citation's
quote, numbered by `events_search_row`; triggers keep them. Each test here writes the rows one way or
another (the ORM, `.update()`, bulk inserts, raw deletes, dataset imports, the API, a restore) and
compares the index with the tables, or `q` through the index with `q` through `fts_match` over the texts.
"""

import copy
import io
import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from rest_framework.test import APIClient

from events.dataset import import_document
from events.models import Citation, Event, Source
from events.restore import restore_event
from tests.demo import DEMO_PATH, dataset, event_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's"),
]

TRIGGERS = {
    f"events_search_{table}_{operation}"
    for table in ("event", "citation")
    for operation in ("insert", "update", "delete")
}


def indexed_rows():
    """(event id, citation id or None, text) of every row of the index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_search")
        (in_index,) = cursor.fetchone()
        cursor.execute(
            "SELECT r.event_id, r.citation_id, s.body FROM events_search_row r JOIN events_search s ON s.rowid = r.id"
        )
        rows = sorted(cursor.fetchall(), key=repr)
        # FTS5's own check: its lists of words are those of the texts it holds.
        cursor.execute("INSERT INTO events_search (events_search, rank) VALUES ('integrity-check', 1)")
    assert in_index == len(rows)  # no text without its row
    return rows


def table_rows():
    events = [
        (pk, None, f"{title} {summary}") for pk, title, summary in Event.objects.values_list("id", "title", "summary")
    ]
    quotes = list(Citation.objects.values_list("event_id", "id", "quote"))
    return sorted(events + quotes, key=repr)


def assert_the_index_is_exact():
    rows = indexed_rows()
    assert rows == table_rows()
    return rows


def ids(queryset):
    return sorted(queryset.values_list("id", flat=True))


def triggers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'events_search_%'")
        return {name for (name,) in cursor.fetchall()}


def test_the_triggers_are_there_after_every_migration():
    assert triggers() == TRIGGERS


def test_a_migrate_puts_back_the_triggers_a_remade_table_lost():
    # Django remakes a SQLite table to alter its columns or constraints, and drops the old one's triggers
    # with it: as if events_event had been remade, and its events written meanwhile.
    Event.objects.create(id="talks", title="Delegations meet", type_id="talks", start="2025-02-18")
    with connection.cursor() as cursor:
        for name in ("events_search_event_insert", "events_search_event_update"):
            cursor.execute(f"DROP TRIGGER {name}")
    Event.objects.filter(pk="talks").update(title="Icebreaker talks")
    Event.objects.create(id="later", title="Grain corridor", type_id="talks", start="2025-02-19")
    assert ids(Event.objects.search("icebreaker")) == ids(Event.objects.search("grain")) == []

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    assert triggers() == TRIGGERS
    assert_the_index_is_exact()
    assert ids(Event.objects.search("icebreakers")) == ["talks"]
    assert ids(Event.objects.search("grain")) == ["later"]
    Event.objects.filter(pk="later").update(title="Fishing rights")
    assert ids(Event.objects.search("fishing")) == ["later"]


def test_it_follows_orm_writes_bulk_writes_and_raw_deletes():
    event = Event.objects.create(id="talks", title="Delegations meet", type_id="talks", start="2025-02-18")
    source = Source.objects.create(url="https://example.org/a", title="A")
    citation = Citation.objects.create(event=event, source=source, quote="The icebreaker sailed.")
    assert set(assert_the_index_is_exact()) == {
        ("talks", None, "Delegations meet "),
        ("talks", citation.id, "The icebreaker sailed."),
    }
    assert ids(Event.objects.search("icebreakers")) == ["talks"]

    event.title, event.summary = "Talks in Türkiye", "On oil."
    event.save()
    citation.quote = "Nothing about ships."
    citation.save()
    Event.objects.filter(pk="talks").update(summary="On grain.")
    assert_the_index_is_exact()
    assert ids(Event.objects.search("turkiye grain")) == ids(Event.objects.search("ship")) == ["talks"]
    assert ids(Event.objects.search("icebreaker")) == ids(Event.objects.search("oil")) == []

    other = Event.objects.create(id="other", title="Another", type_id="talks", start="2025-02-19")
    Citation.objects.filter(pk=citation.pk).update(event=other)  # a quote moved to another event
    Event.objects.bulk_create(
        [
            Event(
                id=f"bulk-{n}",
                title=f"Bulk {n}",
                summary="Fishing rights.",
                type_id="talks",
                start="2020-01-01",
                span_end="2020-01-01",
            )
            for n in range(30)
        ]
    )
    Citation.objects.bulk_create(
        [Citation(event_id=f"bulk-{n}", source=source, quote="Grain corridor.") for n in range(30)]
    )
    assert_the_index_is_exact()
    assert ids(Event.objects.search("ships")) == ["other"]
    assert len(ids(Event.objects.search("fishing"))) == len(ids(Event.objects.search("corridor"))) == 30

    Citation.objects.filter(event__id__startswith="bulk-")._raw_delete(connection.alias)
    Event.objects.filter(pk__in=["bulk-1", "bulk-2"])._raw_delete(connection.alias)
    citation.delete()
    event.delete()
    assert len(assert_the_index_is_exact()) == 29
    assert ids(Event.objects.search("corridor")) == []


def test_it_follows_dataset_imports_of_new_and_updated_events():
    document = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    import_document(copy.deepcopy(document))
    assert len([row for row in assert_the_index_is_exact() if row[1] is None]) == len(document["events"])

    changed = copy.deepcopy(document)
    event = changed["events"][0]
    event["title"] = "A wholly different icebreaker title"
    for source in event["sources"]:
        source["quote"] = "Quoted anew about pipelines."
    changed["events"][1]["sources"] = changed["events"][1]["sources"][:1]  # a citation the import removes
    import_document(changed)
    assert_the_index_is_exact()
    assert ids(Event.objects.search("icebreakers")) == ids(Event.objects.search("pipeline quoted")) == [event["id"]]

    import_document(dataset(event_record("ru-us-new", summary="Grain corridor.")))
    assert_the_index_is_exact()
    assert "ru-us-new" in ids(Event.objects.search("corridors"))


def test_it_follows_api_writes_a_delete_and_a_restore(demo):
    curator = User.objects.create_user("curator", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(curator)
    record = event_record(
        "ru-us-talks-2024", start="2024-05", start_precision="month", title="Talks on Arctic shipping"
    )
    record["sources"][0]["quote"] = "Fishing rights were raised."
    assert client.post("/api/v1/events/", record, format="json").status_code == 201
    assert ids(Event.objects.search("arctic fishing")) == []
    assert ids(Event.objects.search("fish right")) == ["ru-us-talks-2024"]

    response = client.patch("/api/v1/events/ru-us-talks-2024/", {"summary": "Reindeer herding."}, format="json")
    assert response.status_code == 200, response.content
    assert ids(Event.objects.search("arctic reindeer")) == ["ru-us-talks-2024"]
    before = assert_the_index_is_exact()

    assert client.delete("/api/v1/events/ru-us-talks-2024/").status_code == 204
    assert [row for row in assert_the_index_is_exact() if row[0] == "ru-us-talks-2024"] == []
    assert ids(Event.objects.search("reindeer")) == []

    restore_event("ru-us-talks-2024", curator)
    restored = assert_the_index_is_exact()
    # The same texts again (the citation's id is new).
    assert [row[::2] for row in restored] == [row[::2] for row in before]
    assert ids(Event.objects.search("reindeer")) == ids(Event.objects.search("fishing")) == ["ru-us-talks-2024"]


def test_the_index_answers_as_the_texts_do():
    call_command("generate_events", events=400, seed=3, stdout=io.StringIO())
    assert_the_index_is_exact()
    titles = list(Event.objects.order_by("id").values_list("title", flat=True)[:5])
    quotes = list(Citation.objects.order_by("id").values_list("quote", flat=True)[:5])
    texts = ["icebreaker", "talks", "sanctions", "the", "nuclear programme", "discussed grain", "Icebreakers"]
    texts += [f"{t.split()[-1]} {q.split()[-2]}" for t, q in zip(titles, quotes, strict=True)]
    texts += [" ".join(title.split()[:3]) for title in titles] + [" ".join(quote.split()[-3:]) for quote in quotes]
    found = 0
    for text in texts:
        through_index = ids(Event.objects.search(text))
        assert through_index == ids(Event.objects.all()._search_by_joins(re.findall(r"\w+", text))), text
        found += len(through_index)
    assert found > 100
