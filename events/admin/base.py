"""What every page of the curators' admin shares: no silent overwrite, the list filters, a capped count."""

import datetime
import hashlib
import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, models, router, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

from ..countries import COUNTRIES
from ..models import (
    Actor,
    Event,
    EventType,
)

URL_FIELD = {models.URLField: {"assume_scheme": "https"}}


# ---------------------------------------------------------------- no silent overwrite


class VersionedForm(forms.ModelForm):
    """A change form that carries the version of the object it was opened on, and refuses to save
    over a change made since: in another tab, through the API or by an import.

    The check runs inside the admin's transaction, on the locked row, so that no change can land
    between it and the save; an invalid form saves nothing, inlines included.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    current = None  # the stored object, as clean() read it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_stored and not self.is_bound:
            # From the stored row, not from the instance: a history page's form holds an old version.
            self.fields["version"].initial = self.version_of(self.stored())

    @property
    def is_stored(self):
        return self.instance.pk is not None and not self.instance._state.adding

    def stored(self, lock=False):
        queryset = self._meta.model._default_manager.all()
        return (queryset.select_for_update() if lock else queryset).filter(pk=self.instance.pk).first()

    def lock(self):
        """Whether to lock the row: the change page saves in a transaction; a history page's revert does not."""
        return transaction.get_connection(router.db_for_write(self._meta.model)).in_atomic_block

    @staticmethod
    def version_of(obj):
        """A validator of the stored fields (the history tables record every change of them)."""
        values = {field.attname: field.value_to_string(obj) for field in obj._meta.concrete_fields}
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:32]

    def clean(self):
        cleaned = super().clean()
        if not self.is_stored:
            return cleaned
        current = self.current = self.stored(lock=self.lock())
        if current is not None and cleaned.get("version") != self.version_of(current):
            raise ValidationError(self.conflict_message(current), code="conflict")
        return cleaned

    def changed_from_stored(self):
        """The fields this form changes in the stored object (`current`, read by clean()): not
        `changed_data`, which compares with the version the form was opened on (a history page's)."""
        if self.current is None:
            return list(self.fields)
        stored = type(self)(self.data, self.files, instance=self.current)
        return [name for name in stored.changed_data if name != "version"]

    def conflict_message(self, current):
        name = self._meta.model._meta.verbose_name
        if not self.cleaned_data.get("version"):
            return (
                f"This form does not say which version of the {name} it was opened on: nothing was saved. "
                f"Open the {name} again."
            )
        last = current.history.order_by("-history_date", "-history_id").first()
        if last is None:
            change = "changed"
        else:
            who = last.history_user.get_username() if last.history_user else "someone (no user recorded)"
            when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M:%S %Z")
            how = f", {last.history_change_reason}" if last.history_change_reason else ""
            change = f"changed by {who} on {when}{how},"
        return (
            f"This {name} was {change} after you opened it: nothing was saved. "
            f"Open the {name} again to see that change, then make yours."
        )


class VersionedAdmin(SimpleHistoryAdmin):
    """Change forms that never silently overwrite a change made since they were opened (VersionedForm)."""

    form = VersionedForm


class AddedOnceAdmin(admin.ModelAdmin):
    """An add form whose object's id is given: saved with an INSERT (its `save_model` passes `force_insert`),
    which fails when a writer that takes no lock stored the same id between the form's check and the save.
    Nothing was saved then; the form is checked again and says that the id is taken."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if object_id is not None or request.method != "POST":
                raise
            return super().changeform_view(request, object_id, form_url, extra_context)


# ---------------------------------------------------------------- list filters


class TypeFamilyFilter(admin.SimpleListFilter):
    title = "type family"
    parameter_name = "family"

    def lookups(self, request, model_admin):
        return [(t.code, t.name) for t in EventType.objects.exclude(code__contains=".").order_by("code")]

    def queryset(self, request, queryset):
        return queryset.of_type(self.value()) if self.value() else queryset


class InputFilter(admin.SimpleListFilter):
    """A text box rather than a list of choices: there are too many actors and publishers to list."""

    template = "admin/events/input_filter.html"
    placeholder = ""

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True

    def choices(self, changelist):
        others = changelist.get_filters_params()
        others.pop(self.parameter_name, None)
        yield {
            "value": self.value(),
            "other_params": [(name, value) for name, values in others.items() for value in values],
        }


class ActorFilter(InputFilter):
    title = "actor id"
    parameter_name = "actor"
    placeholder = "russia"

    def queryset(self, request, queryset):
        return queryset.involving(self.value().strip()) if self.value() else queryset


class PublisherFilter(InputFilter):
    title = "publisher"
    parameter_name = "publisher"
    placeholder = "RT"

    def queryset(self, request, queryset):
        return queryset.published_by(self.value().strip()) if self.value() else queryset


class StartYearFilter(admin.SimpleListFilter):
    """The years events start in, from the first and last start: two index reads.

    Django's date_hierarchy lists the years present with SELECT DISTINCT over the
    whole (filtered) table: most of a second per page at a million events.
    """

    title = "start year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        first = Event.objects.order_by("start").values_list("start", flat=True).first()
        last = Event.objects.order_by("-start").values_list("start", flat=True).first()
        if first is None:
            return []
        return [(str(year), str(year)) for year in range(last.year, first.year - 1, -1)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            year = int(self.value())
            return queryset.filter(start__gte=datetime.date(year, 1, 1), start__lte=datetime.date(year, 12, 31))
        except ValueError:
            return queryset.none()


class CountryFilter(admin.SimpleListFilter):
    title = "country (participant or location)"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        # From the actors (a small table): a location's country is nearly always an actor's too.
        codes = Actor.objects.exclude(country="").order_by("country").values_list("country", flat=True).distinct()
        return [(code, f"{COUNTRIES.get(code, code)} ({code})") for code in sorted(codes)]

    def queryset(self, request, queryset):
        return queryset.in_country(self.value()) if self.value() else queryset


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows: exact for narrow lists, "more than CAP" for the whole table.

    A full COUNT(*) of a million events is what makes admin lists slow; counting
    through `LIMIT CAP` reads at most CAP index entries.
    """

    CAP = 10_000

    @cached_property
    def count(self):
        # Unordered: the order of the rows does not change their number, and without it PostgreSQL may
        # count them the cheapest way rather than walking the list's index (2.5x faster on a filtered list).
        return self.object_list.order_by()[: self.CAP].count()
