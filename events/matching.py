"""Which stored event a proposed event repeats: the choice the admin's "Events from an article" offers.

`Event.objects.likely_duplicates` finds the stored events a proposal may repeat (same type family, a
shared actor, overlapping dates). Of those, a **match** is one a curator would take for the same event:
the same type and status, the same actors in the same roles (one side may name fewer), and no other
place. The best match, if any, is what the page offers by default: citing the article as a source of
that event, rather than saving a second copy of it as a new draft.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q, prefetch_related_objects

from . import dates
from .models import Actor, Citation, Event, Participant, Role, normalize_url

MAX_CANDIDATES = 5


@dataclass
class Candidate:
    """A stored event a proposal may repeat, and what citing the article there would do."""

    event: Event
    match: bool  # the same event, as far as the proposal says: offered by default
    cites_article: bool  # it already cites the article: citing adds nothing
    refusal: str | None  # why this user may not add a source to it (the review rules), or None


def candidates_for(records, article_url, user):
    """For each proposal of `records` (dataset records), its candidates, best first.

    A stored event that has the proposal's own id (the same proposal, saved before) is one too.
    Queries: the hosts' countries, one per proposal for its candidates, then the participants and
    the citations of them all.
    """
    url = normalize_url(article_url) if article_url else None
    countries = _countries(records)
    found = [list(_stored_like(record)) for record in records]
    prefetch_related_objects(
        [event for events in found for event in events],
        Prefetch("participants", queryset=Participant.objects.select_related("actor")),
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
    )
    result = []
    for record, events in zip(records, found, strict=True):
        proposal = _Shape.of_record(record, countries)
        scored = []
        for event in events:
            key, match = _rank(proposal, _Shape.of_event(event), same_id=event.pk == record["id"], url=url)
            cites = any(citation.source.url == url for citation in event.citations.all())
            refusal = None if cites else event.review_problem(user, event.review_state, ("sources",))
            scored.append((key, Candidate(event, match, cites, refusal)))
        scored.sort(key=lambda item: item[0], reverse=True)
        result.append([candidate for _, candidate in scored[:MAX_CANDIDATES]])
    return result


def _stored_like(record):
    """The stored events `record` may repeat: its likely duplicates, and the event of its own id."""
    start, _ = dates.parse_partial_date(record["start"])
    end = dates.parse_partial_date(record["end"])[0] if record.get("end") else None
    event = Event(
        id=record["id"],
        type_id=record["type"],
        start=start,
        start_precision=record["start_precision"],
        end=end,
        end_precision=record.get("end_precision") or "",
    )
    actors = [p["actor"] for p in record["participants"]]
    # likely_duplicates leaves out the event it is asked about: the proposal's own id is added.
    duplicates = Event.objects.likely_duplicates(event, actors).values("pk")[: MAX_CANDIDATES * 2]
    return Event.objects.filter(Q(pk=record["id"]) | Q(pk__in=duplicates))


def _countries(records):
    ids = {p["actor"] for record in records for p in record["participants"] if p["role"] == Role.HOST}
    return dict(Actor.objects.filter(pk__in=ids).values_list("pk", "country")) if ids else {}


@dataclass
class _Shape:
    """What two events are compared by."""

    type: str
    status: str
    roles: frozenset  # (actor, role), hosts apart: who did what
    places: frozenset  # countries: of the hosts and of the location
    start: datetime.date
    quotes: dict  # source url -> the quote, in words only

    @classmethod
    def of_record(cls, record, countries):
        roles = frozenset((p["actor"], p["role"]) for p in record["participants"] if p["role"] != Role.HOST)
        places = {countries.get(p["actor"]) for p in record["participants"] if p["role"] == Role.HOST}
        places.add((record.get("location") or {}).get("country"))
        quotes = {normalize_url(s["url"]): _words(s.get("quote")) for s in record["sources"]}
        start, _ = dates.parse_partial_date(record["start"])
        return cls(record["type"], record["status"], roles, frozenset(places - {None, ""}), start, quotes)

    @classmethod
    def of_event(cls, event):
        participants = event.participants.all()
        roles = frozenset((p.actor_id, p.role) for p in participants if p.role != Role.HOST)
        places = {p.actor.country for p in participants if p.role == Role.HOST} | {event.location_country}
        quotes = {c.source.url: _words(c.quote) for c in event.citations.all()}
        return cls(event.type_id, event.status, roles, frozenset(places - {None, ""}), event.start, quotes)


def _rank(proposal, stored, same_id, url):
    """(sort key, match) of a stored event for a proposal: higher keys first."""
    shared_roles = proposal.roles & stored.roles
    same_roles = bool(shared_roles) and (proposal.roles <= stored.roles or stored.roles <= proposal.roles)
    other_place = bool(proposal.places and stored.places and not proposal.places & stored.places)
    match = same_id or (
        proposal.type == stored.type and proposal.status == stored.status and same_roles and not other_place
    )
    same_place = bool(proposal.places & stored.places)
    # The same sentence, cited from any article (a wire report runs in many papers).
    same_quote = bool(set(proposal.quotes.values()) & set(stored.quotes.values()) - {""})
    days_apart = abs((proposal.start - stored.start).days)
    key = (same_id, match, same_place, same_quote, proposal.roles == stored.roles, url in stored.quotes, -days_apart)
    return key, match


def _words(text):
    """A quote compared in its words only: typographic and straight quotes, dashes and spaces alike."""
    return re.sub(r"\W+", " ", (text or "").casefold()).strip()
