"""The API's representations: the dataset shape of docs/dataset.md, for reading and writing.

Reading uses the same functions as the dataset export; writing goes through
the dataset reader, so an event from the API meets exactly the rules of an
event from a file. The declared fields describe the shape in the OpenAPI schema.
"""

from rest_framework import serializers

from .dataset import DatasetError, DatasetReader, actor_to_dict, event_to_dict
from .models import Actor, EventType, Precision, RelationKind, ReviewState, Role, Source, Status


class ParticipantSerializer(serializers.Serializer):
    actor = serializers.SlugField(help_text="Actor id.")
    role = serializers.ChoiceField(choices=Role.choices)


class LocationSerializer(serializers.Serializer):
    name = serializers.CharField()
    country = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-3 code.")
    lat = serializers.FloatField(allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(allow_null=True, min_value=-180, max_value=180)


class CitedSourceSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Identifies the source (normalized: scheme and host lower-case).")
    title = serializers.CharField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True)
    published = serializers.DateField(allow_null=True)
    language = serializers.CharField(allow_null=True, required=False)
    archive_url = serializers.URLField(allow_null=True, required=False)
    quote = serializers.CharField(allow_blank=True, help_text="The passage that supports this event.")
    claimed_by = serializers.SlugField(allow_null=True, help_text="Actor id to whom the source attributes the claim.")


class RelatedSerializer(serializers.Serializer):
    event = serializers.SlugField(help_text="Id of the related event.")
    relation = serializers.ChoiceField(choices=RelationKind.choices)


class EventSerializer(serializers.Serializer):
    """An event in the dataset shape. Validation is the dataset reader's (events/dataset.py)."""

    id = serializers.SlugField(help_text="Stable id; 'export' and 'deleted' are reserved.")
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True, required=False)
    type = serializers.CharField(help_text="Dotted taxonomy code, e.g. 'sanctions.imposed'.")
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    start = serializers.CharField(help_text="ISO date truncated to its precision: '2016-12-29', '2016-12' or '2016'.")
    start_precision = serializers.ChoiceField(choices=Precision.choices, required=False)
    end = serializers.CharField(allow_null=True, required=False)
    end_precision = serializers.ChoiceField(choices=Precision.choices, allow_null=True, required=False)
    participants = ParticipantSerializer(many=True, required=False)
    location = LocationSerializer(allow_null=True, required=False)
    sources = CitedSourceSerializer(many=True, required=False)
    tags = serializers.ListField(child=serializers.SlugField(), required=False)
    related = RelatedSerializer(many=True, required=False)
    review_state = serializers.ChoiceField(choices=ReviewState.choices, required=False)

    def to_representation(self, event):
        return event_to_dict(event)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["expected a JSON object (an event)"]})
        try:
            return DatasetReader({"events": [data]}).read()
        except DatasetError as exc:
            errors = {}
            for problem in exc.problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise serializers.ValidationError(errors) from None


class ActorSerializer(serializers.ModelSerializer):
    parent = serializers.SlugField(source="parent_id", allow_null=True)

    class Meta:
        model = Actor
        fields = ["id", "name", "kind", "country", "aliases", "parent", "wikidata"]

    def to_representation(self, actor):
        return actor_to_dict(actor)


class EventTypeSerializer(serializers.ModelSerializer):
    family = serializers.CharField(read_only=True, help_text="The code's first part: what a filter on it includes.")
    goldstein = serializers.FloatField(allow_null=True, read_only=True)

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


class TimelineSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    buckets = TimelineBucketSerializer(many=True)


class TombstoneSerializer(serializers.Serializer):
    id = serializers.CharField(source="event_id", help_text="The deleted event's id.")
    deleted_at = serializers.DateTimeField()
