"""The import writes in bulk: the same rows and history as saving record by record, in a few queries a chunk.

The reference below is how Chancery saved a dataset before it wrote in bulk: every row saved on its
own, django-simple-history writing a history row per save and delete through its signals.
"""

import copy

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from events.dataset import DatasetError, DatasetReader, ImportSummary, Problem, import_document, save_dataset
from events.dataset import importer as dataset_module
from events.models import Actor, Citation, Event, EventRelation, Participant, ReviewState, Source, Tag
from tests.demo import actor_record, dataset, event_record, row_counts

pytestmark = pytest.mark.django_db

REASON = "import_dataset test.json"


# ---------------------------------------------------------------- the reference: row by row


def _with_history(instance, user):
    instance._history_user = user
    instance._change_reason = REASON
    return instance


def save_row_by_row(reader, user=None, reason=REASON):
    summary = ImportSummary()
    for actor in reader.actors:
        current = Actor.objects.filter(pk=actor.id).first()
        if current is not None and dataset_module.actor_to_dict(current) == dataset_module.actor_to_dict(actor):
            summary.unchanged["actors"] += 1
            continue
        _with_history(actor, user).save()
        summary.created["actors"] += current is None
        summary.updated["actors"] += current is not None
    sources = {}
    for url, metadata in reader.sources.items():
        current = Source.objects.filter(url=url).first()
        if current is None:
            current = _with_history(Source(url=url, **metadata), user)
            current.save()
            summary.created["sources"] += 1
        elif any(getattr(current, key) != value for key, value in metadata.items()):
            for key, value in metadata.items():
                setattr(current, key, value)
            _with_history(current, user).save()
            summary.updated["sources"] += 1
        else:
            summary.unchanged["sources"] += 1
        sources[url] = current
    for slug in {t for clean in reader.events for t in clean.tags}:
        Tag.objects.get_or_create(slug=slug)
    for clean in reader.events:
        current = Event.objects.with_dataset_relations().filter(pk=clean.event.id).first()
        if current is not None and dataset_module.event_to_dict(current) == clean.data:
            summary.unchanged["events"] += 1
            continue
        save_event_row_by_row(clean, current, sources, user)
        summary.created["events"] += current is None
        summary.updated["events"] += current is not None
    return summary


def save_event_row_by_row(clean, current, sources, user):
    event = clean.event
    if current is not None:
        for name in ("created_at", "created_by_id", "reviewed_at", "reviewed_by_id", "published_at", "published_by_id"):
            setattr(event, name, getattr(current, name))
    else:
        event.created_by = user
    new_state, event.review_state = event.review_state, current.review_state if current else ReviewState.DRAFT
    event.record_review(user, new_state)
    # Its last editor changed what readers see; a change of the review state alone keeps the one before.
    if current is None or dataset_module.content_changes(dataset_module.event_to_dict(current), clean.data):
        event.updated_by = user
    else:
        event.updated_by_id = current.updated_by_id
    _with_history(event, user).save()
    event.tags.set(clean.tags)
    old = {(p.actor_id, p.role): p for p in current.participants.all()} if current else {}
    for key in set(old) - set(clean.participants):
        _with_history(old[key], user).delete()
    for actor_id, role in set(clean.participants) - set(old):
        _with_history(Participant(event=event, actor_id=actor_id, role=role), user).save()
    old = {c.source.url: c for c in current.citations.all()} if current else {}
    new = {url: (quote, claimed_by) for url, quote, claimed_by in clean.citations}
    for url in set(old) - set(new):
        _with_history(old[url], user).delete()
    for url, (quote, claimed_by) in new.items():
        citation = old.get(url)
        if citation is None:
            citation = Citation(event=event, source=sources[url])
        elif (citation.quote, citation.claimed_by_id) == (quote, claimed_by):
            continue
        citation.quote, citation.claimed_by_id = quote, claimed_by
        _with_history(citation, user).save()
    old = {(r.to_event_id, r.relation): r for r in current.relations.all()} if current else {}
    for key in set(old) - set(clean.related):
        _with_history(old[key], user).delete()
    for target, relation in set(clean.related) - set(old):
        _with_history(EventRelation(from_event=event, to_event_id=target, relation=relation), user).save()


# ---------------------------------------------------------------- the state compared


MOMENTS = {"created_at", "updated_at", "reviewed_at", "published_at"}


def database_state():
    """Every row an import writes, by natural keys (database ids and moments differ from run to run)."""
    urls = dict(Source.objects.values_list("id", "url"))
    event_fields = [f.attname for f in Event._meta.concrete_fields if f.name not in MOMENTS]
    return {
        "actors": sorted(map(dataset_module.actor_to_dict, Actor.objects.all()), key=lambda a: a["id"]),
        "events": sorted(Event.objects.values_list(*event_fields)),
        "moments set": sorted(
            (event_id, reviewed is None, published is None)
            for event_id, reviewed, published in Event.objects.values_list("id", "reviewed_at", "published_at")
        ),
        "participants": sorted(Participant.objects.values_list("event_id", "actor_id", "role")),
        "citations": sorted(
            (event_id, urls[source_id], quote, claimed_by)
            for event_id, source_id, quote, claimed_by in Citation.objects.values_list(
                "event_id", "source_id", "quote", "claimed_by_id"
            )
        ),
        "sources": sorted(Source.objects.values_list("url", "title", "publisher", "published", "language")),
        "tags": sorted(Tag.objects.values_list("slug", flat=True)),
        "event tags": sorted(Event.tags.through.objects.values_list("event_id", "tag_id")),
        "relations": sorted(EventRelation.objects.values_list("from_event_id", "to_event_id", "relation")),
        "search columns": search_columns(),
        "found": found(),
    }


def search_columns():
    """What the search reads, kept by triggers row by row, given in bulk by an import: PostgreSQL's search
    columns (migrations 0007, 0016), SQLite's index of the texts (its rows by event, citations' ids aside)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT id, actor_ids, countries, search_document::text FROM events_event ORDER BY id")
        else:
            cursor.execute(
                "SELECT r.event_id, r.citation_id IS NULL, s.body FROM events_search_row r "
                "JOIN events_search s ON s.rowid = r.id ORDER BY 1, 2, 3"
            )
        return cursor.fetchall()


def found():
    """The events each kind of question finds, through the search columns on PostgreSQL."""
    questions = {
        "q=talks": Event.objects.search("talks"),
        "q=round 4": Event.objects.search("round 4"),
        "q=delegations met": Event.objects.search("delegations met"),
        "q=fourth": Event.objects.search("fourth"),
        "actor=lavrov": Event.objects.involving("lavrov"),
        "actor=russia,turkey": Event.objects.involving("russia", "turkey"),
        "initiator=russia": Event.objects.with_role("initiator", "russia"),
        "country=SAU": Event.objects.in_country("SAU"),
        "country=TUR": Event.objects.in_country("TUR"),
    }
    return {name: sorted(events.values_list("id", flat=True)) for name, events in questions.items()}


def history_state(after):
    """The history rows written since history id `after[model]`, by natural keys.

    Saving row by row, django-simple-history records a new event and then, once its tags are set,
    the event again ('~') with its tags; an updated event's tags likewise. Written in bulk, an event
    has one row, with its tags. What both say is compared: per event, how its history starts
    (created or changed), and what its last row holds, tags included.
    """
    urls = dict(Source.objects.values_list("id", "url"))
    state = {}
    for model, key in (
        (Actor, ("id", "name", "kind", "country", "aliases", "parent_id", "wikidata")),
        (Source, ("url", "title", "publisher", "published", "language")),
        (Participant, ("event_id", "actor_id", "role")),
        (Citation, ("event_id", "source_id", "quote", "claimed_by_id")),
        (EventRelation, ("from_event_id", "to_event_id", "relation")),
    ):
        rows = model.history.filter(history_id__gt=after[model]).values_list(
            "history_type", "history_user_id", "history_change_reason", *key
        )
        if model is Citation:
            rows = [(*row[:4], urls[row[4]], *row[5:]) for row in rows]
        state[model.__name__] = sorted(rows, key=repr)
    event_fields = [f.attname for f in Event._meta.concrete_fields if f.name not in MOMENTS]
    events = {}
    for row in Event.history.filter(history_id__gt=after[Event]).order_by("history_id"):
        first, _ = events.get(row.id, (row.history_type, None))
        last = (
            row.history_user_id,
            row.history_change_reason,
            [getattr(row, name) for name in event_fields],
            sorted(row.tags.values_list("tag_id", flat=True)),
        )
        events[row.id] = (first, last)
    state["Event"] = events
    return state


def history_marks():
    return {
        model: model.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
        for model in (Actor, Source, Participant, Citation, EventRelation, Event)
    }


def both_ways(document, user=None):
    """(summary, database, history) of the document saved row by row (then rolled back), and in bulk."""
    results = []
    for save in (save_row_by_row, save_dataset):
        marks = history_marks()
        with transaction.atomic():
            reader = DatasetReader(copy.deepcopy(document)).read()
            summary = save(reader, user=user, reason=REASON)
            results.append((str(summary), database_state(), history_state(marks)))
            if save is save_row_by_row:
                transaction.set_rollback(True)
    return results


# ---------------------------------------------------------------- the documents


def base_document():
    actors = [
        actor_record("saudi-arabia", country="SAU"),
        actor_record("turkey", country="TUR", aliases=["Türkiye"]),
        actor_record("lavrov", name="Sergey Lavrov", kind="person", country="RUS", parent="russia"),
    ]

    def source(url, **fields):
        return {
            "url": url,
            "title": "Delegations meet",
            "publisher": "Example News",
            "published": "2025-02-19",
            "quote": "The delegations met.",
            "claimed_by": None,
            **fields,
        }

    events = [
        event_record(
            f"talks-{n}",
            title=f"Round {n} of talks",
            start=f"2025-{n:02}",
            start_precision="month",
            participants=[
                {"actor": "russia", "role": "initiator"},
                {"actor": "united-states", "role": "target"},
                {"actor": "saudi-arabia" if n % 2 else "turkey", "role": "host"},
            ],
            sources=[
                source("https://example.org/talks"),
                source(f"https://example.org/round-{n}", quote=f"Round {n}.", claimed_by="lavrov"),
            ],
            tags=["embassy-operations", f"round-{n}"] if n % 3 else [],
            location={"name": "Riyadh", "country": "SAU", "lat": 24.7, "lon": 46.7} if n % 2 else None,
            # Later rounds follow earlier ones, some of them further down the file (and in a later chunk).
            related=[{"event": f"talks-{n - 1}", "relation": "follows"}] if n > 1 else [],
            review_state=["draft", "reviewed", "published"][n % 3],
        )
        for n in range(1, 10)
    ]
    return dataset(*reversed(events), actors=actors)


def changed_document():
    document = base_document()
    events = {e["id"]: e for e in document["events"]}
    events["talks-1"]["title"] = "The first round of talks"
    events["talks-2"]["participants"].pop()  # the host goes
    events["talks-3"]["participants"].append({"actor": "lavrov", "role": "participant"})
    events["talks-4"]["sources"][1]["quote"] = "A fourth round."
    events["talks-5"]["sources"].pop()  # a citation goes
    events["talks-6"]["tags"] = ["embassy-operations", "visas"]
    events["talks-7"]["tags"] = ["visas"]
    events["talks-8"]["related"] = [{"event": "talks-1", "relation": "part_of"}]
    events["talks-9"]["review_state"] = "published"
    document["actors"][-1]["aliases"] = ["Sergei Lavrov"]
    document["events"].append(event_record("new-talks", tags=["visas"]))
    return document


@pytest.fixture
def curator():
    return User.objects.create_user("curator")


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of four events, so that a small file spans several, and the search columns given in bulk."""
    monkeypatch.setattr(dataset_module, "CHUNK", 4)
    monkeypatch.setattr(dataset_module, "SEARCH_COLUMNS_IN_BULK", 1)


# ---------------------------------------------------------------- same rows, same history


def test_new_records_are_written_as_saving_them_one_by_one_would(demo, curator, small_chunks):
    (by_row_summary, by_row, by_row_history), (bulk_summary, bulk, bulk_history) = both_ways(base_document(), curator)

    assert (
        bulk_summary
        == by_row_summary
        == (
            # The file's states are written anew over the demo's (aliases and all); only its source is not cited.
            "actors: 2 created, 3 updated, 0 unchanged; events: 9 created, 0 updated, 0 unchanged; "
            "sources: 10 created, 0 updated, 0 unchanged"
        )
    )
    assert bulk == by_row
    assert bulk_history == by_row_history
    assert {first for first, _ in bulk_history["Event"].values()} == {"+"}
    assert len(bulk_history["Participant"]) == 27
    assert bulk["found"]["country=SAU"] == [
        *("talks-1", "talks-3", "talks-5", "talks-7", "talks-9"),
        "us-ru-talks-riyadh-2025",  # the demo's
    ]
    assert {row[:3] for row in bulk_history["Citation"]} == {("+", curator.pk, REASON)}


def test_changed_records_are_written_as_saving_them_one_by_one_would(curator, small_chunks):
    import_document(base_document())

    (by_row_summary, by_row, by_row_history), (bulk_summary, bulk, bulk_history) = both_ways(
        changed_document(), curator
    )

    assert (
        bulk_summary
        == by_row_summary
        == (
            "actors: 0 created, 1 updated, 4 unchanged; events: 1 created, 9 updated, 0 unchanged; "
            "sources: 0 created, 0 updated, 9 unchanged"
        )
    )
    assert bulk == by_row
    assert bulk_history == by_row_history
    # A host removed, a participant added, and the new event's two.
    assert sorted(row[0] for row in bulk_history["Participant"]) == ["+", "+", "+", "-"]
    assert sorted(row[0] for row in bulk_history["Citation"]) == ["+", "-", "~"]
    assert sorted(row[0] for row in bulk_history["EventRelation"]) == ["+", "-"]
    # The changes reach the search: a participant added and one gone, a quote changed, one removed.
    assert "talks-3" in bulk["found"]["actor=lavrov"]
    assert "talks-2" not in bulk["found"]["country=TUR"]
    assert bulk["found"]["q=fourth"] == ["talks-4"]


def test_the_search_columns_are_kept_by_the_triggers_again_after_an_import(demo, small_chunks):
    with transaction.atomic():
        import_document(base_document())
        Participant.objects.create(event_id="talks-1", actor_id="turkey", role="participant")
        Citation.objects.create(
            event_id="talks-2", source=Source.objects.get(url="https://example.org/round-1"), quote="In Ankara."
        )
        Event.objects.filter(pk="talks-4").update(title="Talks in Reykjavik")

        assert Event.objects.in_country("TUR").filter(pk="talks-1").exists()
        assert list(Event.objects.search("ankara").values_list("id", flat=True)) == ["talks-2"]
        assert list(Event.objects.search("reykjavik").values_list("id", flat=True)) == ["talks-4"]
    assert search_columns() == search_columns_recomputed()


def search_columns_recomputed():
    """The search columns as the triggers compute each event's (PostgreSQL), or the index as it is (SQLite)."""
    if connection.vendor != "postgresql":
        return search_columns()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, events_event_actor_ids(id), events_event_countries(id, location_country), "
            "events_event_search_document(id, title, summary)::text FROM events_event ORDER BY id"
        )
        return cursor.fetchall()


def test_unchanged_records_write_nothing_not_even_history(curator, small_chunks):
    import_document(base_document())
    before, updated = row_counts(), dict(Event.objects.values_list("id", "updated_at"))

    summary = import_document(base_document(), user=curator)

    assert str(summary) == (
        "actors: 0 created, 0 updated, 5 unchanged; events: 0 created, 0 updated, 9 unchanged; "
        "sources: 0 created, 0 updated, 10 unchanged"
    )
    assert row_counts() == before
    assert dict(Event.objects.values_list("id", "updated_at")) == updated


def test_the_history_names_the_importing_user_the_reason_and_one_moment(curator):
    import_document(base_document(), user=curator, reason=REASON)

    rows = [
        row
        for model in (Actor, Source, Participant, Citation, EventRelation, Event)
        for row in model.history.values_list("history_user_id", "history_change_reason", "history_date")
    ]
    assert {(user, reason) for user, reason, _ in rows} == {(curator.pk, REASON)}
    assert len({moment for _, _, moment in rows}) == 1
    assert set(Event.objects.values_list("created_by_id", "updated_by_id")) == {(curator.pk, curator.pk)}
    latest = Event.history.filter(id="talks-1").latest()
    assert (latest.history_type, sorted(latest.tags.values_list("tag_id", flat=True))) == (
        "+",
        ["embassy-operations", "round-1"],
    )


def test_the_events_created_say_the_moment_their_history_says(curator):
    import_document(base_document(), user=curator)

    moment = Event.history.values_list("history_date", flat=True).distinct().get()
    assert set(Event.objects.values_list("created_at", "updated_at")) == {(moment, moment)}
    assert set(Event.history.values_list("created_at", "updated_at")) == {(moment, moment)}


# ---------------------------------------------------------------- all or nothing


def test_a_file_whose_last_record_is_bad_writes_nothing(demo, small_chunks):
    document = base_document()
    document["events"].append(event_record("last", type="talks.secret"))
    before = row_counts()

    with pytest.raises(DatasetError) as exc:
        import_document(document)

    assert exc.value.problems == [
        Problem("event last", "type", "unknown type code 'talks.secret' (see /api/v1/event-types/)")
    ]
    assert row_counts() == before


def test_a_failure_while_writing_the_last_chunk_writes_nothing(demo, small_chunks, monkeypatch):
    prepare = dataset_module._prepare_event

    def failing_on_the_last(event, current, user, when):
        if event.id == "talks-1":  # last in the file, in the last chunk
            raise RuntimeError("the disk is full")
        prepare(event, current, user, when)

    monkeypatch.setattr(dataset_module, "_prepare_event", failing_on_the_last)
    before = row_counts()

    with pytest.raises(RuntimeError):
        import_document(base_document())

    assert row_counts() == before
    # The search columns' triggers are on again for what the transaction writes next.
    Participant.objects.create(event_id="us-seizes-more-russian-property-2017", actor_id="joe-biden", role="target")
    assert Event.objects.with_role("target", "joe-biden").filter(pk="us-seizes-more-russian-property-2017").exists()


# ---------------------------------------------------------------- in bulk


def queries_to_import(prefix, count):
    events = [event_record(f"{prefix}-{n}", tags=[f"{prefix}-{n}"]) for n in range(count)]
    with CaptureQueriesContext(connection) as queries:
        import_document(dataset(*events))
    return len(queries)


def test_a_few_events_leave_their_search_columns_to_the_triggers(demo):
    document = base_document()
    assert len(document["events"]) < dataset_module.SEARCH_COLUMNS_IN_BULK

    import_document(document)

    assert search_columns() == search_columns_recomputed()
    assert list(Event.objects.search("round 4").values_list("id", flat=True)) == ["talks-4"]


def test_the_queries_do_not_grow_with_the_number_of_events():
    import_document(dataset(event_record("first")))  # the actors and the source, stored and unchanged from now on

    few = queries_to_import("few", 3)
    # Few enough rows that SQLite takes each table's in one INSERT (it caps the parameters of a statement).
    many = queries_to_import("many", 12)

    assert many == few


def test_progress_is_reported_after_each_chunk(small_chunks):
    calls = []

    import_document(base_document(), progress=lambda done, total: calls.append((done, total)))

    assert calls == [(4, 9), (8, 9), (9, 9)]
