"""The benchmark's SQL: what PostgreSQL itself answers (the floor), and the SQLite file Datasette serves.

Each question is asked three ways in bench/run.py: through Chancery's API, as
the SQL here straight to PostgreSQL (the floor: no Python, no HTTP), and through
Datasette over the same published events flattened into SQLite.
"""

# The dataset's date text: "2016-12-29", "2016-12" or "2016" as the precision says.
DATE_TEXT = """CASE {p} WHEN 'day' THEN to_char({d}, 'YYYY-MM-DD') WHEN 'month' THEN to_char({d}, 'YYYY-MM')
    WHEN 'year' THEN to_char({d}, 'YYYY') END"""


def escaped(expression):
    """Chancery's escaping inside a per-source list: backslash and | get a backslash."""
    return f"replace(replace({expression}, '\\', '\\\\'), '|', '\\|')"


def flat_events(where="TRUE", for_csv=True):
    """One row per published event with everything Chancery's CSV export has, in its column order.

    For the CSV floor, dates are written as Chancery writes them; for SQLite, `start` stays the first
    day (it sorts) and `span_end` comes along for date ranges.
    """
    start = DATE_TEXT.format(p="e.start_precision", d="e.start") if for_csv else "e.start::text"
    end = DATE_TEXT.format(p="e.end_precision", d="e.end") if for_csv else 'e."end"::text'
    extra = "" if for_csv else ", e.span_end::text AS span_end"
    return f"""
SELECT e.id, e.title, e.summary, e.type_id AS type, e.status,
       {start} AS start, e.start_precision, {end} AS "end", e.end_precision,
       p.initiators, p.targets, p.participants, p.mediators, p.hosts,
       e.location_name, e.location_country, e.location_lat, e.location_lon,
       t.cameo_code, t.goldstein::text AS goldstein, t.plover_type, t.plover_mode,
       tg.tags, r.related,
       c.source_urls, c.source_titles, c.publishers, c.published_dates, c.quotes, c.claimed_by,
       e.review_state{extra}
FROM events_event e
JOIN events_eventtype t ON t.code = e.type_id
LEFT JOIN LATERAL (
    SELECT string_agg(actor_id, '; ' ORDER BY actor_id) FILTER (WHERE role = 'initiator') AS initiators,
           string_agg(actor_id, '; ' ORDER BY actor_id) FILTER (WHERE role = 'target') AS targets,
           string_agg(actor_id, '; ' ORDER BY actor_id) FILTER (WHERE role = 'participant') AS participants,
           string_agg(actor_id, '; ' ORDER BY actor_id) FILTER (WHERE role = 'mediator') AS mediators,
           string_agg(actor_id, '; ' ORDER BY actor_id) FILTER (WHERE role = 'host') AS hosts
    FROM events_participant WHERE event_id = e.id
) p ON TRUE
LEFT JOIN LATERAL (
    SELECT string_agg(tag_id, '; ' ORDER BY tag_id) AS tags FROM events_event_tags WHERE event_id = e.id
) tg ON TRUE
LEFT JOIN LATERAL (
    SELECT string_agg(relation || ':' || to_event_id, '; ' ORDER BY to_event_id, relation) AS related
    FROM events_eventrelation WHERE from_event_id = e.id
) r ON TRUE
LEFT JOIN LATERAL (
    SELECT string_agg({escaped("s.url")}, ' | ' ORDER BY s.url) AS source_urls,
           string_agg({escaped("s.title")}, ' | ' ORDER BY s.url) AS source_titles,
           string_agg({escaped("s.publisher")}, ' | ' ORDER BY s.url) AS publishers,
           string_agg(coalesce(s.published::text, ''), ' | ' ORDER BY s.url) AS published_dates,
           string_agg({escaped("ci.quote")}, ' | ' ORDER BY s.url) AS quotes,
           string_agg(coalesce(ci.claimed_by_id, ''), ' | ' ORDER BY s.url) AS claimed_by
    FROM events_citation ci JOIN events_source s ON s.id = ci.source_id WHERE ci.event_id = e.id
) c ON TRUE
WHERE e.review_state = 'published' AND {where}
ORDER BY e.start, e.id"""


def page(where, limit=100, parts=None, rows=None):
    """A page of published events in the API's shape (participants, sources, tags, relations as JSON).

    With `parts` (conditions added to `where`, each an index range), the page is read part by part
    as Chancery reads the events reaching `date_from` (EventQuerySet.ordered_parts): each part's
    first rows, then the first of them all. `rows`, when given, is the SQL of the page's rows
    (`posted_rows`), `where` and `parts` unused."""

    def first(condition):
        return f"""SELECT e.* FROM events_event e
    WHERE e.review_state = 'published' AND {condition}
    ORDER BY e.start, e.id LIMIT {limit}"""

    if rows is None and parts:
        each = " UNION ALL ".join(f"({first(f'{where} AND {part}')})" for part in parts)
        rows = f"SELECT e.* FROM ({each}) e ORDER BY e.start, e.id LIMIT {limit}"
    elif rows is None:
        rows = first(where)
    return f"""
WITH page AS (
    {rows}
)
SELECT page.id, page.title, page.summary, page.type_id, page.status, page.start, page.start_precision,
       page."end", page.end_precision, page.location_name, page.location_country, page.location_lat,
       page.location_lon, page.review_state,
       (SELECT json_agg(json_build_object('actor', p.actor_id, 'role', p.role) ORDER BY p.role, p.actor_id)
        FROM events_participant p WHERE p.event_id = page.id) AS participants,
       (SELECT json_agg(json_build_object('url', s.url, 'title', s.title, 'publisher', s.publisher,
                                          'published', s.published, 'quote', c.quote,
                                          'claimed_by', c.claimed_by_id) ORDER BY s.url)
        FROM events_citation c JOIN events_source s ON s.id = c.source_id WHERE c.event_id = page.id) AS sources,
       (SELECT json_agg(t.tag_id ORDER BY t.tag_id) FROM events_event_tags t WHERE t.event_id = page.id) AS tags,
       (SELECT json_agg(json_build_object('event', r.to_event_id, 'relation', r.relation))
        FROM events_eventrelation r WHERE r.from_event_id = page.id) AS related
FROM page ORDER BY page.start, page.id"""


def ndjson(where="TRUE"):
    """Every published event as one JSON object a line (COPY's text format)."""
    inner = page(where, limit="ALL")
    return f"SELECT row_to_json(x) FROM ({inner}) x"


# The actor, country and q filters read the events' search columns (migration 0007), as Chancery does.
DYAD = "e.actor_ids @> ARRAY[%(a)s, %(b)s]::varchar[]"
TYPE = "(e.type_id = %(type)s OR e.type_id LIKE %(type_prefix)s)"
DATES = "e.start <= %(date_to)s AND e.span_end >= %(date_from)s"
# Words of several lexemes must all be in the title and summary or all in one quote (EventQuerySet.search).
SEARCH = """e.search_document @@ plainto_tsquery('english', %(q)s)
    AND (numnode(plainto_tsquery('english', %(q)s)) <= 1
         OR to_tsvector('english', coalesce(e.title, '') || ' ' || coalesce(e.summary, ''))
            @@ plainto_tsquery('english', %(q)s)
         OR EXISTS (SELECT FROM events_citation c WHERE c.event_id = e.id
                    AND to_tsvector('english', coalesce(c.quote, '')) @@ plainto_tsquery('english', %(q)s)))"""
COUNTRY = "e.countries @> ARRAY[%(country)s]::varchar[]"
ACTOR = "e.actor_ids @> ARRAY[%(actor)s]::varchar[]"
SINCE = "e.span_end >= %(since)s"


def reaching(day):
    """The events reaching the parameter `day` as Chancery reads them: those going on that day
    (the spans' GiST index), then those starting from it (the chronological index)."""
    return [
        f"e.start < %({day})s AND daterange(e.start, e.span_end, '[]') @> %({day})s::date",
        f"e.start >= %({day})s",
    ]


def posted_rows(key, where, posted="TRUE", day=None, limit=100):
    """A page's rows as Chancery reads a chronological list of named actors (events/models/postings.py,
    migration 0020): the events `where` joined to the postings `posted` of `key` (SQL), read in the
    postings' order; reaching the parameter `day`, those going on that day from the postings that last
    (sorted), then those starting from it. `where` leaves out the actors the key implies, as Chancery does."""

    def first(condition, order="p.start, p.event_id"):
        return f"""SELECT e.* FROM events_event e JOIN events_posting p ON p.event_id = e.id
    WHERE p.key = {key} AND {posted} AND {condition} AND e.review_state = 'published' AND {where}
    ORDER BY {order} LIMIT {limit}"""

    if day is None:
        return first("TRUE")
    going_on = first(
        f"p.start < %({day})s AND p.span_end >= %({day})s AND p.span_end > p.start AND e.start < %({day})s",
        order="e.start, e.id",
    )
    starting = first(f"p.start >= %({day})s AND e.start >= %({day})s")
    return f"SELECT e.* FROM (({going_on}) UNION ALL ({starting})) e ORDER BY e.start, e.id LIMIT {limit}"


# The postings' keys: the actor, or the dyad's two ids in byte order (b, then a: 'russia united-states').
ACTOR_KEY = "%(actor)s"
DYAD_KEY = "%(b)s || ' ' || %(a)s"
POSTED_TYPE = "(p.type_id = %(type)s OR p.type_id LIKE %(type_prefix)s)"
POSTED_DATES = "p.start <= %(date_to)s"

AFTER = "(e.start, e.id) > (%(after_start)s, %(after_id)s)"
DETAIL = "e.id = %(id)s"


def timeline_month(where="TRUE"):
    """Events per month and type: the month of the start, the start's precision telling the bucket
    (an event known only to the year counts in its year; its start, 1 January, is its own month's first day)."""
    return f"""
SELECT date_trunc('month', e.start::timestamp)::date AS period, e.start_precision, e.type_id, count(*)
FROM events_event e WHERE e.review_state = 'published' AND {where}
GROUP BY 1, 2, 3"""


ADMIN_PAGE = """
SELECT e.id, e.title, t.name, e.status, e.start, e.start_precision, e.review_state, e.updated_at, u.username
FROM events_event e JOIN events_eventtype t ON t.code = e.type_id LEFT JOIN auth_user u ON u.id = e.updated_by_id
WHERE {where} ORDER BY e.start, e.id LIMIT 50"""
ADMIN_COUNT = "SELECT count(*) FROM (SELECT FROM events_event e WHERE {where} LIMIT 10000) capped"
FAMILY = "(e.type_id = %(family)s OR e.type_id LIKE %(family_prefix)s)"


# ---------------------------------------------------------------- the analyst's questions

# Each facet as one GROUP BY over the published events: its value, as Chancery counts it (an event once
# per value; the actor and country facets read the search columns' arrays, the `role:actor` entries left out).
FACET_VALUES = {
    "type": ("", "e.type_id"),
    "status": ("", "e.status"),
    "year": ("", "to_char(e.start, 'YYYY')"),
    "actor": (", unnest(e.actor_ids) v", "v"),
    "country": (", unnest(e.countries) v", "v"),
}


def facets(names, where="TRUE", size=30):
    """The facets `names` over the published events `where`, and their count: rows (facet, value, count),
    each facet ordered as Chancery orders it (count descending, then value in byte order)."""
    parts = [f"SELECT 'count', NULL, count(*) FROM events_event e WHERE e.review_state = 'published' AND {where}"]
    for name in names:
        joined, value = FACET_VALUES[name]
        extra = " AND position(':' in v) = 0" if name == "actor" else ""
        parts.append(
            f"""(SELECT '{name}', {value}, count(*) FROM events_event e{joined}
    WHERE e.review_state = 'published' AND {where}{extra}
    GROUP BY 2 ORDER BY 3 DESC, {value} COLLATE "C" LIMIT {size})"""
        )
    return "\nUNION ALL\n".join(parts)


RELATIONS_MONTH = """
WITH RECURSIVE tree_a(id) AS (
    SELECT %(a)s::varchar UNION SELECT a.id FROM events_actor a JOIN tree_a t ON a.parent_id = t.id
), tree_b(id) AS (
    SELECT %(b)s::varchar UNION SELECT a.id FROM events_actor a JOIN tree_b t ON a.parent_id = t.id
)
SELECT CASE WHEN e.start_precision = 'year' THEN e.start ELSE date_trunc('month', e.start)::date END AS period,
       e.start_precision = 'year' AS whole_year, count(*), sum(coalesce(t.goldstein, 0)),
       count(*) FILTER (WHERE t.goldstein > 0), count(*) FILTER (WHERE t.goldstein < 0),
       array_agg(e.id ORDER BY e.start, e.id)
FROM events_event e JOIN events_eventtype t ON t.code = e.type_id
WHERE e.review_state = 'published' AND e.status = 'occurred'
  AND e.actor_ids && ARRAY(SELECT id FROM tree_a)::varchar[] AND e.actor_ids && ARRAY(SELECT id FROM tree_b)::varchar[]
GROUP BY 1, 2 ORDER BY 1, 2 DESC"""
"""The relations index of A and B by month, as one GROUP BY: the events of A or below it and B or below it."""

HISTORY_COLUMNS = """
SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'events_historicalevent' AND column_name NOT LIKE 'history%%'"""
"""The event's columns its history rows copy, as one list."""


def correct_a_tenth(columns):
    """A tenth of the published events (chosen by the hash of their id) corrected as a curator's edit
    writes it: a new title (%(corrected)s added), `updated_at`, and a history row each ('~', with the
    snapshot of its tags), in one statement; answers how many. `columns`: HISTORY_COLUMNS' answer."""
    return f"""
WITH chosen AS (
    SELECT id FROM events_event WHERE review_state = 'published' ORDER BY md5(id)
    LIMIT (SELECT count(*) / 10 FROM events_event WHERE review_state = 'published')
), changed AS (
    UPDATE events_event e SET title = e.title || %(corrected)s, updated_at = now()
    FROM chosen WHERE e.id = chosen.id RETURNING e.*
), versions AS (
    INSERT INTO events_historicalevent ({columns}, history_date, history_user_id, history_change_reason, history_type)
    SELECT {columns}, now(), NULL, 'a title corrected', '~' FROM changed
    RETURNING history_id, id
), tags AS (
    INSERT INTO events_historicalevent_tags (history_id, id, event_id, tag_id)
    SELECT v.history_id, t.id, t.event_id, t.tag_id FROM versions v JOIN events_event_tags t ON t.event_id = v.id
)
SELECT count(*) FROM versions"""


# ---------------------------------------------------------------- Datasette's SQLite file

SQLITE_SCHEMA = """
CREATE TABLE events (
    id TEXT PRIMARY KEY, title TEXT, summary TEXT, type TEXT, status TEXT,
    start TEXT, start_precision TEXT, "end" TEXT, end_precision TEXT,
    initiators TEXT, targets TEXT, participants TEXT, mediators TEXT, hosts TEXT,
    location_name TEXT, location_country TEXT, location_lat REAL, location_lon REAL,
    cameo_code TEXT, goldstein TEXT, plover_type TEXT, plover_mode TEXT,
    tags TEXT, related TEXT,
    source_urls TEXT, source_titles TEXT, publishers TEXT, published_dates TEXT, quotes TEXT, claimed_by TEXT,
    review_state TEXT, span_end TEXT
);
CREATE TABLE participants (event_id TEXT, actor_id TEXT, role TEXT, actor_country TEXT);
CREATE TABLE citations (
    event_id TEXT, url TEXT, title TEXT, publisher TEXT, published TEXT, quote TEXT, claimed_by TEXT
);
CREATE TABLE actors (id TEXT PRIMARY KEY, name TEXT, kind TEXT, country TEXT, parent TEXT);
"""

# The indexes Datasette's questions need, as a fair user would add them.
SQLITE_INDEXES = """
CREATE INDEX events_start ON events (start, id);
CREATE INDEX events_type_start ON events (type, start);
CREATE INDEX events_span_end ON events (span_end);
CREATE INDEX events_location_country ON events (location_country, start);
CREATE INDEX participants_actor ON participants (actor_id, event_id);
CREATE INDEX participants_country ON participants (actor_country, event_id);
CREATE INDEX participants_event ON participants (event_id);
CREATE INDEX citations_event ON citations (event_id);
CREATE INDEX citations_publisher ON citations (publisher);
-- Full text over title, summary and quotes, with English stemming as on PostgreSQL; Datasette's _search finds it.
CREATE VIRTUAL TABLE events_fts USING fts5 (title, summary, quotes, content="events", tokenize='porter');
INSERT INTO events_fts (events_fts) VALUES ('rebuild');
ANALYZE;
"""

SQLITE_PARTICIPANTS = """
SELECT p.event_id, p.actor_id, p.role, a.country
FROM events_participant p JOIN events_actor a ON a.id = p.actor_id JOIN events_event e ON e.id = p.event_id
WHERE e.review_state = 'published'"""
SQLITE_CITATIONS = """
SELECT c.event_id, s.url, s.title, s.publisher, s.published::text, c.quote, c.claimed_by_id
FROM events_citation c JOIN events_source s ON s.id = c.source_id JOIN events_event e ON e.id = c.event_id
WHERE e.review_state = 'published'"""
SQLITE_ACTORS = "SELECT id, name, kind, country, parent_id FROM events_actor"

# The same questions in SQLite's SQL, for Datasette's ?sql= (the timeline) and ?_where= (the filters).
SQLITE_DYAD = (
    "id in (select event_id from participants where actor_id = '{a}') "
    "and id in (select event_id from participants where actor_id = '{b}')"
)
SQLITE_TYPE = "(type = '{type}' or type like '{type}.%')"
SQLITE_ACTOR = "id in (select event_id from participants where actor_id = '{actor}')"
SQLITE_COUNTRY = (
    "(location_country = '{country}' or id in (select event_id from participants where actor_country = '{country}'))"
)


def sqlite_timeline_month(where="1"):
    return f"""
select case when start_precision = 'year' then start else substr(start, 1, 7) || '-01' end as period,
       start_precision = 'year' as whole_year, type, count(*) as count
from events where {where} group by 1, 2, 3"""


# ---------------------------------------------------------------- the import's floor

# The events' own columns; the search columns are computed as they are written.
EVENT_COLUMNS = (
    'id, title, summary, status, start, start_precision, "end", end_precision, span_end, location_name, '
    "location_country, location_lat, location_lon, review_state, created_at, updated_at, created_by_id, "
    "updated_by_id, type_id, published_at, published_by_id, reviewed_at, reviewed_by_id"
)

# As Chancery's import does (events/dataset/importer.py, migration 0016): the search columns' triggers off
# for the transaction, the events COPYed into a table of their own, then written with their search columns
# in one INSERT, computed in one pass over the participants and citations COPYed before them.
DEFER_SEARCH_COLUMNS = "SELECT set_config('chancery.search_columns', 'deferred', true)"
IMPORT_EVENT_TABLE = (
    f"CREATE TEMPORARY TABLE import_event ON COMMIT DROP AS SELECT {EVENT_COLUMNS} FROM events_event WITH NO DATA"
)
IMPORT_EVENTS = f"""
INSERT INTO events_event ({EVENT_COLUMNS}, actor_ids, countries, search_document)
SELECT {", ".join(f"new.{c}" for c in EVENT_COLUMNS.split(", "))},
       fresh.actor_ids, fresh.countries, fresh.search_document
FROM (
    SELECT array_agg(id) AS ids, array_agg(location_country::varchar) AS location_countries,
           array_agg(title) AS titles, array_agg(summary) AS summaries
    FROM import_event
) AS given,
LATERAL events_event_search_columns_of(given.ids, given.location_countries, given.titles, given.summaries) AS fresh
JOIN import_event AS new ON new.id = fresh.id
"""
