"""The postings road of a chronological list (PostgreSQL, migration 0018): an actor's or a dyad's events in date order.

`events_posting` holds a row per event and key (an actor id, or two ids joined by a space in byte
order) with the event's `start` and `span_end`, in a B-tree on (key, start, event_id). A list of the
events involving named actors, in the order (start, id) or its reverse, is read joined to the postings
of one key, in the postings' order: PostgreSQL walks the key's B-tree from the first day asked and stops
when the page is full, where the actors' GIN index has no order and gave it every event of the actors.

The join is redundant: every filter of the list stays on the events, so the rows and their order are
the list's, and PostgreSQL keeps its other plans (the posting of each row it reads another way is
one lookup in that B-tree: the join names all three of its columns).
"""

import datetime

from django.db import connections
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import AND, WhereNode

POSTINGS = "events_posting"
_OPERATORS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
CHRONOLOGICAL = (("start", "id"), ("-start", "-id"))


def posting_key(actor_ids):
    """The key whose postings a list of the events involving every one of `actor_ids` reads: the actor,
    or with two or more the pair of the first two in byte order (never more events than either alone)."""
    actors = sorted(set(actor_ids))
    return " ".join(actors[:2]) if actors else None


def start_bounds(query, start_field):
    """(operator, day) of each condition `start <op> day` that every row of `query` meets (its top-level
    conjunction: date_to, a part's first day, a cursor's), which the postings' `start` meets as well."""
    alias = query.base_table

    def walk(node):
        if node.negated or node.connector != AND:
            return
        for child in node.children:
            if isinstance(child, WhereNode):
                yield from walk(child)
            elif (
                isinstance(child, Lookup)
                and child.lookup_name in _OPERATORS
                and isinstance(child.lhs, Col)
                and child.lhs.alias == alias
                and child.lhs.target is start_field
                and type(child.rhs) is datetime.date
            ):
                yield _OPERATORS[child.lookup_name], child.rhs

    return list(walk(query.where))


def read_through_postings(events, key, reaching=None):
    """`events` (ordered (start, id) or its reverse) joined to the postings of `key`, in the postings' order:
    the same rows in the same order. With `reaching`, only the postings lasting to that day from before it
    (the partial B-tree `event_posting_lasting_idx`): `events` are those started before it."""
    quote = connections[events.db].ops.quote_name
    table = quote(events.query.base_table)
    start_field = events.model._meta.get_field("start")
    conditions = [
        f"{POSTINGS}.key = %s",
        f"{POSTINGS}.event_id = {table}.{quote('id')}",
        f"{POSTINGS}.start = {table}.{quote('start')}",
    ]
    params = [key]
    for operator, day in start_bounds(events.query, start_field):
        conditions.append(f"{POSTINGS}.start {operator} %s")
        params.append(day)
    if reaching is not None:
        conditions += [f"{POSTINGS}.span_end >= %s", f"{POSTINGS}.span_end > {POSTINGS}.start"]
        params.append(reaching)
    sign = "-" if events.query.order_by[0].startswith("-") else ""
    return events.extra(
        tables=[POSTINGS],
        where=conditions,
        params=params,
        order_by=[f"{sign}{POSTINGS}.start", f"{sign}{POSTINGS}.event_id"],
    )
