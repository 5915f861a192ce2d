"""An event's parts: the actors taking part, in their roles, and the links to other events."""

from django.db import models
from django.db.models import Q

from ..choices import RelationKind, Role
from .actors import Actor
from .versions import VersionedHistory


class Participant(models.Model):
    """An actor taking part in an event, in a role."""

    Role = Role

    event = models.ForeignKey("Event", on_delete=models.CASCADE, related_name="participants")
    # PROTECT: an actor still taking part in events must not vanish from their records.
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=12, choices=Role.choices, help_text="What the actor did in the event.")

    history = VersionedHistory()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="participant_once_per_role"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="participant_role_valid"),
        ]
        indexes = [
            # actor, initiator and target filters: from the actor (and role) to its events.
            models.Index(fields=["actor", "role", "event"], name="participant_actor_role_idx"),
        ]

    def __str__(self):
        return f"{self.actor_id} ({self.role})"


class EventRelation(models.Model):
    """A directed link from one event to another, stored as given (no inverse is added)."""

    Kind = RelationKind

    from_event = models.ForeignKey("Event", on_delete=models.CASCADE, related_name="relations")
    # PROTECT: deleting an event that others point to would silently change their records.
    to_event = models.ForeignKey("Event", on_delete=models.PROTECT, related_name="incoming_relations")
    relation = models.CharField(max_length=12, choices=Kind.choices)

    history = VersionedHistory()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_event", "to_event", "relation"], name="relation_once"),
            models.CheckConstraint(
                condition=~Q(from_event=models.F("to_event")),
                name="relation_not_to_itself",
                violation_error_message="An event cannot relate to itself.",
            ),
            models.CheckConstraint(condition=Q(relation__in=RelationKind.values), name="relation_kind_valid"),
        ]

    def __str__(self):
        return f"{self.from_event_id} {self.relation} {self.to_event_id}"
