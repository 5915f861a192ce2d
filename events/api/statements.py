"""Statements the API asks on every request, prepared once per PostgreSQL connection.

PostgreSQL plans a statement each time it is sent as text. For the few that every request asks (the token's,
the page's documents) planning cost the backend more CPU than running them: their joins and subqueries are
planned anew for one row or a page of ids. A `Statement` is sent the first time on a connection as `PREPARE`
and `EXECUTE` together (one round trip, one query as Django counts them), then as `EXECUTE` alone: parsed
and planned once for the connection's life. Its parameters only ever pick rows by key (a token, the ids of a
page), so the plan PostgreSQL keeps fits every value. Prepared statements outlive a rolled-back
transaction; a new connection (`CONN_MAX_AGE`, a reconnection after an outage) prepares them again. On
other databases the statement is sent as the SQL it is.
"""

import hashlib
import re
import weakref

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import NamedValuesListIterable
from django.db.models.utils import create_namedtuple_class

# The names prepared (True) on each DB-API connection: a connection Django drops takes its names with it.
_PREPARED = weakref.WeakKeyDictionary()


class Statement:
    """SQL with `%s` parameters of the given PostgreSQL types, prepared under `name`."""

    def __init__(self, name, sql, types):
        self.name = name
        self.sql = sql
        self.types = tuple(types)
        placeholders = tuple(f"${number}" for number in range(1, len(self.types) + 1))
        # Sent with the parameters of its EXECUTE: a % of the SQL's own is written %% as in `sql`.
        types = f" ({', '.join(self.types)})" if self.types else ""
        prepare = f"PREPARE {name}{types} AS {sql % placeholders}; "
        self.prepare = prepare.replace("%", "%%")
        self.execute_sql = (
            f"EXECUTE {name} ({', '.join(['%s'] * len(self.types))})" if self.types else f"EXECUTE {name}"
        )

    def execute(self, cursor, params):
        """Run the statement on `cursor` (Django's), its rows left to fetch."""
        if cursor.db.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return cursor
        prepared = _PREPARED.setdefault(cursor.db.connection, {})
        state = prepared.get(self.name)
        if state is UNKNOWN:
            # A first EXECUTE failed: the PREPARE sent with it stays if the server ran it (even in a
            # transaction rolled back since), not if the parameters never left the client.
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [self.name])
            state = prepared[self.name] = bool(cursor.fetchone()[0])
        if state:
            cursor.execute(self.execute_sql, params)
            return cursor
        prepared[self.name] = UNKNOWN
        cursor.execute(self.prepare + self.execute_sql, params)
        prepared[self.name] = True
        return cursor


UNKNOWN = object()


# ---------------------------------------------------------------- a queryset's rows through a prepared statement

# At most this many statements of querysets prepared on one connection (each a page size, a direction, a
# reader's visibility): past it, a queryset's SQL is sent as text.
MAX_PREPARED_QUERIES = 64
_TOKENS = re.compile(r"(%%|%s)")
_BY_SQL = {}


def prepared_statement(sql, params, inlined):
    """(The statement, its parameters) for Django's compiled `sql` (`%s` placeholders) with `params`, the
    values in `inlined` written into its text: a statement's plan is made for every value of its parameters,
    and a partial index (`event_published_chrono_idx`, where `review_state = 'published'`) serves a plan only
    when the condition's value is in the text. Their types are left for PostgreSQL to infer (`unknown`)."""
    values = iter(params)
    kept = []
    text = []
    for token in _TOKENS.split(sql):
        if token != "%s":
            text.append(token)
            continue
        value = next(values)
        if isinstance(value, str) and value in inlined:
            text.append("'" + value.replace("'", "''").replace("%", "%%") + "'")
        else:
            text.append("%s")
            kept.append(value)
    text = "".join(text)
    statement = _BY_SQL.get(text)
    if statement is None:
        if len(_BY_SQL) >= 4 * MAX_PREPARED_QUERIES:
            _BY_SQL.clear()
        name = "chancery_q_" + hashlib.sha1(text.encode()).hexdigest()[:24]
        statement = _BY_SQL[text] = Statement(name, text, ["unknown"] * len(kept))
    return statement, kept


class PreparedRows(NamedValuesListIterable):
    """`values_list(named=True)`'s rows, read through a statement prepared once per connection for the
    queryset's SQL (`prepared_statement`), its values of `queryset.inlined` in the text: a page or a detail
    whose SQL is the same for every request but the cursor's keys or the id is planned once. On other
    databases, or past `MAX_PREPARED_QUERIES` on a connection, the query is sent as Django sends it."""

    inlined = frozenset()

    def __iter__(self):
        queryset = self.queryset
        connection = connections[queryset.db]
        prepared = _PREPARED.get(connection.connection, {}) if connection.connection is not None else {}
        if connection.vendor != "postgresql" or len(prepared) >= MAX_PREPARED_QUERIES:
            return super().__iter__()
        return self._read(queryset, connection)

    def _read(self, queryset, connection):
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return
        names = queryset._fields
        statement, values = prepared_statement(sql, params, self.inlined)
        with connection.cursor() as cursor:
            statement.execute(cursor, values)
            rows = cursor.fetchall()
        # No column of these querysets needs a converter on PostgreSQL (text, dates, moments, numbers).
        row_class = create_namedtuple_class(*names)
        for row in rows:
            yield tuple.__new__(row_class, row)


def prepared(queryset, inlined):
    """The `values_list(named=True)` queryset, its rows (and its clones': a page's slice, a detail's `get`)
    read through `PreparedRows`, the values in `inlined` written into the statement's text."""
    inlined = frozenset(inlined)
    iterable = _ITERABLES.get(inlined)
    if iterable is None:
        iterable = _ITERABLES[inlined] = type("PreparedRows", (PreparedRows,), {"inlined": inlined})
    queryset = queryset._chain()
    queryset._iterable_class = iterable
    return queryset


_ITERABLES = {}
