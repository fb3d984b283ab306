from django.contrib import admin

from .models import Contribution, Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "partnership", "contributes", "population", "weight"]
    list_filter = ["partnership", "contributes"]
    list_select_related = ["partnership"]
    search_fields = ["name", "slug"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["partner", "programme", "financial_year", "tranche", "amount", "status"]
    list_filter = ["programme", "financial_year", "tranche", "status"]
    list_select_related = ["partner", "programme"]
