"""A project's spend and forecasts: each phase's budget, spent, forecast and outturn."""

from __future__ import annotations

from django.views.generic import TemplateView

from ..access import ProgrammeMixin
from ..selectors.spend import project_spend
from .project_pages import ProjectMixin


class ProjectSpendView(ProgrammeMixin, ProjectMixin, TemplateView):
    """Per phase: budget, spent to date, forecast of the rest, outturn and variance; the lines."""

    template_name = "projects/project_spend.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(project=self.project, page=project_spend(project=self.project))
        return context
