from django.urls import re_path
from rest_framework.routers import DefaultRouter

from . import releases, views

router = DefaultRouter()
router.register("events", views.EventViewSet, basename="event")
router.register("timeline", views.TimelineViewSet, basename="timeline")
router.register("relations", views.RelationsViewSet, basename="relations")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("event-types", views.EventTypeViewSet, basename="eventtype")
router.register("sources", views.SourceViewSet, basename="source")
router.register("releases", releases.ReleaseViewSet, basename="release")

urlpatterns = router.urls + [
    # A release's file keeps its own name at the end of its address, without a slash after it.
    re_path(
        r"^releases/(?P<name>[^/]+)/(?P<file>[^/]+)$",
        releases.ReleaseViewSet.as_view({"get": "download"}, detail=True),
        name="release-file",
    ),
]
