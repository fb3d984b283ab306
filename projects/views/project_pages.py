"""The projects table, a project's page, and recording a decision on one of its phases."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from projects.money.figures import ProgrammeFigures

from ..access import ProgrammeMixin
from ..filters import ProjectFilter
from ..history import ConcurrentEditError
from ..models import Phase, Project
from ..money.formatting import money
from ..money.review import CapsAfter, caps_after
from ..money.vocabulary import Decision
from ..phase_forms import PhaseDecisionForm
from ..selectors import project_for_page, project_page, projects_for_table, table_totals
from ..selectors.delivery import project_delivery
from ..selectors.review import phase_cap_review
from ..selectors.risks import project_risks
from ..services import phase_decide
from ..tables import ProjectTable
from .programmes import ConflictMixin
from .tranches import TrancheConfirmMixin


class ProjectListView(ProgrammeMixin, SingleTableMixin, FilterView):
    """The programme's projects, filtered and sorted by the URL, with the filtered set's totals."""

    template_name = "projects/project_list.html"
    filterset_class = ProjectFilter
    table_class = ProjectTable
    # The table pages itself; paginate_by would make the list view count and page it again.
    table_pagination = {"per_page": 25}

    def get_queryset(self):
        return projects_for_table(programme=self.programme)

    def get_filterset_kwargs(self, filterset_class):
        return {
            **super().get_filterset_kwargs(filterset_class),
            "partnership": self.programme.partnership,
        }

    def get_table_kwargs(self):
        self.totals = table_totals(self.object_list)
        return {"programme_slug": self.programme.slug, "totals": self.totals}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.totals
        return context


class ProjectMixin:
    """Resolve the URL's project within the programme; put it after ProgrammeMixin in the bases.

    It runs inside ProgrammeMixin's dispatch, once the programme is known (and an editor checked
    for), so that another programme's project answers 404 to any method, never 405.
    """

    project: Project

    def dispatch(self, request, *args, **kwargs):
        self.project = self.get_project()
        return super().dispatch(request, *args, **kwargs)

    def get_project(self) -> Project:
        project = get_object_or_404(
            Project.objects.filter(programme=self.programme), slug=self.kwargs["project"]
        )
        project.programme = self.programme  # already fetched: saves a query
        return project


class PhaseMixin:
    """Resolve the URL's phase within the project; put it after ProjectMixin in the bases."""

    phase: Phase

    def dispatch(self, request, *args, **kwargs):
        self.phase = get_object_or_404(Phase, project=self.project, number=self.kwargs["number"])
        self.phase.project = self.project
        return super().dispatch(request, *args, **kwargs)


class GatedPhaseMixin:
    """Send a phase that no business case gates back to its project, saying why.

    Put it after PhaseMixin in the bases. Such a phase is committed (design, section 4.1): it has
    no decision to record, and it is stopped by setting its decision in the project's editor.
    """

    def dispatch(self, request, *args, **kwargs):
        if not self.phase.gated:
            messages.info(request, not_gated_message(self.phase))
            return redirect("projects:project_detail", self.programme.slug, self.project.slug)
        return super().dispatch(request, *args, **kwargs)


def not_gated_message(phase: Phase) -> str:
    return (
        f"Phase {phase.number} of {phase.project.name} is not gated by a business case, so it "
        "has no decision to record: its cost is committed. To stop it, edit the project and "
        "set the phase's decision to “Not proceeding”."
    )


class ProjectDetailView(ProgrammeMixin, ProjectMixin, TemplateView):
    """A project's text, phases, funding, claims, money, the programme's money and history."""

    template_name = "projects/project_detail.html"

    def get_project(self) -> Project:
        return project_for_page(programme=self.programme, slug=self.kwargs["project"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = project_page(programme=self.programme, project=self.project)
        context.update(page=page, project=page.project, figures=page.figures)
        context["delivery"] = project_delivery(project=self.project, as_of=timezone.localdate())
        context["risks"] = project_risks(project=page.project, as_of=timezone.localdate())
        return context


def decision_message(*, phase: Phase, before: ProgrammeFigures, after: ProgrammeFigures) -> str:
    """Say what was decided and how the programme's figures moved because of it."""
    what = f"Phase {phase.number} of {phase.project.name}"
    said = {
        Decision.APPROVED: f"{what}: business case approved.",
        Decision.NOT_PROCEEDING: f"{what} does not proceed.",
        Decision.PENDING: f"{what} awaits a decision.",
    }[phase.decision]
    moves = [
        f"the programme's {name} {'rose' if new > old else 'fell'} from {money(old)} to "
        f"{money(new)}"
        for name, old, new in (
            ("minimum", before.extra_min, after.extra_min),
            ("maximum", before.extra_max, after.extra_max),
        )
        if new != old
    ]
    for name, old, new in (
        ("immediate tranche", before.immediate_per_partner, after.immediate_per_partner),
        ("cap", before.cap_per_partner, after.cap_per_partner),
    ):
        if new is not None and new != old:
            moves.append(f"the {name} per partner is now {money(new)}")
    if not moves:
        return (
            f"{said} The programme's figures are unchanged: minimum {money(after.extra_min)}, "
            f"maximum {money(after.extra_max)}."
        )
    text = "; ".join(moves)
    return f"{said} {text[0].upper()}{text[1:]}."


def with_caps(text: str, after: CapsAfter | None, *, phase: Phase, programme: str) -> str:
    """Add who now needs more than its agreed cap, and, when the phase stops, who has a surplus.

    The surplus ends in a link to give it back: to the one council's refund, or to the refunds
    page's list of surpluses when there are several.
    """
    if after is None:
        return text
    said = " ".join(part for part in (text, after.over_sentence) if part)
    if phase.decision != Decision.NOT_PROCEEDING or not after.surplus:
        return said
    if len(after.surplus) == 1:
        query = urlencode({"partner": after.surplus[0].partner})
        href = f"{reverse('contributions:refund_create', args=[programme])}?{query}"
        offer = "offer it a refund or credit"
    else:
        href = f"{reverse('contributions:refund_list', args=[programme])}#surpluses"
        offer = "offer each a refund or credit"
    return format_html(
        '{} {}: <a class="govuk-notification-banner__link" href="{}">{}</a>.',
        said,
        after.surplus_sentence,
        href,
        offer,
    )


class PhaseDecisionView(
    TrancheConfirmMixin,
    ProgrammeMixin,
    ProjectMixin,
    PhaseMixin,
    GatedPhaseMixin,
    ConflictMixin,
    FormView,
):
    """Record a gated phase's decision; the project page then says how the figures changed."""

    edits = True
    form_class = PhaseDecisionForm
    template_name = "projects/phase_decision.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "phase": self.phase}

    def get_initial(self):
        return {
            "decision": self.phase.decision,
            "decided_on": self.phase.decided_on,
            "note": self.phase.decision_note,
            "version": self.phase.project.version,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            phase=self.phase,
            project=self.phase.project,
            cap_review=phase_cap_review(programme=self.programme, phase=self.phase),
        )
        return context

    def form_valid(self, form):
        try:
            check = self.save_or_ask(
                lambda: phase_decide(
                    # A copy: a decision waiting for confirmation leaves the page's phase as stored.
                    phase=copy.copy(self.phase),
                    decision=form.cleaned_data["decision"],
                    decided_on=form.cleaned_data["decided_on"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                    user=self.request.user,
                )
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        except ValidationError as error:
            return self.refused(form, error)
        if not check.saved:
            return self.render_to_response(self.get_context_data(form=form))
        phase = check.result
        message = decision_message(phase=phase, before=check.before, after=check.after)
        message = with_caps(
            self.with_tranches(message),
            caps_after(check.after, check.names),
            phase=phase,
            programme=self.programme.slug,
        )
        messages.success(self.request, message)
        return redirect("projects:project_detail", self.programme.slug, phase.project.slug)
