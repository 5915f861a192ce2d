"""Entity tags of events: one validator of what an event's representation shows, for the API and the admin.

The API answers `ETag` and honours `If-Match` and `If-None-Match` with it; the admin's event form
carries it, so that a save over someone else's change is refused rather than silently overwriting it.
"""

import hashlib
import json

from .dataset import event_to_dict


def etag(shape):
    """A strong validator of everything an event's representation (its dataset shape) shows."""
    text = json.dumps(shape, sort_keys=True, ensure_ascii=False)
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def etag_of(event):
    """The ETag of the event's own content, its dataset shape: what a write changes and `If-Match` guards,
    the same for every reader. `created_at`, `updated_at` and `incoming` (other events' relations) are
    not part of it."""
    return etag(event_to_dict(event))


def matches(header, etag):
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags
