"""Partnerships and their memberships in the Django admin, with the access history kept.

The admin is the operators' way to set up a partnership and its first facilitator
(docs/deployment.md); the People page is the partnership's own. A membership added, given
another role or deleted here writes the same access history as there, noted "in the admin",
and signs out whoever lost or changed access (``services.admin_changes_record``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction

from projects.models import Membership, Partnership

from . import services


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "strategy"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change) -> None:
        before = services.memberships_before({form.instance.pk})
        super().save_related(request, form, formsets, change)
        services.admin_changes_record(before=before, actor=request.user)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role", "partner"]
    list_filter = ["partnership", "role"]
    list_select_related = ["user", "partnership", "partner"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj: Membership, form, change) -> None:
        stored = Membership.objects.filter(pk=obj.pk).values_list("partnership_id", flat=True)
        before = services.memberships_before({obj.partnership_id, *stored})
        super().save_model(request, obj, form, change)
        services.admin_changes_record(before=before, actor=request.user)

    def delete_model(self, request, obj: Membership) -> None:
        before = services.memberships_before({obj.partnership_id})
        super().delete_model(request, obj)
        services.admin_changes_record(before=before, actor=request.user)

    def delete_queryset(self, request, queryset: Any) -> None:
        with transaction.atomic():
            ids = set(queryset.values_list("partnership_id", flat=True))
            before = services.memberships_before(ids)
            super().delete_queryset(request, queryset)
            services.admin_changes_record(before=before, actor=request.user)
