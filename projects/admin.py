from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .fields import FinancialYearsField
from .models import FundingLine, OutcomeClaim, Phase, Programme, Project
from .money.vocabulary import Decision, ProjectStatus
from .services.programmes import check_apportionment, check_years_kept


class ProgrammeAdminForm(forms.ModelForm):
    """The programme's own rules, as its settings page checks them, so that its file loads."""

    # Typed as on the settings page ("2004/05, 2005/06"), read by the same field, rather than
    # as JSON, whose form field calls any refused year "not valid JSON".
    financial_years = FinancialYearsField(
        help_text="The UK local government years it spans, separated by commas, "
        "such as 2004/05, 2005/06."
    )

    def _post_clean(self) -> None:
        super()._post_clean()
        programme = self.instance
        if self.errors or programme.partnership_id is None:
            return
        try:
            if programme.pk:
                check_years_kept(programme, programme.financial_years)
            check_apportionment(programme.partnership, programme.apportionment)
        except ValidationError as error:
            self._update_errors(error)


# Partnerships and memberships are registered by norfolk_connect.people.admin, which keeps
# the access history of what is changed there.


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ["name", "slug", "partnership", "starts", "ends", "apportionment"]
    list_filter = ["partnership"]
    list_select_related = ["partnership"]
    search_fields = ["name", "slug"]

    def get_readonly_fields(self, request, obj=None):
        # Its partners and contributions belong to its partnership: it cannot move to another.
        return ["partnership"] if obj is not None else []


class PhaseInlineFormSet(forms.BaseInlineFormSet):
    """A withdrawn project's phases must all be "not proceeding", as its page and file say."""

    def clean(self) -> None:
        super().clean()
        if self.instance.status != ProjectStatus.WITHDRAWN:
            return
        going_ahead = [
            str(form.cleaned_data.get("number"))
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("decision") != Decision.NOT_PROCEEDING
        ]
        if going_ahead:
            raise ValidationError(
                "A withdrawn project's phases must all be “not proceeding”; change the "
                f"decision of phase {', '.join(going_ahead)} or choose another status."
            )


class PhaseInline(admin.TabularInline):
    model = Phase
    formset = PhaseInlineFormSet
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
