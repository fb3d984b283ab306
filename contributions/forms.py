"""Forms for a partnership's partners and a programme's contributions."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from norfolk_connect.forms import GovukFormMixin
from projects.fields import MoneyField
from projects.models import Contribution, Partner, Programme
from projects.money.document import CONTRIBUTION
from projects.money.formatting import weight_text
from projects.money.vocabulary import Tranche
from projects.rules import POPULATION_MAX, WEIGHT_DECIMAL_PLACES, WEIGHT_MAX_WHOLE_DIGITS
from projects.validators import SlugFormField

from .selectors import contributing_partners

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
STALE = "This page is out of date: open it again, then make your change."
MAX_NOTE = 2000
WEIGHT_TOO_LARGE = f"Enter an agreed weight less than {10**WEIGHT_MAX_WHOLE_DIGITS:,}."


THOUSANDS = re.compile(r"^\s*\d{1,3}(?:,\d{3})+\s*$")


class WholeNumberField(forms.IntegerField):
    """A whole number, typed with or without thousands commas (124,000 or 124000)."""

    def to_python(self, value):
        if isinstance(value, str) and THOUSANDS.match(value):
            value = value.replace(",", "")
        return super().to_python(value)


class VersionedForm(GovukFormMixin):
    """Carry the version of the row the form was shown from, to refuse a stale save.

    The version travels in a hidden field; a tampered value is a form error, not a field error,
    since there is no field the person could correct.
    """

    def add_version_field(self, instance) -> None:
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if not self.is_bound:
            self.initial["version"] = instance.version

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            text = str(cleaned.get("version") or "").strip()
            if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
                self.add_error(None, STALE)
            else:
                cleaned["version"] = int(text)
        return cleaned


class VersionForm(VersionedForm, forms.Form):
    """Only the version: for confirming the removal of a row."""

    def __init__(self, *args, instance, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field(instance)


class PartnerForm(VersionedForm, forms.ModelForm):
    slug = SlugFormField(
        label="Slug",
        help_text="Used in web addresses and the programme file, such as south-norfolk. "
        "It cannot be changed later.",
    )
    population = WholeNumberField(
        label="Population",
        required=False,
        min_value=0,
        max_value=POPULATION_MAX,
        help_text="Used when costs are apportioned by population. A whole number.",
        error_messages={
            "invalid": "Enter the population as a whole number, like 124,000.",
            "min_value": "Enter a population of 0 or more.",
            "max_value": f"Enter a population of {POPULATION_MAX:,} or less.",
        },
    )
    weight = forms.DecimalField(
        label="Agreed weight",
        required=False,
        min_value=Decimal("0"),
        max_digits=WEIGHT_MAX_WHOLE_DIGITS + WEIGHT_DECIMAL_PLACES,
        decimal_places=WEIGHT_DECIMAL_PLACES,
        help_text="Used when costs are apportioned by agreed weights: a percentage, say, "
        f"up to {WEIGHT_DECIMAL_PLACES} decimal places.",
        error_messages={
            "invalid": "Enter the agreed weight as a number, like 12.5.",
            "min_value": "Enter an agreed weight of 0 or more.",
            "max_digits": WEIGHT_TOO_LARGE,
            "max_whole_digits": WEIGHT_TOO_LARGE,
            "max_decimal_places": "Enter an agreed weight with no more than "
            f"{WEIGHT_DECIMAL_PLACES} decimal places.",
        },
    )
    ieg_grant = MoneyField(
        label="IEG grant",
        required=False,
        help_text="Optional: its Implementing Electronic Government grant, such as £500,000. "
        "Its statement then shows its contribution as a share of it.",
    )

    class Meta:
        model = Partner
        fields = ["name", "slug", "contributes", "population", "weight", "ieg_grant"]
        labels = {"contributes": "Contributes to the programmes' extra cost"}
        error_messages = {"name": {"required": "Enter the partner's name."}}
        help_texts = {
            "contributes": "Tick if it shares the extra cost of the partnership's programmes."
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Text, not type=number, as GOV.UK Frontend advises: people type 124,000.
        self.fields["population"].widget = forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}
        )
        self.fields["weight"].widget = forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "decimal"}
        )
        if self.instance.pk:
            del self.fields["slug"]
            self.add_version_field(self.instance)
            if not self.is_bound:
                self.initial["weight"] = weight_text(self.instance.weight) or None

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass


class ContributionForm(VersionedForm, forms.ModelForm):
    partner = forms.ModelChoiceField(
        label="Partner",
        queryset=Partner.objects.none(),
        empty_label="Choose a partner",
        help_text="Only partners that contribute to the programme are listed.",
        error_messages={
            "required": "Choose the partner.",
            "invalid_choice": "Choose a contributing partner of the partnership.",
            "invalid_pk_value": "Choose a contributing partner of the partnership.",
        },
    )
    financial_year = forms.ChoiceField(
        label="Financial year",
        error_messages={
            "required": "Choose the financial year.",
            "invalid_choice": "Choose one of the programme's financial years.",
        },
    )
    amount = MoneyField(label="Amount", help_text="In pounds, such as £10,000.")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Enter a note of no more than {MAX_NOTE:,} characters."},
    )

    class Meta:
        model = Contribution
        fields = list(CONTRIBUTION.edited_keys)
        labels = {
            "pledged_on": "Date pledged",
            "invoiced_on": "Date invoiced",
            "received_on": "Date received",
            "returned_on": "Date returned",
        }
        help_texts = {
            "received_on": "Needed when the status is received.",
            "returned_on": "Needed when the status is returned.",
        }
        widgets = {
            "pledged_on": DATE_WIDGET,
            "invoiced_on": DATE_WIDGET,
            "received_on": DATE_WIDGET,
            "returned_on": DATE_WIDGET,
        }

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        partners = contributing_partners(partnership=programme.partnership)
        years = list(programme.financial_years)
        if self.instance.pk:
            # A contribution keeps its partner and year even if they no longer qualify.
            partners = partners | Partner.objects.filter(pk=self.instance.partner_id)
            if self.instance.financial_year not in years:
                years.append(self.instance.financial_year)
            self.add_version_field(self.instance)
        self.fields["partner"].queryset = partners.order_by("position", "name")
        self.fields["financial_year"].choices = [("", "Choose a year")] + [
            (year, year) for year in sorted(years)
        ]
        self.fields["tranche"].choices = [("", "Choose a tranche"), *Tranche.choices]
        for name in ("tranche", "status"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose one of the listed {self.fields[name].label.lower()} options."
            )
        for name in ("pledged_on", "invoiced_on", "received_on", "returned_on"):
            self.fields[name].error_messages["invalid"] = "Enter a real date, like 2004-07-01."

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass
