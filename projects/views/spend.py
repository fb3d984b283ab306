"""A project's spend and forecasts: each phase's money, and entering spend lines and forecasts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from ..access import ProgrammeMixin
from ..models import Spend
from ..money.formatting import money
from ..selectors.pot import programme_spend
from ..selectors.spend import project_forecasts, project_spend
from ..services import forecasts_set, spend_delete, spend_record
from ..services.confirmation import ConfirmationNeeded
from ..spend_forms import ForecastsForm, SpendForm
from .programmes import ConflictMixin
from .project_pages import ProjectMixin


class ProjectSpendView(ProgrammeMixin, ProjectMixin, TemplateView):
    """Per phase: budget, spent to date, forecast of the rest, outturn and variance; the lines."""

    template_name = "projects/project_spend.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(project=self.project, page=project_spend(project=self.project))
        return context


class ProgrammeSpendView(ProgrammeMixin, TemplateView):
    """The pot by financial year, and each project's budget, spend, outturn and variance."""

    template_name = "projects/programme_spend.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = programme_spend(programme=self.programme)
        return context


def back_to_spend(view):
    return redirect("projects:project_spend", view.programme.slug, view.project.slug)


class SpendCreateView(ProgrammeMixin, ProjectMixin, ConflictMixin, FormView):
    """Add a spend line on a committed phase; a date outside the period or a repeat is asked."""

    edits = True
    form_class = SpendForm
    template_name = "projects/spend_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_context_data(self, **kwargs):
        kwargs["project"] = self.project
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            spend = spend_record(
                project=self.project,
                phase=data["phase"],
                date=data["date"],
                amount=data["amount"],
                supplier=data["supplier"],
                reference=data["reference"],
                description=data["description"],
                confirmed=data["confirmed"],
                user=self.request.user,
            )
        except ConfirmationNeeded as needed:
            asked = form.data.copy()
            asked["confirmed"] = needed.key
            form.data = asked
            return self.render_to_response(
                self.get_context_data(form=form, warnings=needed.warnings)
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            f"A spend line of {money(spend.amount)} on phase {spend.phase.number} is recorded.",
        )
        return back_to_spend(self)


class SpendDeleteView(ProgrammeMixin, ProjectMixin, TemplateView):
    """Confirm, then remove a spend line recorded in error."""

    edits = True
    template_name = "projects/spend_delete.html"

    def get_spend(self) -> Spend:
        spend = (
            Spend.objects.filter(phase__project=self.project, pk=self.kwargs["spend"])
            .select_related("phase")
            .first()
        )
        if spend is None:
            raise Http404("No such spend line")
        return spend

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(project=self.project, spend=self.get_spend())
        return context

    def post(self, request, *args, **kwargs):
        spend = self.get_spend()
        spend_delete(spend=spend, user=request.user)
        messages.success(
            request,
            f"The spend line of {money(spend.amount)} on phase {spend.phase.number} is removed.",
        )
        return back_to_spend(self)


class ForecastsView(ProgrammeMixin, ProjectMixin, ConflictMixin, FormView):
    """Set every phase's forecast per programme financial year on one form."""

    edits = True
    form_class = ForecastsForm
    template_name = "projects/forecasts_form.html"

    def get_form_kwargs(self):
        phases, forecasts = project_forecasts(project=self.project)
        return {
            **super().get_form_kwargs(),
            "project": self.project,
            "phases": phases,
            "forecasts": forecasts,
        }

    def get_context_data(self, **kwargs):
        kwargs["project"] = self.project
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            changed = forecasts_set(
                project=self.project, amounts=form.amounts(), user=self.request.user
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            "The forecasts are saved." if changed else "No forecast changed.",
        )
        return back_to_spend(self)
