"""A writer of many events may compute their search columns in bulk (PostgreSQL only; nothing on SQLite).

Migration 0007's triggers compute the columns of each event row as it is written, three lookups per
row, and rewrite an event whenever a statement writes its participants or citations. A dataset
import of 100,000 events spent most of its database time there. Now a transaction that sets
`chancery.search_columns` to `deferred` (`set_config(..., true)`: until its end, or until it sets
it back) turns off the event row trigger and the participants' and citations' statement triggers
for its own writes; it then gives the columns itself, from one pass over each table:

- `events_event_search_columns_of(ids, location_countries, titles, summaries)`: the three columns
  of the events of those ids, from their participants and citations as stored and the given
  location country, title and summary (the values their rows hold or are about to hold): what
  the row functions of migrations 0007 and 0013 give, one event at a time;
- `events_event_refill_search_columns(ids)`: those columns written into the stored events of those
  ids, where they differ.

The actors' trigger stays on: an actor's new country reaches events the writer does not touch.
Other transactions are not affected: the setting is the writer's own.
"""

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION events_event_search_columns_of(
    event_ids varchar[], location_countries varchar[], titles varchar[], summaries text[]
) RETURNS TABLE (id varchar, actor_ids varchar[], countries varchar(3)[], search_document tsvector)
LANGUAGE sql STABLE AS $$
    SELECT e.id,
           coalesce(p.actor_ids, '{}'),
           ARRAY(
               SELECT DISTINCT country FROM unnest(coalesce(p.countries, '{}') || e.location_country)
               AS countries(country) WHERE country <> '' ORDER BY country
           )::varchar(3)[],
           strip(to_tsvector('chancery_english'::regconfig, coalesce(e.title, '') || ' ' || coalesce(e.summary, ''))
                 || to_tsvector('chancery_english'::regconfig, coalesce(c.quotes, '')))
    FROM unnest(event_ids, location_countries, titles, summaries) AS e(id, location_country, title, summary)
    LEFT JOIN (
        SELECT p.event_id,
               array_agg(DISTINCT entry ORDER BY entry) AS actor_ids,
               array_agg(DISTINCT a.country::varchar) AS countries
        FROM events_participant p JOIN events_actor a ON a.id = p.actor_id,
             LATERAL (VALUES (p.actor_id::varchar), ((p.role || ':' || p.actor_id)::varchar)) AS entries(entry)
        WHERE p.event_id = ANY(event_ids)
        GROUP BY p.event_id
    ) p ON p.event_id = e.id
    LEFT JOIN (
        SELECT event_id, string_agg(quote, ' ' ORDER BY id) AS quotes
        FROM events_citation WHERE event_id = ANY(event_ids) GROUP BY event_id
    ) c ON c.event_id = e.id
$$;

CREATE FUNCTION events_event_refill_search_columns(event_ids varchar[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE events_event e
    SET actor_ids = fresh.actor_ids, countries = fresh.countries, search_document = fresh.search_document
    FROM (
        SELECT array_agg(id) AS ids, array_agg(location_country::varchar) AS location_countries,
               array_agg(title) AS titles, array_agg(summary) AS summaries
        FROM events_event WHERE id = ANY(event_ids)
    ) AS stored,
    LATERAL events_event_search_columns_of(stored.ids, stored.location_countries, stored.titles, stored.summaries)
        AS fresh
    WHERE e.id = fresh.id
      AND (e.actor_ids, e.countries, e.search_document) IS DISTINCT FROM
          (fresh.actor_ids, fresh.countries, fresh.search_document)
$$;
"""

DEFERRED = "current_setting('chancery.search_columns', true) = 'deferred'"


def _trigger_functions(deferrable):
    """Migration 0007's two trigger functions that a writer may defer, returning at once when it does."""
    check = f"    IF {DEFERRED} THEN\n        RETURN {{returned}};\n    END IF;\n" if deferrable else ""
    return f"""
CREATE OR REPLACE FUNCTION events_event_search_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{check.format(returned="NEW")}    IF TG_OP = 'INSERT' OR NEW.id IS DISTINCT FROM OLD.id THEN
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

CREATE OR REPLACE FUNCTION events_rows_search_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event_ids varchar[];
BEGIN
{check.format(returned="NULL")}    IF TG_OP = 'INSERT' THEN
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
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS)
    schema_editor.execute(_trigger_functions(deferrable=True))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_trigger_functions(deferrable=False))
    schema_editor.execute(
        "DROP FUNCTION events_event_refill_search_columns(varchar[]), "
        "events_event_search_columns_of(varchar[], varchar[], varchar[], text[])"
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0015_history_end")]

    operations = [migrations.RunPython(create, drop)]
