"""The projects table's filters: every one reads from and writes to the page's URL."""

from __future__ import annotations

import django_filters
from django import forms

from norfolk_connect.forms import GovukFormMixin, choice_errors, text_errors
from projects.models import Partner

from .models import Partnership, Project
from .money.vocabulary import Grade, ProjectStatus
from .selectors.projects import awaiting_decision, claiming_grade, search

YES_NO = [("yes", "Yes"), ("no", "No")]


class ProjectFilterForm(GovukFormMixin, forms.Form):
    pass


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=200,
        help_text="Words in the name, description or outputs.",
        error_messages=text_errors("Search", max_length=200),
    )
    status = django_filters.ChoiceFilter(
        choices=ProjectStatus.choices,
        empty_label="Any status",
        error_messages=choice_errors("Status", select="a status"),
    )
    lead_partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.none(),
        label="Lead partner",
        empty_label="Any partner",
        error_messages=choice_errors("Lead partner", select="a lead partner"),
    )
    grade = django_filters.ChoiceFilter(
        label="Claims an outcome graded",
        choices=Grade.choices,
        empty_label="Any grade",
        method="filter_grade",
        error_messages=choice_errors("Grade", select="a grade"),
    )
    supports_strategy = django_filters.ChoiceFilter(
        choices=YES_NO,
        empty_label="Either",
        method="filter_supports_strategy",
        error_messages=choice_errors("Supports the strategy", select="yes, no or either"),
    )
    decision_pending = django_filters.BooleanFilter(
        label="Only projects with a business case awaiting a decision",
        widget=forms.CheckboxInput,
        method="filter_decision_pending",
    )

    class Meta:
        model = Project
        fields: list[str] = []
        form = ProjectFilterForm

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this partnership's councils: another's is neither offered nor accepted.
        self.filters["lead_partner"].queryset = Partner.objects.filter(partnership=partnership)
        strategy = partnership.strategy or "the partnership's strategy"
        self.filters["supports_strategy"].label = f"Supports {strategy}"

    @property
    def is_filtering(self) -> bool:
        """Return whether any filter narrows the projects."""
        if not self.is_bound:
            return False
        return any(self.data.get(name) not in (None, "") for name in self.filters)

    def filter_search(self, queryset, name, value):
        return search(queryset, value) if value else queryset

    def filter_grade(self, queryset, name, value):
        return claiming_grade(queryset, value) if value else queryset

    def filter_supports_strategy(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(supports_strategy=value == "yes")
        return queryset

    def filter_decision_pending(self, queryset, name, value):
        return awaiting_decision(queryset) if value else queryset
