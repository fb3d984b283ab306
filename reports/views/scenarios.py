"""The scenario planner: try which gated phases proceed, a method and a step; apply decisions.

The scenario lives in the query string, so its URL can be sent to a colleague; the page works
as a plain GET form, and htmx swaps only the results in as the choices change, keeping the
address bar on the scenario's URL. Showing a scenario never writes anything; a facilitator may
apply its phase decisions, which goes through the same services as the workspace.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from django_htmx.http import push_url, reselect, reswap, retarget

from projects.access import ProgrammeMixin
from projects.history import ConcurrentEditError
from projects.models import Programme, Project
from projects.money.document import ProgrammeDocument
from projects.money.scenarios import PhaseChange, compare_scenario, scenario_query
from projects.selectors import programme_document
from projects.services import phase_decisions_apply

from ..forms import DECISION_CHOICES, ScenarioApplyForm, ScenarioForm

SCENARIO_ID = "scenario"  # the form and its results: swapped whole when the form has errors
RESULTS_ID = "scenario-results"  # the results alone: swapped as the choices change
APPLIED_NOTE = "Applied from a scenario"


def project_versions(*, programme: Programme, slugs: set[str]) -> dict[str, int]:
    """Return the current version of each of the programme's projects named, in one query."""
    if not slugs:
        return {}
    rows = Project.objects.filter(programme=programme, slug__in=slugs).order_by()
    return dict(rows.values_list("slug", "version"))


def applied_message(changes: tuple[PhaseChange, ...]) -> str:
    """Say which phase decisions were applied, each with the decision it replaced."""
    said = "; ".join(
        f"phase {change.phase.number} of {change.phase.project_name} ({change.phase.name}): "
        f"{change.decision_words.lower()}, was {change.phase.decision_words.lower()}"
        for change in changes
    )
    return f"Phase decisions applied from the scenario: {said}."


class ScenarioPageMixin:
    """Render the scenario page, or only its results, for a scenario form."""

    template_name = "reports/scenarios.html"
    results_template_name = "reports/partials/_scenario_results.html"

    def scenario_url(self, query: str = "") -> str:
        url = reverse("reports:scenarios", args=[self.programme.slug])
        return f"{url}?{query}" if query else url

    def scenario_context(self, form: ScenarioForm, document: ProgrammeDocument) -> dict:
        """Return what the page shows: the form, and the comparison when the scenario is good."""
        context = {
            "form": form,
            "scenario_id": SCENARIO_ID,
            "results_id": RESULTS_ID,
            "decision_choices": DECISION_CHOICES,
        }
        if not form.is_valid():
            return context
        comparison = compare_scenario(document, form.scenario)
        query = scenario_query(form.scenario)
        context.update(
            comparison=comparison,
            scenario_query=query,
            share_url=self.request.build_absolute_uri(self.scenario_url(query)),
        )
        if self.can_edit and comparison.changes:
            changed = {change.phase.key.project for change in comparison.changes}
            versions = project_versions(programme=self.programme, slugs=changed)
            context["versions"] = sorted(versions.items())
        return context

    def render_scenario(self, form: ScenarioForm, document: ProgrammeDocument, **kwargs):
        """Render the whole page; the status and anything else the template needs are kwargs."""
        status = kwargs.pop("status", 200)
        context = self.get_context_data(**self.scenario_context(form, document), **kwargs)
        return self.render_to_response(context, status=status)


class ScenarioView(ProgrammeMixin, ScenarioPageMixin, TemplateView):
    """Show the programme's figures as a scenario would have them, next to the recorded ones."""

    def get(self, request, *args, **kwargs):
        document = programme_document(programme=self.programme)
        form = ScenarioForm(request.GET.dict(), document=document)
        valid = form.is_valid()
        query = scenario_query(form.scenario) if valid else ""
        # Land on the scenario's own short URL: only what it changes, in a fixed order.
        canonical = sorted(request.GET.lists()) == sorted(QueryDict(query).lists())
        if valid and request.GET and not request.htmx and not canonical:
            return redirect(self.scenario_url(query))
        if request.htmx and request.htmx.target == RESULTS_ID and valid:
            context = self.get_context_data(**self.scenario_context(form, document), swapped=True)
            response = render(request, self.results_template_name, context)
            return push_url(response, self.scenario_url(query))
        response = self.render_scenario(form, document)
        if request.htmx:
            if valid:
                push_url(response, self.scenario_url(query))
            else:
                # The errors belong next to the fields: swap the form in with them.
                retarget(response, f"#{SCENARIO_ID}")
                reswap(response, "outerHTML")
                reselect(response, f"#{SCENARIO_ID}")
        return response


class ScenarioApplyView(ProgrammeMixin, ScenarioPageMixin, TemplateView):
    """Record a scenario's phase decisions, all of them or none; facilitators only."""

    edits = True

    def get(self, request, *args, **kwargs):
        # Applying happens only on POST; the address alone shows the scenario.
        return redirect(self.scenario_url(request.GET.urlencode()))

    def post(self, request, *args, **kwargs):
        apply_form = ScenarioApplyForm(request.POST)
        if not apply_form.is_valid():
            messages.error(request, apply_form.problem())
            return redirect(self.scenario_url())
        query = QueryDict(apply_form.cleaned_data["scenario"])
        document = programme_document(programme=self.programme)
        form = ScenarioForm(query.dict(), document=document)
        if not form.is_valid():
            return self.render_scenario(form, document, status=400)
        changes = compare_scenario(document, form.scenario).changes
        versions = apply_form.versions
        if not changes and not versions:
            messages.info(request, "The scenario changes no phase decision: nothing to apply.")
            return redirect(self.scenario_url(query.urlencode()))
        decisions: dict[str, dict[int, str]] = {}
        for change in changes:
            decisions.setdefault(change.phase.key.project, {})[change.phase.number] = str(
                change.decision
            )
        try:
            unread = sorted(set(decisions) - set(versions))
            if unread:
                # A decision differs now that did not when the scenario was shown.
                names = ", ".join(
                    dict.fromkeys(
                        change.phase.project_name
                        for change in changes
                        if change.phase.key.project in unread
                    )
                )
                raise ConcurrentEditError(what=f"The phase decisions of {names}", changes=[])
            phase_decisions_apply(
                programme=self.programme,
                project_decisions=decisions,
                expected_versions=versions,
                decided_on=timezone.localdate(),
                note=APPLIED_NOTE,
                user=request.user,
            )
        except ConcurrentEditError as error:
            # Show the scenario again against what is recorded now, to apply it afresh.
            document = programme_document(programme=self.programme)
            form = ScenarioForm(query.dict(), document=document)
            return self.render_scenario(form, document, status=409, conflict=error)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.render_scenario(form, document, status=400)
        messages.success(request, applied_message(changes))
        return redirect("reports:dashboard", self.programme.slug)
