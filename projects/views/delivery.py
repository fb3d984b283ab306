"""A project's delivery: adding, changing and removing its milestones, and setting its status."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from ..access import ProgrammeMixin
from ..delivery_forms import MilestoneForm, StatusForm
from ..models import Milestone
from ..money.vocabulary import Rag
from ..selectors.delivery import milestone_row
from ..services.delivery import milestone_delete, milestone_save, status_set
from .programmes import ConflictMixin
from .project_pages import ProjectMixin


def back_to_project(view):
    url = reverse("projects:project_detail", args=[view.programme.slug, view.project.slug])
    return redirect(f"{url}#delivery")


class MilestoneMixin:
    """Resolve the URL's milestone within the project; put it after ProjectMixin in the bases."""

    milestone: Milestone

    def dispatch(self, request, *args, **kwargs):
        milestone = (
            Milestone.objects.filter(project=self.project, pk=self.kwargs["milestone"])
            .select_related("phase")
            .first()
        )
        if milestone is None:
            raise Http404("No such milestone")
        milestone.project = self.project
        self.milestone = milestone
        return super().dispatch(request, *args, **kwargs)


class MilestoneFormMixin(ConflictMixin):
    """The milestone form's page; its views set ``edits`` themselves, as ProgrammeMixin's comes
    before this in their bases."""

    form_class = MilestoneForm
    template_name = "projects/milestone_form.html"
    milestone: Milestone | None = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_context_data(self, **kwargs):
        kwargs.update(project=self.project, milestone=self.milestone)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            saved = milestone_save(
                project=self.project,
                milestone=self.milestone,
                name=data["name"],
                phase=data["phase"],
                baseline=data["baseline"],
                forecast=data["forecast"],
                actual=data["actual"],
                user=self.request.user,
            )
        except ValidationError as error:
            return self.refused(form, error)
        row = milestone_row(saved, as_of=timezone.localdate())
        done = "changed" if self.milestone else "added"
        messages.success(
            self.request,
            f"The milestone “{saved.name}” is {done}: {row.dates.state.lower()}, "
            f"{row.dates.slippage_words.lower()}.",
        )
        return back_to_project(self)


class MilestoneCreateView(ProgrammeMixin, ProjectMixin, MilestoneFormMixin, FormView):
    """Add a milestone to the project, or to one of its phases."""

    edits = True


class MilestoneUpdateView(
    ProgrammeMixin, ProjectMixin, MilestoneMixin, MilestoneFormMixin, FormView
):
    """Change a milestone: its forecast when it slips, its actual date once reached."""

    edits = True

    def get_initial(self):
        milestone = self.milestone
        return {
            "name": milestone.name,
            "phase": milestone.phase_id,
            "baseline": milestone.baseline,
            "forecast": milestone.forecast,
            "actual": milestone.actual,
        }


class MilestoneDeleteView(ProgrammeMixin, ProjectMixin, MilestoneMixin, TemplateView):
    """Confirm, then remove a milestone recorded in error."""

    edits = True
    template_name = "projects/milestone_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            project=self.project,
            milestone=self.milestone,
            row=milestone_row(self.milestone, as_of=timezone.localdate()),
        )
        return context

    def post(self, request, *args, **kwargs):
        milestone_delete(milestone=self.milestone, user=request.user)
        messages.success(request, f"The milestone “{self.milestone.name}” is removed.")
        return back_to_project(self)


class StatusSetView(ProgrammeMixin, ProjectMixin, ConflictMixin, FormView):
    """Set the project's red, amber or green status, with the reason and the date it was set."""

    edits = True
    form_class = StatusForm
    template_name = "projects/status_form.html"

    def get_initial(self):
        return {"date": timezone.localdate()}

    def get_context_data(self, **kwargs):
        kwargs["project"] = self.project
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            update = status_set(
                project=self.project,
                status=data["status"],
                date=data["date"],
                reason=data["reason"],
                user=self.request.user,
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            f"{self.project.name} is now {Rag(update.status).label.lower()}, "
            f"as of {update.date:%-d %B %Y}.",
        )
        return back_to_project(self)
