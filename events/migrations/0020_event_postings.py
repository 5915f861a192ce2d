"""The events' postings: each actor, and each pair of actors, with its events in date order (PostgreSQL only).

A chronological page of the events of an actor or a dyad (`actor=russia&date_from=2022-01-01`, the
United States and Russia's talks of 2010-2015) read the actors' GIN index (migration 0007), a bitmap
of every event of the actor (130,000 for Russia, 260,000 for the United States), ANDed with the
bitmap of the dates before the rows are read and sorted: 40 to 80 ms at a million events, however
few rows the page shows. A GIN index has no order. The postings table has one row per event and
`key` (an actor id, or two ids joined by a space in byte order: 'russia united-states'), with
the event's `start`, `span_end` and `type_id`, in a B-tree on (key, start, event_id) carrying the
type: a page reads the key's events in the list's order from the first day asked, checks their type
there, and stops when the page is full (EventQuerySet.ordered_parts, events/models/postings.py).
The events going on on `date_from`, started before it, are read from a second, partial B-tree of
the postings that last more than a day, on (key, span_end, start).

Every row is a function of the event's row (its `actor_ids`, which migration 0007's triggers keep,
`start`, `span_end`, `type_id` and `id`), so statement triggers with transition tables on
events_event alone keep it exact whatever writes the rows (the ORM, the admin, the API, dataset imports in bulk with
the search columns deferred, COPY, deletes, a participant's change through the event's
`actor_ids`): each statement deletes the postings of the rows it replaced or deleted whose posted
values changed, and inserts those of the rows it wrote. A writer changes the postings of the events
it writes only, whose rows it holds locked: writers of different events never wait for each other
here. `generate_events` turns 0007's triggers off for its load and fills `actor_ids` with one
UPDATE after it: these triggers, left on, post every event of the load from that UPDATE.
"""

from django.db import migrations

FUNCTIONS = """
-- The keys an event is posted under: each participant's actor (the plain ids of actor_ids, not its
-- 'role:actor' entries) and each pair of them, the two ids in byte order joined by a space.
CREATE FUNCTION events_posting_keys(actor_ids varchar[]) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH actors(actor) AS (
        SELECT DISTINCT actor::text COLLATE "C" FROM unnest($1) AS entries(actor) WHERE strpos(actor, ':') = 0
    )
    SELECT actor FROM actors
    UNION ALL
    SELECT one.actor || ' ' || other.actor FROM actors one JOIN actors other ON one.actor < other.actor
$$;

-- The postings of the events whose id is LIKE the pattern, written again from their rows; returns how
-- many there are. The migration's fill; and a repair, should the triggers ever have been off.
CREATE FUNCTION events_posting_fill(id_pattern text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    filled bigint;
BEGIN
    DELETE FROM events_posting WHERE event_id LIKE id_pattern;
    INSERT INTO events_posting (key, start, event_id, span_end, type_id)
    SELECT k.key, e.start, e.id, e.span_end, e.type_id
    FROM events_event e, LATERAL events_posting_keys(e.actor_ids) AS k(key)
    WHERE e.id LIKE id_pattern
    ORDER BY 1, 2, 3;
    GET DIAGNOSTICS filled = ROW_COUNT;
    RETURN filled;
END
$$;

-- A statement's changes. An UPDATE touches the postings of the rows whose posted values (actor_ids,
-- start, span_end, type_id) changed only, matched by id: a title's correction or a publication writes nothing
-- here; a row whose id changed counts as one removed and one added. Each kind of statement has its own
-- transition tables, so its own queries.
CREATE FUNCTION events_posting_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM events_posting;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO events_posting (key, start, event_id, span_end, type_id)
        SELECT k.key, n.start, n.id, n.span_end, n.type_id FROM new_rows n, LATERAL events_posting_keys(n.actor_ids) AS k(key);
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM events_posting p
        USING old_rows o, LATERAL events_posting_keys(o.actor_ids) AS k(key)
        WHERE p.key = k.key AND p.start = o.start AND p.event_id = o.id;
    ELSE
        -- The changed rows first, on their own: joined in the DELETE, the planner (which expects one posting a
        -- row) rescans new_rows for every posting, quadratic in the statement's rows.
        WITH gone AS MATERIALIZED (
            SELECT o.id, o.start, o.actor_ids FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
            WHERE n.id IS NULL OR (o.actor_ids, o.start, o.span_end, o.type_id) IS DISTINCT FROM (n.actor_ids, n.start, n.span_end, n.type_id)
        )
        DELETE FROM events_posting p
        USING gone o, LATERAL events_posting_keys(o.actor_ids) AS k(key)
        WHERE p.key = k.key AND p.start = o.start AND p.event_id = o.id;
        INSERT INTO events_posting (key, start, event_id, span_end, type_id)
        SELECT k.key, n.start, n.id, n.span_end, n.type_id
        FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id, LATERAL events_posting_keys(n.actor_ids) AS k(key)
        WHERE o.id IS NULL OR (o.actor_ids, o.start, o.span_end, o.type_id) IS DISTINCT FROM (n.actor_ids, n.start, n.span_end, n.type_id);
    END IF;
    RETURN NULL;
END
$$;
"""

# A trigger with transition tables fires on one kind of statement only: three, and one on TRUNCATE.
TRIGGERS = """
CREATE TRIGGER postings_insert AFTER INSERT ON events_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_posting_apply();
CREATE TRIGGER postings_update AFTER UPDATE ON events_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_posting_apply();
CREATE TRIGGER postings_delete AFTER DELETE ON events_event
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_posting_apply();
CREATE TRIGGER postings_truncate AFTER TRUNCATE ON events_event
    FOR EACH STATEMENT EXECUTE FUNCTION events_posting_apply();
"""

# The first serves a key's events from a day on, in the list's order, both ways, their type checked in the
# index; the second the few of them that last and reach a day from before it (most events are one day:
# span_end = start), the start checked in the index.
INDEXES = """
ALTER TABLE events_posting ADD CONSTRAINT events_posting_pkey PRIMARY KEY (key, start, event_id) INCLUDE (type_id);
CREATE INDEX event_posting_lasting_idx ON events_posting (key, span_end, start) WHERE span_end > start;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No foreign key to the events: the triggers remove an event's postings with it, and a check per
    # posting would cost every write of an event several lookups more.
    schema_editor.execute(
        """
        CREATE TABLE events_posting (
            key text NOT NULL,
            start date NOT NULL,
            event_id varchar(100) NOT NULL,
            span_end date NOT NULL,
            type_id varchar(60) NOT NULL
        )
        """
    )
    schema_editor.execute(FUNCTIONS)
    # The triggers first: creating them locks the events against writes until the commit, so none is lost.
    schema_editor.execute(TRIGGERS)
    schema_editor.execute("SELECT events_posting_fill(%s)", ["%"])
    # The indexes built once over the filled table: faster than kept row by row through the fill.
    schema_editor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
    schema_editor.execute(INDEXES)
    # A list reads a short range of one key: workers' start costs more than they save, and PostgreSQL, which
    # cannot know how few of a key's lasting postings reach back before a day, planned them for it.
    schema_editor.execute("ALTER TABLE events_posting SET (parallel_workers = 0)")
    schema_editor.execute("ANALYZE events_posting")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        DROP TRIGGER postings_insert ON events_event;
        DROP TRIGGER postings_update ON events_event;
        DROP TRIGGER postings_delete ON events_event;
        DROP TRIGGER postings_truncate ON events_event;
        DROP FUNCTION events_posting_apply(), events_posting_fill(text), events_posting_keys(varchar[]);
        DROP TABLE events_posting;
        """
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0019_history_countries")]

    operations = [migrations.RunPython(create, drop)]
