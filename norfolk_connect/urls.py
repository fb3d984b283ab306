"""URL roots: the admin, sign-in, and one root per app for the screens built on them."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("projects.urls")),
]
