"""The risk register's forms: a risk, and the register's filters (status, project, band)."""

from __future__ import annotations

import django_filters
from django import forms

from norfolk_connect.forms import (
    HIDDEN_ERRORS,
    TAMPERED,
    GovukFormMixin,
    choice_errors,
    text_errors,
)

from .fields import GovukDateField
from .models import Programme, Project, Risk
from .money.vocabulary import RiskStatus
from .rules import NAME_MAX_LENGTH
from .selectors.risks import in_band

REFERENCE_MAX_LENGTH = 20
TEXT_MAX_LENGTH = 2_000
SCORE_HINT = "A whole number from 1 to 5, where 5 is {}."


def score_errors(subject: str) -> dict[str, str]:
    message = f"{subject} must be a whole number from 1 to 5"
    return {
        "required": f"Enter the {subject.lower()}, a whole number from 1 to 5",
        "invalid": message,
        "min_value": message,
        "max_value": message,
        "max_digits": message,
        "null_characters_not_allowed": message,
    }


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Project) -> str:
        return obj.name


def score_field(subject: str, most: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=subject,
        min_value=1,
        max_value=5,
        help_text=SCORE_HINT.format(most),
        error_messages=score_errors(subject),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-2", "autocomplete": "off"}
        ),
    )


class RiskForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(
        label="Reference",
        max_length=REFERENCE_MAX_LENGTH,
        help_text="How the register names it, such as 3.1 or R4.",
        error_messages=text_errors(
            "Reference", enter="the risk's reference", max_length=REFERENCE_MAX_LENGTH
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label="Description",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What might happen, and what it would do to the programme.",
        error_messages=text_errors(
            "Description", enter="the risk's description", max_length=TEXT_MAX_LENGTH
        ),
    )
    project = ProjectChoiceField(
        label="Project",
        queryset=Project.objects.none(),
        required=False,
        empty_label="The programme as a whole",
        error_messages=choice_errors("Project", select="the project, or the programme as a whole"),
    )
    likelihood = score_field("Likelihood", "almost certain")
    impact = score_field("Impact", "the most serious")
    owner = forms.CharField(
        label="Owner",
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text="Who watches the risk and acts on it.",
        error_messages=text_errors("Owner", max_length=NAME_MAX_LENGTH),
    )
    mitigation = forms.CharField(
        label="Mitigation",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is being done to make it less likely or less serious.",
        error_messages=text_errors("Mitigation", max_length=TEXT_MAX_LENGTH),
    )
    status = forms.ChoiceField(
        label="Status",
        choices=RiskStatus.choices,
        initial=RiskStatus.OPEN,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages=choice_errors("Status", select="whether the risk is open or closed"),
    )
    next_review = GovukDateField(label="Next review date", required=False)
    # The risk's latest change when the form was opened: a save from an older copy is refused.
    seen = forms.IntegerField(
        widget=forms.HiddenInput, required=False, error_messages=HIDDEN_ERRORS
    )

    # Said under each status's radio (contributions/partials/_radios.html).
    choice_hints = {
        RiskStatus.OPEN.value: "On the heat map and, if among the highest scores, the dashboard.",
        RiskStatus.CLOSED.value: "It has passed or been dealt with. It stays in the register with "
        "its record, off the heat map and the dashboard.",
    }

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(programme=programme).order_by(
            "position", "pk"
        )
        self.fields["seen"].error_messages["null_characters_not_allowed"] = TAMPERED


def risk_initial(risk: Risk, seen: int | None) -> dict:
    return {
        "reference": risk.reference,
        "description": risk.description,
        "project": risk.project_id,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "owner": risk.owner,
        "mitigation": risk.mitigation,
        "status": risk.status,
        "next_review": risk.next_review,
        "seen": seen,
    }


BANDS = [("high", "High (score 15 to 25)"), ("medium", "Medium (5 to 14)"), ("low", "Low (1 to 4)")]


class RiskFilterForm(GovukFormMixin, forms.Form):
    pass


class RiskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=RiskStatus.choices,
        empty_label="Open or closed",
        error_messages=choice_errors("Status", select="a status"),
    )
    project = django_filters.ChoiceFilter(
        label="Project",
        choices=[],
        empty_label="Any project, or the programme",
        method="filter_project",
        error_messages=choice_errors("Project", select="a project"),
    )
    band = django_filters.ChoiceFilter(
        label="Score",
        choices=BANDS,
        empty_label="Any score",
        method="filter_band",
        error_messages=choice_errors("Score", select="a score band"),
    )

    class Meta:
        model = Risk
        fields: list[str] = []
        form = RiskFilterForm

    def __init__(self, *args, projects: list[Project], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["project"].extra["choices"] = [("programme", "The programme as a whole")] + [
            (project.slug, project.name) for project in projects
        ]

    @property
    def is_filtering(self) -> bool:
        if not self.is_bound:
            return False
        return any(self.data.get(name) not in (None, "") for name in self.filters)

    def filter_project(self, queryset, name, value):
        if value == "programme":
            return queryset.filter(project__isnull=True)
        return queryset.filter(project__slug=value) if value else queryset

    def filter_band(self, queryset, name, value):
        return in_band(queryset, value) if value else queryset
