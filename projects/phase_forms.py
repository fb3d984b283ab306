"""The form that records a decision on a phase: approved, does not proceed, or still pending."""

from __future__ import annotations

from django import forms

from norfolk_connect.forms import HIDDEN_ERRORS, TAMPERED, GovukFormMixin, text_errors

from .fields import DATE_HINT, GovukDateField
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
# Why the date is needed, for each decision that needs one: the date is required only then.
DATE_NEEDED_BECAUSE = {
    Decision.APPROVED.value: "because the business case was approved",
    Decision.NOT_PROCEEDING.value: "because the phase does not proceed",
}


class PhaseDecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={
            "required": "Select what was decided",
            "invalid_choice": "Select what was decided from the list",
        },
    )
    decided_on = GovukDateField(
        label="Decision date",
        required=False,
        # Needed for a decision, not while it is pending: never marked optional, and the hint
        # and the message say when it is needed.
        required_when="a decision is made",
        help_text=f"{DATE_HINT}. Needed if the business case was approved or the phase does not "
        "proceed; leave it empty while the decision is pending.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who decided and why, such as the board meeting's minute.",
        error_messages=text_errors("Note", max_length=NOTE_MAX_LENGTH),
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={**HIDDEN_ERRORS, "required": TAMPERED},
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
        if decision in DATE_NEEDED_BECAUSE and undated:
            self.add_error(
                "decided_on", f"Enter the decision date, {DATE_NEEDED_BECAUSE[decision]}"
            )
        return cleaned
