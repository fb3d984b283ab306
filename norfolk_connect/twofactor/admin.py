"""An operator's way out for a person who lost both their phone and their recovery codes."""

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import Authenticator


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has an authenticator app; deleting one turns two-factor sign-in off for them.

    The secret is never shown. Someone who must use two-factor sign-in sets up a new app the
    next time they sign in.
    """

    list_display = ["user", "confirmed_at"]
    search_fields = ["user__username"]
    fields = ["user", "confirmed_at"]
    readonly_fields = ["user", "confirmed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        services.turn_off(obj.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for authenticator in queryset.select_related("user"):
            services.turn_off(authenticator.user)
