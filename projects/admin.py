from django.contrib import admin

from .models import FundingLine, Membership, OutcomeClaim, Partnership, Phase, Programme, Project


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role", "partner"]
    list_filter = ["partnership", "role"]
    list_select_related = ["user", "partnership", "partner"]
    autocomplete_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "partnership", "starts", "ends", "apportionment"]
    list_filter = ["partnership"]
    list_select_related = ["partnership"]
    search_fields = ["name", "slug"]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0


class OutcomeClaimInline(admin.TabularInline):
    model = OutcomeClaim
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "status", "supports_strategy", "lead_partner", "position"]
    list_filter = ["programme", "status", "supports_strategy"]
    list_select_related = ["programme", "lead_partner"]
    search_fields = ["name", "slug", "description"]
    inlines = [PhaseInline, FundingLineInline, OutcomeClaimInline]
