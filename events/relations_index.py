"""The relations index: how relations between two actors moved, period by period.

An event counts when it occurred and one participant is A or below it (roll-up, as `actor_tree`) while
another is B or below it. Its Goldstein value (of its type, from the taxonomy: -10 conflict to +10
cooperation; a type without one adds 0) makes the score; the periods are the timeline's. The API
(`/api/v1/relations/`) and the public page's two-actor view both give it.
"""

from decimal import Decimal

from . import dates
from .models import Status
from .rollup import between_trees

_RANK = {precision: -dates.PRECISIONS.index(precision) for precision in dates.PRECISIONS}


def _period(start, precision, interval):
    """The timeline's period of an event: of its start at `interval`, or of its own coarser precision."""
    if dates.precision_is_finer(interval, precision):
        interval = precision  # "2025" among months: the start is already its period's first day
    first_day = {
        dates.DAY: start,
        dates.MONTH: start.replace(day=1),
        dates.YEAR: start.replace(month=1, day=1),
    }[interval]
    return (first_day, _RANK[interval]), dates.format_partial_date(first_day, interval)


def relations_index(events, a, b, interval):
    """The index over `events` (a filtered queryset): one query for the dyad's events, bucketed here."""
    rows = (
        between_trees(events.filter(status=Status.OCCURRED), a, b)
        .order_by("start", "id")
        .values_list("id", "start", "start_precision", "type__goldstein")
    )
    buckets = {}
    for event_id, start, precision, goldstein in rows:
        key, period = _period(start, precision, interval)
        bucket = buckets.setdefault(
            key, {"period": period, "count": 0, "cooperation": 0, "conflict": 0, "score": Decimal(0), "events": []}
        )
        value = goldstein or Decimal(0)
        bucket["count"] += 1
        bucket["cooperation"] += value > 0
        bucket["conflict"] += value < 0
        bucket["score"] += value
        bucket["events"].append(event_id)
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
