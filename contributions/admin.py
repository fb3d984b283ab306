from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from projects.models import Contribution, Partner

from .services import check_contribution, check_partner_basis, check_still_contributing


class PartnerAdminForm(forms.ModelForm):
    """The partner's rules, as its page checks them, so that the programme files load."""

    def _post_clean(self) -> None:
        super()._post_clean()
        partner = self.instance
        if self.errors or partner.partnership_id is None:
            return
        before = Partner.objects.filter(pk=partner.pk).first()
        try:
            if before is not None:
                check_still_contributing(before, contributes=partner.contributes)
            check_partner_basis(partner, before=before)
        except ValidationError as error:
            self._update_errors(error)


class ContributionAdminForm(forms.ModelForm):
    """The contribution's rules, as its page checks them, so that the programme file loads."""

    def _post_clean(self) -> None:
        super()._post_clean()
        contribution = self.instance
        if self.errors or contribution.programme_id is None or contribution.partner_id is None:
            return
        before = (
            Contribution.objects.filter(pk=contribution.pk).first() if contribution.pk else None
        )
        try:
            check_contribution(contribution, programme=contribution.programme, before=before)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerAdminForm
    list_display = ["name", "slug", "partnership", "contributes", "population", "weight"]
    list_filter = ["partnership", "contributes"]
    list_select_related = ["partnership"]
    search_fields = ["name", "slug"]

    def get_readonly_fields(self, request, obj=None):
        # Its contributions and projects belong to its partnership: it cannot move to another.
        return ["partnership"] if obj is not None else []


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    form = ContributionAdminForm
    list_display = ["partner", "programme", "financial_year", "tranche", "amount", "status"]
    list_filter = ["programme", "financial_year", "tranche", "status"]
    list_select_related = ["partner", "programme"]
