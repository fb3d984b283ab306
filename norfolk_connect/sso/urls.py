"""The single sign-on URLs, under accounts/sso/ (norfolk_connect/urls.py)."""

from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    # Before the partnership's start URL, whose slug pattern would take "callback" too.
    path("callback/", views.callback, name="callback"),
    path("<slug:slug>/", views.start, name="start"),
]
