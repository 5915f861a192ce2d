"""The curators' admin: every model, with search, filters, autocomplete and history."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import Actor, Citation, Event, EventRelation, EventTombstone, EventType, Participant, Source, Tag

URL_FIELD = {models.URLField: {"assume_scheme": "https"}}


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    autocomplete_fields = ["actor"]


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source", "claimed_by"]


class RelationInline(admin.TabularInline):
    model = EventRelation
    fk_name = "from_event"
    extra = 0
    autocomplete_fields = ["to_event"]
    verbose_name = "related event"


@admin.register(Actor)
class ActorAdmin(SimpleHistoryAdmin):
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


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "type", "status", "start_text", "review_state", "updated_at"]
    list_filter = ["review_state", "status", "type", "start_precision"]
    list_select_related = ["type"]
    search_fields = ["id", "title", "summary", "participants__actor__name"]
    date_hierarchy = "start"
    autocomplete_fields = ["type", "tags"]
    inlines = [ParticipantInline, CitationInline, RelationInline]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["id", "title", "summary", "type", "status", "tags", "review_state"]}),
        ("Dates", {"fields": [("start", "start_precision"), ("end", "end_precision")]}),
        ("Location", {"fields": ["location_name", "location_country", ("location_lat", "location_lon")]}),
        ("Record", {"fields": [("created_at", "created_by"), ("updated_at", "updated_by")]}),
    ]

    @admin.display(description="start", ordering="start")
    def start_text(self, event):
        return event.start_text

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "id"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published", "url"]
    list_filter = ["publisher", "language"]
    search_fields = ["url", "title", "publisher"]
    date_hierarchy = "published"
    formfield_overrides = URL_FIELD


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["event", "source", "claimed_by"]
    list_select_related = ["event", "source", "claimed_by"]
    list_filter = ["source__publisher"]
    search_fields = ["quote", "event__title", "source__url", "source__title"]
    autocomplete_fields = ["event", "source", "claimed_by"]


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["event", "actor", "role"]
    list_select_related = ["event", "actor"]
    list_filter = ["role"]
    search_fields = ["event__title", "actor__name"]
    autocomplete_fields = ["event", "actor"]


@admin.register(EventRelation)
class EventRelationAdmin(SimpleHistoryAdmin):
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
    list_display = ["event_id", "deleted_at", "deleted_by"]
    list_select_related = ["deleted_by"]
    search_fields = ["event_id"]
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
