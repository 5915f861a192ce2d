"""Stored actors and events as records of the dataset shape (docs/dataset.md): what the file, the API and
the exports write."""

import json

from ..shape import EVENT_KEYS, SOURCE_METADATA, cited_source, shaped_event

ACTOR_KEYS = ("id", "name", "kind", "country", "aliases", "parent", "wikidata")


def actor_to_dict(actor):
    return {
        "id": actor.id,
        "name": actor.name,
        "kind": actor.kind,
        "country": actor.country or None,
        "aliases": list(actor.aliases),
        "parent": actor.parent_id,
        "wikidata": actor.wikidata or None,
    }


def source_to_dict(citation):
    source = citation.source
    metadata = {key: getattr(source, key) for key in SOURCE_METADATA}
    return cited_source(source.url, metadata, citation.quote, citation.claimed_by_id)


def content_changes(before, after):
    """The keys of an event's dataset shape whose values differ from `before` to `after`, the review
    state aside: what readers see of the event that a write changes."""
    return [key for key in EVENT_KEYS if key != "review_state" and before.get(key) != after.get(key)]


def event_to_dict(event):
    """An event in the dataset shape; needs `Event.objects.with_documents()` or `.with_dataset_relations()`."""
    document = getattr(event, "document", None)
    if document is not None:
        return json.loads(document)
    return shaped_event(
        event,
        participants=[(p.actor_id, p.role) for p in event.participants.all()],
        sources=[source_to_dict(citation) for citation in event.citations.all()],
        tags=[tag.slug for tag in event.tags.all()],
        related=[(r.to_event_id, r.relation) for r in event.relations.all()],
    )
