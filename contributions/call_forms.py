"""Forms of the money after the board decides: a call, a payment, a refund or credit."""

from __future__ import annotations

from django import forms

from norfolk_connect.forms import ConfirmingForm, GovukFormMixin, choice_errors, text_errors
from projects.fields import DATE_HINT, GovukDateField, PositiveMoneyField
from projects.models import Partner, Programme
from projects.money.document import REFERENCE_MAX_LENGTH
from projects.money.vocabulary import RefundKind, Tranche
from projects.rules import NAME_MAX_LENGTH

from .selectors import contributing_partners

RADIOS = {"class": "govuk-radios__input"}
TRANCHE_HINTS = {
    Tranche.IMMEDIATE.value: "Each council's agreed immediate tranche, less what it has "
    "already been invoiced.",
    Tranche.REVIEW.value: "The rest of each council's agreed cap, once a later meeting's "
    "decision releases it.",
}
KIND_HINTS = {
    RefundKind.REFUND.value: "Money paid back to the council.",
    RefundKind.CREDIT.value: "Money set against the council's next invoice.",
}


class CallForm(ConfirmingForm):
    tranche = forms.ChoiceField(
        label="Which tranche is called?",
        choices=Tranche.choices,
        widget=forms.RadioSelect(attrs=RADIOS),
        error_messages=choice_errors("Tranche", select="the tranche"),
    )
    financial_year = forms.ChoiceField(
        label="Financial year",
        widget=forms.RadioSelect(attrs=RADIOS),
        error_messages=choice_errors(
            "Financial year", select="one of the programme's financial years"
        ),
    )
    issued = GovukDateField(label="Date of issue")
    due = GovukDateField(label="Due date", help_text=f"{DATE_HINT}. When the councils must pay by.")

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [
            (year, year) for year in sorted(programme.financial_years)
        ]

    def choice_hints(self) -> dict[str, str]:
        return TRANCHE_HINTS

    def clean(self):
        cleaned = super().clean()
        issued, due = cleaned.get("issued"), cleaned.get("due")
        if issued and due and due < issued:
            self.add_error("due", "The due date must be the same as or after the date of issue")
        return cleaned


class PaymentForm(ConfirmingForm):
    date = GovukDateField(label="Date received")
    amount = PositiveMoneyField(label="Amount", help_text="In pounds and pence, such as £5,000.")
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        help_text="Such as the BACS or cheque reference.",
        error_messages=text_errors("Reference", max_length=REFERENCE_MAX_LENGTH),
    )


class RefundForm(ConfirmingForm):
    partner = forms.ModelChoiceField(
        label="Council",
        queryset=Partner.objects.none(),
        empty_label="Choose a council",
        error_messages=choice_errors("Council", select="the council"),
    )
    kind = forms.ChoiceField(
        label="How is the money given back?",
        choices=RefundKind.choices,
        widget=forms.RadioSelect(attrs=RADIOS),
        error_messages=choice_errors("Kind", select="whether it is a refund or a credit"),
    )
    date = GovukDateField(label="Date")
    amount = PositiveMoneyField(label="Amount", help_text="In pounds and pence, such as £1,250.")
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text="Such as the phase that did not proceed.",
        error_messages=text_errors("Reason", max_length=NAME_MAX_LENGTH),
    )

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = contributing_partners(
            partnership=programme.partnership
        ).order_by("position", "name")

    def choice_hints(self) -> dict[str, str]:
        return KIND_HINTS


class ConfirmForm(GovukFormMixin, forms.Form):
    """Nothing but the button: for confirming that a call, payment or refund is removed."""
