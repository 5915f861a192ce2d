"""The review workflow's rules for a write: which of a read dataset's changes a user may make.

Every write checks them, whether it comes from the API, the admin's import or a curator's kept proposals.
"""

from django.db.models import Q

from ..models import Actor, Citation, Event, Participant, ReviewState, Source, normalize_url, source_change_problem
from ..shape import SOURCE_METADATA
from .importer import CHUNK
from .problems import DatasetError, Problem
from .records import content_changes, event_to_dict


def review_problems(reader, user):
    """Refuse the writes the review rules do not let `user` make (Event.review_problem): an editor's
    file may not publish, nor a reviewer's change what a reviewed or published event shows (with
    REVIEW_BY_ANOTHER), nor change a source that reviewed or published events outside the file cite, nor rename an actor
    that reviewed or published events show."""
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
    problems += actor_problems(reader, user)
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


# What an event shows of its actors: their names (the CSV's name columns, the page, the iCalendar export).
ACTOR_SHOWN = ("name",)


def showing_actor(pk):
    """The events that show the actor `pk`: those it takes part in, and those a source of which it is said
    to claim."""
    takes_part = Participant.objects.filter(actor=pk).values("event_id")
    claims = Citation.objects.filter(claimed_by=pk).values("event_id")
    return Event.objects.filter(Q(pk__in=takes_part) | Q(pk__in=claims))


def actor_problems(reader, user):
    """The file's changes of stored actors' names that `user` may not make (shown_change_problem): every
    event showing the actor counts, those of the file too, whose own comparison sees only the actor's id."""
    changes = {}
    stored = Actor.objects.in_bulk([actor.id for actor in reader.actors])
    for actor in reader.actors:
        current = stored.get(actor.id)
        changed = [key for key in ACTOR_SHOWN if current is not None and getattr(current, key) != getattr(actor, key)]
        if changed:
            changes[actor.id] = changed
    problems = []
    for pk, changed in changes.items():
        label = f"The actor {pk!r} ({stored[pk].name})"
        problem = shown_change_problem(user, label, changed, showing_actor(pk))
        if problem:
            problems.append(Problem(f"actor {pk}", changed[0], problem))
    return problems


def shown_change_problem(user, label, changed, events):
    """Why `user` may not change the fields `changed` of an actor or event type (`label`, as the message
    names it) that `events` show, or None.

    What an event shows of its actors (their names) and of its type (its name and codes) is part of it,
    as a cited source's title is (source_change_problem): while reviewed or published events show it, a
    change follows the review rules of changing them (Event.review_problem). Those rules depend, for a
    write that keeps an event's review state, on the event's state alone: one event of each state is
    asked.
    """
    shown = events.exclude(review_state=ReviewState.DRAFT).order_by("id")
    closed = []
    for state in ReviewState.values:
        first = shown.filter(review_state=state).only("id", "review_state", "updated_by").first()
        if first is not None and first.review_problem(user, state, changed=changed):
            closed.append(state)
    if not closed:
        return None
    ids = list(shown.filter(review_state__in=closed).values_list("id", flat=True)[:6])
    named = ", ".join(ids[:5]) + (" and more" if len(ids) > 5 else "")
    return (
        f"{label} is shown by the {' or '.join(closed)} event{'s' if len(ids) > 1 else ''} {named}: changing "
        f"its {', '.join(changed)} would change {'them' if len(ids) > 1 else 'it'} unreviewed. Keep it as "
        f"stored, or have a superuser change it."
    )
