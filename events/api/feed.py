"""The Atom feed of a question: the events its filters match, the most recently changed first.

A feed reader given `/api/v1/events/feed/?actor_tree=russia&actor_tree=united-states` learns of each new
or changed event between Russia and the US. Written by Django's `feedgenerator` (Atom 1.0).
"""

from django.http import HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from rest_framework.negotiation import DefaultContentNegotiation

from .pagination import page_size_from

MAX_ENTRIES = 50
MEDIA_TYPE = "application/atom+xml"


class FirstRenderer(DefaultContentNegotiation):
    """The feed answers Atom whatever `Accept` asks (a feed reader's `application/atom+xml`, a browser's
    `text/html`); DRF's renderer, JSON, then writes only its errors."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def entries_wanted(request):
    return min(page_size_from(request, default=MAX_ENTRIES), MAX_ENTRIES)


def atom_response(request, events):
    """The feed of `events` (already filtered, ordered and cut) for the question `request` asked."""
    filters = urlencode([(key, value) for key, values in request.query_params.lists() for value in values
                         if key != "page_size"])  # fmt: skip
    site = request.build_absolute_uri("/")
    page = f"{site}?{filters}" if filters else site
    feed = Atom1Feed(
        title=f"Chancery: {filters.replace('&', ', ')}" if filters else "Chancery: every event",
        link=page,
        description="Diplomatic events matching the question, the most recently changed first.",
        feed_url=request.build_absolute_uri(),
        feed_guid=request.build_absolute_uri(),
        language="en",
        author_name="Chancery",
    )
    for event in events:
        feed.add_item(
            title=event.title,
            # The event on the public page, within the same question; its id is the event's own address there.
            link=f"{page}#event={event.id}",
            unique_id=f"{site}#event={event.id}",
            description=event.summary,
            updateddate=event.updated_at,
            pubdate=event.created_at,
            categories=[event.type_id],
        )
    return HttpResponse(feed.writeString("utf-8"), content_type=f"{MEDIA_TYPE}; charset=utf-8")
