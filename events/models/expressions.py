"""SQL the event queries use: truncated dates, the search columns, the event's JSON document, case-blind equality."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import DateField, Expression, F, Func
from django.db.models.expressions import Col

from .. import dates
from ..postgres import document_sql


class PeriodStart(Func):
    """The first day of a date's month or year, as a date (PostgreSQL).

    DATE_TRUNC on a date goes through a timestamp with time zone, a conversion per row that costs
    the month timeline over a million events a third of its time; through a plain timestamp it does not.
    """

    output_field = DateField()
    template = "date_trunc('%(kind)s', %(expressions)s::timestamp)::date"

    def __init__(self, expression, kind):
        if kind not in (dates.MONTH, dates.YEAR):
            raise ValueError(f"kind must be month or year, not {kind!r}")
        super().__init__(expression, kind=kind)


def _search_column_field(name, field):
    field.set_attributes_from_name(name)
    return field


SEARCH_COLUMNS = {
    "actor_ids": _search_column_field("actor_ids", ArrayField(models.CharField())),
    "countries": _search_column_field("countries", ArrayField(models.CharField())),
    "search_document": _search_column_field("search_document", SearchVectorField()),
}


class SearchColumn(Expression):
    """A column of events_event that PostgreSQL's triggers keep (migration 0007), unknown to the model.

    `actor_ids` (each participant's actor id, and 'role:actor'), `countries` (the participants' actors'
    and the location's) and `search_document` (title, summary and quotes): the filters' GIN indexes.
    Resolved as a column of the query's events table, so that it follows the table into subqueries.
    """

    def __init__(self, name):
        super().__init__(output_field=SEARCH_COLUMNS[name])
        self.name = name

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return Col(query.get_initial_alias(), SEARCH_COLUMNS[self.name])


class IndexedSearchRank(Expression):
    """How well an event's title and summary answer the FTS5 query `match` (SQLite, migration 0012): bm25
    of the event's own row of `events_search`, negated so that higher is better, as PostgreSQL's rank;
    0 when that row does not hold every word (the event matched in a quote only).
    Resolved against the query's events table, so that it follows the table into subqueries."""

    output_field = models.FloatField()

    def __init__(self, match):
        super().__init__()
        self.match = match

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def as_sql(self, compiler, connection):
        event_id = f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name('id')}"
        # The row by its number (FTS5 reads one row of its lists), found through events_search_row's index.
        sql = (
            "coalesce((SELECT -bm25(events_search) FROM events_search WHERE events_search MATCH %s AND rowid = "
            f"(SELECT id FROM events_search_row WHERE event_id = {event_id} AND citation_id IS NULL)), 0.0)"
        )
        return sql, [self.match]


class EventDocument(Expression):
    """The event's JSON text in the dataset shape, written by PostgreSQL in the query that reads the event.

    The NDJSON export's SQL (events/postgres.py `document_sql`), its lists read by subqueries of
    the event's row: a page of events and everything it shows in one query, no model per relation.
    With `published_related_only`, `related` names published events only (`visible_to`).
    """

    output_field = models.TextField()

    def __init__(self, published_related_only=False):
        super().__init__()
        self.published_related_only = published_related_only

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def as_sql(self, compiler, connection):
        return document_sql(compiler.quote_name_unless_alias(self.alias), self.published_related_only), []


def equal_in_any_case(queryset, field, value):
    """`queryset` where `field` equals `value` in any case, beyond A-Z too ("Ведомости" = "ВЕДОМОСТИ")."""
    if connections[queryset.db].vendor == "sqlite":
        # SQLite's own case folding knows A-Z only; `casefold` is Python's, registered by events.apps.
        return queryset.alias(folded=Func(F(field), function="casefold")).filter(folded=value.casefold())
    return queryset.filter(**{f"{field}__iexact": value})
