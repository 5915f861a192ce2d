"""The curators' admin: every model, with search, filters, autocomplete, history and the review workflow."""

import datetime
import hashlib
import json
import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, models, router, transaction
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin

from . import curation
from .countries import COUNTRIES
from .dataset import DatasetError, Problem, lock_event_id
from .exports import FORMATS, export_filename, streamed
from .imports import Preview, import_upload, preview, read_upload
from .models import (
    Actor,
    Citation,
    Event,
    EventRelation,
    EventTombstone,
    EventType,
    Participant,
    ReviewState,
    Source,
    Tag,
    source_change_problem,
)
from .restore import RestoreError, restore_event
from .views import etag_of

URL_FIELD = {models.URLField: {"assume_scheme": "https"}}
IMPORT_SESSION_KEY = "chancery-import"


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


# ---------------------------------------------------------------- the event page


class CitationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        problem = Event.publication_problem(self.instance.review_state, len(kept))
        if problem:
            raise ValidationError(problem)


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    autocomplete_fields = ["actor"]


class CitationInline(admin.StackedInline):
    model = Citation
    formset = CitationFormSet
    extra = 0
    autocomplete_fields = ["source", "claimed_by"]


class RelationInline(admin.TabularInline):
    model = EventRelation
    fk_name = "from_event"
    extra = 0
    autocomplete_fields = ["to_event"]
    verbose_name = "related event"


# What readers see of an event, as the page's fields and inlines (by their prefixes) name it.
SHOWN_AS = {
    "location_name": "location",
    "location_country": "location",
    "location_lat": "location",
    "location_lon": "location",
    "citations": "sources",
    "relations": "related",
}


class EventForm(VersionedForm):
    """Checks that the curator may make the change the form asks for (Event.review_problem: the review
    state, and what the save changes with it, inlines included), and that nobody changed the event
    since the form was opened (by the API's ETag: participants, sources, relations and tags included)."""

    request = None  # set by EventAdmin.get_form
    content_changes = ()  # what readers see of the event that the save changes, set by clean()

    def stored(self, lock=False):
        events = Event.objects.with_dataset_relations()
        return (events.select_for_update(of=("self",)) if lock else events).filter(pk=self.instance.pk).first()

    @staticmethod
    def version_of(event):
        return etag_of(event)

    def clean(self):
        cleaned = super().clean()
        if not self.is_stored and cleaned.get("id"):
            # Curators and API clients creating one id at once: each waits here for the one before it to
            # commit, and the uniqueness check that follows (in _post_clean) finds its event.
            lock_event_id(cleaned["id"])
        if self.is_stored:
            changed = [name for name in self.changed_from_stored() if name != "review_state"]
            changed += self.inline_changes()
            self.content_changes = list(dict.fromkeys(SHOWN_AS.get(name, name) for name in changed))
        new_state = cleaned.get("review_state")
        if new_state and self.request is not None:
            # The event as stored, not a history page's past version of it.
            event = self.current if self.is_stored else self.instance
            problem = event.review_problem(self.request.user, new_state, self.content_changes)
            if problem:
                self.add_error("review_state", problem)
        return cleaned

    def inline_changes(self):
        """The prefixes of the inlines (participants, citations, relations) whose rows this save changes."""
        changed = []
        for formset in getattr(self.request, "event_formsets", ()):
            for form in formset.forms:
                # A view-only inline's rows are not sent back: the admin reads them as they are (_create_formsets).
                shown_only = getattr(form, "cleaned_data", None) is form.initial
                if not shown_only and form.has_changed():
                    changed.append(formset.prefix)
                    break
        return changed


@admin.register(Event)
class EventAdmin(VersionedAdmin):
    form = EventForm
    change_list_template = "admin/events/event/change_list.html"
    change_form_template = "admin/events/event/change_form.html"
    list_display = ["title", "type", "status", "start_text", "review_state", "updated_at", "updated_by"]
    list_filter = [
        "review_state",
        TypeFamilyFilter,
        "status",
        ActorFilter,
        CountryFilter,
        PublisherFilter,
        StartYearFilter,
        "start_precision",
    ]
    list_select_related = ["type", "updated_by"]
    search_fields = ["id", "title", "summary", "participants__actor__name", "participants__actor__aliases"]
    autocomplete_fields = ["type", "tags"]
    inlines = [ParticipantInline, CitationInline, RelationInline]
    readonly_fields = [
        "created_at", "created_by", "updated_at", "updated_by",
        "reviewed_at", "reviewed_by", "published_at", "published_by",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["id", "title", "summary", "type", "status", "tags", "version"]}),
        ("Dates", {"fields": [("start", "start_precision"), ("end", "end_precision")]}),
        ("Location", {"fields": ["location_name", "location_country", ("location_lat", "location_lon")]}),
        ("Review", {"fields": ["review_state", ("reviewed_at", "reviewed_by"), ("published_at", "published_by")]}),
        ("Record", {"fields": [("created_at", "created_by"), ("updated_at", "updated_by")]}),
    ]
    actions = ["mark_reviewed", "publish", "return_to_draft", "export_dataset", "export_csv"]
    # A full COUNT(*) of a large table on every page is what makes admin lists slow.
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50

    @admin.display(description="start", ordering="start")
    def start_text(self, event):
        return event.start_text

    def get_search_results(self, request, queryset, search_term):
        """Every word narrows the list: an event matches a word by its id, by its title, summary or a
        quote (the API's `q`: stemmed, through the GIN indexes on PostgreSQL), or by an actor taking part
        whose id, name or alias contains it. Django's own search would join participants and actors and
        compare every event's text with LIKE: 43 s over a million events."""
        for word in smart_split(search_term):
            word = unescape_string_literal(word) if word[:1] in "\"'" else word
            if not re.search(r"\w", word):  # punctuation alone: nothing any text could be searched for
                continue
            actors = Actor.objects.filter(Q(id=word.lower()) | Q(name__icontains=word) | Q(aliases__icontains=word))
            matching = (
                Event.objects.search(word)
                .order_by()
                .values("pk")
                .union(Participant.objects.filter(actor__in=actors.values("pk")).values("event_id"))
            )
            queryset = queryset.filter(Q(pk=word) | Q(pk__in=matching))
        return queryset, False

    # -- more pages: import with preview; possible duplicates beside an event

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="events_event_import"), *super().get_urls()]

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Import events"}
        stored = request.session.get(IMPORT_SESSION_KEY)
        status = 200
        if request.method == "POST" and request.POST.get("confirm") and stored:
            try:
                summary = import_upload(read_upload(stored["name"], stored["data"].encode()), request.user)
            except DatasetError as exc:
                context.update(problems=exc.problems, name=stored["name"])
            else:
                del request.session[IMPORT_SESSION_KEY]
                self.message_user(request, f"{stored['name']} imported: {summary}.", messages.SUCCESS)
                return redirect("admin:events_event_changelist")
        elif request.method == "POST" and request.FILES.get("file"):
            upload = request.FILES["file"]
            if upload.size > settings.MAX_UPLOAD_BYTES:
                limit = f"{settings.MAX_UPLOAD_BYTES / 2**20:g} MB"
                context["problems"] = [Problem("file", "size", f"larger than {limit}: use manage.py import_dataset")]
                status = 413
            else:
                data = upload.read()
                try:
                    result = preview(read_upload(upload.name, data), request.user)
                except DatasetError as exc:
                    result = Preview(problems=exc.problems)
                context.update(preview=result, problems=result.problems, name=upload.name)
                if result.summary:
                    context["preview_rows"] = [
                        (
                            kind,
                            result.summary.created[kind],
                            result.summary.updated[kind],
                            result.summary.unchanged[kind],
                        )
                        for kind in ("events", "actors", "sources")
                    ]
                if not result.problems:
                    request.session[IMPORT_SESSION_KEY] = {"name": upload.name, "data": data.decode("utf-8")}
        return TemplateResponse(request, "admin/events/event/import.html", context, status=status)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self.get_object(request, object_id)
        if event is not None and event.review_state != ReviewState.PUBLISHED:
            actors = event.participants.values_list("actor_id", flat=True)
            extra_context = {**(extra_context or {}), "duplicates": Event.objects.likely_duplicates(event, actors)[:5]}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def _create_formsets(self, request, obj, change):
        # Made before the event's form is validated: EventForm.clean reads what they change.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request.event_formsets = formsets
        return formsets, inline_instances

    def get_readonly_fields(self, request, obj=None):
        # An id is stable forever: set once, when the event is created.
        return [*self.readonly_fields, "id"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        stored = Event.objects.filter(pk=obj.pk).values_list("review_state", flat=True).first() if change else None
        new_state, obj.review_state = obj.review_state, stored or ReviewState.DRAFT
        obj.record_review(request.user, new_state)
        if not change:
            obj.created_by = request.user
        # Its last editor is who last changed what readers see: a review-state change alone records
        # its reviewer or publisher, as the list's actions and the API do (REVIEW_BY_ANOTHER compares it).
        if not change or form.content_changes:
            obj.updated_by = request.user
        obj._history_user = request.user  # as SimpleHistoryAdmin.save_model does
        # A new event is inserted, never Django's UPDATE-then-INSERT of a row whose id is given: an event that
        # an import stored meanwhile under the same id makes the save fail rather than be overwritten.
        obj.save(force_insert=not change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if object_id is not None or request.method != "POST":
                raise
            # An import (which takes no event's lock) stored the same id between the form's check and the
            # save: nothing was saved. Checked again, the form now says that the id is taken.
            return super().changeform_view(request, object_id, form_url, extra_context)

    # -- deleting leaves a tombstone, as the API's DELETE does: mirrors follow it, reviewers can restore

    def get_deleted_objects(self, objs, request):
        # An event's participants, citations and relations go with it: deleting the event is what needs a
        # permission, not each of them (a published event's only citation may not go on its own).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        parts = {str(model._meta.verbose_name) for model in (Participant, Citation, EventRelation)}
        return deleted, counts, perms_needed - parts, protected

    def delete_model(self, request, obj):
        with transaction.atomic():
            # Taken before the delete: the history rows the cascade writes come after it (events/restore.py).
            tombstone = EventTombstone(event_id=obj.pk, deleted_by=request.user)
            obj._history_user = request.user
            obj._change_reason = "admin: deleted"
            obj.delete()
            tombstone.save()

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for event in queryset:
                self.delete_model(request, event)

    # -- bulk actions

    def _move(self, request, queryset, new_state, verb):
        moved, refused = 0, []
        for event in queryset.annotate(sources=Count("citations")).select_related("updated_by"):
            problem = event.review_problem(request.user, new_state) or Event.publication_problem(
                new_state, event.sources
            )
            if problem:
                refused.append(f"{event.pk}: {problem}")
                continue
            if event.review_state == new_state:
                continue
            with transaction.atomic():
                event.record_review(request.user, new_state)
                event._history_user = request.user
                event._change_reason = f"admin: {verb}"
                event.save()
            moved += 1
        if moved:
            self.message_user(request, f"{moved} event(s) {verb}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Mark the selected events reviewed", permissions=["review"])
    def mark_reviewed(self, request, queryset):
        self._move(request, queryset, ReviewState.REVIEWED, "marked reviewed")

    @admin.action(description="Publish the selected events", permissions=["publish"])
    def publish(self, request, queryset):
        self._move(request, queryset, ReviewState.PUBLISHED, "published")

    @admin.action(description="Return the selected events to draft", permissions=["review"])
    def return_to_draft(self, request, queryset):
        self._move(request, queryset, ReviewState.DRAFT, "returned to draft")

    def has_review_permission(self, request):
        return request.user.has_perm("events.review_event")

    def has_publish_permission(self, request):
        return request.user.has_perm("events.publish_event")

    def _export(self, queryset, name):
        export = FORMATS[name]
        response = StreamingHttpResponse(
            streamed(export.stream(queryset.order_by("start", "id")), f"of the admin's selection as {name}"),
            content_type=export.media_type,
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(name)}"'
        return response

    @admin.action(description="Export the selected events as a dataset file (JSON)")
    def export_dataset(self, request, queryset):
        return self._export(queryset, "json")

    @admin.action(description="Export the selected events as CSV")
    def export_csv(self, request, queryset):
        return self._export(queryset, "csv")


# ---------------------------------------------------------------- the other models


@admin.register(Actor)
class ActorAdmin(VersionedAdmin):
    list_display = ["name", "id", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    list_select_related = ["parent"]
    search_fields = ["id", "name", "aliases"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # An id is stable forever: it is set once, when the actor is created.
        return ["id"] if obj else []


@admin.register(EventType)
class EventTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "cameo_code", "goldstein", "plover_type", "plover_mode"]
    search_fields = ["code", "name", "description"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


class SourceForm(VersionedForm):
    """A source's page: what it says is part of every event citing it, so changing it follows the
    review rules of changing those events (source_change_problem)."""

    request = None  # set by SourceAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if self.is_stored and self.current is not None and self.request is not None:
            changed = self.changed_from_stored()
            if changed:
                citing = Event.objects.exclude(review_state=ReviewState.DRAFT).filter(citations__source=self.current)
                events = citing.only("id", "review_state", "updated_by").order_by("id")
                problem = source_change_problem(self.request.user, self.current, changed, events)
                if problem:
                    self.add_error(changed[0], problem)
        return cleaned


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    form = SourceForm
    list_display = ["title", "publisher", "published", "url", "propose_link"]
    list_filter = ["publisher", "language"]
    search_fields = ["url", "title", "publisher"]
    date_hierarchy = "published"
    formfield_overrides = URL_FIELD
    show_full_result_count = False
    paginator = CappedCountPaginator
    change_list_template = "admin/events/source/change_list.html"
    change_form_template = "admin/events/source/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_urls(self):
        view = self.admin_site.admin_view(self.from_article_view)
        return [path("from-article/", view, name="events_source_from_article"), *super().get_urls()]

    def from_article_view(self, request):
        """Propose events from an article, correct them, save them as drafts or as citations (events.curation)."""
        if not request.user.has_perm("events.add_event"):
            raise PermissionDenied
        step = curation.article_step(request)
        if step.saved is not None:
            self.message_user(request, step.saved.message(), messages.SUCCESS)
            return redirect(step.saved.result_url())
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Events from an article"}
        return TemplateResponse(request, "admin/events/source/from_article.html", {**context, **step.context})

    @admin.display(description="proposals")
    def propose_link(self, source):
        return format_html('<a href="{}">Propose events</a>', curation.propose_url(source))


class EventPartForm(forms.ModelForm):
    """A participant, citation or relation on its own page: its event's review rules hold here too."""

    request = None  # set by EventPartAdmin.get_form
    event_field = "event"
    part = "participants"  # what readers see of the event that the part is

    def clean(self):
        cleaned = super().clean()
        # The event it belongs to now (as stored, before _post_clean), and the one it is moved to.
        events = [getattr(self.instance, self.event_field) if self.instance.pk else None, cleaned.get(self.event_field)]
        # Compared with the stored row, not with the version the form was opened on (a history page's).
        stored = self._meta.model._default_manager.filter(pk=self.instance.pk).first() if self.instance.pk else None
        edits = stored is None or type(self)(self.data, self.files, instance=stored).has_changed()
        changed = (self.part,) if edits else ()
        for event in {event for event in events if event is not None}:
            problem = event.review_problem(self.request.user, event.review_state, changed)
            if problem:
                raise ValidationError(f"{event.pk}: {problem}")
        return cleaned


class EventPartAdmin(SimpleHistoryAdmin):
    """Participants, citations and relations are part of an event: changing one changes the event, under
    the rules of the event's page (Event.review_problem). Editors change those of drafts only; with
    REVIEW_BY_ANOTHER, those of a reviewed or published event are a superuser's (their pages are read-only
    to the others), and another reviewer's once the event is returned to draft."""

    form = EventPartForm
    event_field = "event"
    part = "participants"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request, "event_field": self.event_field, "part": self.part})

    def _event_is_closed_to(self, request, obj):
        event = getattr(obj, self.event_field)
        return event.review_problem(request.user, event.review_state, (self.part,)) is not None

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not self._event_is_closed_to(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not self._event_is_closed_to(request, obj))


@admin.register(Citation)
class CitationAdmin(EventPartAdmin):
    part = "sources"
    list_display = ["event", "source", "claimed_by"]
    list_select_related = ["event", "source", "claimed_by"]
    list_filter = ["source__publisher"]
    search_fields = ["quote", "event__title", "source__url", "source__title"]
    autocomplete_fields = ["event", "source", "claimed_by"]
    show_full_result_count = False
    paginator = CappedCountPaginator

    def has_delete_permission(self, request, obj=None):
        # A published event keeps at least one source (Event.publication_problem).
        allowed = super().has_delete_permission(request, obj)
        return allowed and (
            obj is None or not Event.publication_problem(obj.event.review_state, obj.event.citations.count() - 1)
        )


@admin.register(Participant)
class ParticipantAdmin(EventPartAdmin):
    list_display = ["event", "actor", "role"]
    list_select_related = ["event", "actor"]
    list_filter = ["role"]
    search_fields = ["event__title", "actor__name"]
    autocomplete_fields = ["event", "actor"]
    show_full_result_count = False
    paginator = CappedCountPaginator


@admin.register(EventRelation)
class EventRelationAdmin(EventPartAdmin):
    event_field = "from_event"
    part = "related"
    list_display = ["from_event", "relation", "to_event"]
    list_select_related = ["from_event", "to_event"]
    list_filter = ["relation"]
    search_fields = ["from_event__title", "to_event__title"]
    autocomplete_fields = ["from_event", "to_event"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["slug"]


@admin.register(EventTombstone)
class EventTombstoneAdmin(admin.ModelAdmin):
    """The deleted events: what mirrors are told to delete, and what reviewers can restore."""

    list_display = ["event_id", "deleted_at", "deleted_by"]
    list_select_related = ["deleted_by"]
    search_fields = ["event_id"]
    date_hierarchy = "deleted_at"
    actions = ["restore"]
    change_form_template = "admin/events/eventtombstone/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_restore_permission(self, request, obj=None):
        return request.user.has_perm("events.restore_event")

    def get_urls(self):
        view = self.admin_site.admin_view(self.restore_view)
        return [path("<path:object_id>/restore/", view, name="events_eventtombstone_restore"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_restore": self.has_restore_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def restore_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_restore_permission(request):
            raise PermissionDenied
        tombstone = get_object_or_404(EventTombstone, pk=object_id)
        if self._restore(request, tombstone.event_id):
            return redirect("admin:events_event_change", tombstone.event_id)
        return redirect("admin:events_eventtombstone_change", tombstone.pk)

    @admin.action(description="Restore the selected deleted events", permissions=["restore"])
    def restore(self, request, queryset):
        for event_id in sorted(set(queryset.values_list("event_id", flat=True))):
            self._restore(request, event_id)

    def _restore(self, request, event_id):
        try:
            restored = restore_event(event_id, request.user)
        except RestoreError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return False
        self.message_user(request, restored.summary(), messages.SUCCESS)
        for note in restored.left_out:
            self.message_user(request, f"{event_id}: {note}", messages.WARNING)
        return True
