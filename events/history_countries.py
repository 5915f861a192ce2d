"""The countries each event version stood for (PostgreSQL, migration 0019), so that `as_of`'s country filter
reads them from the version's own row while it walks the versions in the page's order.

An event's version (its history row, valid from `history_date` until `history_end`) is in a country when its
location is, or when one of the participants valid at the moment asked has an actor of that country (the
actor's country now, as the filter reads it of the events now). The participants change by history rows of
their own, often a few milliseconds after the event's row that a save writes, or later without one; so each
version carries the countries of its last stretch, from `history_settled` (the last change of its
participants before its end, or its own beginning) to its end:

- `history_settled`: from when the stretch begins;
- `history_countries`: the location's country and the countries of the actors of the participants valid
  then, sorted, once each.

For a moment at or after `history_settled` the version's row answers alone; before it (a moment between a
save and its participants, or a version whose participants changed later) the filter asks the participants
of the moment as before (`asof.EventVersions.in_country`). NULL, never computed, reads as "ask them".

Statement triggers keep both columns whatever writes the history (simple-history's signals, the dataset
importer, raw SQL) and whatever changes an actor's country, after migration 0015's triggers have kept the
rows' ends (their names sort after `_end_`): each recomputes the versions of the events touched, writing only
what changed. `generate_events` turns them off for its load and fills the events it wrote at the end
(events/generation/writing.py). SQLite has neither the columns nor the triggers: its filter asks the
participants of the moment, always.
"""

TABLE = "events_historicalevent"

COLUMNS = """
ALTER TABLE events_historicalevent
    ADD COLUMN history_settled timestamp with time zone,
    ADD COLUMN history_countries varchar(3)[]
"""

# The versions the condition `chosen` picks (of `v`), each with its stretch and its countries, in joins
# that the planner answers through the participants' index (hist_participant_event_idx, migration 0015) for
# a statement's few events and by hashing for every version (the migration's fill).
FRESH = """
WITH v AS (
    SELECT history_id, id, history_date, history_end, location_country FROM events_historicalevent v WHERE {chosen}
), stretch AS (
    -- greatest() skips the NULL of no change: the stretch is then the whole version.
    SELECT v.history_id, greatest(v.history_date, max(p.history_date)) AS settled
    FROM v LEFT JOIN events_historicalparticipant p
        ON p.event_id = v.id AND p.history_date > v.history_date
        AND (v.history_end IS NULL OR p.history_date < v.history_end)
    GROUP BY v.history_id, v.history_date
)
SELECT v.history_id, s.settled,
       ARRAY(
           SELECT DISTINCT country FROM unnest(array_agg(a.country) || v.location_country) AS countries(country)
           WHERE country <> '' ORDER BY country
       )::varchar(3)[] AS countries
FROM v JOIN stretch s ON s.history_id = v.history_id
LEFT JOIN events_historicalparticipant p
    ON p.event_id = v.id AND p.history_type <> '-' AND p.history_date <= s.settled
    AND (p.history_end IS NULL OR p.history_end > s.settled)
LEFT JOIN events_actor a ON a.id = p.actor_id
GROUP BY v.history_id, s.settled, v.location_country"""

FUNCTIONS = f"""
CREATE FUNCTION events_history_countries(event_ids varchar[]) RETURNS void LANGUAGE sql AS $$
    UPDATE events_historicalevent h SET history_settled = fresh.settled, history_countries = fresh.countries
    FROM ({FRESH.format(chosen="v.id = ANY(event_ids)")}) AS fresh
    WHERE h.history_id = fresh.history_id
      AND (h.history_settled, h.history_countries) IS DISTINCT FROM (fresh.settled, fresh.countries)
$$;

CREATE FUNCTION events_history_countries_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: the column of the statement's rows naming their event.
    EXECUTE format('SELECT events_history_countries(ARRAY(SELECT DISTINCT %I FROM touched))', TG_ARGV[0]);
    RETURN NULL;
END
$$;

CREATE FUNCTION events_history_countries_of_actors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The events that ever had a participant of an actor whose country (or id) is new, changed or gone.
    IF TG_OP = 'UPDATE' THEN
        PERFORM events_history_countries(ARRAY(
            SELECT DISTINCT p.event_id FROM events_historicalparticipant p
            WHERE p.actor_id IN (
                SELECT coalesce(n.id, o.id) FROM new_actors n FULL JOIN old_actors o ON o.id = n.id
                WHERE n.country IS DISTINCT FROM o.country
            )
        ));
    ELSE
        PERFORM events_history_countries(ARRAY(
            SELECT DISTINCT p.event_id FROM events_historicalparticipant p WHERE p.actor_id IN (SELECT id FROM touched)
        ));
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = (
    f"""CREATE TRIGGER {TABLE}_versions_insert AFTER INSERT ON {TABLE}
    REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION events_history_countries_of_rows('id')""",
    f"""CREATE TRIGGER {TABLE}_versions_delete AFTER DELETE ON {TABLE}
    REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION events_history_countries_of_rows('id')""",
    """CREATE TRIGGER events_historicalparticipant_versions_insert AFTER INSERT ON events_historicalparticipant
    REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION events_history_countries_of_rows('event_id')""",
    """CREATE TRIGGER events_historicalparticipant_versions_delete AFTER DELETE ON events_historicalparticipant
    REFERENCING OLD TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION events_history_countries_of_rows('event_id')""",
    """CREATE TRIGGER events_actor_versions_insert AFTER INSERT ON events_actor
    REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION events_history_countries_of_actors()""",
    """CREATE TRIGGER events_actor_versions_update AFTER UPDATE ON events_actor
    REFERENCING OLD TABLE AS old_actors NEW TABLE AS new_actors
    FOR EACH STATEMENT EXECUTE FUNCTION events_history_countries_of_actors()""",
    """CREATE TRIGGER events_actor_versions_delete AFTER DELETE ON events_actor
    REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION events_history_countries_of_actors()""",
)

LOADED_TRIGGERS = (
    (TABLE, f"{TABLE}_versions_insert"),
    ("events_historicalparticipant", "events_historicalparticipant_versions_insert"),
)
"""(table, trigger) that a bulk load of new events' history turns off, filling their columns itself (`fill`)."""

FILL = f"""
UPDATE events_historicalevent h SET history_settled = fresh.settled, history_countries = fresh.countries
FROM ({FRESH.format(chosen="v.id LIKE %s")}) AS fresh
WHERE h.history_id = fresh.history_id"""
"""The columns of the versions of the events now stored whose ids are LIKE the parameter."""

FILL_ALL = f"""
UPDATE events_historicalevent h SET history_settled = fresh.settled, history_countries = fresh.countries
FROM ({FRESH.format(chosen="true")}) AS fresh
WHERE h.history_id = fresh.history_id"""
"""Every version's columns (migration 0019)."""

DROP = """
DROP TRIGGER IF EXISTS events_historicalevent_versions_insert ON events_historicalevent;
DROP TRIGGER IF EXISTS events_historicalevent_versions_delete ON events_historicalevent;
DROP TRIGGER IF EXISTS events_historicalparticipant_versions_insert ON events_historicalparticipant;
DROP TRIGGER IF EXISTS events_historicalparticipant_versions_delete ON events_historicalparticipant;
DROP TRIGGER IF EXISTS events_actor_versions_insert ON events_actor;
DROP TRIGGER IF EXISTS events_actor_versions_update ON events_actor;
DROP TRIGGER IF EXISTS events_actor_versions_delete ON events_actor;
DROP FUNCTION IF EXISTS events_history_countries_of_actors();
DROP FUNCTION IF EXISTS events_history_countries_of_rows();
DROP FUNCTION IF EXISTS events_history_countries(varchar[]);
ALTER TABLE events_historicalevent DROP COLUMN IF EXISTS history_settled, DROP COLUMN IF EXISTS history_countries;
"""


def create(connection):
    """The columns, every version's values, then the functions and triggers that keep them (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(COLUMNS)
        _fill(cursor, FILL_ALL)
        cursor.execute(FUNCTIONS)
        for statement in TRIGGERS:
            cursor.execute(statement)


def drop(connection):
    """Migration 0019 undone."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(DROP)


def fill(cursor, id_pattern):
    """The columns of the versions of the events whose ids are LIKE `id_pattern`, in one UPDATE."""
    _fill(cursor, FILL, [id_pattern])


def _fill(cursor, statement, params=None):
    # A fill groups every participation of every version it writes (millions of rows at a million events):
    # in memory, not in hundreds of spilled partitions.
    cursor.execute("SET LOCAL work_mem TO '256MB'")
    cursor.execute(statement, params)
    cursor.execute("SET LOCAL work_mem TO DEFAULT")
