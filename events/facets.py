"""Facets: how many of the matching events have each value of a field (Datasette's facets, ACLED's counts).

Counted by the database over the filtered events (never a loop over them here): each event counts once
per value it has, the values ordered by count descending then by value (byte order, as Python sorts text),
at most `facet_size` of them. On PostgreSQL the count and the facets type, family, status, actor, country
and year are one query (events/facet_summary.py): from the facet summary for every published event (or
those of one actor, two actors or one country, with no other filter), else over the matching events read
once (their search columns' arrays for actors and countries); elsewhere, and for publisher and tag, one
grouped query per facet.
"""

from django.db import connections
from django.db.models import Count, F, Func, OuterRef, Subquery, TextField
from django.db.models.functions import Collate, ExtractYear
from rest_framework.exceptions import ValidationError

from . import facet_summary
from .countries import COUNTRIES
from .models import EventType, Participant

DEFAULT_SIZE = 30
MAX_SIZE = 1000


class Family(Func):
    """A type code's first segment: 'sanctions' of 'sanctions.imposed'."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="split_part(%(expressions)s, '.', 1)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = (
            "CASE WHEN instr(%(expressions)s, '.') > 0 "
            "THEN substr(%(expressions)s, 1, instr(%(expressions)s, '.') - 1) ELSE %(expressions)s END"
        )
        return super().as_sql(compiler, connection, template=template, **extra)


def _by_value(rows, name):
    """Ordering by a text value in byte order on every database (PostgreSQL's collation would not be)."""
    return Collate(F(name), "C") if connections[rows.db].vendor == "postgresql" else F(name)


def _grouped(rows, value, size, label=None, count=None, text=True):
    """[(value, count, label)] of `rows` (a queryset) grouped by the field `value` (a number unless `text`)."""
    fields = [value] if label is None else [value, label]
    grouped = (
        rows.order_by()
        .values(*fields)
        .annotate(facet_count=count or Count("*"))
        .order_by("-facet_count", _by_value(rows, value) if text else value)[:size]
    )
    return [(row[value], row["facet_count"], row[label] if label else None) for row in grouped]


def _type(events, ids, size):
    return _grouped(events, "type_id", size, label="type__name")


def _family(events, ids, size):
    names = EventType.objects.filter(code=OuterRef("facet_family")).values("name")[:1]
    rows = events.annotate(facet_family=Family("type_id"), family_name=Subquery(names))
    return _grouped(rows, "facet_family", size, label="family_name")


def _status(events, ids, size):
    return _grouped(events, "status", size)


def _year(events, ids, size):
    rows = _grouped(events.annotate(facet_year=ExtractYear("start")), "facet_year", size, text=False)
    return [(f"{year:04d}", count, None) for year, count, _ in rows]


def _actor(events, ids, size):
    participants = events.parts(Participant).filter(event_id__in=ids)
    return _grouped(participants, "actor_id", size, label="actor__name", count=Count("event_id", distinct=True))


def _publisher(events, ids, size):
    citations = events.cited_publishers().filter(event_id__in=ids).exclude(publisher="")
    return _grouped(citations, "publisher", size, count=Count("event_id", distinct=True))


def _tag(events, ids, size):
    return _grouped(events.tag_rows(), "tag_id", size)


def _country(events, ids, size):
    # An event's countries, as the country filter reads them: its participants' actors' and its location's.
    # The UNION keeps each (event, country) pair once; the database then counts the pairs per country.
    of_participants = (
        events.parts(Participant)
        .filter(event_id__in=ids)
        .order_by()
        .exclude(actor__country="")
        .annotate(facet_event=F("event_id"), facet_value=F("actor__country"))
        .values_list("facet_event", "facet_value")
    )
    of_location = (
        events.order_by()
        .exclude(location_country="")
        .annotate(facet_event=F("id"), facet_value=F("location_country"))
        .values_list("facet_event", "facet_value")
    )
    # On the events' own database (a replica's, for a read), as the ORM's queries are.
    database = connections[events.db]
    pairs, params = of_participants.union(of_location).query.sql_with_params()
    order = 'facet_value COLLATE "C"' if database.vendor == "postgresql" else "facet_value"
    sql = (
        f"SELECT facet_value, COUNT(*) FROM ({pairs}) facet_pairs "
        f"GROUP BY facet_value ORDER BY COUNT(*) DESC, {order} LIMIT %s"
    )
    with database.cursor() as cursor:
        cursor.execute(sql, [*params, size])
        return [(code, count, COUNTRIES.get(code)) for code, count in cursor.fetchall()]


FACETS = {
    "type": _type,
    "family": _family,
    "status": _status,
    "actor": _actor,
    "country": _country,
    "year": _year,
    "publisher": _publisher,
    "tag": _tag,
}


def requested(request):
    """The facets asked for (each once, in the order given) and the facet size; 400 naming a bad one."""
    names = list(dict.fromkeys(request.query_params.getlist("facet")))
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        shown = ", ".join(repr(name[:20]) for name in unknown[:5])
        raise ValidationError({"facet": [f"{shown}: not one of {', '.join(FACETS)}"]})
    raw = request.query_params.get("facet_size")
    if raw is None:
        return names, DEFAULT_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({"facet_size": [f"{raw[:20]!r} is not a whole number"]}) from None
    if size < 1:
        raise ValidationError({"facet_size": ["must be at least 1"]})
    return names, min(size, MAX_SIZE)


def facets(events, names, size):
    """{"count": N, "facets": {name: [{"value", "count", "label"?}]}} over the events (a filtered queryset,
    of the events now or of their versions at a moment: their `parts` say which participants and sources).

    On PostgreSQL the count and the facets of `facet_summary.FACETS` are one query: every published event with
    no filter, or only an actor, two actors or a country, from the facet summary, the same answer as the events
    give; other events of the present read once. The other facets, and every facet elsewhere or of a moment,
    one grouped query each."""
    events = events.order_by()
    ids = events.values("id")
    count, counted = None, {}
    kept = [name for name in names if name in facet_summary.FACETS]
    if facet_summary.answers(events):
        count, counted = facet_summary.summary_facets(events, kept, size)
    elif facet_summary.counts_in_one_query(events):
        count, counted = facet_summary.counted_facets(events, kept, size)
    answer = {}
    for name in names:
        rows = counted[name] if name in counted else FACETS[name](events, ids, size)
        answer[name] = [
            {"value": value, "count": number, **({"label": label} if label else {})} for value, number, label in rows
        ]
    return {"count": events.count() if count is None else count, "facets": answer}
