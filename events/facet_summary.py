"""The facet summary: the facets of the published events, read from counts the database keeps (PostgreSQL).

Migrations 0017 and 0018's `events_facet_summary` holds, per (scope, facet, value) of the facets type,
status, year, actor and country, how many published events of the scope have that value, and
`events_facet_delta` the changes not yet folded into it; statement triggers on events append those through
every write (publication, deletion, a new type, participants, bulk imports) and fold them into it now and
then. A scope is every published event ('') or those with one actor (`actor:ID`), one country
(`country:CODE`) or two actors (`pair:ID ID`, in byte order). It answers for the events of a scope only,
as the filters `actor` (one or two) and `country` ask for them with no other filter (`scope_of`);
`facets.facets` asks it then, and the events themselves otherwise (SQLite has no summary: it always counts
the events).

The events of the present are counted in one query too (`counted_facets`): the matching events read once,
their actors and countries from the search columns' arrays, rather than the count and a query a facet.
"""

from django.contrib.postgres.fields.array import ArrayContains
from django.db import connections
from django.db.models.expressions import RawSQL

from .countries import COUNTRIES
from .models import Event, SearchColumn
from .models.expressions import SEARCH_COLUMNS

# The facets counted per value; `family` is summed from `type` (an event has one type, so one family).
STORED = frozenset({"type", "status", "year", "actor", "country"})
FACETS = STORED | {"family"}

# Every asked facet's first `size` values from `counts` (facet, value, count; the facet '' holds the count
# of events), in the facets' order (count descending, then the value in byte order), with their labels.
RANKED = """
asked AS (
    SELECT facet, value, count FROM counts WHERE facet = ANY(%s) AND count > 0
    UNION ALL
    SELECT 'family', split_part(value, '.', 1), sum(count)::bigint FROM counts
    WHERE {family} AND facet = 'type' AND count > 0 GROUP BY 2
), ranked AS (
    SELECT facet, value, count,
           row_number() OVER (PARTITION BY facet ORDER BY count DESC, value COLLATE "C") AS position
    FROM asked
)
SELECT facet, value, count, label FROM (
    SELECT r.facet, r.value, r.count, coalesce(t.name, a.name) AS label
    FROM ranked r
    LEFT JOIN events_eventtype t ON r.facet IN ('type', 'family') AND t.code = r.value
    LEFT JOIN events_actor a ON r.facet = 'actor' AND a.id = r.value
    WHERE r.position <= %s
    UNION ALL
    SELECT '', '', coalesce(sum(count), 0)::bigint, NULL FROM counts WHERE facet = ''
) AS answer
ORDER BY facet, count DESC, value COLLATE "C"
"""

# The summary's counts: each value's row plus its deltas not yet folded (committed, or this transaction's).
# The deltas, few, are grouped and joined to the summary's rows (grouping the summary too costs more than the
# read). Every published event has one status, so their sum is the count of events. A read never folds the
# deltas (a writer does): it takes no lock and answers on a read-only standby.
SUMMARY = """
WITH pending AS (
    SELECT facet, value, sum(delta) AS delta FROM events_facet_delta WHERE scope = %s GROUP BY facet, value
), totals AS (
    SELECT facet, value, (coalesce(s.count, 0) + coalesce(p.delta, 0))::bigint AS count
    FROM (SELECT facet, value, count FROM events_facet_summary WHERE scope = %s) AS s
    FULL JOIN pending p USING (facet, value)
), counts AS (
    SELECT facet, value, count FROM totals
    UNION ALL
    SELECT '', '', sum(count)::bigint FROM totals WHERE facet = 'status'
),
"""

# The same counts over the matching events (`matching`: their type, status, start and search columns), read
# once: a facet not asked is a constant FALSE, which PostgreSQL never computes.
COUNTED = """
, counts AS (
    SELECT 'type' AS facet, type_id::text AS value, count(*) AS count FROM matching WHERE {type} GROUP BY 2
    UNION ALL
    SELECT 'status', status::text, count(*) FROM matching WHERE {status} GROUP BY 2
    UNION ALL
    SELECT 'year', lpad(extract(year FROM start)::int::text, 4, '0'), count(*) FROM matching WHERE {year} GROUP BY 2
    UNION ALL
    SELECT 'actor', actor::text, count(*) FROM matching, unnest(actor_ids) AS actors(actor)
    WHERE {actor} AND strpos(actor, ':') = 0 GROUP BY 2
    UNION ALL
    SELECT 'country', country::text, count(*) FROM matching, unnest(countries) AS countries(country)
    WHERE {country} GROUP BY 2
    UNION ALL
    SELECT '', '', count(*) FROM matching
),
"""


def scope_of(events):
    """The summary's scope that counts exactly `events` (a queryset), or None: every published event now, on
    PostgreSQL, as `Event.objects.published()` (or `visible_to` an anonymous reader) asks for them, with no
    filter (''), or with only the filter of one actor, of two actors or of one country."""
    if not counts_in_one_query(events):
        return None
    query = events.query
    if query.distinct or query.is_sliced or query.combinator or query.extra:
        return None
    published = Event.objects.published()
    if query.where == published.query.where:
        return ""
    # The one filter after publication: its values read from it, then the whole question built again from
    # them and compared, so that nothing but that filter with those values gets the scope's counts.
    children = query.where.children
    if query.where.connector != "AND" or query.where.negated or len(children) != 2:
        return None
    condition = children[1]
    if not isinstance(condition, ArrayContains):
        return None
    column = getattr(condition.lhs, "target", None)
    given = [getattr(value, "value", None) for value in condition.rhs.get_source_expressions()]
    if not all(isinstance(value, str) for value in given):
        return None
    values = sorted(set(given))
    if column is SEARCH_COLUMNS["actor_ids"] and 1 <= len(values) <= 2 and not any(":" in v for v in values):
        kind = "actor" if len(values) == 1 else "pair"
        scope, same = f"{kind}:{' '.join(values)}", published.involving(*given)
    elif column is SEARCH_COLUMNS["countries"] and len(values) == 1:
        scope, same = f"country:{values[0]}", published.in_country(*given)
    else:
        return None
    return scope if _where(events) == _where(same.using(events.db)) else None


def _where(events):
    """The SQL and parameters of a queryset's conditions (lookups on the search columns do not compare)."""
    return events.query.get_compiler(events.db).compile(events.query.where)


def answers(events):
    """Whether the summary counts exactly `events` (of which `scope_of` is not None)."""
    return scope_of(events) is not None


def summary_facets(events, names, size):
    """(count, {name: [(value, count, label)]}) of the facets `names` (of `FACETS`) over the events of a
    scope (`events`, of which `answers`), from the summary in one query."""
    scope = scope_of(events)
    return _read(events, SUMMARY, [scope, scope], names, size)


def counts_in_one_query(events):
    """Whether `counted_facets` answers for `events`: the events of the present on PostgreSQL, whose
    search columns hold their actors and countries."""
    return connections[events.db].vendor == "postgresql" and events.is_present and events.model is Event


def counted_facets(events, names, size):
    """As `summary_facets`, for any events of which `counts_in_one_query` (a filtered queryset): counted over
    them in one query that reads them once, rather than one query for the count and one per facet."""
    # The arrays only when their facet is asked: the matching rows are kept for the query's length.
    arrays = {
        column: SearchColumn(column) if name in names else RawSQL("'{}'::varchar[]", [])
        for name, column in (("actor", "actor_ids"), ("country", "countries"))
    }
    matching = events.order_by().annotate(**arrays)
    sql, params = matching.values_list("type_id", "status", "start", "actor_ids", "countries").query.sql_with_params()
    asked = {name: "TRUE" if name in names or (name == "type" and "family" in names) else "FALSE" for name in STORED}
    source = f"WITH matching AS MATERIALIZED ({sql})" + COUNTED.format(**asked)
    return _read(events, source, list(params), names, size)


def _read(events, source, params, names, size):
    stored = [name for name in names if name in STORED]
    sql = source + RANKED.format(family="TRUE" if "family" in names else "FALSE")
    with connections[events.db].cursor() as cursor:
        cursor.execute(sql, [*params, stored, size])
        rows = cursor.fetchall()
    count, answer = 0, {name: [] for name in names}
    for facet, value, number, label in rows:
        if facet == "":
            count = number
        elif facet == "country":
            answer[facet].append((value, number, COUNTRIES.get(value)))
        else:
            answer[facet].append((value, number, label))
    return count, answer
