"""The review workflow's rules for a write: which of a read dataset's changes a user may make.

Every write checks them, whether it comes from the API, the admin's import or a curator's kept proposals.
"""

from ..models import Event, ReviewState, Source, normalize_url, source_change_problem
from ..shape import SOURCE_METADATA
from .importer import CHUNK
from .problems import DatasetError, Problem
from .records import content_changes, event_to_dict


def review_problems(reader, user):
    """Refuse the writes the review rules do not let `user` make (Event.review_problem): an editor's
    file may not publish, nor a reviewer's change what a reviewed or published event shows (with
    REVIEW_BY_ANOTHER), nor change a source that reviewed or published events outside the file cite."""
    problems = []
    for start in range(0, len(reader.events), CHUNK):
        chunk = reader.events[start : start + CHUNK]
        wanted = {clean.event.pk: clean.event.review_state for clean in chunk}
        stored = Event.objects.in_bulk(list(wanted))
        # What the write changes matters only where the event is, or is to be, reviewed or published.
        draft = ReviewState.DRAFT
        compared = [pk for pk, event in stored.items() if event.review_state != draft or wanted[pk] != draft]
        with_relations = Event.objects.with_dataset_relations().in_bulk(compared) if compared else {}
        shapes = {pk: event_to_dict(event) for pk, event in with_relations.items()}
        for clean in chunk:
            before = stored.get(clean.event.pk, clean.event)
            changed = content_changes(shapes[before.pk], clean.data) if before.pk in shapes else ()
            problem = before.review_problem(user, clean.event.review_state, changed)
            if problem:
                problems.append(Problem(f"event {clean.event.pk}", "review_state", problem))
    problems += source_problems(reader, user)
    if problems:
        raise DatasetError(problems)


def source_problems(reader, user):
    """The changes of stored sources' metadata that `user` may not make (source_change_problem), each
    named at the first event of the file that cites the source."""
    stored = Source.objects.in_bulk(list(reader.sources), field_name="url")
    changes = {}
    for url, metadata in reader.sources.items():
        source = stored.get(url)
        changed = [key for key in SOURCE_METADATA if source is not None and getattr(source, key) != metadata[key]]
        if changed:
            changes[url] = changed
    if not changes:
        return []
    written = {clean.event.pk for clean in reader.events}
    citing = {}
    closed = Event.objects.exclude(review_state=ReviewState.DRAFT).citing(list(changes))
    for event in closed.only("id", "review_state", "updated_by").order_by("id"):
        if event.pk not in written:
            citing.setdefault(event.cited_url, []).append(event)
    problems = []
    for url, changed in changes.items():
        problem = source_change_problem(user, stored[url], changed, citing.get(url, ()))
        if problem:
            record, where = _first_citation(reader, url)
            problems.append(Problem(record, f"{where}.{changed[0]}", problem))
    return problems


def _first_citation(reader, url):
    """(record label, field) of the first citation of the source at `url` in the reader's document."""
    for raw in reader.document.get("events", []):
        for index, item in enumerate(raw.get("sources") or []):
            if normalize_url(item["url"]) == url:
                return f"event {raw['id']}", f"sources[{index}]"
    raise ValueError(f"{url} is not cited in the document")
