"""Two-factor sign-in's pages, under accounts/two-factor/."""

from django.urls import path

from . import views

app_name = "twofactor"

urlpatterns = [
    path("code/", views.verify, name="verify"),
    path("set-up/", views.setup, name="setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/new/", views.new_recovery_codes, name="new_recovery_codes"),
    path("turn-off/", views.turn_off, name="turn_off"),
]
