"""The API's representations: the dataset shape of docs/dataset.md, for reading and writing.

Reading uses the same functions as the dataset export; writing goes through
the dataset reader, so an event from the API meets exactly the rules of an
event from a file. The declared fields describe the shape in the OpenAPI schema.
"""

import math

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from ..dataset import DatasetError, DatasetReader, actor_to_dict, event_to_dict, unreadable
from ..filters import DATE_PATTERN, SLUG_PATTERN, TYPE_PATTERN
from ..models import (
    RESERVED_EVENT_IDS,
    Actor,
    Event,
    EventType,
    Precision,
    RelationKind,
    ReviewState,
    Role,
    Source,
    Status,
    normalize_url,
)
from ..shape import EVENT_KEYS, JSON_FIELDS
from .fields import incoming_of

# The demo's Riyadh talks, as GET /api/v1/events/us-ru-talks-riyadh-2025/ returns them.
EVENT_EXAMPLE = {
    "id": "us-ru-talks-riyadh-2025",
    "title": "US and Russian delegations hold high-level talks in Riyadh",
    "summary": "First of the two rounds the article counts, on restoring the work of diplomatic missions.",
    "type": "talks",
    "status": "occurred",
    "start": "2025-02-18",
    "start_precision": "day",
    "end": None,
    "end_precision": None,
    "participants": [
        {"actor": "russia", "role": "participant"},
        {"actor": "united-states", "role": "participant"},
        {"actor": "saudi-arabia", "role": "host"},
    ],
    "location": {"name": "Riyadh", "country": "SAU", "lat": 24.7136, "lon": 46.6753},
    "sources": [
        {
            "url": "https://torre.news/en/a-lot-of-mess-to-clear-up-in-russia-us-ties-lavrov",
            "title": "A lot of 'mess' to clear up in Russia-US ties - Lavrov",
            "publisher": "RT",
            "published": "2025-11-09",
            "language": None,
            "archive_url": None,
            "quote": "Russia and the US held two rounds of high-level talks in Saudi Arabia and Turkiye earlier "
            "this year, dedicated to restoring the proper functioning of diplomatic missions.",
            "claimed_by": None,
        }
    ],
    "tags": ["embassy-operations"],
    "related": [
        {"event": "us-ru-bilateral-dialogue-2025", "relation": "part_of"},
        {"event": "us-ru-talks-istanbul-2025", "relation": "followed_by"},
    ],
    "review_state": "published",
}


class ParticipantSerializer(serializers.Serializer):
    actor = serializers.RegexField(SLUG_PATTERN, max_length=100, help_text="Actor id.")
    role = serializers.ChoiceField(choices=Role.choices)


class LocationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, max_length=3, help_text="ISO 3166-1 alpha-3 code."
    )
    lat = serializers.FloatField(allow_null=True, required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(allow_null=True, required=False, min_value=-180, max_value=180)


class CitedSourceSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=2000, help_text="Identifies the source (normalized: scheme and host lower-case)."
    )
    title = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=500)
    publisher = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=200)
    published = serializers.DateField(allow_null=True, required=False)
    language = serializers.CharField(allow_null=True, required=False)
    archive_url = serializers.URLField(allow_null=True, required=False)
    quote = serializers.CharField(
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text="The passage that supports this event (null: none).",
    )
    claimed_by = serializers.RegexField(
        SLUG_PATTERN,
        max_length=100,
        allow_null=True,
        required=False,
        help_text="Actor id to whom the source attributes the claim.",
    )


class RelatedSerializer(serializers.Serializer):
    event = serializers.RegexField(SLUG_PATTERN, max_length=100, help_text="Id of the related event.")
    relation = serializers.ChoiceField(choices=RelationKind.choices)


@extend_schema_serializer(examples=[OpenApiExample("Talks in Riyadh", value=EVENT_EXAMPLE)])
class EventSerializer(serializers.Serializer):
    """An event in the dataset shape. Validation is the dataset reader's (events/dataset/reader.py).

    On input, an optional field given as null takes its default (empty, or `occurred` and `draft`).
    """

    id = serializers.RegexField(
        SLUG_PATTERN,
        max_length=100,
        help_text=f"Stable id; {', '.join(map(repr, sorted(RESERVED_EVENT_IDS)))} are reserved (API paths).",
    )
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    type = serializers.RegexField(
        TYPE_PATTERN, max_length=60, help_text="Dotted taxonomy code, e.g. 'sanctions.imposed'."
    )
    status = serializers.ChoiceField(choices=Status.choices, allow_null=True, required=False)
    start = serializers.RegexField(
        DATE_PATTERN, help_text="ISO date truncated to its precision: '2016-12-29', '2016-12' or '2016'."
    )
    start_precision = serializers.ChoiceField(choices=Precision.choices, allow_null=True, required=False)
    end = serializers.RegexField(DATE_PATTERN, allow_null=True, required=False)
    end_precision = serializers.ChoiceField(choices=Precision.choices, allow_null=True, required=False)
    participants = ParticipantSerializer(many=True, allow_null=True, required=False)
    location = LocationSerializer(allow_null=True, required=False)
    sources = CitedSourceSerializer(many=True, allow_null=True, required=False)
    tags = serializers.ListField(
        child=serializers.RegexField(SLUG_PATTERN, max_length=60), allow_null=True, required=False
    )
    related = RelatedSerializer(many=True, allow_null=True, required=False)
    review_state = serializers.ChoiceField(choices=ReviewState.choices, allow_null=True, required=False)
    # Shown by the API only (not in dataset files), never written: fields.py.
    created_at = serializers.DateTimeField(read_only=True, help_text="When the event was first stored.")
    updated_at = serializers.DateTimeField(read_only=True, help_text="Its last change, for incremental sync.")
    incoming = RelatedSerializer(
        many=True,
        read_only=True,
        help_text="The relations of other events (those you may see) whose target is this event.",
    )

    def get_fields(self):
        """The declared fields in the shape's key order, and a text field for each key of the shape
        (events/shape.py) declared nowhere here, as its model field allows, with the model's help_text."""
        fields = super().get_fields()
        for field in JSON_FIELDS:
            if field.key not in fields:
                model_field = Event._meta.get_field(field.attribute)
                fields[field.key] = serializers.CharField(
                    allow_blank=True,
                    allow_null=model_field.blank,
                    required=not model_field.blank,
                    max_length=model_field.max_length,
                    help_text=str(model_field.help_text) or None,
                )
        return {key: fields.pop(key) for key in EVENT_KEYS} | fields

    def to_representation(self, event):
        moment = serializers.DateTimeField()
        return {
            **event_to_dict(event),
            "created_at": moment.to_representation(event.created_at),
            "updated_at": moment.to_representation(event.updated_at),
            "incoming": incoming_of(event),
        }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["expected a JSON object (an event)"]})
        errors = unstorable(data)
        if errors:
            raise serializers.ValidationError(errors)
        try:
            return DatasetReader({"events": [data]}).read()
        except DatasetError as exc:
            errors = {}
            for problem in exc.problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise serializers.ValidationError(errors) from None


class EventReplacementSerializer(EventSerializer):
    """PUT's body (for the schema): the whole event; its id, from the URL, may be left out."""

    id = serializers.RegexField(
        SLUG_PATTERN, max_length=100, required=False, help_text="The id in the URL, if given: an id never changes."
    )


def unstorable(data):
    """{field: [message]} for the values of a request body that no database or reader could take:
    lone surrogates and lists or objects nested too deep (`unreadable`), NUL characters (PostgreSQL
    refuses them in text), numbers beyond a float, a claimant or a URL of the wrong kind. Checked
    before the dataset reader looks anything up."""
    errors = {}
    for where, message in unreadable(data):
        errors.setdefault(where or "non_field_errors", []).append(message)
    if errors:
        return errors  # the walk below recurses: nothing nested too deep may reach it

    def walk(value, where):  # where: the path of value, None for the body itself
        if isinstance(value, str) and "\x00" in value:
            errors["non_field_errors" if where is None else where] = ["NUL characters are not allowed"]
        elif isinstance(value, float | int) and not isinstance(value, bool) and not _finite(value):
            errors["non_field_errors" if where is None else where] = ["a number beyond the range of a float"]
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, str(key) if where is None else f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where or ''}[{index}]")

    walk(data, None)
    for index, source in enumerate(data.get("sources") if isinstance(data.get("sources"), list) else []):
        if not isinstance(source, dict):
            continue
        where = f"sources[{index}]"
        if not isinstance(source.get("claimed_by"), str | None):
            errors.setdefault(f"{where}.claimed_by", ["expected an actor id or null"])
        if isinstance(source.get("url"), str) and f"{where}.url" not in errors:
            try:
                normalize_url(source["url"])
            except ValueError:
                errors[f"{where}.url"] = [f"{source['url'][:80]!r} is not an http(s) URL"]
    return errors


def _finite(number):
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


class ActorSerializer(serializers.ModelSerializer):
    country = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-3 code of its state, or null.")
    aliases = serializers.ListField(child=serializers.CharField(), help_text="Other names ('Moscow', 'Kremlin').")
    parent = serializers.CharField(source="parent_id", allow_null=True, help_text="Id of the actor it belongs to.")
    wikidata = serializers.CharField(allow_null=True, help_text="Wikidata item id ('Q159'), or null.")

    class Meta:
        model = Actor
        fields = ["id", "name", "kind", "country", "aliases", "parent", "wikidata"]

    def to_representation(self, actor):
        return actor_to_dict(actor)


class EventTypeSerializer(serializers.ModelSerializer):
    family = serializers.CharField(read_only=True, help_text="The code's first part: what a filter on it includes.")
    goldstein = serializers.FloatField(allow_null=True, read_only=True)
    keywords = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = EventType
        fields = [
            "code", "family", "name", "description", "cameo_code", "goldstein",
            "plover_type", "plover_mode", "mapping_note", "keywords",
        ]  # fmt: skip


class SourceSerializer(serializers.ModelSerializer):
    events = serializers.SerializerMethodField(help_text="Ids of the events this source supports that you may see.")

    class Meta:
        model = Source
        fields = ["url", "title", "publisher", "published", "language", "archive_url", "events"]

    def get_events(self, source) -> list[str]:
        return sorted(citation.event_id for citation in source.visible_citations)


class TimelineBucketSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="'2025', '2025-02' or '2025-02-18'.")
    count = serializers.IntegerField()
    types = serializers.DictField(child=serializers.IntegerField(), help_text="Count per full type code.")


@extend_schema_serializer(
    many=False,
    examples=[
        OpenApiExample(
            "Demo events per year",
            value={
                "count": 13,
                "buckets": [
                    {"period": "2016", "count": 2, "types": {"diplomats.staff_limits": 1, "property.seizure": 1}},
                    {"period": "2017", "count": 1, "types": {"property.seizure": 1}},
                    {"period": "2022", "count": 2, "types": {"flights.ban": 1, "sanctions.imposed": 1}},
                    {"period": "2025", "count": 8, "types": {"sanctions.imposed": 1, "statement": 2, "talks": 5}},
                ],
            },
        )
    ],
)
class TimelineSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    buckets = TimelineBucketSerializer(many=True)


class TombstoneSerializer(serializers.Serializer):
    id = serializers.CharField(source="event_id", help_text="The deleted event's id.")
    deleted_at = serializers.DateTimeField()


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The value: a type code, an actor id, a country code, a year...")
    count = serializers.IntegerField(help_text="How many matching events have it.")
    label = serializers.CharField(
        required=False, help_text="What readers call it (a type's, an actor's or a country's name), where known."
    )


@extend_schema_serializer(
    many=False,
    examples=[
        OpenApiExample(
            "Demo events by family and country",
            value={
                "count": 13,
                "facets": {
                    "family": [
                        {"value": "talks", "count": 5, "label": "Talks"},
                        {"value": "sanctions", "count": 2, "label": "Sanctions"},
                    ],
                    "country": [
                        {"value": "RUS", "count": 13, "label": "Russian Federation"},
                        {"value": "USA", "count": 13, "label": "United States"},
                    ],
                },
            },
        )
    ],
)
class FacetsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many events the filters match.")
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True),
        help_text="Per facet asked for, its values: by count descending, then by value.",
    )


class RelationsBucketSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="'2025', '2025-02' or '2025-02-18', as the timeline forms them.")
    count = serializers.IntegerField(help_text="Events of the period.")
    cooperation = serializers.IntegerField(help_text="Those whose type's Goldstein value is above 0.")
    conflict = serializers.IntegerField(help_text="Those whose type's Goldstein value is below 0.")
    score = serializers.FloatField(help_text="The sum of their types' Goldstein values (a type without one adds 0).")
    events = serializers.ListField(child=serializers.CharField(), help_text="Their ids, in chronological order.")


@extend_schema_serializer(
    many=False,
    examples=[
        OpenApiExample(
            "Russia and the United States by year (demo data)",
            value={
                "a": "russia",
                "b": "united-states",
                "interval": "year",
                "count": 11,
                "score": -10.4,
                "buckets": [
                    {
                        "period": "2016",
                        "count": 2,
                        "cooperation": 0,
                        "conflict": 2,
                        "score": -13.2,
                        "events": ["us-ru-diplomatic-staff-limits", "us-restricts-russian-compounds-2016"],
                    },
                    {
                        "period": "2017",
                        "count": 1,
                        "cooperation": 0,
                        "conflict": 1,
                        "score": -9.2,
                        "events": ["us-seizes-more-russian-property-2017"],
                    },
                    {
                        "period": "2022",
                        "count": 2,
                        "cooperation": 0,
                        "conflict": 2,
                        "score": -16.0,
                        "events": ["us-sanctions-russia-2022", "us-closes-airspace-to-russian-carriers-2022"],
                    },
                    {
                        "period": "2025",
                        "count": 6,
                        "cooperation": 4,
                        "conflict": 0,
                        "score": 28.0,
                        "events": [
                            "us-ru-bilateral-dialogue-2025",
                            "us-ru-ukraine-settlement-talks-2025",
                            "us-ru-talks-riyadh-2025",
                            "us-ru-talks-istanbul-2025",
                            "putin-sanctions-unfriendly-move-2025",
                            "lavrov-ria-novosti-interview-2025",
                        ],
                    },
                ],
            },
        )
    ],
)
class RelationsSerializer(serializers.Serializer):
    a = serializers.CharField(help_text="The first actor's id, as given.")
    b = serializers.CharField(help_text="The second actor's id, as given.")
    interval = serializers.ChoiceField(choices=["year", "month", "day"])
    count = serializers.IntegerField(help_text="Events counted, over every period.")
    score = serializers.FloatField(help_text="Their Goldstein values' sum, over every period.")
    buckets = RelationsBucketSerializer(many=True, help_text="Periods that have events, in chronological order.")
