"""Strict query parameters: an endpoint answers 400 naming any parameter it does not take.

A misspelt filter (`?actr=russia`, `?date_form=2025`) would otherwise be ignored, and the answer, every
event, would look like an answer to the question. The parameters an endpoint takes are the ones its
OpenAPI description lists, read from the same declarations: the filter set's, the paginator's and those
the action declares with `extend_schema`. An empty value (`actor=`, `date_to=`, as an HTML form sends
its empty fields) is the same as the parameter left out.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from ..filters import UtcDateTimeField


def declared_parameters(view):
    """Names of the query parameters that the action's `extend_schema` declares for this method."""
    method = getattr(view, view.action or "", None)
    schema_class = getattr(method, "kwargs", {}).get("schema")
    if schema_class is None:
        return set()
    schema = schema_class()
    schema.view, schema.method = view, view.request.method
    return {
        parameter.name
        for parameter in schema.get_override_parameters()
        if isinstance(parameter, OpenApiParameter) and parameter.location == OpenApiParameter.QUERY
    }


def accepted_parameters(view):
    """Every query parameter the view's current action takes: the same for every request of a view class,
    action and method, and worked out once for each (the schema's declarations are slow to read)."""
    key = (type(view), view.action, view.request.method, getattr(view, "detail", False))
    names = _ACCEPTED.get(key)
    if names is None:
        names = _ACCEPTED[key] = frozenset(_accepted_parameters(view))
    return names


_ACCEPTED = {}


def _accepted_parameters(view):
    names = declared_parameters(view)
    if getattr(view, "detail", False) or view.request.method not in ("GET", "HEAD"):
        return names  # a single object, or a write: no filters, no pages
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None and any(
        issubclass(backend, filters.DjangoFilterBackend) for backend in view.filter_backends
    ):
        names |= set(filterset_class.base_filters)
    paginator = view.paginator
    if paginator is not None:
        names |= {parameter["name"] for parameter in paginator.get_schema_operation_parameters(view)}
    return names


class EventFilterBackend(filters.DjangoFilterBackend):
    """The view's filter set, for the events now or for their versions at a moment (`asof.EventVersions`,
    rows of the history model, asked the same verbs)."""

    def get_filterset_class(self, view, queryset=None):
        return view.filterset_class

    def filter_queryset(self, request, queryset, view):
        # A request naming no filter (a cursor page, most timelines) is answered without a filter set: building
        # one, its form and its copies of the filters, cost more than the rest of such a page's Python.
        if not names_a_filter(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def names_a_filter(request, view):
    """Whether the request's query names one of the view's filters (empty values dropped before)."""
    return not request.query_params.keys().isdisjoint(view.filterset_class.base_filters)


def without_empty_values(query):
    """The query string's parameters without their empty values: `actor=&q=` is no filter."""
    if all(value != "" for values in query.lists() for value in values[1]):
        return query
    cleaned = query.copy()
    for key, values in query.lists():
        kept = [value for value in values if value != ""]
        if kept:
            cleaned.setlist(key, kept)
        else:
            del cleaned[key]
    cleaned._mutable = False
    return cleaned


# The public page's own parameters, which its form always sends: an address copied from the page says so
# rather than leave the reader to guess why the API refuses it. `view` is refused all the same: the page's
# two-actor view rolls its actors up, and an API that ignored it would answer another question.
PAGE_ONLY = {
    "view": (
        "; view is the public page's own parameter: leave it out (the two-actor view, view=pair, asks"
        " actor_tree=A&actor_tree=B here)"
    ),
}


# A view mixin: 400 `{name: [...]}` for each query parameter the action does not take (empty or not), after
# dropping the empty values of the ones it takes. No docstring: the OpenAPI description of a view without
# one of its own would inherit it.
class StrictParameters:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) in (None, "metadata"):
            # A method the endpoint does not answer (its 405 says more than a parameter's 400), or OPTIONS,
            # which describes the endpoint whatever the query says.
            return
        accepted = accepted_parameters(self)
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            takes = ", ".join(sorted(accepted)) or "no parameters"
            raise ValidationError(
                {
                    name[:100]: [f"not a parameter of this endpoint, which takes {takes}{PAGE_ONLY.get(name, '')}"]
                    for name in unknown
                }
            )
        request._request.GET = without_empty_values(request._request.GET)


def flag(request, name):
    """A true/false parameter: True, False, or None when absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise ValidationError({name: [f"{raw[:20]!r} is not true or false"]})
    return raw == "true"


def as_of(request):
    """The moment `as_of` names (UTC), or None when absent; 400 naming it when it is not an ISO datetime
    or is in the future (the data of a moment to come is not known yet, and would change)."""
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    try:
        moment = UtcDateTimeField().clean(raw)
    except DjangoValidationError as exc:
        raise ValidationError(
            {"as_of": [f"{raw[:40]!r} is not an ISO datetime (2025-01-31T00:00:00Z): {exc.messages[0]}"]}
        ) from None
    if moment > timezone.now():
        raise ValidationError({"as_of": [f"{raw[:40]!r} is in the future: ask about a moment that has passed"]})
    return moment
