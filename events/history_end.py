"""The end of each history row (`history_end`, migration 0015): when the version was superseded, NULL for
the row's latest one, kept by the database itself on PostgreSQL and SQLite.

A history row's version is valid from its `history_date` until the next row of the same `id` (in the
order of `history_date`, then `history_id`, as `asof` reads them); a row whose version is a deletion
('-') ends nothing early: it is valid, as a deletion, until the row comes back. With the end stored,
"the version valid at T" is `history_date <= T AND (history_end > T OR history_end IS NULL)`, a test of
the row alone that an index can serve, instead of a search for a later row.

Triggers keep it whatever writes the history (simple-history's signals, the dataset importer's bulk
inserts, `generate_events`' COPY, raw SQL): on PostgreSQL one per statement, reading the statement's
rows (its transition table), so that a COPY of a million new rows costs one pass over their ids; on
SQLite one per row. Inserting and deleting history rows keep it; history rows are not otherwise
rewritten (an UPDATE of a row's `id` or `history_date` would leave its neighbours' ends as they were).
Django remakes a SQLite table to alter its columns, and the remade table has no triggers:
`keep_after_migrate` puts them back, as `sqlite_search` does its own.
"""

TABLES = (
    "events_historicalevent",
    "events_historicalparticipant",
    "events_historicalcitation",
    "events_historicalsource",
    "events_historicaleventrelation",
)
"""The history tables `asof` reads, whose rows carry `history_end`."""

# The next version's moment of each row of `{table}`: one pass in the order of the index (id, history_date).
NEXT = "lead(history_date) OVER (PARTITION BY id ORDER BY history_date, history_id)"

FILL = """
UPDATE {table} SET history_end = later.history_end
FROM (SELECT history_id, {next} AS history_end FROM {table}) AS later
WHERE {table}.history_id = later.history_id AND later.history_end IS NOT NULL"""
"""Every row's end from the rows there are (PostgreSQL and SQLite >= 3.33 alike): the migration's fill."""

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION events_history_end() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
BEGIN
    -- The versions of the ids the statement touched, each id's rows read through the index (id,
    -- history_date) (LATERAL: never a scan of the table for a chunk of new ids); only the ends that
    -- change are written, one by its primary key.
    FOR changed IN EXECUTE format(
        'SELECT v.history_id, v.next_date FROM (SELECT DISTINCT id FROM touched) AS t CROSS JOIN LATERAL ('
        '    SELECT history_id, history_end, {NEXT} AS next_date FROM %1$I WHERE id = t.id'
        ') AS v WHERE v.history_end IS DISTINCT FROM v.next_date',
        TG_TABLE_NAME
    ) LOOP
        EXECUTE format('UPDATE %1$I SET history_end = $1 WHERE history_id = $2', TG_TABLE_NAME)
        USING changed.next_date, changed.history_id;
    END LOOP;
    RETURN NULL;
END
$$;
"""

POSTGRESQL_INDEXES = (
    # `date_from` of a moment: the versions going on that day, as event_span_idx (migration 0009) serves now.
    "CREATE INDEX hist_event_span_idx ON events_historicalevent USING gist (daterange(start, span_end, '[]'))",
    # An actor's events then and an event's actors then, read from the index alone (the versions' test
    # included): the participations are most of what a page of a moment reads.
    "CREATE INDEX hist_participant_actor_idx ON events_historicalparticipant (actor_id)"
    " INCLUDE (event_id, role, history_date, history_end, history_type)",
    "CREATE INDEX hist_participant_event_idx ON events_historicalparticipant (event_id)"
    " INCLUDE (actor_id, role, history_date, history_end, history_type)",
)
"""PostgreSQL's own indexes of the versions (Django's index declarations have no GiST on an expression)."""

POSTGRESQL_TRIGGERS = (
    """CREATE TRIGGER {table}_end_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION events_history_end()""",
    """CREATE TRIGGER {table}_end_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION events_history_end()""",
)

POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS {table}_end_insert ON {table}",
    "DROP TRIGGER IF EXISTS {table}_end_delete ON {table}",
)

# A row's neighbours in the order the versions follow each other.
_AFTER = "s.id = new.id AND (s.history_date > new.history_date OR "
_AFTER += "(s.history_date = new.history_date AND s.history_id > new.history_id))"
_BEFORE = "p.id = {row}.id AND (p.history_date < {row}.history_date OR "
_BEFORE += "(p.history_date = {row}.history_date AND p.history_id < {row}.history_id))"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS {{table}}_end_insert AFTER INSERT ON {{table}} BEGIN
    UPDATE {{table}} SET history_end = (
        SELECT s.history_date FROM {{table}} s WHERE {_AFTER} ORDER BY s.history_date, s.history_id LIMIT 1
    ) WHERE history_id = new.history_id;
    UPDATE {{table}} SET history_end = new.history_date WHERE history_id = (
        SELECT p.history_id FROM {{table}} p WHERE {_BEFORE.format(row="new")}
        ORDER BY p.history_date DESC, p.history_id DESC LIMIT 1
    );
END""",
    # The row before the one deleted now ends where the deleted one ended.
    f"""CREATE TRIGGER IF NOT EXISTS {{table}}_end_delete AFTER DELETE ON {{table}} BEGIN
    UPDATE {{table}} SET history_end = old.history_end WHERE history_id = (
        SELECT p.history_id FROM {{table}} p WHERE {_BEFORE.format(row="old")}
        ORDER BY p.history_date DESC, p.history_id DESC LIMIT 1
    );
END""",
)

SQLITE_DROP = ("DROP TRIGGER IF EXISTS {table}_end_insert", "DROP TRIGGER IF EXISTS {table}_end_delete")


def _triggers(connection):
    return POSTGRESQL_TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS


def fill(connection):
    """Every row's end written from the rows there are, in one UPDATE a table."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(FILL.format(table=table, next=NEXT))


def create(connection):
    """Fill every row's end, then the triggers that keep it (migration 0015)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Before the fill: an index built over the rows the fill has just updated in place (HOT) waits,
            # unused by any query, until every transaction older than it has ended (pg_index.indcheckxmin).
            for statement in POSTGRESQL_INDEXES:
                cursor.execute(statement)
    fill(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
            # The planner's estimate of how many spans contain a day comes from the expression's statistics.
            cursor.execute("ANALYZE events_historicalevent")
        for table in TABLES:
            for statement in _triggers(connection):
                cursor.execute(statement.format(table=table))


def drop(connection):
    """The triggers (and PostgreSQL's function) gone: migration 0015 undone."""
    drops = POSTGRESQL_DROP if connection.vendor == "postgresql" else SQLITE_DROP
    with connection.cursor() as cursor:
        for table in TABLES:
            for statement in drops:
                cursor.execute(statement.format(table=table))
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS events_history_end()")
            for statement in POSTGRESQL_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {statement.split()[2]}")


def keep_after_migrate(connection):
    """On SQLite, after every migrate: the triggers of the tables that have `history_end` and lost them
    (a migration that remade the table)."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"PRAGMA table_info({table})")
            if "history_end" in {row[1] for row in cursor.fetchall()}:
                for statement in SQLITE_TRIGGERS:
                    cursor.execute(statement.format(table=table))
