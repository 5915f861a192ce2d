"""Bringing a deleted event back, as it was when it was deleted, from its history and its tombstone.

Deleting an event (through the API or the admin) keeps its history: django-simple-history writes
a last record of the event and of each participant, citation and relation the delete cascades to,
and a tombstone tells mirrors that the id went. The tombstone's `deleted_at` is taken *before*
the delete, so the history as it stood at that moment is the event as it was: the records the
cascade wrote all come after it, and every earlier change (a participant removed the day before)
comes before it.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import Actor, Citation, Event, EventRelation, EventTombstone, Participant, ReviewState, Source, Tag

REASON = "restored after deletion"


class RestoreError(Exception):
    """Why an event cannot be restored; nothing was changed."""


@dataclass
class Restored:
    event: Event
    tombstone: EventTombstone
    counts: dict
    left_out: list = field(default_factory=list)

    def summary(self):
        deleted = timezone.localtime(self.tombstone.deleted_at).strftime("%Y-%m-%d %H:%M:%S %Z")
        by = f" by {self.tombstone.deleted_by.get_username()}" if self.tombstone.deleted_by else ""
        parts = ", ".join(f"{count} {name}" for name, count in self.counts.items())
        return (
            f"{self.event.pk} restored as it was when deleted{by} on {deleted} "
            f"({parts}); it is {self.event.review_state} and no longer listed as deleted."
        )


def alive_at(history, moment, **of):
    """The historical records of the rows that existed at `moment` among those that ever matched `of`."""
    ids = history.filter(history_date__lte=moment, **of).values("id")
    latest = {}
    for record in history.filter(id__in=ids, history_date__lte=moment).order_by("history_date", "history_id"):
        latest[record.id] = record
    return [
        record
        for record in latest.values()
        if record.history_type != "-" and all(getattr(record, name) == value for name, value in of.items())
    ]


@transaction.atomic
def restore_event(event_id, user):
    """Recreate the event last deleted under `event_id` with its participants, citations, relations and
    tags as they were then, recording `user` as the restorer in the history; the id's tombstones go.

    What can no longer come back (an actor, a source or a related event deleted since) is left out
    and listed in `Restored.left_out`. Raises RestoreError, changing nothing, when there is no
    tombstone for the id, when a new event has taken the id, or when the history does not hold it.
    """
    tombstone = (
        EventTombstone.objects.select_related("deleted_by")
        .select_for_update(of=("self",))
        .filter(event_id=event_id)
        .order_by("-deleted_at", "-id")
        .first()
    )
    if tombstone is None:
        raise RestoreError(f"No deleted event has the id {event_id!r}.")
    if Event.objects.filter(pk=event_id).exists():
        raise RestoreError(
            f"{event_id} was not restored: a new event has taken the id since it was deleted. "
            "Change or delete that event first if the deleted one should come back."
        )
    moment = tombstone.deleted_at
    record = (
        Event.history.filter(id=event_id, history_date__lte=moment).order_by("-history_date", "-history_id").first()
    )
    if record is None or record.history_type == "-":
        raise RestoreError(f"{event_id} was not restored: its history does not hold it as it was when deleted.")

    participant_rows = alive_at(Participant.history, moment, event_id=event_id)
    citation_rows = alive_at(Citation.history, moment, event_id=event_id)
    actor_ids = {row.actor_id for row in participant_rows} | {row.claimed_by_id for row in citation_rows}
    actors = set(Actor.objects.filter(pk__in=actor_ids).values_list("pk", flat=True))
    sources = set(Source.objects.filter(pk__in=[row.source_id for row in citation_rows]).values_list("pk", flat=True))

    left_out = []
    participants = []
    for row in participant_rows:
        if row.actor_id in actors:
            participants.append(Participant(id=row.id, event_id=event_id, actor_id=row.actor_id, role=row.role))
        else:
            left_out.append(f"participant {row.actor_id} ({row.role}) left out: the actor no longer exists.")
    citations = []
    for row in citation_rows:
        if row.source_id not in sources:
            left_out.append(f"citation of {source_url(row.source_id)} left out: the source no longer exists.")
            continue
        claimed_by = row.claimed_by_id
        if claimed_by is not None and claimed_by not in actors:
            left_out.append(
                f"the citation of {source_url(row.source_id)} no longer says who claims it: "
                f"{claimed_by} no longer exists."
            )
            claimed_by = None
        citations.append(
            Citation(id=row.id, event_id=event_id, source_id=row.source_id, quote=row.quote, claimed_by_id=claimed_by)
        )
    relations = []
    for row in alive_at(EventRelation.history, moment, from_event_id=event_id):
        if Event.objects.filter(pk=row.to_event_id).exists():
            relations.append(
                EventRelation(id=row.id, from_event_id=event_id, to_event_id=row.to_event_id, relation=row.relation)
            )
        else:
            left_out.append(f"relation {row.relation} {row.to_event_id} left out: that event no longer exists.")
    # The tags as of the event's last record (its m2m rows); the deletion's own record has none left.
    tag_rows = record._meta.get_field("historicalevent_tags").related_model.objects.filter(history=record)
    tags = sorted(tag_rows.values_list("tag_id", flat=True))

    # The fields from the deletion's own record: the row exactly as the delete read it.
    deletion = (
        Event.history.filter(id=event_id, history_type="-", history_date__gte=moment)
        .order_by("history_date", "history_id")
        .first()
    )
    event = (deletion or record).instance
    problem = Event.publication_problem(event.review_state, len(citations))
    if problem:
        left_out.append(f"returned to draft: {problem}")
        event.review_state = ReviewState.DRAFT
    event.updated_by = user
    with_history(event, user).save(force_insert=True)
    # auto_now_add stamped the restore as its creation: the event was created when it first was.
    created_at = (deletion or record).created_at
    Event.objects.filter(pk=event_id).update(created_at=created_at)
    event.history.filter(history_type="+", history_date__gt=moment).update(created_at=created_at)
    event.created_at = created_at
    for row in [*participants, *citations, *relations]:
        with_history(row, user).save(force_insert=True)
    Tag.objects.bulk_create([Tag(slug=slug) for slug in tags], ignore_conflicts=True)
    with_history(event, user).tags.set(tags)
    # The event is no longer deleted: mirrors that removed it find it again through updated_since.
    EventTombstone.objects.filter(event_id=event_id).delete()
    counts = {
        "participants": len(participants),
        "citations": len(citations),
        "relations": len(relations),
        "tags": len(tags),
    }
    return Restored(event=event, tombstone=tombstone, counts=counts, left_out=left_out)


def source_url(source_id):
    """A source's URL, from its history when the source itself is gone."""
    return (
        Source.history.filter(id=source_id)
        .order_by("-history_date", "-history_id")
        .values_list("url", flat=True)
        .first()
        or f"source #{source_id}"
    )


def with_history(instance, user):
    instance._history_user = user
    instance._change_reason = REASON
    return instance
