"""The dataset file (`json`): the events and every actor they name, importable into an empty database."""

from ..dataset import actor_to_dict, event_to_dict
from ..dataset.files import indented
from ..models import Actor
from . import base
from .base import ExportFormat, batched, read_chunks


def members(events, ids):
    """Which of `ids` are events of the queryset `events`: one query."""
    if not ids:
        return set()
    if events.query.is_sliced:
        # A sliced queryset cannot be filtered further; test membership against it as a subquery.
        candidates = events.model.objects.filter(pk__in=events.values("pk"))
    else:
        candidates = events
    # `id`, not `pk`: the events' versions at a moment are history rows, whose own key is `history_id`.
    return set(candidates.filter(id__in=ids).order_by().values_list("id", flat=True))


def with_ancestors(actor_ids):
    """The actors and every parent up their chains, so that a file naming them imports on its own.

    One query for the whole hierarchy: actors number in the thousands where
    events may number in the millions, and chains are walked in memory.
    """
    parent_of = dict(Actor.objects.exclude(parent=None).values_list("id", "parent_id"))
    result = set()
    for actor_id in actor_ids:
        while actor_id is not None and actor_id not in result:
            result.add(actor_id)
            actor_id = parent_of.get(actor_id)
    return result


class DatasetJSONFormat(ExportFormat):
    """The dataset file: `{"events": [...], "actors": [...]}`, importable into an empty database.

    Events come first so that the actors they name can be gathered while
    they stream; a relation to an event outside the export is dropped, since
    the file could not be imported without it.
    """

    name = "json"
    media_type = "application/json"
    extension = "json"

    def stream(self, events, progress=None):
        actor_ids = set()
        written = 0
        yield '{\n "events": '
        for chunk in read_chunks(events, progress=progress):
            targets = {relation.to_event_id for event in chunk for relation in event.relations.all()}
            exported = members(events, targets)
            for event in chunk:
                record = event_to_dict(event)
                record["related"] = [r for r in record["related"] if r["event"] in exported]
                actor_ids.update(p["actor"] for p in record["participants"])
                actor_ids.update(s["claimed_by"] for s in record["sources"] if s["claimed_by"])
                yield ("," if written else "[") + "\n" + indented(record)
                written += 1
        yield "\n ]" if written else "[]"
        yield ',\n "actors": '
        written = 0
        for ids in batched(sorted(with_ancestors(actor_ids)), base.CHUNK_SIZE):
            for actor in Actor.objects.filter(pk__in=ids).order_by("id"):
                yield ("," if written else "[") + "\n" + indented(actor_to_dict(actor))
                written += 1
        yield "\n ]" if written else "[]"
        yield "\n}\n"
