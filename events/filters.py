"""The query grammar of /api/v1/events/, the timeline and the exports, declared once.

Every filter calls a verb of `EventQuerySet`; every bad value is a 400 whose
body names the parameter (docs/api.md lists them all).
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from rest_framework.exceptions import PermissionDenied

from . import dates
from .countries import COUNTRIES
from .models import Actor, Event, EventType, ReviewState, Status

ORDERINGS = {
    "start": ("start", "id"),
    "-start": ("-start", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


class PartialDateField(forms.CharField):
    """An ISO date, or a year or month standing for its first (`end=False`) or last day."""

    def __init__(self, *args, end=False, **kwargs):
        self.end = end
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            day, precision = dates.parse_partial_date(value)
        except ValueError as exc:
            raise ValidationError(f"{exc}") from None
        return dates.period_end(day, precision) if self.end else day


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class CountryField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value and value.upper() not in COUNTRIES:
            raise ValidationError(f"{value[:20]!r} is not an ISO 3166-1 alpha-3 country code (e.g. 'RUS')")
        return value.upper() if value else value


class CountryFilter(django_filters.Filter):
    field_class = CountryField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError({"date_to": f"{end.isoformat()} is before date_from {start.isoformat()}"})
        return cleaned


def unknown(kind):
    return {"invalid_choice": f"unknown {kind} %(value)s", "invalid_pk_value": f"unknown {kind} %(pk)s"}


class EventFilter(django_filters.FilterSet):
    actor = django_filters.ModelMultipleChoiceFilter(
        queryset=Actor.objects.only("id"),
        method="filter_actor",
        error_messages=unknown("actor"),
        help_text="Actor id; repeat for events in which every named actor takes part (AND). Exact: no roll-up.",
    )
    initiator = django_filters.ModelMultipleChoiceFilter(
        queryset=Actor.objects.only("id"),
        method="filter_initiator",
        error_messages=unknown("actor"),
        help_text="Actor id taking part as initiator (repeat: all of them).",
    )
    target = django_filters.ModelMultipleChoiceFilter(
        queryset=Actor.objects.only("id"),
        method="filter_target",
        error_messages=unknown("actor"),
        help_text="Actor id taking part as target (repeat: all of them).",
    )
    type = django_filters.ModelMultipleChoiceFilter(
        queryset=EventType.objects.only("code"),
        method="filter_type",
        error_messages=unknown("type"),
        help_text="Type code, sub-codes included ('sanctions' matches 'sanctions.imposed'); repeat for any of them (OR).",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="Status; repeat for any of them (OR)."
    )
    date_from = PartialDateFilter(
        method="filter_dates",
        help_text="Events whose span reaches this ISO date or later (YYYY-MM-DD; YYYY or YYYY-MM mean its first day).",
    )
    date_to = PartialDateFilter(
        method="filter_dates",
        end=True,
        help_text="Events whose span begins on this ISO date or earlier (YYYY or YYYY-MM mean its last day).",
    )
    country = CountryFilter(
        method="filter_country", help_text="ISO 3166-1 alpha-3 code of a participant's country or of the location."
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=500,
        help_text="Words to find in titles, summaries and source quotes (whole words; English stemming on PostgreSQL).",
    )
    publisher = django_filters.CharFilter(
        method="filter_publisher", max_length=200, help_text="Publisher of a source, case-insensitive ('RT')."
    )
    tag = django_filters.CharFilter(method="filter_tag", max_length=60, help_text="A tag, e.g. 'air-links'.")
    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since", help_text="ISO datetime: events changed since then, for incremental sync."
    )
    review_state = django_filters.MultipleChoiceFilter(
        choices=ReviewState.choices,
        method="filter_review_state",
        help_text="Review state (staff only; others see published events). Repeat for any of them.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="filter_ordering",
        empty_label=None,
        help_text="start (default), -start, updated or -updated; ties are broken by id.",
    )

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def filter_actor(self, queryset, name, actors):
        return queryset.involving(*(a.pk for a in actors))

    def filter_initiator(self, queryset, name, actors):
        for actor in actors:
            queryset = queryset.with_role("initiator", actor.pk)
        return queryset

    def filter_target(self, queryset, name, actors):
        for actor in actors:
            queryset = queryset.with_role("target", actor.pk)
        return queryset

    def filter_type(self, queryset, name, types):
        return queryset.of_type(*(t.pk for t in types)) if types else queryset

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
        user = getattr(self.request, "user", None)
        if set(value) - {ReviewState.PUBLISHED} and not (user and user.is_staff):
            raise PermissionDenied({"review_state": ["only staff see unpublished events: log in or send a token"]})
        return queryset.filter(review_state__in=value)

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS[value])
