"""The query grammar of /api/v1/events/, the timeline and the exports, declared once.

Every filter calls a verb of `EventQuerySet`; every bad value is a 400 whose
body names the parameter (docs/api.md lists them all).
"""

import copy
import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import connections
from django.db.models import Q
from django.http import QueryDict
from django_filters.fields import IsoDateTimeField, ModelMultipleChoiceField
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError

from . import dates
from .countries import COUNTRIES
from .models import Actor, Event, EventType, ReviewState, Source, Status, equal_in_any_case, may_see_unpublished
from .rollup import involving_trees

ORDERINGS = {
    "start": ("start", "id"),
    "-start": ("-start", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "relevance": ("-rank", "id"),
}


# At most this many values of one repeatable parameter (actor, type...): each one is a subquery.
MAX_VALUES = 50
SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
TYPE_PATTERN = r"^[a-z][a-z_]*(?:\.[a-z][a-z_]*)*$"
_DATE = r"[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?"
DATE_PATTERN = f"^{_DATE}$"
# Free text: anything but NUL, which PostgreSQL cannot store or compare.
TEXT_PATTERN = r"^[^\u0000]*$"
# An empty value of these parameters is no filter, as from an HTML form's empty field.
OPTIONAL_DATE_PATTERN = f"^(?:{_DATE})?$"
OPTIONAL_COUNTRY_PATTERN = "^(?:[A-Za-z]{3})?$"


class UtcDateTimeField(IsoDateTimeField):
    """An ISO datetime, turned into UTC: any offset Python reads (up to ±23:59) is then one every
    database takes (PostgreSQL's stop at ±15:59), and a moment beyond year 9999 in UTC is refused."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("out of range: after 9999-12-31T23:59:59Z", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


OPTIONAL_DATETIME = {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]}


def documented(filter_, **schema):
    """The filter, with the OpenAPI schema of one of its values (its help text stays the description)."""
    return extend_schema_field({**schema, "description": filter_.extra["help_text"]})(filter_)


class IdsField(ModelMultipleChoiceField):
    """Ids of stored rows; their number, length and characters are checked before the database is asked.
    Cleaned to the ids, sorted. `stored`, when the form set it (`EventFilterForm.full_clean`), is the set
    of the values that are stored, read with those of the form's other fields in one query."""

    stored = None

    def __init__(self, *args, max_length, **kwargs):
        self.max_length = max_length
        super().__init__(*args, **kwargs)

    def checked(self, value):
        if len(value) > MAX_VALUES:
            raise ValidationError(f"at most {MAX_VALUES} values", code="max_values")
        for item in value:
            ProhibitNullCharactersValidator()(item)
            if len(item) > self.max_length:
                raise ValidationError(
                    "%(value)r... is longer than %(max)d characters",
                    code="max_length",
                    params={"value": item[:20], "max": self.max_length},
                )

    def _check_values(self, value):
        self.checked(value)
        if self.stored is None:
            return sorted(row.pk for row in super()._check_values(value))
        value = frozenset(value)
        for item in value:  # in the order, and with the message, of ModelMultipleChoiceField's check
            if item not in self.stored:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return sorted(value)


def stored_ids(form):
    """{field name: the stored ones of its values} for the form's `IdsField`s, in one query on PostgreSQL
    (the named actors and types: one query each before); {} elsewhere, where each field asks its own."""
    named = {}
    for name, field in form.fields.items():
        if isinstance(field, IdsField):
            values = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
            if isinstance(values, list | tuple) and values:
                try:
                    field.checked(values)
                except ValidationError:
                    continue  # the field's own clean says what is wrong
                named[name] = (field.queryset.model, values)
    database = connections[next(iter(named.values()))[0]._default_manager.db] if named else None
    if database is None or database.vendor != "postgresql":
        return {}
    wanted = {}
    for model, values in named.values():
        wanted.setdefault(model, set()).update(values)
    arms, params = [], []
    for number, (model, values) in enumerate(wanted.items()):
        table, key = model._meta.db_table, model._meta.pk.column
        arms.append(f'SELECT {number}, "{key}" FROM "{table}" WHERE "{key}" = ANY(%s)')
        params.append(sorted(values))
    with database.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(arms), params)
        rows = cursor.fetchall()
    models = list(wanted)
    found = {model: set() for model in models}
    for number, key in rows:
        found[models[number]].add(key)
    return {name: found[model] for name, (model, values) in named.items()}


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdsField


class PartialDateField(forms.CharField):
    """An ISO date, or a year or month standing for its first (`end=False`) or last day."""

    def __init__(self, *args, end=False, **kwargs):
        self.end = end
        super().__init__(*args, strip=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            day, precision = dates.parse_partial_date(value)
        except ValueError as exc:
            # A parameter, not a format: the value may hold a '%'.
            raise ValidationError("%(error)s", params={"error": exc}) from None
        return dates.period_end(day, precision) if self.end else day


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class CountryField(forms.CharField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, strip=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value and value.upper() not in COUNTRIES:
            raise ValidationError(
                "%(value)r is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS')", params={"value": value[:20]}
            )
        return value.upper() if value else value


class CountryFilter(django_filters.Filter):
    field_class = CountryField


class EventFilterForm(forms.Form):
    def full_clean(self):
        if self.is_bound:
            for name, stored in stored_ids(self).items():
                self.fields[name].stored = stored
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError({"date_to": f"{end.isoformat()} is before date_from {start.isoformat()}"})
        return cleaned


def unknown(kind):
    return {"invalid_choice": f"unknown {kind} %(value)s", "invalid_pk_value": f"unknown {kind} %(pk)s"}


# Functions rather than querysets: every request's filter set deep-copies its filters, and copying a
# function is free where copying a queryset cost a few milliseconds a request.
def stored_actors(request):
    return Actor.objects.only("id")


def stored_types(request):
    return EventType.objects.only("code")


def actor_ids(method, help_text):
    """A repeatable actor-id parameter, checked against the stored actors in one query."""
    return documented(
        IdsFilter(
            queryset=stored_actors,
            method=method,
            max_length=100,
            error_messages=unknown("actor"),
            help_text=help_text,
        ),
        type="string",
        pattern=SLUG_PATTERN,
        maxLength=100,
    )


class EventFilter(django_filters.FilterSet):
    actor = actor_ids(
        "filter_actor", "Actor id; repeat for events in which every named actor takes part (AND). Exact: no roll-up."
    )
    actor_tree = actor_ids(
        "filter_actor_tree",
        "Actor id, rolled up: events in which it or any actor below it through `parent` (its government, "
        "ministries, officials, at any depth) takes part; repeat for all of them (AND).",
    )
    initiator = actor_ids("filter_initiator", "Actor id taking part as initiator (repeat: all of them).")
    target = actor_ids("filter_target", "Actor id taking part as target (repeat: all of them).")
    type = documented(
        IdsFilter(
            queryset=stored_types,
            method="filter_type",
            max_length=60,
            error_messages=unknown("type"),
            help_text="Type code, sub-codes included ('sanctions' matches 'sanctions.imposed'); "
            "repeat for any of them (OR).",
        ),
        type="string",
        pattern=TYPE_PATTERN,
        maxLength=60,
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="Status; repeat for any of them (OR)."
    )
    date_from = documented(
        PartialDateFilter(
            method="filter_dates",
            help_text="Events whose span reaches this ISO date or later "
            "(YYYY-MM-DD; YYYY or YYYY-MM mean its first day).",
        ),
        type="string",
        pattern=OPTIONAL_DATE_PATTERN,
        example="2025-02",
    )
    date_to = documented(
        PartialDateFilter(
            method="filter_dates",
            end=True,
            help_text="Events whose span begins on this ISO date or earlier (YYYY or YYYY-MM mean its last day).",
        ),
        type="string",
        pattern=OPTIONAL_DATE_PATTERN,
        example="2025-12-31",
    )
    country = documented(
        CountryFilter(
            method="filter_country",
            help_text="ISO 3166-1 alpha-3 code of a participant's country or of the location (any case).",
        ),
        type="string",
        pattern=OPTIONAL_COUNTRY_PATTERN,
        example="RUS",
    )
    q = documented(
        django_filters.CharFilter(
            method="filter_q",
            max_length=500,
            help_text="Words to find, all of them, in an event's title and summary or in one source quote "
            "(whole words, English stemming, any case, accents ignored).",
        ),
        type="string",
        maxLength=500,
        pattern=TEXT_PATTERN,
    )
    publisher = documented(
        django_filters.CharFilter(
            method="filter_publisher", max_length=200, help_text="Publisher of a source, case-insensitive ('RT')."
        ),
        type="string",
        maxLength=200,
        pattern=TEXT_PATTERN,
    )
    tag = documented(
        django_filters.CharFilter(method="filter_tag", max_length=60, help_text="A tag, e.g. 'air-links'."),
        type="string",
        maxLength=60,
        pattern=TEXT_PATTERN,
    )
    updated_since = documented(
        UtcDateTimeFilter(
            method="filter_updated_since", help_text="ISO datetime: events changed since then, for incremental sync."
        ),
        **OPTIONAL_DATETIME,
    )
    review_state = django_filters.MultipleChoiceFilter(
        choices=ReviewState.choices,
        method="filter_review_state",
        help_text="Review state (staff only; others see published events). Repeat for any of them.",
    )
    ordering = documented(
        django_filters.ChoiceFilter(
            choices=[(key, key) for key in ORDERINGS],
            method="filter_ordering",
            empty_label=None,
            help_text="start (default), -start, updated, -updated, or relevance (with q); ties are broken by id.",
        ),
        type="string",
        enum=[*ORDERINGS, ""],
    )

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        """As FilterSet's, but a filter set bound to data copies, and makes form fields of, only the filters
        the data names: each request copies its filters (deep copies, a few milliseconds for all fifteen),
        and a filter left out filters nothing."""
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        named = (
            self.base_filters if data is None or prefix else {k: f for k, f in self.base_filters.items() if k in data}
        )
        self.filters = copy.deepcopy(named)
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    # The actors' and types' values are their ids (`IdsField`).
    def filter_actor(self, queryset, name, actors):
        return queryset.involving(*actors)

    def filter_actor_tree(self, queryset, name, actors):
        return involving_trees(queryset, *actors)

    def filter_initiator(self, queryset, name, actors):
        for actor in actors:
            queryset = queryset.with_role("initiator", actor)
        return queryset

    def filter_target(self, queryset, name, actors):
        for actor in actors:
            queryset = queryset.with_role("target", actor)
        return queryset

    def filter_type(self, queryset, name, types):
        return queryset.of_type(*types) if types else queryset

    def filter_dates(self, queryset, name, value):
        return queryset.overlapping(**{name: value})

    def filter_country(self, queryset, name, value):
        return queryset.in_country(value)

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_publisher(self, queryset, name, value):
        return queryset.published_by(value)

    def filter_tag(self, queryset, name, value):
        return queryset.tagged(value)

    def filter_updated_since(self, queryset, name, value):
        return queryset.changed_since(value)

    def filter_review_state(self, queryset, name, value):
        if set(value) - {ReviewState.PUBLISHED} and not may_see_unpublished(getattr(self.request, "user", None)):
            raise PermissionDenied({"review_state": ["only curators see unpublished events: log in or send a token"]})
        return queryset.filter(review_state__in=value)

    def filter_ordering(self, queryset, name, value):
        if value == "relevance" and "rank" not in queryset.query.annotations:
            raise DRFValidationError({"ordering": ["relevance orders the matches of q: give q too"]})
        return queryset.order_by(*ORDERINGS[value])


class ActorFilter(django_filters.FilterSet):
    q = documented(
        django_filters.CharFilter(
            method="filter_q", max_length=200, help_text="Part of the name, an alias or the id (case-insensitive)."
        ),
        type="string",
        maxLength=200,
        pattern=TEXT_PATTERN,
    )
    kind = documented(
        django_filters.ChoiceFilter(
            choices=Actor.Kind.choices,
            error_messages={"invalid_choice": f"not one of {', '.join(Actor.Kind.values)}"},
            help_text=f"What sort of actor: {', '.join(Actor.Kind.values)}.",
        ),
        type="string",
        enum=[*Actor.Kind.values, ""],
    )
    country = documented(
        CountryFilter(field_name="country", help_text="ISO 3166-1 alpha-3 code of the actor's state (any case)."),
        type="string",
        pattern=OPTIONAL_COUNTRY_PATTERN,
        example="RUS",
    )

    class Meta:
        model = Actor
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(id__icontains=value) | Q(aliases__icontains=value))


class SourceFilter(django_filters.FilterSet):
    publisher = documented(
        django_filters.CharFilter(
            method="filter_publisher", max_length=200, help_text="Publisher, case-insensitive ('RT')."
        ),
        type="string",
        maxLength=200,
        pattern=TEXT_PATTERN,
    )

    class Meta:
        model = Source
        fields = []

    def filter_publisher(self, queryset, name, value):
        return equal_in_any_case(queryset, "publisher", value)
