"""The public page: the timeline at /.

The page is a plain server-rendered list with a filter form, which works
without JavaScript; events/static/events/timeline.js enhances it with the time
axis, the histogram, the detail panel and the two-actor view, all read from
the same filters through the API. The filters live in the URL, in the API's
own grammar (docs/api.md), so that a view can be shared and its downloads are
the same query.
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from . import dates
from .asof import events_then, visible_then
from .exports import FORMATS
from .exports.base import human_date, precision_note
from .facets import facets
from .filters import EventFilter, UtcDateTimeField
from .models import Actor, Event, EventType, Status, may_see_unpublished
from .relations_index import relations_index
from .releases import all_manifests
from .rollup import subtree
from .shape import by_role

PAGE_SIZE = 200

# Parameters of the page itself, not filters: they stay out of the API and export links.
PAGE_PARAMS = ("view", "interval")
VIEWS = ("all", "pair")

# What the download buttons say; a format missing here is offered under its own name.
FORMAT_LABELS = {
    "csv": "CSV",
    "csv-excel": "CSV for Excel",
    "xlsx": "Excel (xlsx)",
    "json": "JSON dataset",
    "ndjson": "NDJSON",
    "ics": "iCalendar",
    "geojson": "GeoJSON",
    "timelinejs": "TimelineJS",
}

# How the filter errors name their field to a reader of the page.
FIELD_LABELS = {
    "actor": "Actor",
    "actor_tree": "Actor",
    "type": "Type",
    "status": "Status",
    "date_from": "From",
    "date_to": "To",
    "q": "Words",
    "country": "Country",
    "initiator": "Initiator",
    "target": "Target",
    "publisher": "Publisher",
    "tag": "Tag",
    "updated_since": "Changed since",
    "review_state": "Review state",
    "ordering": "Order",
    "as_of": "As of",
    "__all__": "Filters",
}
# The filters the form has a field for; the others (from a shared link) ride along as hidden fields.
FORM_FIELDS = ("actor", "type", "status", "date_from", "date_to", "q", "as_of")


def filter_params(query):
    """The filters of the query string: without the page's own parameters, nor empty values.

    An HTML form sends its empty fields (`actor=&q=`); they mean "no filter" here,
    as an empty date does in the API.
    """
    params = QueryDict(mutable=True)
    for key, values in query.lists():
        if key in PAGE_PARAMS:
            continue
        values = [value.strip() for value in values if value.strip()]
        if values:
            params.setlist(key, values)
    return params


# The facets the page shows beside the filters, with their headings, and how many values of each.
PAGE_FACETS = {"type": "Type", "actor": "Actor", "country": "Country", "status": "Status", "year": "Year"}
PAGE_FACET_SIZE = 8


def narrowed(params, view, facet, value):
    """The page's address with the filters `params` narrowed to the events having `value` of `facet`."""
    query = params.copy()
    if facet == "actor":
        if value not in query.getlist("actor"):
            query.appendlist("actor", value)  # actors are all required: one more narrows
    elif facet == "year":
        # The year within the dates already chosen: a later date_from or an earlier date_to stays.
        first, last = datetime.date(int(value), 1, 1), datetime.date(int(value), 12, 31)
        chosen_from = _partial(query.get("date_from"), end=False)
        chosen_to = _partial(query.get("date_to"), end=True)
        query["date_from"] = query["date_from"] if chosen_from and chosen_from > first else value
        query["date_to"] = query["date_to"] if chosen_to and chosen_to < last else value
    else:
        query.setlist(facet, [value])  # types and statuses are any of those chosen: one alone narrows
    if view != "all":
        query["view"] = view
    return f"?{query.urlencode()}"


def narrowed_to_period(params, period, interval):
    """The two-actor view's address narrowed to the occurred events of `period` ("2025", "2025-02"), within
    the dates already chosen: the events behind a point of the relations index."""
    query = params.copy()
    day, precision = dates.parse_partial_date(period)
    first, last = day, dates.period_end(day, precision)
    chosen_from = _partial(query.get("date_from"), end=False)
    chosen_to = _partial(query.get("date_to"), end=True)
    query["date_from"] = query["date_from"] if chosen_from and chosen_from > first else period
    query["date_to"] = query["date_to"] if chosen_to and chosen_to < last else period
    query.setlist("status", [Status.OCCURRED])  # the index counts occurred events only
    query["view"] = "pair"
    query["interval"] = interval
    return f"?{query.urlencode()}"


def pair_of(params, view):
    """The two actors of the two-actor view, (a, b); None in the other view or without exactly two."""
    chosen = params.getlist("actor")
    return tuple(chosen) if view == "pair" and len(chosen) == 2 and chosen[0] != chosen[1] else None


def rolled_up(params, pair):
    """The filters with the two actors of the two-actor view rolled up: `actor_tree` for `actor`, so that
    Russia stands for its president, its ministries and their ministers too (docs/page.md)."""
    if pair is None:
        return params
    query = params.copy()
    query.pop("actor")
    trees = query.getlist("actor_tree")
    query.setlist("actor_tree", [*trees, *(actor for actor in pair if actor not in trees)])
    return query


def page_relations(events, params, pair, interval):
    """The relations index of the pair over `events` (the page's filtered set), as /api/v1/relations/ gives
    it, each period with the address of its events rather than their ids. Without an interval of the
    page's (auto), by year, or by month when the dyad's events start within three years."""
    a, b = pair
    if interval in dates.PRECISIONS:
        index = relations_index(events, a, b, interval)
    else:
        index = relations_index(events, a, b, dates.YEAR)
        years = {bucket["period"][:4] for bucket in index["buckets"]}
        if years and int(max(years)) - int(min(years)) < 3:
            index = relations_index(events, a, b, dates.MONTH)
    for bucket in index["buckets"]:
        del bucket["events"]  # a busy dyad has thousands: each period links to its events instead
        bucket["url"] = narrowed_to_period(params, bucket["period"], index["interval"])
        bucket["score_text"] = signed(bucket["score"])
    index["score_text"] = signed(index["score"])
    return index


def signed(score):
    """A score as the page writes it: "+7.0", "−9.2" (a minus sign), "0.0"."""
    return f"{'+' if score > 0 else '−' if score < 0 else ''}{abs(score):.1f}"


def _partial(text, end):
    try:
        day, precision = dates.parse_partial_date(text)
    except ValueError:
        return None
    return dates.period_end(day, precision) if end else day


def page_facets(events, params, view):
    """The total and the facets of the events (a filtered queryset), each value a link that narrows."""
    summary = facets(events, PAGE_FACETS, PAGE_FACET_SIZE)
    return {
        "count": summary["count"],
        "facets": [
            (
                name,
                heading,
                [{**row, "url": narrowed(params, view, name, str(row["value"]))} for row in summary["facets"][name]],
            )
            for name, heading in PAGE_FACETS.items()
        ],
    }


def describe(event, names):
    """Attach what the list shows of an event: its dates in words, how precise they are, its actors by role."""
    event.when = human_date(event.start, event.start_precision)
    if event.end:
        event.when += " – " + human_date(event.end, event.end_precision or event.start_precision)
    event.precision = precision_note(event).strip("()")
    event.cited = list(event.citations.all())
    for citation in event.cited:
        citation.claimed_by_name = names.get(citation.claimed_by_id, citation.claimed_by_id)
    event.roles = [
        (role, [names.get(actor_id, actor_id) for actor_id in actor_ids]) for role, actor_ids in by_role(event).items()
    ]


def events_of_moment(versions, moment, user):
    """The events of the versions (history rows) with their parts and types as they stood at `moment`."""
    events = events_then(versions, moment, published_only=not may_see_unpublished(user))
    types = EventType.objects.in_bulk({event.type_id for event in events})
    for event in events:
        event.type = types.get(event.type_id)
    return events


def moment_of(params):
    """The page's `as_of` (UTC), None without one; ValidationError when it is not a past ISO datetime."""
    raw = params.get("as_of")
    if raw is None:
        return None
    moment = UtcDateTimeField().clean(raw)
    if moment > timezone.now():
        raise ValidationError("is in the future: give a moment that has passed")
    return moment


def releases_listed():
    """The releases, latest first, with the addresses of their files (docs/releases.md)."""
    listed = []
    for manifest in all_manifests():
        url = reverse("release-detail", kwargs={"name": manifest["name"]})
        files = [{**entry, "url": url + entry["name"]} for entry in manifest["files"]]
        listed.append({**manifest, "url": url, "files": files, "manifest_url": url + "manifest.json"})
    return listed


def timeline(request):
    """Published events matching the filters in the URL, so that a view can be shared; with `as_of`, as
    they stood at that moment (docs/api.md)."""
    params = filter_params(request.GET)
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "all"
    status, errors, shown, summary, relations = 200, {}, [], None, None
    try:
        moment = moment_of(params)
    except ValidationError as exc:
        moment, status, errors = None, 400, {"as_of": exc.messages}
    if moment is None:
        events = Event.objects.visible_to(request.user).with_dataset_relations().select_related("type").chronological()
    else:
        events = visible_then(moment, request.user).order_by("start", "id")
    pair = pair_of(params, view)
    rolled = rolled_up(params, pair)  # the question the page asks, of itself and of the API
    filters = rolled.copy()
    filters.pop("as_of", None)
    filterset = EventFilter(filters, queryset=events, request=request)
    # As the API does: a misspelt filter is said, not ignored (the page's own view and interval aside).
    unknown = {key: ["is not a filter"] for key in filters if key not in filterset.filters}
    if unknown or errors:
        status, errors = 400, {**unknown, **errors}
    elif not filterset.is_valid():
        status, errors = 400, filterset.errors
    else:
        try:
            shown = filterset.qs.head(PAGE_SIZE + 1)  # with date_from, in two index ranges
            if moment is not None:
                shown = events_of_moment(shown, moment, request.user)
            summary = page_facets(filterset.qs, params, view)
            if pair and moment is None:  # the index counts the events as they are now
                relations = page_relations(filterset.qs, params, pair, request.GET.get("interval", ""))
        except PermissionDenied as denied:  # review_state, for anonymous readers
            status, errors = 403, denied.detail
    valid = status == 200

    chosen_actors = params.getlist("actor")
    actor_ids = {p.actor_id for e in shown for p in e.participants.all()}
    actor_ids |= {c.claimed_by_id for e in shown for c in e.citations.all() if c.claimed_by_id}
    # Only valid filters name actors that exist; others are shown as typed, without asking the database.
    names = dict(Actor.objects.filter(pk__in=actor_ids | set(chosen_actors if valid else [])).values_list("id", "name"))
    for event in shown:
        describe(event, names)

    query = rolled.urlencode()
    export_url = reverse("event-export")
    downloads = [
        {
            "format": name,
            "label": FORMAT_LABELS.get(name, name.upper()),
            "extension": fmt.extension,
            "url": f"{export_url}?{QueryDict(f'format={name}').urlencode()}{'&' + query if query else ''}",
        }
        for name, fmt in FORMATS.items()
    ]
    # The pair view has exactly two actor fields; the plain view one per chosen actor and one more.
    if view == "pair":
        actor_fields = (chosen_actors + ["", ""])[:2] if len(chosen_actors) <= 2 else chosen_actors
    else:
        actor_fields = [*chosen_actors, ""]
    types = EventType.objects.order_by("code")

    return render(
        request,
        "events/timeline.html",
        {
            "filterset": filterset,
            "errors": [(FIELD_LABELS.get(field, field), field, messages) for field, messages in errors.items()],
            # Filters of the URL that the form has no field for: kept when the form is sent again.
            "other_filters": [
                (key, value) for key, values in params.lists() if key not in FORM_FIELDS for value in values
            ],
            "events": shown[:PAGE_SIZE],
            "summary": summary,
            "relations": relations,
            "relations_names": [names.get(actor, actor) for actor in pair or ()],
            # The feed follows the events as they change: it has no moment.
            "feed_url": f"{reverse('event-feed')}{'?' + filters.urlencode() if filters else ''}",
            "page_size": PAGE_SIZE,
            "truncated": len(shown) > PAGE_SIZE,
            "types": types,
            "statuses": Status.choices,
            "chosen": {
                "actors": chosen_actors,
                "types": params.getlist("type"),
                "statuses": params.getlist("status"),
                "date_from": params.get("date_from", ""),
                "date_to": params.get("date_to", ""),
                "q": params.get("q", ""),
                "as_of": params.get("as_of", ""),
            },
            "actor_fields": [{"id": actor_id, "name": names.get(actor_id, actor_id)} for actor_id in actor_fields],
            "view": view,
            "names": names,
            "query": query,
            "downloads": downloads,
            "releases": releases_listed(),
            # What timeline.js starts from: the filters, as the API takes them, and the names it already knows.
            "page_data": {
                "query": query,
                "view": view,
                "interval": request.GET.get("interval", ""),
                "actors": chosen_actors,
                "names": names,
                "as_of": params.get("as_of", ""),
                # Each actor of the pair and those below it, for the lanes of who initiated what.
                "trees": {
                    actor: list(Actor.objects.filter(pk__in=subtree(actor)).values_list("pk", flat=True))
                    for actor in (pair if pair and valid else ())
                },
                "relations": relations,
                "valid": valid,
                "api": {
                    "events": reverse("event-list"),
                    "timeline": reverse("timeline-list"),
                    "actors": reverse("actor-list"),
                    "types": reverse("eventtype-list"),
                },
            },
        },
        status=status,
    )
