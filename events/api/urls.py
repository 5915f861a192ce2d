from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("events", views.EventViewSet, basename="event")
router.register("timeline", views.TimelineViewSet, basename="timeline")
router.register("relations", views.RelationsViewSet, basename="relations")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("event-types", views.EventTypeViewSet, basename="eventtype")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = router.urls
