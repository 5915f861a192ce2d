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

import weakref

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
        prepare = f"PREPARE {name} ({', '.join(self.types)}) AS {sql % placeholders}; "
        self.prepare = prepare.replace("%", "%%")
        self.execute_sql = f"EXECUTE {name} ({', '.join(['%s'] * len(self.types))})"

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
