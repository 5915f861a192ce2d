"""Scoped facet counts and the relation pairs: filtered facets and the relations index without reading the events.

The facet summary of migration 0017 answers the facets of every published event. Its rows and deltas get a
`scope`: '' for every published event, `actor:ID`, `country:CODE` and `pair:ID ID` (two actors, in byte
order) for the published events with that actor, country or both actors, so that the facets of one actor,
one country or a dyad are read from counts too. The same statement triggers append them and the same fold
moves them (the functions are replaced, the triggers kept).

`events_relation_pair` holds, per published event that occurred, one row for each pair of its participants'
actors (two different actors, the lower in byte order first), with the event's start, precision and type:
the relations index of A and B reads the rows of the pairs (a, b), a at or below A and b at or below B
through `parent`, by index, instead of the events. The hierarchy is read when the index is asked, so
re-parenting an actor changes no row. A row belongs to its event only: statement triggers on events delete
and insert the rows of the events a statement changed, and no two writers touch the same row unless they
write the same event (where they already wait for each other). `generate_events` turns these triggers off
with the summary's (their names begin with facet_summary) and `events_facet_summary_fill()` fills both.
"""

from importlib import import_module

from django.db import migrations, transaction

FACET_SUMMARY = import_module("events.migrations.0017_facet_summary")

FUNCTIONS = """
-- The scopes an event is counted in, beside the facet values it has: every published event (''), each of
-- its actors (the plain ids of actor_ids), each of its countries, each pair of its actors. The filters
-- `actor=A`, `country=C` and `actor=A&actor=B` ask for exactly the events of one scope.
CREATE FUNCTION events_facet_scopes(actor_ids varchar[], countries varchar[]) RETURNS TABLE (scope text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT ''
    UNION ALL SELECT 'actor:' || actor FROM unnest($1) AS actors(actor) WHERE strpos(actor, ':') = 0
    UNION ALL SELECT 'country:' || country FROM unnest($2) AS countries(country)
    UNION ALL SELECT 'pair:' || low || ' ' || high
    FROM unnest($1) AS lows(low), unnest($1) AS highs(high)
    WHERE strpos(low, ':') = 0 AND strpos(high, ':') = 0 AND low COLLATE "C" < high COLLATE "C"
$$;

CREATE OR REPLACE FUNCTION events_facet_summary_fill() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE events_facet_delta, events_facet_summary, events_relation_pair IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM events_facet_delta;
    DELETE FROM events_facet_summary;
    INSERT INTO events_facet_summary (scope, facet, value, count)
    SELECT s.scope, v.facet, v.value, count(*)
    FROM events_event e,
         LATERAL events_facet_values(e.type_id, e.status, e.start, e.actor_ids, e.countries) v,
         LATERAL events_facet_scopes(e.actor_ids, e.countries) s
    WHERE e.review_state = 'published'
    GROUP BY s.scope, v.facet, v.value;
    DELETE FROM events_relation_pair;
    INSERT INTO events_relation_pair (low, high, start, event_id, start_precision, type_id)
    SELECT p.low, p.high, e.start, e.id, e.start_precision, e.type_id
    FROM events_event e, LATERAL events_relation_pairs(e.actor_ids) p
    WHERE e.review_state = 'published' AND e.status = 'occurred';
END
$$;

-- As 0017's fold, but the values whose count fell to 0 are found among the rows it changed (the upsert's
-- RETURNING), not by reading the whole summary: a statement cannot see its own changes, so the second one
-- deletes them.
CREATE OR REPLACE FUNCTION events_facet_summary_fold() RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    zero_scopes text[];
    zero_facets text[];
    zero_values text[];
BEGIN
    IF NOT pg_try_advisory_xact_lock(__FOLD_LOCK_KEY__) THEN
        RETURN false;
    END IF;
    WITH moved AS (
        DELETE FROM events_facet_delta RETURNING scope, facet, value, delta
    ), folded AS (
        INSERT INTO events_facet_summary AS s (scope, facet, value, count)
        SELECT scope, facet, value, sum(delta) FROM moved GROUP BY scope, facet, value HAVING sum(delta) <> 0
        ORDER BY scope, facet, value
        ON CONFLICT (scope, facet, value) DO UPDATE SET count = s.count + excluded.count
        RETURNING s.scope, s.facet, s.value, s.count
    )
    SELECT array_agg(scope), array_agg(facet), array_agg(value) INTO zero_scopes, zero_facets, zero_values
    FROM folded WHERE count = 0;
    IF zero_scopes IS NOT NULL THEN
        DELETE FROM events_facet_summary
        WHERE (scope, facet, value) IN (SELECT * FROM unnest(zero_scopes, zero_facets, zero_values)) AND count = 0;
    END IF;
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION events_facet_summary_apply() RETURNS trigger
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
        INSERT INTO events_facet_delta (scope, facet, value, delta)
        SELECT s.scope, v.facet, v.value, count(*)
        FROM new_rows n,
             LATERAL events_facet_values(n.type_id, n.status, n.start, n.actor_ids, n.countries) v,
             LATERAL events_facet_scopes(n.actor_ids, n.countries) s
        WHERE n.review_state = 'published'
        GROUP BY s.scope, v.facet, v.value;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO events_facet_delta (scope, facet, value, delta)
        SELECT s.scope, v.facet, v.value, -count(*)
        FROM old_rows o,
             LATERAL events_facet_values(o.type_id, o.status, o.start, o.actor_ids, o.countries) v,
             LATERAL events_facet_scopes(o.actor_ids, o.countries) s
        WHERE o.review_state = 'published'
        GROUP BY s.scope, v.facet, v.value;
    ELSE
        INSERT INTO events_facet_delta (scope, facet, value, delta)
        SELECT scope, facet, value, sum(change) FROM (
            SELECT s.scope, v.facet, v.value, 1 AS change
            FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id,
                 LATERAL events_facet_values(n.type_id, n.status, n.start, n.actor_ids, n.countries) v,
                 LATERAL events_facet_scopes(n.actor_ids, n.countries) s
            WHERE n.review_state = 'published'
              AND (o.id IS NULL OR (o.review_state, o.type_id, o.status, o.start, o.actor_ids, o.countries)
                   IS DISTINCT FROM (n.review_state, n.type_id, n.status, n.start, n.actor_ids, n.countries))
            UNION ALL
            SELECT s.scope, v.facet, v.value, -1
            FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id,
                 LATERAL events_facet_values(o.type_id, o.status, o.start, o.actor_ids, o.countries) v,
                 LATERAL events_facet_scopes(o.actor_ids, o.countries) s
            WHERE o.review_state = 'published'
              AND (n.id IS NULL OR (o.review_state, o.type_id, o.status, o.start, o.actor_ids, o.countries)
                   IS DISTINCT FROM (n.review_state, n.type_id, n.status, n.start, n.actor_ids, n.countries))
        ) AS changes
        GROUP BY scope, facet, value HAVING sum(change) <> 0;
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

PAIR_FUNCTIONS = """
-- An actor and every actor below it through parent (as events/rollup.py's subtree). PL/pgSQL, with its
-- row estimate, so that the planner of the relations index expects a tree of tens of actors (a recursive
-- union it would guess at hundreds, a pair of sides at tens of thousands of pairs, and compile the query).
CREATE FUNCTION events_actor_tree(root varchar) RETURNS SETOF varchar
LANGUAGE plpgsql STABLE ROWS 20 AS $$
BEGIN
    -- UNION, not UNION ALL: a hierarchy that loops (refused on save, but not by the database) still ends.
    RETURN QUERY WITH RECURSIVE tree(id) AS (
        SELECT a.id FROM events_actor a WHERE a.id = root
        UNION SELECT a.id FROM events_actor a JOIN tree ON a.parent_id = tree.id
    ) SELECT tree.id FROM tree;
END
$$;

-- An event's pairs of participants' actors: two different plain ids of actor_ids, the lower first.
CREATE FUNCTION events_relation_pairs(actor_ids varchar[]) RETURNS TABLE (low varchar, high varchar)
LANGUAGE sql IMMUTABLE AS $$
    SELECT low, high FROM unnest($1) AS lows(low), unnest($1) AS highs(high)
    WHERE strpos(low, ':') = 0 AND strpos(high, ':') = 0 AND low COLLATE "C" < high COLLATE "C"
$$;

-- A statement's events, their pairs replaced: those of the rows it deleted, or whose publication, status,
-- start, precision, type or actors it changed, deleted; those of the rows it inserted or changed so,
-- published and occurred, inserted. Rows of other events are never touched.
CREATE FUNCTION events_relation_pair_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM events_relation_pair;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM events_relation_pair WHERE event_id IN (
            SELECT o.id FROM old_rows o WHERE o.review_state = 'published' AND o.status = 'occurred'
        );
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM events_relation_pair WHERE event_id IN (
            SELECT o.id FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
            WHERE o.review_state = 'published' AND o.status = 'occurred'
              AND (n.id IS NULL
                   OR (o.review_state, o.status, o.start, o.start_precision, o.type_id, o.actor_ids)
                      IS DISTINCT FROM (n.review_state, n.status, n.start, n.start_precision, n.type_id, n.actor_ids))
        );
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events_relation_pair (low, high, start, event_id, start_precision, type_id)
        SELECT p.low, p.high, n.start, n.id, n.start_precision, n.type_id
        FROM new_rows n, LATERAL events_relation_pairs(n.actor_ids) p
        WHERE n.review_state = 'published' AND n.status = 'occurred';
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO events_relation_pair (low, high, start, event_id, start_precision, type_id)
        SELECT p.low, p.high, n.start, n.id, n.start_precision, n.type_id
        FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id, LATERAL events_relation_pairs(n.actor_ids) p
        WHERE n.review_state = 'published' AND n.status = 'occurred'
          AND (o.id IS NULL
               OR (o.review_state, o.status, o.start, o.start_precision, o.type_id, o.actor_ids)
                  IS DISTINCT FROM (n.review_state, n.status, n.start, n.start_precision, n.type_id, n.actor_ids));
    END IF;
    RETURN NULL;
END
$$;
"""

# Named as the summary's, so that generate_events turns them off and on with its triggers.
PAIR_TRIGGERS = """
CREATE TRIGGER facet_summary_pairs_insert AFTER INSERT ON events_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_relation_pair_apply();
CREATE TRIGGER facet_summary_pairs_update AFTER UPDATE ON events_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_relation_pair_apply();
CREATE TRIGGER facet_summary_pairs_delete AFTER DELETE ON events_event
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_relation_pair_apply();
CREATE TRIGGER facet_summary_pairs_truncate AFTER TRUNCATE ON events_event
    FOR EACH STATEMENT EXECUTE FUNCTION events_relation_pair_apply();
"""


def _functions(text):
    return text.replace("__FOLD_LOCK_KEY__", str(FACET_SUMMARY.FOLD_LOCK_KEY)).replace(
        "__FOLD_AT__", str(FACET_SUMMARY.FOLD_AT)
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with transaction.atomic(using=schema_editor.connection.alias):
        _create(schema_editor)
    # Outside the transaction (the migration is not atomic for this): the relations index reads the pairs'
    # index alone only where the visibility map says a page is all visible, which autovacuum would say later.
    schema_editor.execute("VACUUM ANALYZE events_relation_pair")
    schema_editor.execute("ANALYZE events_facet_summary")


def _create(schema_editor):
    # Writes to events wait from here until the fill is done: no delta is lost between the two.
    schema_editor.execute("LOCK TABLE events_event IN SHARE ROW EXCLUSIVE MODE")
    schema_editor.execute(
        """
        ALTER TABLE events_facet_summary ADD COLUMN scope text NOT NULL DEFAULT '';
        ALTER TABLE events_facet_summary ALTER COLUMN scope DROP DEFAULT;
        ALTER TABLE events_facet_summary DROP CONSTRAINT events_facet_summary_pkey;
        ALTER TABLE events_facet_summary ADD PRIMARY KEY (scope, facet, value);
        ALTER TABLE events_facet_delta ADD COLUMN scope text NOT NULL DEFAULT '';
        ALTER TABLE events_facet_delta ALTER COLUMN scope DROP DEFAULT;
        CREATE TABLE events_relation_pair (
            low varchar(100) COLLATE "C" NOT NULL,
            high varchar(100) COLLATE "C" NOT NULL,
            start date NOT NULL,
            event_id varchar(100) NOT NULL,
            start_precision varchar(5) NOT NULL,
            type_id varchar(60) NOT NULL
        );
        """
    )
    schema_editor.execute(PAIR_FUNCTIONS)
    schema_editor.execute(_functions(FUNCTIONS))
    schema_editor.execute(PAIR_TRIGGERS)
    schema_editor.execute("SELECT events_facet_summary_fill()")
    # The relations index reads a pair's rows in date order, all it needs in the index (index-only scans);
    # a write finds its events' rows by event_id. Built after the fill: faster than row by row.
    schema_editor.execute(
        """
        CREATE INDEX relation_pair_idx ON events_relation_pair (low, high, start, event_id)
            INCLUDE (start_precision, type_id);
        CREATE INDEX relation_pair_event_idx ON events_relation_pair (event_id);
        """
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with transaction.atomic(using=schema_editor.connection.alias):
        _drop(schema_editor)


def _drop(schema_editor):
    schema_editor.execute(
        """
        LOCK TABLE events_event IN SHARE ROW EXCLUSIVE MODE;
        DROP TRIGGER facet_summary_pairs_insert ON events_event;
        DROP TRIGGER facet_summary_pairs_update ON events_event;
        DROP TRIGGER facet_summary_pairs_delete ON events_event;
        DROP TRIGGER facet_summary_pairs_truncate ON events_event;
        DROP FUNCTION events_relation_pair_apply();
        DROP FUNCTION events_facet_summary_fill();
        DROP FUNCTION events_relation_pairs(varchar[]);
        DROP FUNCTION events_actor_tree(varchar);
        DROP FUNCTION events_facet_scopes(varchar[], varchar[]);
        DROP TABLE events_relation_pair;
        DELETE FROM events_facet_summary WHERE scope <> '';
        DELETE FROM events_facet_delta WHERE scope <> '';
        ALTER TABLE events_facet_summary DROP CONSTRAINT events_facet_summary_pkey;
        ALTER TABLE events_facet_summary DROP COLUMN scope;
        ALTER TABLE events_facet_summary ADD PRIMARY KEY (facet, value);
        ALTER TABLE events_facet_delta DROP COLUMN scope;
        """
    )
    # 0017's functions again (their triggers, kept, call them by name).
    schema_editor.execute(_functions(FACET_SUMMARY.FUNCTIONS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")))


class Migration(migrations.Migration):
    atomic = False  # for the VACUUM after the fill; the work itself is one transaction

    dependencies = [("events", "0017_facet_summary")]

    operations = [migrations.RunPython(create, drop)]
