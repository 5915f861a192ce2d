"""Keyset (cursor) pagination: stable under inserts, as fast on the last page as on the first.

A cursor holds the ordering keys of the row it continues from, so a page is
one indexed range query (`WHERE (start, id) > (...) ORDER BY start, id LIMIT n`)
however deep it is, and rows inserted meanwhile never shift a page.
"""

import base64
import datetime
import json

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page_size_from(request, default=DEFAULT_PAGE_SIZE):
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({"page_size": [f"{raw[:40]!r} is not a whole number"]}) from None
    if size < 1:
        raise ValidationError({"page_size": ["must be at least 1"]})
    return min(size, MAX_PAGE_SIZE)


class KeysetPagination(BasePagination):
    """Pages through a queryset ordered by unique keys (the last one is the primary key)."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = page_size_from(request)
        self.ordering = [str(key) for key in queryset.query.order_by] or ["pk"]
        self.model = queryset.model
        cursor = self._decode(request.query_params.get(self.cursor_query_param))
        backwards = cursor is not None and cursor["d"] == "p"
        if cursor is not None:
            queryset = queryset.filter(self._after(cursor["v"], reverse=backwards))
        if backwards:
            queryset = queryset.order_by(*(self._flip(key) for key in self.ordering))
        # Events may be read in parts, each cheaper to read alone (EventQuerySet.head, ordered_parts).
        rows = queryset.head(self.page_size + 1) if hasattr(queryset, "head") else list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, cursor is not None
        self.rows = rows
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_next_link(self):
        if not self.has_next or not self.rows:
            return None
        return self._link(self.rows[-1], "n")

    def get_previous_link(self):
        if not self.has_previous or not self.rows:
            return None
        return self._link(self.rows[0], "p")

    # -- cursors

    def _values(self, row):
        values = []
        for key in self.ordering:
            value = getattr(row, key.lstrip("-"))
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        return values

    def _link(self, row, direction):
        token = {"o": self.ordering, "v": self._values(row), "d": direction}
        encoded = base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("=")
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, encoded)

    def _decode(self, raw):
        if not raw:
            return None
        try:
            token = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            values = token["v"]
            valid = (
                token["o"] == self.ordering
                and token["d"] in ("n", "p")
                and isinstance(values, list)
                and len(values) == len(self.ordering)
            )
            if valid:
                token["v"] = [
                    self._clean(self._field(key.lstrip("-")), value)
                    for key, value in zip(self.ordering, values, strict=True)
                ]
        except Exception:  # whatever a forged cursor breaks, it is the client's error
            valid = False
        if not valid:
            raise ValidationError({"cursor": ["not a cursor of this listing: follow the next/previous links"]})
        return token

    def _field(self, name):
        """The model field a key orders by, or for an annotation (a search rank) a float."""
        try:
            return self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return models.FloatField()

    @staticmethod
    def _clean(field, value):
        """A key of the cursor as the model field holds it; its validators (integer range, slug
        characters) refuse what the database could not compare, before the database is asked."""
        value = field.to_python(value)
        if value is None:  # the keys are columns without nulls: no row comes after a null
            raise ValueError("a null key")
        if isinstance(value, datetime.datetime):
            if timezone.is_naive(value):  # cursors carry the offset of the moment they were made at
                raise ValueError("a moment without an offset")
            # Every database compares moments in UTC; one that is outside the years 1 to 9999 there
            # (9999-12-31T23:59:59-05:00) overflows here rather than in SQLite's adapter.
            value = value.astimezone(datetime.UTC)
        field.run_validators(value)
        return value

    def _after(self, values, reverse=False):
        """Rows strictly after `values` in the ordering (before them when `reverse`)."""
        condition = Q()
        for depth in range(len(self.ordering) - 1, -1, -1):
            key = self.ordering[depth]
            name = key.lstrip("-")
            descending = key.startswith("-") != reverse
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[depth]})
            if depth < len(self.ordering) - 1:
                step |= Q(**{name: values[depth]}) & condition
            condition = step
        # The same rows, with the first key's bound said on its own: PostgreSQL cannot draw an index
        # range out of the OR above, and would read the index from its first entry to the cursor.
        first = self.ordering[0]
        bound = "lte" if first.startswith("-") != reverse else "gte"
        return Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & condition

    @staticmethod
    def _flip(key):
        return key[1:] if key.startswith("-") else f"-{key}"

    # -- OpenAPI

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Results per page (default {DEFAULT_PAGE_SIZE}; above {MAX_PAGE_SIZE} is capped).",
                # Empty (as from an HTML form's empty field) means the default.
                "schema": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 0}]},
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "The exact number of matches, on the event list with count=true only.",
                    "example": 13,
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                    "example": "http://127.0.0.1:8000/api/v1/events/?cursor=eyJvIjpbInN0YXJ0IiwiaWQiXSwidiI6WyIyMDI1LTAyLTE4IiwidXMtcnUtdGFsa3Mtcml5YWRoLTIwMjUiXSwiZCI6Im4ifQ",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page, or null on the first one.",
                    "example": None,
                },
                "results": schema,
            },
        }
