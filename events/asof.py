"""The events as they stood at a moment (`as_of`), read from the history Chancery keeps.

Every row of an event and of its parts (participants, citations, relations, the sources cited) has a
django-simple-history row for each version, written by the models' signals and by the dataset importer
alike; an event's history row also holds the snapshot of its tags. The version of a row at a moment is
its last history row at or before it (the one whose `history_end`, when the next came, is after it); a
row whose version there is a deletion ('-') was gone then.
So an event deleted since is there, one created since is not, and each shows the fields, parts and
publication state it had.
"""

import json
import re

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.fields.array import ArrayContains
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, transaction
from django.db.models import BooleanField, Case, CharField, Exists, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast
from django.db.models.lookups import LessThanOrEqual

from .choices import ReviewState
from .models import (
    ROW_COLUMNS,
    SEARCH_CONFIG,
    Citation,
    Event,
    EventQuerySet,
    EventRelation,
    ImpliedByPostings,
    Participant,
    Source,
    VersionColumn,
    may_see_unpublished,
)

_COUNTRIES = ArrayField(CharField(max_length=3))


def versions_at(model, moment, **narrowed):
    """The history rows of `model` that were current at `moment` (the rows then alive), narrowed by the
    filters `narrowed` (on the history rows' fields)."""
    return _current_at(model.history.model.objects.all(), moment, **narrowed)


def _current_at(rows, moment, **narrowed):
    # The version valid at the moment is the row's own test, from its end (when the next version came,
    # events/history_end.py): began by then, not superseded by then. No search for a later row, so the
    # question's filters (`narrowed`, an actor's participations) read their own indexes and the versions
    # of one row are an index range of (id, history_date).
    valid = Q(history_end__isnull=True) | Q(history_end__gt=moment)
    return rows.filter(valid, history_date__lte=moment, **narrowed).exclude(history_type="-")


class ParticipatedThen(ImpliedByPostings, Exists):
    """A participant of `actor_id` valid at the moment in the outer query's version (`EventVersions.involving`):
    what the postings of the events now imply of their versions that have not changed since (`head`)."""

    def __init__(self, participants, actor_id):
        super().__init__(participants.filter(event_id=OuterRef("id"), actor_id=actor_id))
        self.actors = frozenset([actor_id])


# A version that is its event's latest (`history_end` empty) and whose participants have not changed since
# `history_settled` stands for the event now from then on: its row, parts and postings are the event's.
# The others, the versions superseded or whose participants changed later (a tenth of the rows when a tenth
# of the events have changed), have indexes of their own in the list's order (migration 0021), whose condition
# this is, word for word, so that PostgreSQL knows a query that says it may read them.
CHANGED = "history_end IS NOT NULL OR history_settled IS NULL OR history_settled > history_date"
_VERSIONS = "events_historicalevent"
CHANGED_SQL = (
    f"{_VERSIONS}.history_end IS NOT NULL OR {_VERSIONS}.history_settled IS NULL"
    f" OR {_VERSIONS}.history_settled > {_VERSIONS}.history_date"
)
# ...and not standing for their event at the moment (the versions `_standing` reads are the others).
_CHANGED_THEN = (
    f"({_VERSIONS}.history_end IS NOT NULL OR {_VERSIONS}.history_settled IS NULL OR {_VERSIONS}.history_settled > %s)",
)


class EventVersions(EventQuerySet):
    """The events' versions at `moment` (history rows of events), asked the same verbs as the events now:
    each verb reads the parts of that moment (`parts`), and the tags of each version's own row. Only the
    stored search columns are of the present: `search` is not asked of versions."""

    moment = None
    is_present = False
    # Set on the versions that stand for their events now (`head`): they may be read through the postings;
    # and on the others, read through their own indexes (`ordered_parts`).
    _unchanged = False
    _changed = False
    posting_columns = ROW_COLUMNS | {"history_end", "history_date", "history_type", "history_settled"}

    def _clone(self):
        clone = super()._clone()
        clone.moment = self.moment
        clone._unchanged = self._unchanged
        clone._changed = self._changed
        return clone

    def _has_search_columns(self):
        return False

    def parts(self, model):
        return versions_at(model, self.moment)

    def reads_postings(self):
        return self._unchanged

    def involving(self, *actor_ids):
        if not actor_ids or not self._on_postgresql():
            return super().involving(*actor_ids)
        participants = self.parts(Participant)
        conditions = [ParticipatedThen(participants, actor_id) for actor_id in actor_ids]
        return self.filter(*conditions)._posting(actor_ids)

    def head(self, count):
        """The first `count` versions in the list's order. A chronological list of named actors' events on
        PostgreSQL reads two kinds of versions apart and merges them: those that stand for their events now
        (`_unchanged`), through the events' postings as the list now reads them, and the others through
        their own indexes (`CHANGED`), a tenth of the rows when a tenth of the events changed since."""
        unchanged = self._standing()
        if unchanged is None:
            return super().head(count)
        descending = self.query.order_by[0].startswith("-")
        standing = EventQuerySet.head(unchanged.values_list("history_id", "start"), count)
        changed = self.extra(where=[_CHANGED_THEN[0], f"({CHANGED_SQL})"], params=[self.moment])
        changed._changed = True
        if len(standing) == count:
            # The page ends at the last of these at the latest: the others are read up to its day only.
            last_day = standing[-1][1]
            changed = changed.filter(start__gte=last_day) if descending else changed.filter(start__lte=last_day)
        found = [history_id for history_id, _ in standing]
        with transaction.atomic(using=self.db), connections[self.db].cursor() as cursor:
            # Their few rows are short ranges of small indexes, which PostgreSQL, misjudging how many of a
            # range of ends start before a day, would read with parallel workers: their start cost ten
            # times the read.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            found += EventQuerySet.head(changed.values_list("history_id", flat=True), count)
        # Ordered by the database, as the list is (its collation of ids).
        merged = EventVersions(model=self.model, using=self.db).filter(history_id__in=found)
        return list(merged.order_by(*self.query.order_by)[:count])

    def ordered_parts(self):
        """As `EventQuerySet.ordered_parts`; the versions that do not stand for their event now (`_changed`)
        going on on `date_from` are found in their partial B-tree of those lasting more than a day
        (hist_event_changed_lasting_idx, migration 0021): the history's GiST of spans, ANDed with its index
        of types, read every version of the type ever."""
        day = self._split_day
        first_key = self.query.order_by[0] if self.query.order_by else None
        if not self._changed or day is None or first_key not in ("start", "-start") or self.query.is_sliced:
            return super().ordered_parts()
        # Which of them were going on then is asked first, alone: PostgreSQL, which counts far more versions
        # ending after a day and starting before it than there are, would otherwise start from the actors'
        # participations (ten thousand for one country's government) and look up the versions of each.
        lasting = _current_at(self.model.objects.filter(start__lt=day, span_end__gte=day), self.moment).extra(
            where=[f"({CHANGED_SQL})", f"{_VERSIONS}.span_end > {_VERSIONS}.start", _CHANGED_THEN[0]],
            params=[self.moment],
        )
        going_on = self.filter(history_id__in=list(lasting.values_list("history_id", flat=True)))
        starting = self.filter(start__gte=day)
        return [going_on, starting] if first_key == "start" else [starting, going_on]

    def _standing(self):
        """The versions that stand for their events now, readable through the postings; None when the list
        is not one the postings serve."""
        if not self._posted_actors or self.query.is_sliced or not self._on_postgresql():
            return None
        standing = self.filter(
            LessThanOrEqual(VersionColumn("history_settled"), Value(self.moment)), history_end__isnull=True
        )
        standing._unchanged = True
        return standing if standing.posting_parts(standing._split_day) is not None else None

    def tables_sql(self):
        """A WITH clause naming after each table of events and parts its versions valid at the moment, so that
        the SQL of PostgreSQL's exports (events/postgres.py, written over the tables) reads them. Each is
        NOT MATERIALIZED: inlined where it is read, each event's rows found through their indexes. As
        `events_then` reads them: a citation's source, a relation's target, alive then."""
        valid = (
            "{t}.history_date <= %s AND ({t}.history_end IS NULL OR {t}.history_end > %s) AND {t}.history_type <> '-'"
        )
        tables = {
            "events_event": "SELECT * FROM events_historicalevent v WHERE " + valid.format(t="v"),
            "events_participant": "SELECT * FROM events_historicalparticipant p WHERE " + valid.format(t="p"),
            "events_citation": "SELECT * FROM events_historicalcitation c WHERE " + valid.format(t="c"),
            "events_source": "SELECT * FROM events_historicalsource s WHERE " + valid.format(t="s"),
            "events_eventrelation": (
                "SELECT r.* FROM events_historicaleventrelation r WHERE "
                + valid.format(t="r")
                + " AND EXISTS (SELECT 1 FROM events_historicalevent v WHERE v.id = r.to_event_id AND "
                + valid.format(t="v")
                + ")"
            ),
            # The tags of each version are those its own history row holds.
            "events_event_tags": (
                "SELECT t.* FROM events_historicalevent_tags t JOIN events_historicalevent v"
                " ON v.history_id = t.history_id WHERE " + valid.format(t="v")
            ),
        }
        sql = "WITH " + ",\n".join(f"{name} AS NOT MATERIALIZED ({select})" for name, select in tables.items())
        moments = sum((select.count("%s") for select in tables.values()), 0)
        return sql, (self.moment,) * moments

    def in_country(self, code):
        """As `EventQuerySet.in_country` answers of the moment: the version located in the country, or a
        participant valid then with an actor of it. On PostgreSQL a version whose participants were settled
        by then answers from its own row (`history_countries`, migration 0018), so that the chronological
        page walks the versions in order and stops after the page; a moment before that asks the
        participants valid then."""
        if not code or not self._on_postgresql():
            return super().in_country(code)
        participating = Exists(self.parts(Participant).filter(event_id=OuterRef("id"), actor__country=code))
        then = Case(
            When(
                LessThanOrEqual(VersionColumn("history_settled"), Value(self.moment)),
                then=ArrayContains(VersionColumn("history_countries"), Value([code], output_field=_COUNTRIES)),
            ),
            When(location_country=code, then=Value(True)),
            default=participating,
            output_field=BooleanField(),
        )
        return self.filter(then)

    def tag_rows(self):
        return _tag_history().filter(history_id__in=self.order_by().values("history_id"))

    def tagged(self, slug):
        return self.filter(Exists(_tag_history().filter(history_id=OuterRef("history_id"), tag_id=slug)))

    def cited_publishers(self):
        sources = versions_at(Source, self.moment, id=OuterRef("source_id")).values("publisher")[:1]
        return self.parts(Citation).annotate(publisher=Subquery(sources))

    def search(self, text):
        """As `EventQuerySet.search` answers: every word in the title and summary, or all in one quote of
        that moment; on PostgreSQL computed from the versions' text (the stored search columns are of the
        present), else as there (SQLite: every match ranks alike)."""
        words = re.findall(r"\w+", text)
        if not words:
            return self
        if not self._on_postgresql():
            return self._search_by_joins(words)
        query = SearchQuery(" ".join(words), search_type="plain", config=SEARCH_CONFIG)
        in_text = SearchVector("title", "summary", config=SEARCH_CONFIG)
        in_one_quote = Exists(
            self.parts(Citation)
            .alias(document=SearchVector("quote", config=SEARCH_CONFIG))
            .filter(event_id=OuterRef("id"), document=query)
        )
        matching = self.alias(document=in_text).filter(Q(document=query) | in_one_quote)
        return matching.annotate(rank=Cast(SearchRank(in_text, query), FloatField()))


def _tag_history():
    """The rows of tags that each history row of an event holds (its tags at that version)."""
    return Event.history.model.tags.model.objects.all()


def visible_then(moment, user):
    """The events' versions at `moment` (`EventVersions`) that `user` may read: every one for curators,
    else those that were published then (an event published since is hidden, one unpublished since is
    shown)."""
    versions = EventVersions(model=Event.history.model)
    versions.moment = moment
    versions = _current_at(versions, moment)
    if not may_see_unpublished(user):
        versions = versions.filter(review_state=ReviewState.PUBLISHED)
        versions.hides_unpublished = True
    return versions


def events_then(versions, moment, published_only):
    """The events of the history rows `versions` (those of `visible_then`), as `Event` instances with their
    parts as they stood at `moment`, ready for `dataset.event_to_dict` and the API's fields; with
    `published_only`, their relations (both ways) to events published then alone. Five queries, whatever
    the number of events."""
    versions = list(versions)
    ids = [version.id for version in versions]
    events = {}
    for version in versions:
        event = version.instance
        event._prefetched_objects_cache = {"participants": [], "citations": [], "relations": [], "tags": []}
        event.incoming = []
        events[event.id] = event

    participants = versions_at(Participant, moment, event_id__in=ids).order_by("role", "actor_id")
    for participant in _instances(Participant, participants):
        events[participant.event_id]._prefetched_objects_cache["participants"].append(participant)

    citations = _instances(Citation, versions_at(Citation, moment, event_id__in=ids))
    cited = versions_at(Source, moment, id__in={citation.source_id for citation in citations})
    sources = {source.id: source for source in _instances(Source, cited)}
    for citation in sorted(citations, key=lambda row: sources[row.source_id].url if row.source_id in sources else ""):
        if citation.source_id in sources:
            citation.source = sources[citation.source_id]
            events[citation.event_id]._prefetched_objects_cache["citations"].append(citation)

    tags = _tag_history().filter(history_id__in=[version.history_id for version in versions])
    for row in tags.order_by("tag_id"):
        events[row.event_id]._prefetched_objects_cache["tags"].append(row.tag_id and _Tag(row.tag_id))

    # Relations both ways, to the events the reader could see then (a reader of published events sees no
    # relation to or from a draft).
    seen = versions_at(Event, moment)
    if published_only:
        seen = seen.filter(review_state=ReviewState.PUBLISHED)
    seen = seen.values("id")
    relations = versions_at(EventRelation, moment).filter(Q(from_event_id__in=ids) | Q(to_event_id__in=ids))
    relations = relations.filter(from_event_id__in=seen, to_event_id__in=seen).order_by(
        "relation", "to_event_id", "from_event_id"
    )
    for row in _instances(EventRelation, relations):
        if row.from_event_id in events:
            events[row.from_event_id]._prefetched_objects_cache["relations"].append(row)
        if row.to_event_id in events:
            events[row.to_event_id].incoming.append({"event": row.from_event_id, "relation": row.relation})
    for event in events.values():
        event.incoming.sort(key=lambda relation: (relation["event"], relation["relation"]))
        event.incoming_document = json.dumps(event.incoming)
    return [events[version.id] for version in versions]


def _instances(model, rows):
    """The history rows `rows` of `model` as instances of `model` (what `.instance` gives), read as
    values: one object a row, not a history row and then its instance."""
    names = [field.attname for field in model._meta.concrete_fields]
    return [model.from_db(rows.db, names, values) for values in rows.values_list(*names)]


class _Tag:
    """A tag as the event's history row names it (its slug is all the dataset shape shows)."""

    def __init__(self, slug):
        self.slug = slug
