"""PLOVER: one event a line in the PLOVER data format's JSON fields, with Chancery's own beside them.

So that curated events can be put beside POLECAT's (and other PLOVER-coded data) with the same codes:
the type's PLOVER event type and mode, `context` "diplomatic", the actors and recipients as PLOVER
entities (their ISO country code), the source URLs; and, prefixed `chancery_`, what PLOVER has no
field for: the status, the dates' precision, the type, its CAMEO code and the review state.
"""

from ..choices import Role
from ..models import Actor
from .base import ExportFormat, dump_json, read_chunks

# PLOVER's recipient is whom the event is directed to, and the host of a visit (its manual, CONSULT).
RECIPIENT_ROLES = (Role.TARGET, Role.HOST)
# Every field a line has, in order (docs/exports.md).
FIELDS = (
    "id",
    "event_date",
    "end_date",
    "event_type",
    "mode",
    "context",
    "actor",
    "recipient",
    "urls",
    "chancery_type",
    "chancery_status",
    "chancery_start_precision",
    "chancery_end_precision",
    "chancery_cameo",
    "chancery_review_state",
)


def _entity(participant, actors):
    name, country = actors.get(participant.actor_id, (participant.actor_id, None))
    return {"code": country or None, "entity_text": name, "identifier_id": participant.actor_id}


def plover_event(event, actors):
    """An event as a PLOVER record: `actors` holds its actors' (name, ISO code) by id."""
    participants = sorted(event.participants.all(), key=lambda p: (p.role, p.actor_id))
    initiators = [p for p in participants if p.role not in RECIPIENT_ROLES]
    recipients = [p for p in participants if p.role in RECIPIENT_ROLES]
    values = (
        event.id,
        event.start.isoformat(),
        event.end.isoformat() if event.end else None,
        event.type.plover_type or None,
        event.type.plover_mode or None,
        "diplomatic",
        [_entity(p, actors) for p in initiators],
        [_entity(p, actors) for p in recipients],
        sorted(citation.source.url for citation in event.citations.all()),
        event.type_id,
        event.status,
        event.start_precision,
        event.end_precision or None,
        event.type.cameo_code or None,
        event.review_state,
    )
    return dict(zip(FIELDS, values, strict=True))


class PLOVERFormat(ExportFormat):
    """One PLOVER record a line (JSON lines, as the PLOVER manual suggests)."""

    name = "plover"
    media_type = "application/x-ndjson"
    extension = "plover.jsonl"

    def stream(self, events, progress=None):
        for chunk in read_chunks(events, progress=progress):
            # The actors' names and countries: one query a chunk.
            ids = {p.actor_id for event in chunk for p in event.participants}
            actors = {
                pk: (name, country)
                for pk, name, country in Actor.objects.filter(pk__in=ids).values_list("id", "name", "country")
            }
            yield "".join(dump_json(plover_event(event, actors)) + "\n" for event in chunk)
