"""What remains of a deleted event: its id, when, and who deleted it."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..choices import ReviewState
from .events import Event, may_see_unpublished


class TombstoneQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The tombstones `user` may read: every one for curators (`may_see_unpublished`), else those of
        events that were published at some time (their history says so): a mirror of the published events
        needs no others, and the id of a deleted draft is no reader's business."""
        if may_see_unpublished(user):
            return self
        published = Event.history.model.objects.filter(id=OuterRef("event_id"), review_state=ReviewState.PUBLISHED)
        return self.filter(Exists(published))


class EventTombstone(models.Model):
    """A deleted event's id and when it went, so that mirrors can follow deletions."""

    event_id = models.CharField(max_length=100, help_text="The id the deleted event had.")
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # SET_NULL: removing a user account must not remove the record of a deletion.
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TombstoneQuerySet.as_manager()

    class Meta:
        ordering = ["deleted_at", "id"]

    def __str__(self):
        return f"{self.event_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"
