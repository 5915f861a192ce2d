"""The REST API under /api/v1/ (docs/api.md). Views pick a queryset verb, a filter set and a format."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, ProtectedError
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import dates
from ..asof import events_then, visible_then
from ..dataset import DatasetError, WriteConflict, event_to_dict, lock_event_id, save_dataset
from ..dataset.review import review_problems
from ..etags import etag_of, matches
from ..exports import FORMATS, export_filename, streamed
from ..facets import DEFAULT_SIZE as DEFAULT_FACET_SIZE
from ..facets import FACETS
from ..facets import MAX_SIZE as MAX_FACET_SIZE
from ..facets import facets as count_facets
from ..facets import requested as requested_facets
from ..filters import (
    OPTIONAL_DATETIME,
    SLUG_PATTERN,
    ActorFilter,
    EventFilter,
    SourceFilter,
    UtcDateTimeField,
)
from ..models import Actor, Citation, Event, EventTombstone, EventType, Source, may_see_unpublished
from .feed import MAX_ENTRIES as MAX_FEED_ENTRIES
from .feed import MEDIA_TYPE as FEED_MEDIA_TYPE
from .feed import FirstRenderer, atom_response, entries_wanted
from .fields import with_api_fields
from .pagination import KeysetPagination, page_size_from
from .params import EventFilterBackend, StrictParameters, as_of, flag, names_a_filter
from .parsers import JSONParser
from .relations import actors_named, interval_of, relations_index
from .rendering import event_text, event_texts, for_splicing, splices, texts_then
from .schema import (
    ACTOR_ID,
    AS_OF,
    AS_OF_HEADER,
    BAD_PARAMETERS,
    COUNT,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    ETAG,
    EVENT_ID,
    FILTERED_ERRORS,
    IF_MATCH,
    IF_NONE_MATCH,
    IN_USE,
    LIST_ERRORS,
    LOCATION,
    TYPE_CODE,
    WHOLE_LIST_PAGE_SIZE,
    WRITE_ERRORS,
)
from .serializers import (
    ActorSerializer,
    EventReplacementSerializer,
    EventSerializer,
    EventTypeSerializer,
    FacetsSerializer,
    RelationsSerializer,
    SourceSerializer,
    TimelineSerializer,
    TombstoneSerializer,
)


def versions_for(request, moment):
    """The events' versions at `moment` the user may see, in chronological order, for the event filters."""
    return visible_then(moment, request.user).order_by("start", "id")


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "the request conflicts with the stored data"


class PreconditionFailed(Exception):
    pass


@extend_schema_view(
    list=extend_schema(
        summary="Events, filtered, in chronological order",
        parameters=[COUNT, AS_OF],
        responses={200: EventSerializer, **FILTERED_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One event in the dataset shape (with an ETag)",
        parameters=[EVENT_ID, AS_OF, IF_NONE_MATCH, ETAG],
        responses={
            200: EventSerializer,
            304: OpenApiResponse(description="Not modified."),
            **DETAIL_ERRORS,
            400: BAD_PARAMETERS,
        },
    ),
    create=extend_schema(
        summary="Create an event",
        parameters=[ETAG, LOCATION],
        responses={201: EventSerializer, **CREATE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an event (If-Match: its ETag)",
        parameters=[EVENT_ID, IF_MATCH, ETAG],
        request=EventReplacementSerializer,
        responses={200: EventSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an event (If-Match: its ETag)",
        parameters=[EVENT_ID, IF_MATCH, ETAG],
        examples=[OpenApiExample("Postponed", value={"status": "postponed"}, request_only=True)],
        responses={200: EventSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete an event, leaving a tombstone (If-Match: its ETag)",
        parameters=[EVENT_ID, IF_MATCH],
        responses={204: OpenApiResponse(description="Deleted."), **WRITE_ERRORS, 409: IN_USE},
    ),
)
class EventViewSet(StrictParameters, viewsets.ModelViewSet):
    serializer_class = EventSerializer
    # An event is a JSON document (nested lists and objects): no form encoding of it.
    parser_classes = [JSONParser]
    filter_backends = [EventFilterBackend]
    filterset_class = EventFilter
    pagination_class = KeysetPagination
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        events = Event.objects.visible_to(self.request.user).with_documents().chronological()
        return with_api_fields(events, may_see_unpublished(self.request.user))

    # -- reading

    def list(self, request, *args, **kwargs):
        counted = flag(request, "count")
        moment = as_of(request)
        if moment is not None:
            return self._list_as_of(request, moment, counted)
        events = self.filter_queryset(self.get_queryset())
        events = for_splicing(events, request, prepare=not names_a_filter(request, self))
        page = self.paginate_queryset(events)
        texts = event_texts(page) if splices(request) else None  # the database's JSON, as it wrote it
        response = self.get_paginated_response(self.get_serializer(page, many=True).data if texts is None else texts)
        if counted:
            # One query more, asked for: counting a million matches is the price of the number.
            response.data = {"count": events.order_by().count(), **response.data}
        return response

    def _list_as_of(self, request, moment, counted):
        versions = self.filter_queryset(versions_for(request, moment))
        page = self.paginate_queryset(versions)
        texts = texts_then(versions, page, request)  # the database's JSON, as it wrote it
        if texts is None:
            texts = self.get_serializer(events_then(page, moment, versions.hides_unpublished), many=True).data
        response = self.get_paginated_response(texts)
        if counted:
            response.data = {"count": versions.order_by().count(), **response.data}
        return response

    def filter_queryset(self, queryset):
        # The list's filters narrow lists: an event's own address answers with the event, whatever they say.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)

    def retrieve(self, request, *args, **kwargs):
        moment = as_of(request)
        if moment is not None:
            # A version of the past never changes: no ETag to revalidate against.
            versions = visible_then(moment, request.user).filter(id=self.kwargs["pk"])
            found = list(versions)
            if not found:
                raise NotFound(f"no event {self.kwargs['pk'][:100]!r} you may see at {moment.isoformat()}")
            texts = texts_then(versions, found, request)
            if texts is not None:
                return Response(texts[0])
            return Response(self.get_serializer(events_then(found, moment, versions.hides_unpublished)[0]).data)
        # A row of the event's JSON texts to splice (`for_splicing`), else the event for the serializer.
        event = get_object_or_404(for_splicing(self.get_queryset(), request, prepare=True), pk=self.kwargs["pk"])
        self.check_object_permissions(request, event)
        validator = etag_of(event)
        if matches(request.headers.get("If-None-Match", ""), validator):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": validator})
        text = event_text(event) if splices(request) else None
        return Response(self.get_serializer(event).data if text is None else text, headers={"ETag": validator})

    # -- writing: one transaction, the dataset reader's rules, If-Match against the locked row

    def create(self, request, *args, **kwargs):
        return self._save(request, self._body(request), current=None, created=True)

    def update(self, request, *args, partial=False, **kwargs):
        body = self._body(request)
        pk = self.kwargs["pk"]
        if "id" in body and body["id"] != pk:
            raise ValidationError({"id": ["an event's id never changes"]})
        return self._save(request, body, current=pk, partial=partial)

    def destroy(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                event = self._locked(self.kwargs["pk"])
                tombstone = EventTombstone(event_id=event.pk, deleted_by=request.user)
                try:
                    event.delete()
                except ProtectedError as exc:
                    pointing = sorted({relation.from_event_id for relation in exc.protected_objects})
                    raise Conflict(
                        {"related": [f"events {', '.join(pointing)} relate to this one: remove those relations first"]}
                    ) from None
                tombstone.save()
        except PreconditionFailed as exc:
            return self._stale(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _body(self, request):
        data = request.data
        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["expected a JSON object (an event)"]})
        return dict(data)

    def _locked(self, pk):
        """The event, locked for the transaction, after checking If-Match against it."""
        event = get_object_or_404(self.get_queryset().select_for_update(of=("self",)), pk=pk)
        if_match = self.request.headers.get("If-Match")
        if if_match:
            current = etag_of(event)
            if not matches(if_match, current):
                raise PreconditionFailed(current)
        return event

    def _save(self, request, record, current, created=False, partial=False):
        try:
            with transaction.atomic():
                if current is not None:
                    event = self._locked(current)
                    record = {**event_to_dict(event), **record} if partial else record
                    record["id"] = current
                serializer = self.get_serializer(data=record)
                serializer.is_valid(raise_exception=True)
                if created:
                    # Clients creating one id at once: each waits here for the one before it to commit,
                    # then finds its event. A POST never overwrites.
                    lock_event_id(record["id"])
                    if Event.objects.filter(pk=record["id"]).exists():
                        raise Conflict(self._exists(record["id"]))
                reader = serializer.validated_data
                try:
                    review_problems(reader, request.user)
                except DatasetError as exc:
                    refused = {}
                    for problem in exc.problems:
                        refused.setdefault(problem.field, []).append(problem.message)
                    raise PermissionDenied(refused) from None
                summary = save_dataset(reader, user=request.user, reason=f"API {request.method}")
                if created and not summary.created["events"]:
                    # An import, which takes no event's lock, stored the id while this write waited for one
                    # of its rows: the writer found it stored and would have updated it.
                    raise Conflict(self._exists(record["id"]))
                # Read back before the commit: if the database fails now, nothing is stored
                # and the client's 503 tells the truth.
                events = with_api_fields(Event.objects.with_documents(), may_see_unpublished(request.user))
                event = events.get(pk=record["id"])
                data = self.get_serializer(event).data
        except PreconditionFailed as exc:
            return self._stale(exc)
        except WriteConflict:
            # An import stored the same rows at the same moment: nothing was written.
            if created and Event.objects.filter(pk=record["id"]).exists():
                return Response(self._exists(record["id"]), status=status.HTTP_409_CONFLICT)
            return Response(
                {"detail": "Another write changed the same rows at the same moment: nothing was saved; send it again."},
                status=status.HTTP_409_CONFLICT,
            )
        headers = {"ETag": etag_of(event)}
        if created:
            headers["Location"] = request.build_absolute_uri(f"/api/v1/events/{event.pk}/")
        return Response(
            data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers=headers,
        )

    @staticmethod
    def _exists(event_id):
        return {"id": [f"an event {event_id!r} exists: PUT or PATCH /api/v1/events/{event_id}/"]}

    @staticmethod
    def _stale(exc):
        return Response(
            {"If-Match": ["the event changed since you read it: GET it again, then retry with its new ETag"]},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": exc.args[0]},
        )

    # -- more ways to read the same filtered set

    @extend_schema(
        summary="The whole filtered set as a file, streamed",
        filters=True,
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=sorted(FORMATS),
                required=True,
                description="csv; csv-excel (the same CSV with a UTF-8 byte-order mark, which Excel opens with "
                "a double click); xlsx (an Excel workbook, the CSV's columns); json (a dataset file); ndjson; "
                "ics; geojson; timelinejs or plover. docs/exports.md describes each.",
            ),
            OpenApiParameter(
                "csv_raw",
                bool,
                description=(
                    "With format=csv or csv-excel only. By default a text cell that starts with =, +, -, @, a tab or a "
                    "carriage return (after any apostrophes) gets an apostrophe before it, so that a "
                    "spreadsheet shows it instead of running it as a formula; numbers are written as numbers. "
                    "true writes every value exactly as stored (docs/exports.md)."
                ),
            ),
            AS_OF,
            AS_OF_HEADER,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="csv, csv-excel: one event a row."),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="xlsx: one sheet, one event a row."
            ),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="json: a dataset file; timelinejs: a TimelineJS 3 document."
            ),
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR, description="ndjson: one event a line."),
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="ics: one VEVENT per event."),
            (200, "application/geo+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="geojson: a FeatureCollection of the events with coordinates."
            ),
            **{(code, "application/json"): response for code, response in FILTERED_ERRORS.items()},
        },
    )
    @action(detail=False, pagination_class=None)
    def export(self, request):
        name = request.query_params.get("format", "")
        if name not in FORMATS:
            raise ValidationError({"format": [f"{name[:20]!r} is not one of {', '.join(sorted(FORMATS))}"]})
        export = FORMATS[name]
        options = {}
        raw = request.query_params.get("csv_raw", "")
        if raw:
            if raw not in ("true", "false"):
                raise ValidationError({"csv_raw": [f"{raw[:20]!r} is not true or false"]})
            if not export.takes_raw:
                raise ValidationError(
                    {"csv_raw": [f"only with format=csv or csv-excel: {name} is always written as stored"]}
                )
            options["raw"] = raw == "true"
        # The moment the file stands at, named in it so that a reader can ask for the same events again: the
        # one asked for, or now, which then reads the history as it is written at this moment.
        moment = as_of(request)
        if moment is None:
            moment = timezone.now()
            events = Event.objects.visible_to(request.user).chronological()
        else:
            events = versions_for(request, moment)
        events = self.filter_queryset(events)
        response = StreamingHttpResponse(
            streamed(export.stream(events, **options), request.get_full_path()), content_type=export.media_type
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(name)}"'
        response["X-Chancery-As-Of"] = moment.isoformat().replace("+00:00", "Z")
        return response

    @extend_schema(
        summary="Counts of the matching events per value of a field (facets)",
        filters=True,
        parameters=[
            OpenApiParameter(
                "facet",
                str,
                enum=[*FACETS],
                many=True,
                description="A field to count by; repeat for several. type: the full code; family: its first "
                "segment; actor: participants' ids; country: participants' actors' and the location's; year: "
                "of the start; publisher: of the sources.",
            ),
            OpenApiParameter(
                "facet_size",
                {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 0}]},
                description=f"At most this many values per facet (default {DEFAULT_FACET_SIZE}; "
                f"above {MAX_FACET_SIZE} is capped).",
            ),
            AS_OF,
        ],
        responses={200: FacetsSerializer, **FILTERED_ERRORS},
    )
    @action(detail=False, pagination_class=None, serializer_class=FacetsSerializer)
    def facets(self, request):
        names, size = requested_facets(request)
        moment = as_of(request)
        events = Event.objects.visible_to(request.user) if moment is None else versions_for(request, moment)
        return Response(count_facets(self.filter_queryset(events), names, size))

    @extend_schema(
        summary="An Atom feed of the matching events, the most recently changed first",
        filters=True,
        parameters=[
            OpenApiParameter(
                "page_size",
                {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 0}]},
                description=f"At most this many entries (default and most {MAX_FEED_ENTRIES}).",
            )
        ],
        responses={
            (200, FEED_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description="Atom 1.0: an entry per event, its id ending in the event's id, its alternate link "
                "the event on the public page.",
            ),
            **{(code, "application/json"): response for code, response in FILTERED_ERRORS.items()},
        },
    )
    @action(
        detail=False, pagination_class=None, renderer_classes=[JSONRenderer], content_negotiation_class=FirstRenderer
    )
    def feed(self, request):
        size = entries_wanted(request)
        events = self.filter_queryset(Event.objects.visible_to(request.user))
        return atom_response(request, events.order_by("-updated_at", "-id")[:size])

    @extend_schema(
        summary="Tombstones of deleted events, for mirrors",
        parameters=[OpenApiParameter("since", OPTIONAL_DATETIME, description="Deleted at or after this moment.")],
        responses={200: TombstoneSerializer(many=True), **LIST_ERRORS},
        filters=False,
    )
    @action(detail=False, filter_backends=[], serializer_class=TombstoneSerializer)
    def deleted(self, request):
        tombstones = EventTombstone.objects.visible_to(request.user).order_by("deleted_at", "id")
        since = request.query_params.get("since")
        if since:
            field = UtcDateTimeField()
            try:
                moment = field.clean(since)
            except DjangoValidationError as exc:
                raise ValidationError(
                    {"since": [f"{since[:40]!r} is not an ISO datetime (2025-01-31T00:00:00Z): {exc.messages[0]}"]}
                ) from None
            tombstones = tombstones.filter(deleted_at__gte=moment)
        page = self.paginate_queryset(tombstones)
        return self.get_paginated_response(TombstoneSerializer(page, many=True).data)


class TimelineViewSet(StrictParameters, viewsets.GenericViewSet):
    """Counts of events per period and type, with the same filters as the event list."""

    filter_backends = [EventFilterBackend]
    filterset_class = EventFilter
    serializer_class = TimelineSerializer
    pagination_class = None

    def get_queryset(self):
        moment = as_of(self.request)
        if moment is not None:
            return versions_for(self.request, moment)
        return Event.objects.visible_to(self.request.user)

    @extend_schema(
        summary="Events per year, month or day, by type",
        parameters=[
            OpenApiParameter("interval", str, enum=list(reversed(dates.PRECISIONS)), default="year"),
            AS_OF,
        ],
        responses={200: TimelineSerializer, **FILTERED_ERRORS},
    )
    def list(self, request):
        interval = request.query_params.get("interval", dates.YEAR)
        if interval not in dates.PRECISIONS:
            raise ValidationError({"interval": [f"{interval[:20]!r} is not one of year, month, day"]})
        buckets = self.filter_queryset(self.get_queryset()).timeline(interval)
        return Response({"count": sum(bucket["count"] for bucket in buckets), "buckets": buckets})


class RelationsViewSet(StrictParameters, viewsets.GenericViewSet):
    """How relations between two actors moved: the Goldstein values of the events between them, per period."""

    filter_backends = [EventFilterBackend]
    filterset_class = EventFilter
    serializer_class = RelationsSerializer
    pagination_class = None

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user)

    @extend_schema(
        summary="The relations index of two actors, per year, month or day",
        parameters=[
            OpenApiParameter(
                name,
                {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 100},
                required=True,
                description=f"Actor id: events in which it or an actor below it takes part, "
                f"with another participant that is {other} or below it.",
            )
            for name, other in (("a", "b"), ("b", "a"))
        ]
        + [OpenApiParameter("interval", str, enum=list(reversed(dates.PRECISIONS)), default="year")],
        responses={200: RelationsSerializer, **FILTERED_ERRORS},
    )
    def list(self, request):
        a, b = actors_named(request)
        interval = interval_of(request)
        return Response(relations_index(self.filter_queryset(self.get_queryset()), a, b, interval))


@extend_schema_view(
    list=extend_schema(summary="Actors", responses={200: ActorSerializer, **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="One actor", parameters=[ACTOR_ID], responses={200: ActorSerializer, **DETAIL_ERRORS}
    ),
)
class ActorViewSet(StrictParameters, viewsets.ReadOnlyModelViewSet):
    queryset = Actor.objects.order_by("id")
    serializer_class = ActorSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ActorFilter
    pagination_class = KeysetPagination
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(
        summary="The event-type taxonomy with its CAMEO and PLOVER codes",
        parameters=[WHOLE_LIST_PAGE_SIZE],
        responses={200: EventTypeSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One event type", parameters=[TYPE_CODE], responses={200: EventTypeSerializer, **DETAIL_ERRORS}
    ),
)
class EventTypeViewSet(StrictParameters, viewsets.ReadOnlyModelViewSet):
    queryset = EventType.objects.order_by("code")
    serializer_class = EventTypeSerializer
    pagination_class = None
    lookup_value_regex = "[^/]+"

    def list(self, request, *args, **kwargs):
        page_size_from(request)  # checked as on the other lists, though the taxonomy comes whole
        return super().list(request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        summary="Sources, with the events each supports", responses={200: SourceSerializer, **LIST_ERRORS}
    )
)
class SourceViewSet(StrictParameters, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SourceSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = SourceFilter
    pagination_class = KeysetPagination

    def get_queryset(self):
        visible = Event.objects.visible_to(self.request.user)
        sources = Source.objects.order_by("id").prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.filter(event__in=visible.values("pk")).only("event_id", "source_id"),
                to_attr="visible_citations",
            )
        )
        if not may_see_unpublished(self.request.user):
            sources = sources.filter(
                Exists(Citation.objects.filter(source=OuterRef("pk"), event__in=visible.values("pk")))
            )
        return sources
