"""The admin's event pages: the list, with its filters and exports, the event form and the import."""

import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import smart_split, unescape_string_literal

from ..dataset import DatasetError, Problem, lock_event_id
from ..etags import etag_of
from ..exports import FORMATS, export_filename, streamed
from ..models import (
    Actor,
    Citation,
    Event,
    EventRelation,
    EventTombstone,
    Participant,
    ReviewState,
)
from .base import (
    ActorFilter,
    AddedOnceAdmin,
    CappedCountPaginator,
    CountryFilter,
    PublisherFilter,
    StartYearFilter,
    TypeFamilyFilter,
    VersionedAdmin,
    VersionedForm,
)
from .upload import Preview, import_upload, preview, read_upload

IMPORT_SESSION_KEY = "chancery-import"


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
class EventAdmin(AddedOnceAdmin, VersionedAdmin):
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
        quote (the API's `q`: stemmed, accents ignored, through the search index), or by an actor taking part
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
        """Each selected event checked and moved in a transaction of its own, read under its row's lock:
        an edit in progress is waited for, then checked and kept, never overwritten by the row as the list
        read it."""
        moved, refused = 0, []
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                locked = Event.objects.select_for_update(of=("self",)).filter(pk=pk).select_related("updated_by")
                event = locked.first()
                if event is None:
                    continue  # deleted since the list was shown
                sources = event.citations.count()
                problem = event.review_problem(request.user, new_state) or Event.publication_problem(new_state, sources)
                if problem:
                    refused.append(f"{event.pk}: {problem}")
                    continue
                if event.review_state == new_state:
                    continue
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
