"""Forms of a project's spend: a spend line, and the forecasts per phase and financial year."""

from __future__ import annotations

from django import forms

from norfolk_connect.forms import ConfirmingForm, GovukFormMixin, choice_errors, text_errors

from .fields import GovukDateField, MoneyField, PositiveMoneyField
from .models import Phase, Project
from .money.document import REFERENCE_MAX_LENGTH
from .money.vocabulary import Decision
from .rules import NAME_MAX_LENGTH

DESCRIPTION_MAX_LENGTH = 2_000


class PhaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Phase) -> str:
        return f"{obj.number}. {obj.name}"


class SpendForm(ConfirmingForm):
    phase = PhaseChoiceField(
        label="Phase",
        queryset=Phase.objects.none(),
        empty_label="Choose a phase",
        error_messages=choice_errors("Phase", select="the phase"),
    )
    date = GovukDateField(label="Date")
    amount = PositiveMoneyField(label="Amount", help_text="In pounds and pence, such as £1,250.")
    supplier = forms.CharField(
        label="Supplier",
        required=False,
        max_length=NAME_MAX_LENGTH,
        error_messages=text_errors("Supplier", max_length=NAME_MAX_LENGTH),
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        help_text="Such as the purchase order or invoice number.",
        error_messages=text_errors("Reference", max_length=REFERENCE_MAX_LENGTH),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the money bought.",
        error_messages=text_errors("Description", max_length=DESCRIPTION_MAX_LENGTH),
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = Phase.objects.filter(project=project).order_by("number")


def forecast_field_name(phase: Phase, year: str) -> str:
    return f"forecast-{phase.number}-{year.replace('/', '-')}"


class ForecastsForm(GovukFormMixin, forms.Form):
    """One amount per phase and programme financial year; blank means no forecast.

    A phase that does not proceed has no fields: nothing more is forecast on it.
    """

    def __init__(self, *args, project: Project, phases: list[Phase], forecasts, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = sorted(project.programme.financial_years)
        self.rows: list[tuple[Phase, list[str]]] = []
        for phase in phases:
            if phase.decision == Decision.NOT_PROCEEDING:
                self.rows.append((phase, []))
                continue
            names = []
            for year in self.years:
                name = forecast_field_name(phase, year)
                self.fields[name] = MoneyField(
                    label=f"Forecast for {year}, phase {phase.number}",
                    subject=f"The forecast for {year} on phase {phase.number}",
                    required=False,
                    initial=forecasts.get((phase.pk, year)),
                )
                self.fields[name].widget.attrs["class"] = "govuk-input--width-10"
                names.append(name)
            self.rows.append((phase, names))

    def amounts(self) -> dict[tuple[int, str], object]:
        return {
            (phase.pk, year): self.cleaned_data[forecast_field_name(phase, year)]
            for phase, names in self.rows
            if names
            for year in self.years
        }

    def bound_rows(self):
        return [(phase, [self[name] for name in names]) for phase, names in self.rows]
