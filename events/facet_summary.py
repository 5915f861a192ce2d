"""The facet summary: the facets of every published event, read from counts the database keeps (PostgreSQL).

Migration 0014's `events_facet_summary` holds, per (facet, value) of the facets type, status, year, actor
and country, how many published events have that value; statement triggers on events keep it exact through
every write (publication, deletion, a new type, participants, bulk imports). It answers for the events it
counts only: every published event of the present, with no filter (`answers`); `facets.facets` asks it
then, and the events themselves otherwise (SQLite has no summary: it always counts the events).
"""

from django.db import connections

from .countries import COUNTRIES
from .models import Event

# The facets counted per value; `family` is summed from `type` (an event has one type, so one family).
STORED = frozenset({"type", "status", "year", "actor", "country"})
FACETS = STORED | {"family"}

# Every asked facet's first `size` values in one statement, in the facets' order (count descending, then
# the value in byte order), with their labels, and the count: every published event has one status.
SQL = """
WITH asked AS (
    SELECT facet, value, count FROM events_facet_summary WHERE facet = ANY(%(stored)s) AND count > 0
    UNION ALL
    SELECT 'family', split_part(value, '.', 1), sum(count)::bigint FROM events_facet_summary
    WHERE %(family)s AND facet = 'type' AND count > 0 GROUP BY 2
), ranked AS (
    SELECT facet, value, count,
           row_number() OVER (PARTITION BY facet ORDER BY count DESC, value COLLATE "C") AS position
    FROM asked
)
SELECT facet, value, count, label FROM (
    SELECT r.facet, r.value, r.count, coalesce(t.name, a.name) AS label
    FROM ranked r
    LEFT JOIN events_eventtype t ON r.facet IN ('type', 'family') AND t.code = r.value
    LEFT JOIN events_actor a ON r.facet = 'actor' AND a.id = r.value
    WHERE r.position <= %(size)s
    UNION ALL
    SELECT '', '', coalesce(sum(count), 0)::bigint, NULL FROM events_facet_summary WHERE facet = 'status'
) AS answer
ORDER BY facet, count DESC, value COLLATE "C"
"""


def answers(events):
    """Whether the summary counts exactly `events` (a queryset): every published event now, on PostgreSQL,
    as `Event.objects.published()` (or `visible_to` an anonymous reader) asks for them, with no filter."""
    if connections[events.db].vendor != "postgresql" or not events.is_present or events.model is not Event:
        return False
    query = events.query
    if query.distinct or query.is_sliced or query.combinator or query.extra:
        return False
    return query.where == Event.objects.published().query.where


def summary_facets(events, names, size):
    """(count, {name: [(value, count, label)]}) of the facets `names` (of `FACETS`) over every published
    event, from the summary in one query; `events` (of which `answers`) names the database."""
    stored = [name for name in names if name in STORED]
    with connections[events.db].cursor() as cursor:
        cursor.execute(SQL, {"stored": stored, "family": "family" in names, "size": size})
        rows = cursor.fetchall()
    count, answer = 0, {name: [] for name in names}
    for facet, value, number, label in rows:
        if facet == "":
            count = number
        elif facet == "country":
            answer[facet].append((value, number, COUNTRIES.get(value)))
        else:
            answer[facet].append((value, number, label))
    return count, answer
