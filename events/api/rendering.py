"""Events' JSON written into the answer as the database wrote it: neither parsed nor rendered again.

On PostgreSQL each event of a page comes with its JSON text (`EventQuerySet.with_documents`, `document`)
and that of its incoming relations (`fields.with_api_fields`). Parsing them into dicts for DRF to render
them back into text cost most of a page's time in Python. `event_text` appends the API's own keys to the
document's text; `SplicingJSONRenderer` writes the page's envelope as JSONRenderer does and splices the
texts into it. The same keys, values and order as the serializer's; only the spaces differ (the database
writes `"key": value`, as `json.dumps` does by default). `as_of` answers the same way: the same SQL reads
the versions of the moment in place of the tables (`texts_then`). Elsewhere (SQLite, the browsable API) the
events go through the serializer as before.
"""

import datetime
import json

from django.conf import settings
from django.db import connections
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from ..models import ReviewState
from ..postgres import document_sql
from .fields import incoming_sql
from .statements import Statement, prepared

_MOMENT = serializers.DateTimeField()


class EventText(str):
    """An event's JSON text, as the API shows it."""

    def parsed(self):
        return json.loads(self)


class EventTexts(list):
    """A page's events as `EventText`s, in order."""

    def parsed(self):
        return [text.parsed() for text in self]


def moment_writer():
    """A function writing a moment as `serializers.DateTimeField` does (ISO 8601 in the current time zone,
    `Z` for UTC), the time zone looked up once: DRF's looks it up for every value, a tenth of a page's
    time in Python."""
    if api_settings.DATETIME_FORMAT.lower() != ISO_8601 or not settings.USE_TZ:
        return _MOMENT.to_representation
    zone = timezone.get_current_timezone()
    # The database's moments come in UTC (`datetime.UTC`): shown in UTC, they need no conversion.
    in_utc = getattr(zone, "key", None) == "UTC"

    def written(value):
        if in_utc and value.__class__ is datetime.datetime and value.tzinfo is datetime.UTC:
            return value.isoformat()[:-6] + "Z"
        if not value or not timezone.is_aware(value):
            return _MOMENT.to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return _MOMENT.to_representation(value)  # its error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return written


def event_text(event, moment=None):
    """The event's JSON text in the API (`EventSerializer.to_representation`'s keys and values), or None
    where the database did not write its document. `moment`: a `moment_writer()`, for a page's events."""
    document = getattr(event, "document", None)
    incoming = getattr(event, "incoming_document", None)
    if document is None or incoming is None:
        return None
    moment = moment or moment_writer()
    created = moment(event.created_at)
    updated = moment(event.updated_at)
    # The moments are ISO datetimes: nothing in them needs escaping.
    return EventText(f'{document[:-1]}, "created_at": "{created}", "updated_at": "{updated}", "incoming": {incoming}}}')


def event_texts(events):
    """The page's `EventTexts`, or None if any event lacks its document."""
    texts = EventTexts()
    moment = moment_writer()
    for event in events:
        text = event_text(event, moment)
        if text is None:
            return None
        texts.append(text)
    return texts


# What a spliced page reads of each event's row besides its JSON texts: the keys a cursor may hold and the
# moments the API shows.
SPLICED_COLUMNS = ("id", "start", "created_at", "updated_at")


def for_splicing(events, request, prepare=False):
    """The events as `event_texts` reads them when they will be spliced (PostgreSQL, JSON): rows of their
    JSON texts, the moments shown and the keys of their order (a cursor's), each a named tuple, not a model
    instance (making a hundred instances, fields set one by one and signals sent, cost a page a millisecond).
    With `prepare` (a query whose SQL is the same for every request but its keys: a page without filters, a
    detail), read through a statement prepared once per connection (`statements.prepared`): PostgreSQL
    planned the page's five subqueries per event anew each time, most of a detail's time in the database."""
    if not (splices(request) and events.is_present and connections[events.db].vendor == "postgresql"):
        return events
    keys = [str(key).lstrip("-") for key in events.query.order_by] or ["pk"]
    columns = dict.fromkeys([*SPLICED_COLUMNS, *keys, "document", "incoming_document"])
    rows = events.values_list(*columns, named=True)
    # The review states are written into the statement: the partial indexes name them.
    return prepared(rows, ReviewState.values) if prepare else rows


_THEN = {}


def _then_statement(versions):
    """The statement writing the JSON texts (document, incoming relations) of the history rows whose ids it is
    given, as they stood at the moment: the SQL of the page now over the WITH clause of the versions
    (`EventVersions.tables_sql`), one for each visibility. Prepared once per connection: planning its
    subqueries over the versions' inlined tables cost more than running them for a page."""
    published_only = versions.hides_unpublished
    statement = _THEN.get(published_only)
    if statement is None:
        tables, params = versions.tables_sql()
        sql = (
            f"{tables} SELECT v.history_id, {document_sql('v', published_only)}, {incoming_sql('v', published_only)}"
            " FROM events_historicalevent v WHERE v.history_id = ANY(%s)"
        )
        name = f"chancery_then_{'published' if published_only else 'all'}"
        statement = _THEN[published_only] = Statement(name, sql, ["timestamptz"] * len(params) + ["integer[]"])
    return statement


def texts_then(versions, page, request):
    """The `EventTexts` of `page` (history rows of the `asof.EventVersions` `versions`, in order) as the
    database writes them, each event with its parts, tags and relations of the moment, or None where the
    serializer answers (not PostgreSQL, not the JSON renderer). One query, whatever the page's size."""
    if not (splices(request) and connections[versions.db].vendor == "postgresql"):
        return None
    statement = _then_statement(versions)
    _, moments = versions.tables_sql()
    with connections[versions.db].cursor() as cursor:
        statement.execute(cursor, [*moments, [version.history_id for version in page]])
        written = {history_id: (document, incoming) for history_id, document, incoming in cursor.fetchall()}
    for version in page:
        version.document, version.incoming_document = written[version.history_id]
    return event_texts(page)


def splices(request):
    """Whether the answer to `request` is rendered by a `SplicingJSONRenderer` (not the browsable API)."""
    return isinstance(getattr(request, "accepted_renderer", None), SplicingJSONRenderer)


class SplicingJSONRenderer(JSONRenderer):
    """JSONRenderer, which writes an `EventText` (a detail) and a page whose `results`, its last key, are
    `EventTexts` without parsing them."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        indented = self.get_indent(accepted_media_type, renderer_context or {}) is not None
        if isinstance(data, EventText):
            if indented:
                return super().render(data.parsed(), accepted_media_type, renderer_context)
            return self._escaped(data).encode()
        if isinstance(data, dict) and isinstance(data.get("results"), EventTexts):
            if indented or list(data)[-1] != "results":
                data = {**data, "results": data["results"].parsed()}
                return super().render(data, accepted_media_type, renderer_context)
            envelope = super().render({**data, "results": []}, accepted_media_type, renderer_context)
            assert envelope.endswith(b'"results":[]}')
            results = self._escaped(",".join(data["results"])).encode()
            return b"".join((envelope[:-2], results, b"]}"))
        return super().render(data, accepted_media_type, renderer_context)

    @staticmethod
    def _escaped(text):
        # As JSONRenderer writes them: these two are valid in JSON but end a line in JavaScript.
        if "\u2028" in text or "\u2029" in text:
            text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return text
