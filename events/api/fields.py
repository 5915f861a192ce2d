"""What the API shows of an event beyond its dataset shape: `created_at`, `updated_at` and `incoming`.

`incoming` lists the relations that other events store towards this one (a relation is stored once, by
the event that names it: docs/dataset.md), from the events the reader may see. Its JSON text is written
by the database in the events' own query, as `EventDocument` writes the rest on PostgreSQL: a page of
events asks no query more for it, on either database.
"""

import json

from django.db import models
from django.db.models import Expression

from ..models import ReviewState

# The keys an event has in the API after those of its dataset shape (events/shape.py), in this order.
API_ONLY_KEYS = ("created_at", "updated_at", "incoming")


class IncomingRelations(Expression):
    """JSON text of `[{"event", "relation"}]`: the relations towards the outer query's event, ordered by
    event id then relation; with `published_only`, from published events alone."""

    output_field = models.TextField()

    def __init__(self, published_only=False):
        super().__init__()
        self.published_only = published_only

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def as_sql(self, compiler, connection):
        return incoming_sql(compiler.quote_name_unless_alias(self.alias), self.published_only), []

    def as_sqlite(self, compiler, connection):
        source = _incoming_source(compiler.quote_name_unless_alias(self.alias), self.published_only)
        # json_group_array keeps the order in which the ordered subquery gives its rows.
        return (
            "(SELECT json_group_array(json_object('event', event, 'relation', relation)) FROM "
            f"(SELECT r.from_event_id AS event, r.relation AS relation {source} ORDER BY 1, 2))"
        ), []


def _incoming_source(event, published_only):
    visible = f" AND f.review_state = '{ReviewState.PUBLISHED}'" if published_only else ""
    return (
        "FROM events_eventrelation r JOIN events_event f ON f.id = r.from_event_id "
        f"WHERE r.to_event_id = {event}.id{visible}"
    )


def incoming_sql(event, published_only):
    """PostgreSQL's SQL for `IncomingRelations` of the event in the row `event` (a table or alias)."""
    # Ordered as `related` is (exports' COLLATE "C" on PostgreSQL: byte order, as SQLite compares).
    return (
        "(SELECT coalesce(json_agg(json_build_object('event', r.from_event_id, 'relation', r.relation) "
        f"""ORDER BY r.from_event_id COLLATE "C", r.relation COLLATE "C"), '[]'::json)::text """
        f"{_incoming_source(event, published_only)})"
    )


def with_api_fields(queryset, user_sees_unpublished):
    """The events with their `incoming` relations' JSON text (`incoming_document`), from the events the
    user may see."""
    return queryset.annotate(incoming_document=IncomingRelations(published_only=not user_sees_unpublished))


def incoming_of(event):
    """The event's incoming relations, as `with_api_fields` wrote them."""
    return json.loads(event.incoming_document)
