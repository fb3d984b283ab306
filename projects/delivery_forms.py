"""Forms of a project's delivery: a milestone, and the project's red, amber or green status."""

from __future__ import annotations

from django import forms

from norfolk_connect.forms import GovukFormMixin, choice_errors, text_errors

from .fields import DATE_HINT, GovukDateField
from .models import Phase, Project
from .money.vocabulary import Rag
from .rules import NAME_MAX_LENGTH
from .spend_forms import PhaseChoiceField

REASON_MAX_LENGTH = 2_000

STATUS_HINTS = {
    Rag.RED.value: "It will not deliver what was agreed, on time or within budget, without the "
    "board's help.",
    Rag.AMBER.value: "There are problems, and the project team has a plan to put them right.",
    Rag.GREEN.value: "On track: it will deliver what was agreed, on time and within budget.",
}


class MilestoneForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        help_text="What is reached, such as “Gateway live for all seven councils”.",
        error_messages=text_errors(
            "Name", enter="the milestone's name", max_length=NAME_MAX_LENGTH
        ),
    )
    phase = PhaseChoiceField(
        label="Phase",
        required=False,
        queryset=Phase.objects.none(),
        empty_label="The project as a whole",
        error_messages=choice_errors("Phase", select="a phase of this project"),
    )
    baseline = GovukDateField(
        label="Baseline date",
        help_text=f"The date first planned, which slippage is counted from. {DATE_HINT}",
    )
    forecast = GovukDateField(
        label="Forecast date",
        required=False,
        help_text=f"When it is now expected, if not on its baseline date. {DATE_HINT}",
    )
    actual = GovukDateField(
        label="Actual date",
        required=False,
        help_text=f"When it was reached: leave it empty until it is. {DATE_HINT}",
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = Phase.objects.filter(project=project).order_by("number")


class StatusForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=Rag.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages=choice_errors("Status", select="the status: red, amber or green"),
    )
    date = GovukDateField(
        label="Date set",
        help_text=f"The day the status was judged: today or earlier. {DATE_HINT}",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the project has this status, in words the board can act on.",
        error_messages=text_errors(
            "Reason", enter="the reason for the status", max_length=REASON_MAX_LENGTH
        ),
    )
    choice_hints = STATUS_HINTS
