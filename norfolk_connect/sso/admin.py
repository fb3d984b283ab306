"""Identity providers in the admin, which only superusers use (norfolk_connect/admin.py).

The client secret is written, never shown back: the field is a password input that keeps the
stored secret when left empty.
"""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models

from .models import IdentityProvider


def https_by_default(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """An issuer typed without a scheme is taken as https://, as Django 6 will by default."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class IdentityProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=IdentityProvider._meta.get_field("client_secret").help_text
        + " Left empty, a secret already stored is kept; tick the box below to remove it.",
    )
    remove_client_secret = forms.BooleanField(required=False, label="Remove the stored secret")

    class Meta:
        model = IdentityProvider
        fields = ["partnership", "name", "issuer", "client_id", "client_secret", "enabled"]
        widgets = {"issuer": forms.URLInput(attrs={"size": 80})}
        formfield_callback = https_by_default

    def clean_client_secret(self) -> str:
        entered = self.cleaned_data.get("client_secret", "")
        return entered or (self.instance.client_secret if self.instance.pk else "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_client_secret"):
            cleaned["client_secret"] = ""
        return cleaned


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["name", "partnership", "issuer", "client_id", "enabled", "secret_from"]
    list_filter = ["enabled"]
    readonly_fields = ["secret_environment_variable"]

    def formfield_for_dbfield(self, db_field: models.Field, request: Any, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Secret from")
    def secret_from(self, provider: IdentityProvider) -> str:
        if os.environ.get(provider.secret_environment_name):
            return "environment"
        return "stored" if provider.client_secret else "none"

    @admin.display(description="Environment variable read first")
    def secret_environment_variable(self, provider: IdentityProvider) -> str:
        return provider.secret_environment_name if provider.pk else "(after saving)"
