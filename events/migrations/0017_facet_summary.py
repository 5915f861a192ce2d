"""The facet summary: published events counted per facet value, kept by PostgreSQL triggers (PostgreSQL only).

Five facets over every published event (type, actor, country, status, year) read a million events
and their arrays when counted from the events; the summary holds the answer instead, one row per
(facet, value): `events_facet_summary`, with `count` the published events having that value, plus
the deltas not yet folded into it, `events_facet_delta` (facet, value, delta). The count of a value
is its summary row's plus the sum of its deltas.

Statement triggers with transition tables on events_event keep them exact whatever writes the rows
(the ORM, the admin, the API, dataset imports, bulk inserts, COPY, deletes): each statement appends
the facet values of the published rows it wrote (+n) and of the rows it replaced or deleted (-n),
grouped, so a bulk import of thousands of events is one insert of a few hundred rows, and a
statement that changes no facet value of a published event writes nothing. Writers only append:
none updates a shared row (the count of `russia`, of `occurred`), so none waits for another's
commit there, and two writers that wait for each other's events meet no deadlock through counts.
A writer's statement folds the deltas into the summary once they pass `FOLD_AT` rows, if it takes
the fold's advisory lock without waiting (one fold at a time); readers never fold, so they read on
a hot standby too. Participants and actors' countries need no trigger of their own: migration
0007's triggers write them into the events' `actor_ids` and `countries`, an UPDATE of events_event
that these triggers see. `generate_events` turns the triggers off for its load and fills the
summary again after it (`events_facet_summary_fill`), as it does the search columns.

events/facet_summary.py reads them; events/facets.py asks it when it gives exactly the answer of
the events (every published event, no filter, the present).
"""

from django.db import migrations

# The key of the advisory lock a fold takes; any number no other lock uses (the importer's are "CHAN" and
# its event ids'). Written here, not imported: a migration keeps the value it was applied with.
FOLD_LOCK_KEY = 0x46414354  # "FACT"
# The deltas a writer's statement lets pile up before it folds them: a reader sums them with the summary.
FOLD_AT = 1000

FUNCTIONS = """
-- An event's facet values as the facets count them (events/facets.py): its type, its status, the year
-- of its start (four digits, so that text order is number order), its participants' actors (the plain
-- ids of actor_ids, not its 'role:actor' entries) and its countries (participants' actors' and the
-- location's, without the empty one). Both arrays hold each value once.
CREATE FUNCTION events_facet_values(type_id varchar, status varchar, start date, actor_ids varchar[],
                                    countries varchar[]) RETURNS TABLE (facet text, value text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'type', $1::text
    UNION ALL SELECT 'status', $2::text
    UNION ALL SELECT 'year', lpad(extract(year FROM $3)::int::text, 4, '0')
    UNION ALL SELECT 'actor', actor::text FROM unnest($4) AS actors(actor) WHERE strpos(actor, ':') = 0
    UNION ALL SELECT 'country', country::text FROM unnest($5) AS countries(country)
$$;

-- Every published event counted again, its deltas folded in, under locks that make the writers' triggers
-- wait for the commit: the migration's fill and generate_events' after its load.
CREATE FUNCTION events_facet_summary_fill() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE events_facet_delta, events_facet_summary IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM events_facet_delta;
    DELETE FROM events_facet_summary;
    INSERT INTO events_facet_summary (facet, value, count)
    SELECT v.facet, v.value, count(*)
    FROM events_event e, LATERAL events_facet_values(e.type_id, e.status, e.start, e.actor_ids, e.countries) v
    WHERE e.review_state = 'published'
    GROUP BY v.facet, v.value;
END
$$;

-- The deltas folded into the summary, by one transaction at a time: whoever takes the advisory lock
-- (without waiting for it: false when another holds it). It moves the deltas it sees, committed or its
-- own; another transaction's uncommitted ones stay for a later fold. Only a folder writes summary rows
-- (and the fill, under its table locks), so a folder never waits for a writer nor a writer for it.
CREATE FUNCTION events_facet_summary_fold() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(__FOLD_LOCK_KEY__) THEN
        RETURN false;
    END IF;
    WITH moved AS (
        DELETE FROM events_facet_delta RETURNING facet, value, delta
    )
    INSERT INTO events_facet_summary AS s (facet, value, count)
    SELECT facet, value, sum(delta) FROM moved GROUP BY facet, value HAVING sum(delta) <> 0
    ORDER BY facet, value
    ON CONFLICT (facet, value) DO UPDATE SET count = s.count + excluded.count;
    DELETE FROM events_facet_summary WHERE count = 0;
    RETURN true;
END
$$;

-- A statement's changes, appended to the deltas: no writer updates a shared row, so none waits for
-- another's commit on a count. An UPDATE counts only the rows whose facet values or publication changed
-- (a refill of every event's search_document changes none), matched by id; a row whose id changed
-- counts as one removed and one added. Each kind of statement has its own transition tables, so its
-- own query. Then a statement that appended deltas folds them when they number FOLD_AT or more, unless
-- another transaction is folding; only under READ COMMITTED, where the fold reads the deltas as they
-- are now (an older snapshot could find deltas a finished fold has moved, and fail).
CREATE FUNCTION events_facet_summary_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    appended bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- No other transaction writes events until this one ends: every delta is committed or ours.
        DELETE FROM events_facet_delta;
        DELETE FROM events_facet_summary;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO events_facet_delta (facet, value, delta)
        SELECT v.facet, v.value, count(*) FROM new_rows n, LATERAL events_facet_values(n.type_id, n.status, n.start, n.actor_ids, n.countries) v
        WHERE n.review_state = 'published'
        GROUP BY v.facet, v.value;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO events_facet_delta (facet, value, delta)
        SELECT v.facet, v.value, -count(*) FROM old_rows o, LATERAL events_facet_values(o.type_id, o.status, o.start, o.actor_ids, o.countries) v
        WHERE o.review_state = 'published'
        GROUP BY v.facet, v.value;
    ELSE
        INSERT INTO events_facet_delta (facet, value, delta)
        SELECT facet, value, sum(change) FROM (
            SELECT v.facet, v.value, 1 AS change
            FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id, LATERAL events_facet_values(n.type_id, n.status, n.start, n.actor_ids, n.countries) v
            WHERE n.review_state = 'published'
              AND (o.id IS NULL OR (o.review_state, o.type_id, o.status, o.start, o.actor_ids, o.countries)
                   IS DISTINCT FROM (n.review_state, n.type_id, n.status, n.start, n.actor_ids, n.countries))
            UNION ALL
            SELECT v.facet, v.value, -1
            FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id, LATERAL events_facet_values(o.type_id, o.status, o.start, o.actor_ids, o.countries) v
            WHERE o.review_state = 'published'
              AND (n.id IS NULL OR (o.review_state, o.type_id, o.status, o.start, o.actor_ids, o.countries)
                   IS DISTINCT FROM (n.review_state, n.type_id, n.status, n.start, n.actor_ids, n.countries))
        ) AS changes
        GROUP BY facet, value HAVING sum(change) <> 0;
    END IF;
    GET DIAGNOSTICS appended = ROW_COUNT;
    IF appended > 0 AND current_setting('transaction_isolation') = 'read committed'
       AND (SELECT count(*) FROM (SELECT FROM events_facet_delta LIMIT __FOLD_AT__) AS pending) >= __FOLD_AT__ THEN
        PERFORM events_facet_summary_fold();
    END IF;
    RETURN NULL;
END
$$;
"""

# A trigger with transition tables fires on one kind of statement only: three, and one on TRUNCATE
# (which has none). generate_events finds them by their prefix, facet_summary.
TRIGGERS = """
CREATE TRIGGER facet_summary_insert AFTER INSERT ON events_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_facet_summary_apply();
CREATE TRIGGER facet_summary_update AFTER UPDATE ON events_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_facet_summary_apply();
CREATE TRIGGER facet_summary_delete AFTER DELETE ON events_event
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_facet_summary_apply();
CREATE TRIGGER facet_summary_truncate AFTER TRUNCATE ON events_event
    FOR EACH STATEMENT EXECUTE FUNCTION events_facet_summary_apply();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        CREATE TABLE events_facet_summary (
            facet text NOT NULL,
            value text NOT NULL,
            count bigint NOT NULL,
            PRIMARY KEY (facet, value)
        )
        """
    )
    schema_editor.execute(
        """
        CREATE TABLE events_facet_delta (
            facet text NOT NULL,
            value text NOT NULL,
            delta bigint NOT NULL
        )
        """
    )
    schema_editor.execute(
        FUNCTIONS.replace("__FOLD_LOCK_KEY__", str(FOLD_LOCK_KEY)).replace("__FOLD_AT__", str(FOLD_AT))
    )
    # The triggers first: from here on a write to events waits for the fill's lock, so none is lost.
    schema_editor.execute(TRIGGERS)
    schema_editor.execute("SELECT events_facet_summary_fill()")
    schema_editor.execute("ANALYZE events_facet_summary")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        DROP TRIGGER facet_summary_insert ON events_event;
        DROP TRIGGER facet_summary_update ON events_event;
        DROP TRIGGER facet_summary_delete ON events_event;
        DROP TRIGGER facet_summary_truncate ON events_event;
        DROP FUNCTION events_facet_summary_apply(), events_facet_summary_fold(), events_facet_summary_fill(),
            events_facet_values(varchar, varchar, date, varchar[], varchar[]);
        DROP TABLE events_facet_delta, events_facet_summary;
        """
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0016_search_columns_in_bulk")]

    operations = [migrations.RunPython(create, drop)]
