from django.contrib import admin
from django.urls import path

admin.site.site_header = "Chancery curation"
admin.site.site_title = "Chancery"
admin.site.index_title = "Events, actors and their sources"

urlpatterns = [
    path("admin/", admin.site.urls),
]
