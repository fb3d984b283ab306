"""URL roots: the admin, sign-in, and the programmes with their sections."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("programmes/<slug:slug>/", include("contributions.urls")),
    path("programmes/<slug:slug>/", include("reports.urls")),
    path("programmes/<slug:slug>/", include("reports.urls_report")),
    path("", include("projects.urls")),
]
