"""The REST API under /api/v1/ (docs/api.md). Views pick a queryset verb, a filter set and a format."""

import hashlib
import json

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, ProtectedError, Q
from django.http import StreamingHttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from . import dates
from .dataset import event_to_dict, save_dataset
from .exports import FORMATS, export_filename
from .filters import EventFilter
from .models import Actor, Citation, Event, EventTombstone, EventType, Source
from .pagination import KeysetPagination
from .serializers import (
    ActorSerializer,
    EventSerializer,
    EventTypeSerializer,
    SourceSerializer,
    TimelineSerializer,
    TombstoneSerializer,
)

ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A JSON object whose keys name each bad parameter or field, with messages."
)


def etag_of(event):
    """A strong validator of everything the event's representation shows."""
    text = json.dumps(event_to_dict(event), sort_keys=True, ensure_ascii=False)
    return '"%s"' % hashlib.sha256(text.encode()).hexdigest()[:32]


def matches(header, etag):
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


class PreconditionFailed(Exception):
    pass


@extend_schema_view(
    list=extend_schema(
        summary="Events, filtered, in chronological order", responses={200: EventSerializer, 400: ERROR}
    ),
    retrieve=extend_schema(summary="One event in the dataset shape (with an ETag)"),
    create=extend_schema(summary="Create an event", responses={201: EventSerializer, 400: ERROR}),
    update=extend_schema(summary="Replace an event (If-Match: its ETag)", responses={200: EventSerializer, 400: ERROR}),
    partial_update=extend_schema(summary="Change some fields of an event (If-Match: its ETag)"),
    destroy=extend_schema(summary="Delete an event, leaving a tombstone (If-Match: its ETag)"),
)
class EventViewSet(viewsets.ModelViewSet):
    serializer_class = EventSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = EventFilter
    pagination_class = KeysetPagination
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user).with_dataset_relations().chronological()

    # -- reading

    def retrieve(self, request, *args, **kwargs):
        event = self.get_object()
        etag = etag_of(event)
        if matches(request.headers.get("If-None-Match", ""), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(self.get_serializer(event).data, headers={"ETag": etag})

    # -- writing: one transaction, the dataset reader's rules, If-Match against the locked row

    def create(self, request, *args, **kwargs):
        record = self._body(request)
        if isinstance(record.get("id"), str) and Event.objects.filter(pk=record["id"]).exists():
            raise ValidationError(
                {"id": [f"an event {record['id']!r} exists: PUT or PATCH /api/v1/events/{record['id']}/"]}
            )
        return self._save(request, record, current=None, created=True)

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
                    raise ValidationError(
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
        queryset = self.get_queryset().select_for_update(of=("self",))
        try:
            event = queryset.get(pk=pk)
        except Event.DoesNotExist:
            raise NotFound() from None
        if_match = self.request.headers.get("If-Match")
        if if_match and not matches(if_match, etag_of(event)):
            raise PreconditionFailed(etag_of(event))
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
                save_dataset(serializer.validated_data, user=request.user, reason=f"API {request.method}")
        except PreconditionFailed as exc:
            return self._stale(exc)
        event = Event.objects.with_dataset_relations().get(pk=record["id"])
        headers = {"ETag": etag_of(event)}
        if created:
            headers["Location"] = request.build_absolute_uri(f"/api/v1/events/{event.pk}/")
        return Response(
            self.get_serializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers=headers,
        )

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
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=sorted(FORMATS),
                required=True,
                description="csv, json, ndjson, ics, geojson or timelinejs",
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            (400, "application/json"): ERROR,
        },
    )
    @action(detail=False, pagination_class=None)
    def export(self, request):
        name = request.query_params.get("format", "")
        if name not in FORMATS:
            raise ValidationError({"format": [f"{name[:20]!r} is not one of {', '.join(sorted(FORMATS))}"]})
        events = self.filter_queryset(Event.objects.visible_to(request.user).chronological())
        export = FORMATS[name]
        response = StreamingHttpResponse(export.stream(events), content_type=export.media_type)
        response["Content-Disposition"] = f'attachment; filename="{export_filename(name)}"'
        return response

    @extend_schema(
        summary="Tombstones of deleted events, for mirrors",
        parameters=[OpenApiParameter("since", OpenApiTypes.DATETIME, description="Deleted at or after this moment.")],
        responses={200: TombstoneSerializer(many=True), 400: ERROR},
        filters=False,
    )
    @action(detail=False, filter_backends=[], serializer_class=TombstoneSerializer)
    def deleted(self, request):
        tombstones = EventTombstone.objects.order_by("deleted_at", "id")
        since = request.query_params.get("since")
        if since:
            try:
                moment = serializers.DateTimeField().to_internal_value(since)
            except serializers.ValidationError:
                raise ValidationError(
                    {"since": [f"{since[:40]!r} is not an ISO datetime (2025-01-31T00:00:00Z)"]}
                ) from None
            tombstones = tombstones.filter(deleted_at__gte=moment)
        page = self.paginate_queryset(tombstones)
        return self.get_paginated_response(TombstoneSerializer(page, many=True).data)


class TimelineViewSet(viewsets.GenericViewSet):
    """Counts of events per period and type, with the same filters as the event list."""

    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = EventFilter
    serializer_class = TimelineSerializer
    pagination_class = None

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user)

    @extend_schema(
        summary="Events per year, month or day, by type",
        parameters=[OpenApiParameter("interval", str, enum=list(reversed(dates.PRECISIONS)), default="year")],
        responses={200: TimelineSerializer, 400: ERROR},
    )
    def list(self, request):
        interval = request.query_params.get("interval", dates.YEAR)
        if interval not in dates.PRECISIONS:
            raise ValidationError({"interval": [f"{interval[:20]!r} is not one of year, month, day"]})
        buckets = self.filter_queryset(self.get_queryset()).timeline(interval)
        return Response({"count": sum(bucket["count"] for bucket in buckets), "buckets": buckets})


@extend_schema_view(
    list=extend_schema(
        summary="Actors",
        parameters=[
            OpenApiParameter("q", str, description="Part of the name, an alias or the id."),
            OpenApiParameter("kind", str, enum=Actor.Kind.values),
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-3 code."),
        ],
    )
)
class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ActorSerializer
    pagination_class = KeysetPagination
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        actors = Actor.objects.order_by("id")
        params = self.request.query_params
        if params.get("q"):
            q = params["q"][:200]
            actors = actors.filter(Q(name__icontains=q) | Q(id__icontains=q) | Q(aliases__icontains=q))
        if params.get("kind"):
            if params["kind"] not in Actor.Kind.values:
                raise ValidationError({"kind": [f"not one of {', '.join(Actor.Kind.values)}"]})
            actors = actors.filter(kind=params["kind"])
        if params.get("country"):
            actors = actors.filter(country=params["country"].upper()[:3])
        return actors


@extend_schema_view(list=extend_schema(summary="The event-type taxonomy with its CAMEO and PLOVER codes"))
class EventTypeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = EventType.objects.order_by("code")
    serializer_class = EventTypeSerializer
    pagination_class = None
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(
        summary="Sources, with the events each supports",
        parameters=[OpenApiParameter("publisher", str, description="Publisher, case-insensitive.")],
    )
)
class SourceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SourceSerializer
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
        publisher = self.request.query_params.get("publisher")
        if publisher:
            sources = sources.filter(publisher__iexact=publisher[:200])
        if not self.request.user.is_staff:
            sources = sources.filter(
                Exists(Citation.objects.filter(source=OuterRef("pk"), event__in=visible.values("pk")))
            )
        return sources
