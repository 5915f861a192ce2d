from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from events import public_page

admin.site.site_header = "Chancery curation"
admin.site.site_title = "Chancery"
admin.site.index_title = "Events, actors and their sources"

urlpatterns = [
    path("", public_page.timeline, name="timeline"),
    path("api/v1/", include("events.api.urls")),
    # Not throttled: they read nothing from the database, where the throttle counts (events/api/throttling.py).
    path("api/schema/", SpectacularAPIView.as_view(throttle_classes=[]), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema", throttle_classes=[]), name="api-docs"),
    path("admin/", admin.site.urls),
]

# An unknown address under /api/ answers JSON, as the API itself does.
handler404 = "events.errors.not_found"
