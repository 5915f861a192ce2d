"""The admin's other pages: actors, event types, sources (with article curation), an event's parts, tags, tombstones."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .. import curation
from ..dataset import wait_for_other_imports
from ..dataset.review import showing_actor, shown_change_problem
from ..models import (
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
from ..restore import RestoreError, restore_event
from .base import URL_FIELD, AddedOnceAdmin, CappedCountPaginator, VersionedAdmin, VersionedForm


class ShownByEvents:
    """A form of an actor or event type whose `SHOWN` fields published events show: a change of them
    follows the review rules of changing those events (shown_change_problem).

    The check holds until the save commits: the events that show the object are locked (a draft among
    them is not published meanwhile), then the object itself (no event takes it up meanwhile). Events
    first, in id order, then the object: the order in which a write of an event takes them."""

    SHOWN = ()
    request = None  # set by the admin's get_form

    def showing(self, pk):
        raise NotImplementedError

    def label(self, stored):
        raise NotImplementedError

    def stored_object(self):
        return self._meta.model._default_manager.filter(pk=self.instance.pk).first()

    def shown_changes(self, stored):
        """The SHOWN fields this form changes in `stored`: compared with the stored row, not with the
        version the form was opened on (a history page's revert)."""
        if stored is None:
            return []
        return [name for name in type(self)(self.data, self.files, instance=stored).changed_data if name in self.SHOWN]

    def lock_showing(self):
        """Lock the events showing the object, then the object, when this save may change what they show."""
        model = self._meta.model
        if self.request is None or self.request.user.is_superuser or self.instance._state.adding:
            return False
        if not transaction.get_connection(router.db_for_write(model)).in_atomic_block:
            return False  # a history page's revert: no transaction to hold the locks in
        if not self.shown_changes(self.stored_object()):
            return False
        self.lock_events(self.instance.pk)
        model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        return True

    def lock_events(self, pk):
        events = self.showing(pk).select_for_update(of=("self",)).order_by("id")
        list(events.values_list("id", flat=True))

    def check_shown_changes(self):
        """After the locks: refuse a change of what reviewed or published events show, as their rules say."""
        if self.request is None or self.instance._state.adding:
            return
        stored = self.stored_object()
        changed = [name for name in self.shown_changes(stored) if name in self.cleaned_data]
        if not changed:
            return
        if self.locked:
            # Locked again: an event that took the object up between the two locks is locked now.
            self.lock_events(stored.pk)
        problem = shown_change_problem(self.request.user, self.label(stored), changed, self.showing(stored.pk))
        if problem:
            self.add_error(changed[0], problem)


class DeletesOnlyUnused:
    """An admin of rows that others PROTECT (actors, sources): the rows are locked before Django's check that
    nothing uses them, and held until the delete commits. Otherwise a write that takes one up between the
    check and the DELETE makes the delete fail at its commit, on the foreign key, with a 500; locked, that
    write waits, and finds the row gone."""

    def lock_for_delete(self, pks):
        rows = self.model._default_manager.select_for_update().filter(pk__in=list(pks)).order_by("pk")
        list(rows.values_list("pk", flat=True))

    def get_deleted_objects(self, objs, request):
        if request.method == "POST" and transaction.get_connection(router.db_for_write(self.model)).in_atomic_block:
            self.lock_for_delete(obj.pk for obj in objs)
        return super().get_deleted_objects(objs, request)

    def response_action(self, request, queryset):
        # The list's "delete selected" checks and deletes outside the view's transaction: one of its own.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)


class ActorForm(ShownByEvents, VersionedForm):
    """An actor's page. A new actor is checked and inserted under the import lock: curators adding one id
    at once, or an import storing it meanwhile, wait for the one before them to commit, and are told that
    the id is taken, never a 500 and never a write over theirs. A rename follows the review rules of the
    events that show the actor (ShownByEvents)."""

    SHOWN = ("name",)

    def showing(self, pk):
        return showing_actor(pk)

    def label(self, stored):
        return f"The actor {stored.pk!r} ({stored.name})"

    def clean(self):
        self.locked = self.lock_showing()
        cleaned = super().clean()
        self.check_shown_changes()
        actor_id = cleaned.get("id")
        if not self.is_stored and actor_id:
            # Imports create actors under this lock too (wait_for_other_imports); held until the admin's
            # transaction commits the new actor.
            wait_for_other_imports()
            stored = Actor.objects.filter(pk=actor_id).first()
            if stored is not None:
                said = f"The actor {actor_id!r} exists already: {stored.name}."
                self.add_error("id", f"{said} Open it to change it, or choose another id.")
        return cleaned


@admin.register(Actor)
class ActorAdmin(DeletesOnlyUnused, AddedOnceAdmin, VersionedAdmin):
    form = ActorForm
    list_display = ["name", "id", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    list_select_related = ["parent"]
    search_fields = ["id", "name", "aliases"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # An id is stable forever: it is set once, when the actor is created.
        return ["id"] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        # A new actor is inserted, never Django's UPDATE-then-INSERT of a row whose id is given: a writer that
        # takes no lock and stores the id meanwhile makes the save fail rather than be overwritten.
        obj._history_user = request.user
        obj.save(force_insert=not change)


class EventTypeForm(ShownByEvents, forms.ModelForm):
    """An event type's page: a change of what events show of it (its name, its codes in the CSV) follows
    the review rules of the events of that type (ShownByEvents)."""

    SHOWN = ("name", "cameo_code", "goldstein", "plover_type", "plover_mode")

    def showing(self, pk):
        return Event.objects.filter(type=pk)

    def label(self, stored):
        return f"The event type {stored.pk!r} ({stored.name})"

    def clean(self):
        self.locked = self.lock_showing()
        cleaned = super().clean()
        self.check_shown_changes()
        return cleaned


@admin.register(EventType)
class EventTypeAdmin(SimpleHistoryAdmin):
    form = EventTypeForm
    list_display = ["code", "name", "cameo_code", "goldstein", "plover_type", "plover_mode"]
    search_fields = ["code", "name", "description"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})


class SourceForm(VersionedForm):
    """A source's page: what it says is part of every event citing it, so changing it follows the
    review rules of changing those events (source_change_problem)."""

    request = None  # set by SourceAdmin.get_form

    def citing(self, lock):
        events = Event.objects.filter(citations__source=self.instance.pk).order_by("id")
        return events.select_for_update(of=("self",)) if lock else events

    def clean(self):
        lock = self.is_stored and self.lock()
        if lock:
            # The check below holds until the save commits: the events citing the source are locked (a draft
            # among them is not published meanwhile), then the source (VersionedForm.clean; no event cites it
            # anew meanwhile). Events first, in id order, then the source: the order in which a write of an
            # event that cites the source takes them.
            list(self.citing(lock).values_list("id", flat=True))
        cleaned = super().clean()
        if self.is_stored and self.current is not None and self.request is not None:
            changed = self.changed_from_stored()
            if changed:
                # Locked again: an event that cited the source between the two locks is locked now.
                citing = self.citing(lock).exclude(review_state=ReviewState.DRAFT)
                events = citing.only("id", "review_state", "updated_by")
                problem = source_change_problem(self.request.user, self.current, changed, events)
                if problem:
                    self.add_error(changed[0], problem)
        return cleaned


@admin.register(Source)
class SourceAdmin(DeletesOnlyUnused, VersionedAdmin):
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
