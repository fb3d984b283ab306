"""Forms for a partnership's partners and a programme's contributions."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from norfolk_connect.forms import GovukFormMixin, choice_errors, text_errors
from projects.fields import (
    GovukDateField,
    MoneyField,
    email_field,
    person_name_field,
)
from projects.models import Contribution, Partner, Programme
from projects.money.document import CONTRIBUTION
from projects.money.formatting import weight_text
from projects.money.vocabulary import Tranche
from projects.rules import (
    NAME_MAX_LENGTH,
    POPULATION_MAX,
    STATUS_NEEDS_DATE,
    WEIGHT_DECIMAL_PLACES,
    WEIGHT_MAX_WHOLE_DIGITS,
)

from .selectors import contributing_partners

STALE = "This page is out of date: open it again, then make your change"
MAX_NOTE = 2000
WEIGHT_TOO_LARGE = f"Agreed weight must be less than {10**WEIGHT_MAX_WHOLE_DIGITS:,}"


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
        self.fields["version"] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            error_messages={"null_characters_not_allowed": STALE},
        )
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
    """A partner's name and figures; its slug is made from its name when it is added."""

    population = WholeNumberField(
        label="Population",
        required=False,
        min_value=0,
        max_value=POPULATION_MAX,
        help_text="Used when costs are apportioned by population. A whole number.",
        error_messages={
            "invalid": "Population must be a whole number, like 124,000",
            "min_value": "Population must be 0 or more",
            "max_value": f"Population must be {POPULATION_MAX:,} or less",
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
            "invalid": "Agreed weight must be a number, like 12.5",
            "min_value": "Agreed weight must be 0 or more",
            "max_digits": WEIGHT_TOO_LARGE,
            "max_whole_digits": WEIGHT_TOO_LARGE,
            "max_decimal_places": f"Agreed weight must have {WEIGHT_DECIMAL_PLACES} decimal "
            "places or fewer",
        },
    )
    ieg_grant = MoneyField(
        label="IEG grant",
        required=False,
        help_text="Optional: its Implementing Electronic Government grant, such as £500,000. "
        "Its statement then shows its contribution as a share of it.",
    )

    lead_officer_name = person_name_field(
        "Name",
        subject="Lead officer's name",
        help_text="The council's officer for the partnership's work.",
    )
    lead_officer_email = email_field("Email address", subject="Lead officer's email address")
    finance_contact_name = person_name_field(
        "Name",
        subject="Finance contact's name",
        help_text="The council's finance officer: its invoices are addressed to them.",
    )
    finance_contact_email = email_field("Email address", subject="Finance contact's email address")

    # The named people, each shown in a fieldset of its own after the partner's figures.
    PEOPLE = (
        ("Lead officer", ("lead_officer_name", "lead_officer_email")),
        ("Finance contact", ("finance_contact_name", "finance_contact_email")),
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "contributes",
            "population",
            "weight",
            "ieg_grant",
            "lead_officer_name",
            "lead_officer_email",
            "finance_contact_name",
            "finance_contact_email",
        ]
        labels = {"contributes": "Contributes to the programmes' extra cost"}
        error_messages = {
            "name": text_errors(
                "Partner name", enter="the partner's name", max_length=NAME_MAX_LENGTH
            )
        }
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
            self.add_version_field(self.instance)
            if not self.is_bound:
                self.initial["weight"] = weight_text(self.instance.weight) or None

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass

    @property
    def own_fields(self) -> list:
        """The partner's own fields, shown before the fieldsets of its people."""
        people = {name for _, names in self.PEOPLE for name in names}
        return [field for field in self.visible_fields() if field.name not in people]

    @property
    def people(self) -> list[tuple[str, list]]:
        """Each named person's legend and their fields."""
        return [(legend, [self[name] for name in names]) for legend, names in self.PEOPLE]


class ContributionForm(VersionedForm, forms.ModelForm):
    partner = forms.ModelChoiceField(
        label="Partner",
        queryset=Partner.objects.none(),
        empty_label="Choose a partner",
        help_text="Only partners that contribute to the programme are listed.",
        error_messages=choice_errors("Partner", select="a contributing partner"),
    )
    financial_year = forms.ChoiceField(
        label="Financial year",
        error_messages=choice_errors(
            "Financial year", select="one of the programme's financial years"
        ),
    )
    amount = MoneyField(label="Amount", help_text="In pounds, such as £10,000.")
    pledged_on = GovukDateField(label="Date pledged", required=False)
    invoiced_on = GovukDateField(label="Date invoiced", required=False)
    received_on = GovukDateField(
        label="Date received",
        required=False,
        required_when="the status is received",
        help_text="For example, 27 9 2004. Needed if the status is received.",
    )
    returned_on = GovukDateField(
        label="Date returned",
        required=False,
        required_when="the status is returned",
        help_text="For example, 27 9 2004. Needed if the status is returned.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=text_errors("Note", max_length=MAX_NOTE),
    )

    class Meta:
        model = Contribution
        fields = list(CONTRIBUTION.edited_keys)
        error_messages = {
            "tranche": choice_errors("Tranche"),
            "status": choice_errors("Status", select="the contribution's status"),
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

    def clean(self):
        cleaned = super().clean()
        # Said with the other mistakes, not only once they are put right and the service sees it.
        if needed := STATUS_NEEDS_DATE.get(str(cleaned.get("status") or "")):
            date_field, words = needed
            if date_field not in self.errors and not cleaned.get(date_field):
                self.add_error(date_field, words)
        return cleaned

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass
