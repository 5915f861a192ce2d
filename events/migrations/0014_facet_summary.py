"""The facet summary: published events counted per facet value, kept by PostgreSQL triggers (PostgreSQL only).

Five facets over every published event (type, actor, country, status, year) read a million events
and their arrays when counted from the events; the summary holds the answer instead, one row per
(facet, value): `events_facet_summary`, with `count` the published events having that value (0
once none has it: the row stays, so that concurrent writers never race to delete and insert it).

Statement triggers with transition tables on events_event keep it exact whatever writes the rows
(the ORM, the admin, the API, dataset imports, bulk inserts, COPY, deletes): each statement adds
the facet values of the published rows it wrote and takes away those of the rows it replaced or
deleted, grouped, so a bulk import of thousands of events is one upsert of a few hundred rows, and
a statement that changes no facet value of a published event writes nothing. Participants and
actors' countries need no trigger of their own: migration 0007's triggers write them into the
events' `actor_ids` and `countries`, an UPDATE of events_event that these triggers see.
`generate_events` turns the triggers off for its load and fills the summary again after it
(`events_facet_summary_fill`), as it does the search columns.

events/facet_summary.py reads it; events/facets.py asks it when it gives exactly the answer of
the events (every published event, no filter, the present).
"""

from django.db import migrations

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

-- Every published event counted again, under a lock that makes the writers' triggers wait for the
-- commit: the migration's fill and generate_events' after its load.
CREATE FUNCTION events_facet_summary_fill() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE events_facet_summary IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM events_facet_summary;
    INSERT INTO events_facet_summary (facet, value, count)
    SELECT v.facet, v.value, count(*)
    FROM events_event e, LATERAL events_facet_values(e.type_id, e.status, e.start, e.actor_ids, e.countries) v
    WHERE e.review_state = 'published'
    GROUP BY v.facet, v.value;
END
$$;

-- A statement's changes. An UPDATE counts only the rows whose facet values or publication changed
-- (a refill of every event's search_document changes none), matched by id; a row whose id changed
-- counts as one removed and one added. Upserted in key order, so that two writers lock shared rows
-- in the same order. Each kind of statement has its own transition tables, so its own query.
CREATE FUNCTION events_facet_summary_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE events_facet_summary SET count = 0 WHERE count <> 0;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO events_facet_summary AS s (facet, value, count)
        SELECT v.facet, v.value, count(*) FROM new_rows n, LATERAL events_facet_values(n.type_id, n.status, n.start, n.actor_ids, n.countries) v
        WHERE n.review_state = 'published'
        GROUP BY v.facet, v.value ORDER BY v.facet, v.value
        ON CONFLICT (facet, value) DO UPDATE SET count = s.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE events_facet_summary s SET count = s.count - removed.count
        FROM (
            SELECT v.facet, v.value, count(*) AS count FROM old_rows o, LATERAL events_facet_values(o.type_id, o.status, o.start, o.actor_ids, o.countries) v
            WHERE o.review_state = 'published'
            GROUP BY v.facet, v.value ORDER BY v.facet, v.value
        ) AS removed
        WHERE s.facet = removed.facet AND s.value = removed.value;
    ELSE
        INSERT INTO events_facet_summary AS s (facet, value, count)
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
        GROUP BY facet, value HAVING sum(change) <> 0
        ORDER BY facet, value
        ON CONFLICT (facet, value) DO UPDATE SET count = s.count + excluded.count;
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
    schema_editor.execute(FUNCTIONS)
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
        DROP FUNCTION events_facet_summary_apply(), events_facet_summary_fill(), events_facet_values(varchar, varchar, date, varchar[], varchar[]);
        DROP TABLE events_facet_summary;
        """
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0013_search_fts_unaccent")]

    operations = [migrations.RunPython(create, drop)]
