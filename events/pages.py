"""The public pages: the timeline at /."""

from django.shortcuts import render

from .filters import EventFilter
from .models import Actor, Event, EventType

PAGE_SIZE = 200


def timeline(request):
    """Published events matching the filters in the URL, so that a view can be shared."""
    events = Event.objects.visible_to(request.user).with_dataset_relations().select_related("type").chronological()
    filterset = EventFilter(request.GET, queryset=events, request=request)
    shown = list(filterset.qs[: PAGE_SIZE + 1]) if filterset.is_valid() else []
    names = dict(
        Actor.objects.filter(participations__event__in=[e.pk for e in shown]).distinct().values_list("id", "name")
    )
    return render(
        request,
        "events/timeline.html",
        {
            "filterset": filterset,
            "events": shown[:PAGE_SIZE],
            "truncated": len(shown) > PAGE_SIZE,
            "types": EventType.objects.order_by("code"),
            "names": names,
            "query": request.GET.urlencode(),
        },
        status=200 if filterset.is_valid() else 400,
    )
