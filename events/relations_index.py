"""The relations index: how relations between two actors moved, period by period.

An event counts when it occurred and one participant is A or below it (roll-up, as `actor_tree`) while
another is B or below it. Its Goldstein value (of its type, from the taxonomy: -10 conflict to +10
cooperation; a type without one adds 0) makes the score; the periods are the timeline's. The API
(`/api/v1/relations/`) and the public page's two-actor view both give it.

On PostgreSQL, for every published event with no other filter, the dyad's events are read from the
relation pairs (migration 0018, `events_relation_pair`: each published event that occurred, once per pair
of its participants' actors): the pairs (x, y) of x at or below A and y at or below B, each one an index
range of its events in date order, rather than the participants of every event of both trees. Elsewhere,
and with a filter, the events themselves. Both roads give the same rows, bucketed here the same way.
"""

from decimal import Decimal

from django.db import connections
from django.db.models import F
from django.db.models.functions import Collate

from . import dates
from .facet_summary import scope_of
from .models import Status
from .rollup import between_trees

# Every two different actors of the two sides' trees (each side the actor and every actor below it, as
# `rollup.subtree`: migration 0018's `events_actor_tree`), as the pairs are stored (the lower id in byte
# order first), then each pair's rows: one index range each (OFFSET 0 keeps the pairs apart, so that each
# reads its own range rather than the planner merging every row of the table with them). An event with
# several such pairs counts once (DISTINCT: its rows are alike). Each event's period as `_period` gives it:
# its start at the interval, or at its own precision when that is coarser ("2025" among months). Grouped
# here, each period's events in date order then by id in byte order, as `_bucketed` lists them.
PAIRS = """
WITH pairs AS (
    SELECT DISTINCT least(x COLLATE "C", y COLLATE "C") AS low, greatest(x COLLATE "C", y COLLATE "C") AS high
    FROM events_actor_tree(%s) AS x, events_actor_tree(%s) AS y
    WHERE x <> y
), matched AS (
    SELECT DISTINCT date_trunc(p.precision, p.start)::date AS first_day, p.precision, p.start,
           p.event_id COLLATE "C" AS event_id, t.goldstein
    FROM pairs, LATERAL (
        SELECT event_id, start, type_id,
               CASE WHEN %s::text = 'year' OR start_precision = 'year' THEN 'year'
                    WHEN %s::text = 'month' OR start_precision = 'month' THEN 'month' ELSE 'day' END AS precision
        FROM events_relation_pair WHERE low = pairs.low AND high = pairs.high OFFSET 0
    ) AS p
    LEFT JOIN events_eventtype t ON t.code = p.type_id
)
SELECT first_day, precision, count(*), count(*) FILTER (WHERE goldstein > 0), count(*) FILTER (WHERE goldstein < 0),
       coalesce(sum(goldstein), 0), array_agg(event_id ORDER BY start, event_id)
FROM matched
GROUP BY first_day, precision
"""

_RANK = {precision: -dates.PRECISIONS.index(precision) for precision in dates.PRECISIONS}


def _period(start, precision, interval):
    """The timeline's period of an event, (first day, rank) and its precision: of its start at `interval`,
    or of its own coarser precision."""
    if dates.precision_is_finer(interval, precision):
        interval = precision  # "2025" among months: the start is already its period's first day
    first_day = {
        dates.DAY: start,
        dates.MONTH: start.replace(day=1),
        dates.YEAR: start.replace(month=1, day=1),
    }[interval]
    return (first_day, _RANK[interval]), interval


def relations_index(events, a, b, interval):
    """The index over `events` (a filtered queryset): one query for the dyad's events, bucketed here (or,
    from the relation pairs, in the query). Each period's events in date order, then by id in byte order (as
    Python sorts text) on every database."""
    if scope_of(events) == "":
        with connections[events.db].cursor() as cursor:
            cursor.execute(PAIRS, [a, b, interval, interval])
            buckets = {
                (first_day, _RANK[precision]): {
                    "period": dates.format_partial_date(first_day, precision),
                    "count": count,
                    "cooperation": cooperation,
                    "conflict": conflict,
                    "score": score,
                    "events": ids,
                }
                for first_day, precision, count, cooperation, conflict, score, ids in cursor.fetchall()
            }
    else:
        buckets = _bucketed(
            between_trees(events.filter(status=Status.OCCURRED), a, b)
            .order_by("start", _by_id(events))
            .values_list("id", "start", "start_precision", "type__goldstein"),
            interval,
        )
    ordered = [buckets[key] for key in sorted(buckets)]
    total = sum((bucket["score"] for bucket in ordered), Decimal(0))  # summed exactly, in tenths
    for bucket in ordered:
        bucket["score"] = float(bucket["score"])
    return {
        "a": a,
        "b": b,
        "interval": interval,
        "count": sum(bucket["count"] for bucket in ordered),
        "score": float(total),
        "buckets": ordered,
    }


def _by_id(events):
    """Ordering by event id in byte order on every database (PostgreSQL's collation would not be)."""
    return Collate(F("id"), "C") if connections[events.db].vendor == "postgresql" else F("id")


def _bucketed(rows, interval):
    """{(first day, rank): bucket} of the events `rows` (id, start, precision, Goldstein value), in order."""
    buckets = {}
    for event_id, start, precision, goldstein in rows:
        key, period_precision = _period(start, precision, interval)
        bucket = buckets.get(key)
        if bucket is None:
            period = dates.format_partial_date(key[0], period_precision)
            bucket = buckets[key] = {
                "period": period,
                "count": 0,
                "cooperation": 0,
                "conflict": 0,
                "score": Decimal(0),
                "events": [],
            }
        value = goldstein or Decimal(0)
        bucket["count"] += 1
        bucket["cooperation"] += value > 0
        bucket["conflict"] += value < 0
        bucket["score"] += value
        bucket["events"].append(event_id)
    return buckets
