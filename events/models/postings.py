"""The postings road of a chronological list (PostgreSQL, migration 0020): an actor's or a dyad's events in date order.

`events_posting` holds a row per event and key (an actor id, or two ids joined by a space in byte
order) with the event's `start`, `span_end` and `type_id`, in a B-tree on (key, start, event_id)
that carries the type. A list of the events involving named actors, in the order (start, id) or its
reverse, is read joined to the postings of one key, in the postings' order: PostgreSQL walks the key's
B-tree from the first day asked, checks the type there, and stops when the page is full, where the
actors' GIN index has no order and gave it every event of the actors.

Every filter of the list stays on the events but the actors the key names (`without_implied`), so
the rows and their order are the list's. Lists that ask about other indexed things (q, country...)
keep their road (`postings_serve`).
"""

import datetime

from django.contrib.postgres.fields.array import ArrayContains
from django.db import connections
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import AND, WhereNode

POSTINGS = "events_posting"
_OPERATORS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
CHRONOLOGICAL = (("start", "id"), ("-start", "-id"))
# The columns a list read through the postings may ask about besides the actors: each row's own, checked
# on the rows the postings give. A question of other indexed things (q, country, a tag, a publisher, a
# change since) keeps its road: those indexes find its few rows first, where the postings would be walked
# to their end for them.
ROW_COLUMNS = frozenset({"id", "start", "span_end", "review_state", "status", "type_id", "code", "actor_ids"})


class ImpliedByPostings:
    """A condition that every event of a key's postings meets when `actors` are among the key's: left out of a
    list read through them."""

    actors = frozenset()


class ActorsContain(ImpliedByPostings, ArrayContains):
    """`actor_ids @> ARRAY[...]` said by `EventQuerySet.involving`: the condition a key's postings imply for the
    actors of the key."""

    def __init__(self, lhs, actor_ids):
        self.actors = frozenset(actor_ids)
        super().__init__(lhs, list(actor_ids))


def _implied(condition, actors):
    """Whether every posting of a key naming `actors` meets `condition` (a child of a WHERE node): one of
    `ImpliedByPostings`, alone or as the `= true` Django makes of a boolean expression in a filter."""
    if isinstance(condition, Lookup) and not isinstance(condition, ImpliedByPostings) and condition.rhs is True:
        condition = condition.lhs
    return isinstance(condition, ImpliedByPostings) and condition.actors <= actors


def posting_key(actor_ids):
    """The key whose postings a list of the events involving every one of `actor_ids` reads: the actor,
    or with two or more the pair of the first two in byte order (never more events than either alone)."""
    actors = sorted(set(actor_ids))
    return " ".join(actors[:2]) if actors else None


def postings_serve(query, columns=ROW_COLUMNS):
    """Whether every condition of `query` is on the `columns` (`ROW_COLUMNS`: the type's code, through its
    join, among them)."""

    def plain(node):
        for child in node.children:
            if isinstance(child, WhereNode):
                if not plain(child):
                    return False
            elif not (isinstance(child, Lookup) and isinstance(child.lhs, Col) and child.lhs.target.column in columns):
                return False
        return True

    return plain(query.where)


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


def without_implied(events, key):
    """`events` without the conditions on `actor_ids` that every posting of `key` meets: kept, they would
    offer PostgreSQL the actors' GIN index, and make it count each row less likely than it is."""
    actors = set(key.split(" "))
    events = events._chain()

    def prune(node):
        if node.negated or node.connector != AND:
            return
        kept = []
        for child in node.children:
            if isinstance(child, WhereNode):
                prune(child)
            elif _implied(child, actors):
                continue
            kept.append(child)
        node.children = kept

    prune(events.query.where)
    return events


def _like_prefix(code):
    return code.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + ".%"


def read_through_postings(events, key, type_groups=(), reaching=None):
    """`events` (ordered (start, id) or its reverse) joined to the postings of `key`: the same rows in the
    same order. The type codes of each of `type_groups` (`of_type`, sub-codes included) are asked of the
    postings too, where the B-tree holds them. Read in the postings' order; with `reaching`, only the
    postings lasting to that day from before it (the partial B-tree `event_posting_lasting_idx`, `events`
    being those started before it), and in the events' own order: they are few, and sorted."""
    events = without_implied(events, key)
    quote = connections[events.db].ops.quote_name
    table = quote(events.query.base_table)
    conditions = [f"{POSTINGS}.key = %s", f"{POSTINGS}.event_id = {table}.{quote('id')}"]
    params = [key]
    for operator, day in start_bounds(events.query, events.model._meta.get_field("start")):
        conditions.append(f"{POSTINGS}.start {operator} %s")
        params.append(day)
    for codes in type_groups:
        conditions.append(" OR ".join([f"{POSTINGS}.type_id = %s OR {POSTINGS}.type_id LIKE %s"] * len(codes)))
        params += [value for code in codes for value in (code, _like_prefix(code))]
    if reaching is not None:
        conditions += [f"{POSTINGS}.span_end >= %s", f"{POSTINGS}.span_end > {POSTINGS}.start"]
        params.append(reaching)
        return events.extra(tables=[POSTINGS], where=conditions, params=params)
    sign = "-" if events.query.order_by[0].startswith("-") else ""
    return events.extra(
        tables=[POSTINGS],
        where=conditions,
        params=params,
        order_by=[f"{sign}{POSTINGS}.start", f"{sign}{POSTINGS}.event_id"],
    )


class PostingVerbs:
    """The postings road for `EventQuerySet`, which gives `is_present` and `_split_day`."""

    # The actors every event involves (`involving`, `with_role`), and the type codes of each `of_type`.
    _posted_actors = ()
    _posted_types = ()
    # The columns of the rows a list read through the postings may ask about (`postings_serve`).
    posting_columns = ROW_COLUMNS

    def reads_postings(self):
        """Whether these rows may be read through the postings of the events now (`is_present`)."""
        return self.is_present

    def _clone(self):
        clone = super()._clone()
        clone._posted_actors, clone._posted_types = self._posted_actors, self._posted_types
        return clone

    # An OR of two lists holds events of either: what each says of its own events no longer holds (their
    # actors, types, and the day from which `ordered_parts` splits them: `_split_day`).
    def __or__(self, other):
        return self._unposted(super().__or__(other))

    def __xor__(self, other):
        return self._unposted(super().__xor__(other))

    def __and__(self, other):
        combined = super().__and__(other)._chain()
        combined._posted_actors = (*self._posted_actors, *getattr(other, "_posted_actors", ()))
        combined._posted_types = (*self._posted_types, *getattr(other, "_posted_types", ()))
        days = [day for day in (self._split_day, getattr(other, "_split_day", None)) if day is not None]
        combined._split_day = max(days, default=None)
        return combined

    @staticmethod
    def _unposted(combined):
        combined = combined._chain()
        combined._posted_actors, combined._posted_types, combined._split_day = (), (), None
        return combined

    def _posting(self, actor_ids=(), type_codes=None):
        """The queryset, noting that each of its events involves `actor_ids` and is of one of `type_codes`."""
        self._posted_actors = (*self._posted_actors, *actor_ids)
        if type_codes:
            self._posted_types = (*self._posted_types, tuple(type_codes))
        return self

    def posting_parts(self, day):
        """The parts of a chronological list (`ordered_parts`) read through the postings of its actors,
        in order: the events going on on `day` (started before it) and those starting from it, or the
        whole list without `day`; None when the postings do not serve the list."""
        if not self.reads_postings() or tuple(self.query.order_by) not in CHRONOLOGICAL:
            return None
        key = posting_key(self._posted_actors)
        if key is None or not postings_serve(without_implied(self, key).query, self.posting_columns):
            return None
        if day is None:
            return [read_through_postings(self, key, self._posted_types)]
        going_on = read_through_postings(self.filter(start__lt=day), key, self._posted_types, reaching=day)
        starting = read_through_postings(self.filter(start__gte=day), key, self._posted_types)
        return [going_on, starting] if self.query.order_by[0] == "start" else [starting, going_on]
