"""The form that records a decision on a phase: approved, does not proceed, or still pending."""

from __future__ import annotations

from django import forms

from norfolk_connect.forms import GovukFormMixin

from .models import Phase
from .money.vocabulary import Decision

DECISION_CHOICES = [
    (Decision.APPROVED.value, "Business case approved"),
    (Decision.NOT_PROCEEDING.value, "Does not proceed"),
    (Decision.PENDING.value, "Decision pending"),
]
DECISION_HINTS = {
    Decision.APPROVED.value: "Its cost is committed: it moves into the programme's minimum.",
    Decision.NOT_PROCEEDING.value: "Its cost leaves the programme's minimum and maximum; "
    "money already paid for it goes back to the partners.",
    Decision.PENDING.value: "Its cost stays in the maximum only, until the business case "
    "is decided.",
}
NOTE_MAX_LENGTH = 2000


class PhaseDecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Choose a decision."},
    )
    decided_on = forms.DateField(
        label="Date of the decision",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example, 2004-09-27. Not needed while the decision is pending.",
        error_messages={"invalid": "Enter a real date, such as 2004-09-27."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who decided and why, such as the board meeting's minute.",
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "The page was out of date; reload it and try again.",
            "invalid": "The page was out of date; reload it and try again.",
            "min_value": "The page was out of date; reload it and try again.",
        },
    )

    def __init__(self, *args, phase: Phase, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only a gated phase has a decision to record (the view sends any other back); the
        # service still refuses approving a phase that no business case gates.
        self.phase = phase

    def choice_hints(self) -> dict[str, str]:
        return DECISION_HINTS

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        undated = cleaned.get("decided_on") is None and "decided_on" not in self.errors
        if decision and decision != Decision.PENDING and undated:
            self.add_error("decided_on", "Enter the date the decision was made.")
        return cleaned
