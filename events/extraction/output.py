"""Proposals as a dataset document."""

from .. import dates


def proposals_to_dataset(extraction):
    """The proposals as a dataset document of draft events, for `events.dataset.import_document`, with the
    people they name that Chancery does not know yet.

    The source is the article; when its URL is already a source in the database, the stored title,
    publisher and date are used, so that importing the proposals never rewrites curated metadata.
    Without a URL the events carry no source (a draft may), and each summary keeps the quote.
    """
    article = extraction.article
    source = _source_metadata(article) if article.url else None
    events = []
    for proposal in extraction.proposals:
        date = proposal.date
        events.append(
            {
                "id": proposal.id,
                "title": proposal.title,
                "summary": proposal.summary,
                "type": proposal.type,
                "status": proposal.status,
                "start": dates.format_partial_date(date.start, date.precision),
                "start_precision": date.precision,
                "end": dates.format_partial_date(date.end, date.end_precision) if date.end else None,
                "end_precision": date.end_precision if date.end else None,
                "participants": [{"actor": actor, "role": role} for actor, role in proposal.participants],
                "location": proposal.location,
                "sources": [{**source, "quote": proposal.quote, "claimed_by": proposal.claimed_by}] if source else [],
                "tags": [],
                "related": [],
                "review_state": "draft",
            }
        )
    return {"actors": _new_actors(extraction), "events": events}


def _new_actors(extraction):
    """The people named with a title that the proposals use, as new actors under their parent: a curator
    accepts them with the events (importing them never touches a stored actor: their ids are new)."""
    used = {actor for p in extraction.proposals for actor in (*p.actors(), p.claimed_by) if actor}
    return [
        {
            "id": person.id,
            "name": person.name,
            "kind": "person",
            "country": person.country or None,
            "aliases": [],
            "parent": person.parent,
            "wikidata": None,
        }
        for person in extraction.people
        if person.id in used
    ]


def _source_metadata(article):
    from ..models import Source, normalize_url

    stored = Source.objects.filter(url=normalize_url(article.url)).first()
    if stored is not None:
        return {
            "url": stored.url,
            "title": stored.title,
            "publisher": stored.publisher,
            "published": stored.published.isoformat() if stored.published else None,
        }
    return {
        "url": article.url,
        "title": article.title,
        "publisher": article.publisher or "",
        "published": article.published.isoformat() if article.published else None,
    }
