"""Search columns on events, kept by PostgreSQL triggers (PostgreSQL only; nothing on SQLite).

The actor, initiator, target, country and q filters ask about an event's
participants and citations. Answered with joins, an ordered page probes them
row by row or hashes every participation of a country first (docs/performance.md).
Three columns on events_event hold the answers, each with a GIN index:

- `actor_ids`: the participants' actor ids, and each as 'role:actor' ('initiator:russia');
- `countries`: the participants' actors' countries and the location's country;
- `search_document`: the English text-search vector of the title and summary and of the quotes.

Triggers keep them exact whatever writes the rows (the ORM, the admin, the API,
dataset imports, bulk inserts, COPY, deletes): a row trigger on events for its
own columns, and statement triggers with transition tables on participants and
citations (one UPDATE per statement, however many rows it writes) and on actors
whose country changes. `generate_events` turns them off for its load and fills
the columns once after it (`events_event_fill_search_columns`).
"""

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION events_event_actor_ids(event_id varchar) RETURNS varchar[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT entry ORDER BY entry), '{}')
    FROM events_participant p,
         LATERAL (VALUES (p.actor_id::varchar), ((p.role || ':' || p.actor_id)::varchar)) AS entries(entry)
    WHERE p.event_id = $1
$$;

CREATE FUNCTION events_event_countries(event_id varchar, location_country varchar) RETURNS varchar(3)[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT country ORDER BY country), '{}')::varchar(3)[]
    FROM (
        SELECT a.country FROM events_participant p JOIN events_actor a ON a.id = p.actor_id WHERE p.event_id = $1
        UNION ALL
        SELECT $2
    ) AS countries(country)
    WHERE country <> ''
$$;

-- The title and summary as EventQuerySet.search() and migration 0003 vectorize them, then the quotes.
-- Stripped of positions: `q` asks for words (plainto_tsquery: lexemes joined by &), never phrases, and
-- its rank is computed from the title and summary; a third smaller, it keeps the events' rows denser.
CREATE FUNCTION events_event_search_document(event_id varchar, title varchar, summary text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT strip(to_tsvector('english'::regconfig, coalesce($2, '') || ' ' || coalesce($3, ''))
           || to_tsvector('english'::regconfig, coalesce(string_agg(c.quote, ' ' ORDER BY c.id), '')))
    FROM events_citation c WHERE c.event_id = $1
$$;

-- After a participant or an actor's country changes: the events' actor_ids and countries.
CREATE FUNCTION events_event_refresh_participants(event_ids varchar[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE events_event e SET actor_ids = fresh.actor_ids, countries = fresh.countries
    FROM (
        SELECT id, events_event_actor_ids(id) AS actor_ids, events_event_countries(id, location_country) AS countries
        FROM events_event WHERE id = ANY($1)
    ) AS fresh
    WHERE e.id = fresh.id AND (e.actor_ids, e.countries) IS DISTINCT FROM (fresh.actor_ids, fresh.countries)
$$;

-- After a citation changes: the events' search_document.
CREATE FUNCTION events_event_refresh_citations(event_ids varchar[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE events_event e SET search_document = fresh.search_document
    FROM (
        SELECT id, events_event_search_document(id, title, summary) AS search_document
        FROM events_event WHERE id = ANY($1)
    ) AS fresh
    WHERE e.id = fresh.id AND e.search_document IS DISTINCT FROM fresh.search_document
$$;

-- The columns of many events at once, from one pass over each table rather than lookups event by event
-- (the same values as the three functions above): this migration's fill, and generate_events' after its
-- load. For the events whose id is LIKE the pattern; returns how many there are.
CREATE FUNCTION events_event_fill_search_columns(id_pattern text) RETURNS bigint
LANGUAGE plpgsql AS $fill$
DECLARE
    filled bigint;
BEGIN
    -- EXECUTE: planned with the pattern known, so that an index serves a prefix, a scan every event.
    EXECUTE $$
    UPDATE events_event e
    SET actor_ids = fresh.actor_ids, countries = fresh.countries, search_document = fresh.search_document
    FROM (
        SELECT e.id,
               coalesce(p.actor_ids, '{}') AS actor_ids,
               ARRAY(
                   SELECT DISTINCT country FROM unnest(coalesce(p.countries, '{}') || e.location_country::varchar)
                   AS countries(country) WHERE country <> '' ORDER BY country
               )::varchar(3)[] AS countries,
               strip(to_tsvector('english'::regconfig, coalesce(e.title, '') || ' ' || coalesce(e.summary, ''))
                     || to_tsvector('english'::regconfig, coalesce(c.quotes, ''))) AS search_document
        FROM events_event e
        LEFT JOIN (
            SELECT p.event_id,
                   array_agg(DISTINCT entry ORDER BY entry) AS actor_ids,
                   array_agg(DISTINCT a.country::varchar) AS countries
            FROM events_participant p JOIN events_actor a ON a.id = p.actor_id,
                 LATERAL (VALUES (p.actor_id::varchar), ((p.role || ':' || p.actor_id)::varchar)) AS entries(entry)
            WHERE p.event_id LIKE $1
            GROUP BY p.event_id
        ) p ON p.event_id = e.id
        LEFT JOIN (
            SELECT event_id, string_agg(quote, ' ' ORDER BY id) AS quotes
            FROM events_citation WHERE event_id LIKE $1 GROUP BY event_id
        ) c ON c.event_id = e.id
        WHERE e.id LIKE $1
    ) AS fresh
    WHERE e.id = fresh.id
    $$ USING id_pattern;
    GET DIAGNOSTICS filled = ROW_COUNT;
    RETURN filled;
END
$fill$;

-- An event's own columns, as it is written. On insert too the participants and citations are read:
-- foreign keys are checked at the commit, so they may have been written first.
CREATE FUNCTION events_event_search_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.id IS DISTINCT FROM OLD.id THEN
        NEW.actor_ids := events_event_actor_ids(NEW.id);
    END IF;
    IF TG_OP = 'INSERT' OR NEW.id IS DISTINCT FROM OLD.id
            OR NEW.location_country IS DISTINCT FROM OLD.location_country THEN
        NEW.countries := events_event_countries(NEW.id, NEW.location_country);
    END IF;
    IF TG_OP = 'INSERT' OR NEW.id IS DISTINCT FROM OLD.id
            OR NEW.title IS DISTINCT FROM OLD.title OR NEW.summary IS DISTINCT FROM OLD.summary THEN
        NEW.search_document := events_event_search_document(NEW.id, NEW.title, NEW.summary);
    END IF;
    RETURN NEW;
END
$$;

-- Statement triggers: the transition tables hold every row the statement wrote, so a bulk insert of
-- thousands of participants or citations is one UPDATE of their events.
-- The refresh function to call is the trigger's argument: events_event_refresh_participants on
-- events_participant, events_event_refresh_citations on events_citation.
CREATE FUNCTION events_rows_search_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event_ids varchar[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        event_ids := ARRAY(SELECT DISTINCT event_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        event_ids := ARRAY(SELECT DISTINCT event_id FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        event_ids := ARRAY(SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows);
    ELSE  -- TRUNCATE
        event_ids := ARRAY(SELECT id FROM events_event);
    END IF;
    EXECUTE format('SELECT %%I($1)', TG_ARGV[0]) USING event_ids;  -- %% for the driver's parameters
    RETURN NULL;
END
$$;

CREATE FUNCTION events_actor_search_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM events_event_refresh_participants(ARRAY(
        SELECT DISTINCT p.event_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN events_participant p ON p.actor_id = n.id
        WHERE n.country IS DISTINCT FROM o.country));
    RETURN NULL;
END
$$;
"""

# A trigger with transition tables fires on one kind of statement only: three per table, and one on
# TRUNCATE (which has none). generate_events finds them by their prefix, search_columns.
TRIGGERS = """
CREATE TRIGGER search_columns BEFORE INSERT OR UPDATE ON events_event
    FOR EACH ROW EXECUTE FUNCTION events_event_search_columns();
CREATE TRIGGER search_columns_insert AFTER INSERT ON events_participant
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_participants');
CREATE TRIGGER search_columns_update AFTER UPDATE ON events_participant
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_participants');
CREATE TRIGGER search_columns_delete AFTER DELETE ON events_participant
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_participants');
CREATE TRIGGER search_columns_truncate AFTER TRUNCATE ON events_participant
    FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_participants');
CREATE TRIGGER search_columns_insert AFTER INSERT ON events_citation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_citations');
CREATE TRIGGER search_columns_update AFTER UPDATE ON events_citation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_citations');
CREATE TRIGGER search_columns_delete AFTER DELETE ON events_citation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_citations');
CREATE TRIGGER search_columns_truncate AFTER TRUNCATE ON events_citation
    FOR EACH STATEMENT EXECUTE FUNCTION events_rows_search_columns('events_event_refresh_citations');
CREATE TRIGGER search_columns_update AFTER UPDATE ON events_actor
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_actor_search_columns();
"""

# One GIN index each serves anonymous lists (review_state = 'published' is then a filter on its rows,
# 92% of them) and staff's lists and the admin's filters over every review state alike.
INDEXES = """
CREATE INDEX event_actor_ids_idx ON events_event USING gin (actor_ids);
CREATE INDEX event_countries_idx ON events_event USING gin (countries);
CREATE INDEX event_search_document_idx ON events_event USING gin (search_document);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        ALTER TABLE events_event
            ADD COLUMN actor_ids varchar[] NOT NULL DEFAULT '{}',
            ADD COLUMN countries varchar(3)[] NOT NULL DEFAULT '{}',
            ADD COLUMN search_document tsvector NOT NULL DEFAULT ''
        """
    )
    schema_editor.execute(FUNCTIONS)
    # The triggers first: from here on, a write to participants, citations or actors waits for the commit,
    # so none can slip in between the fill and the triggers.
    schema_editor.execute(TRIGGERS)
    schema_editor.execute("SELECT events_event_fill_search_columns(%s)", ["%"])
    schema_editor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
    schema_editor.execute(INDEXES)
    schema_editor.execute("ANALYZE events_event")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        DROP TRIGGER search_columns ON events_event;
        DROP TRIGGER search_columns_insert ON events_participant;
        DROP TRIGGER search_columns_update ON events_participant;
        DROP TRIGGER search_columns_delete ON events_participant;
        DROP TRIGGER search_columns_truncate ON events_participant;
        DROP TRIGGER search_columns_insert ON events_citation;
        DROP TRIGGER search_columns_update ON events_citation;
        DROP TRIGGER search_columns_delete ON events_citation;
        DROP TRIGGER search_columns_truncate ON events_citation;
        DROP TRIGGER search_columns_update ON events_actor;
        DROP FUNCTION events_actor_search_columns(), events_rows_search_columns(), events_event_search_columns(),
            events_event_refresh_citations(varchar[]), events_event_refresh_participants(varchar[]),
            events_event_fill_search_columns(text), events_event_search_document(varchar, varchar, text),
            events_event_countries(varchar, varchar), events_event_actor_ids(varchar);
        ALTER TABLE events_event DROP COLUMN actor_ids, DROP COLUMN countries, DROP COLUMN search_document;
        """
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0006_event_timeline_idx")]

    operations = [migrations.RunPython(create, drop)]
