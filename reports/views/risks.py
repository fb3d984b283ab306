"""The risk register: its heat map and table for every member; adding, changing and removing
a risk for those who keep the programme. Closing a risk is a change of its status."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from projects.access import ProgrammeMixin
from projects.models import Project, Risk
from projects.risk_forms import RiskFilter, RiskForm, risk_initial
from projects.selectors.risks import register_risks, risk_register
from projects.services.risks import latest_change, risk_delete, risk_save
from projects.views.programmes import ConflictMixin

from ..heat_map import build_heat_map
from ..tables import RiskTable


class RiskRegisterView(ProgrammeMixin, TemplateView):
    """The heat map of the open risks, then every risk, filtered by the URL."""

    template_name = "reports/risk_register.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        projects = list(Project.objects.filter(programme=self.programme).order_by("position", "pk"))
        risks = register_risks(programme=self.programme)
        risk_filter = RiskFilter(self.request.GET or None, queryset=risks, projects=projects)
        chosen = risk_filter.qs if risk_filter.is_bound and risk_filter.is_valid() else risks
        register = risk_register(programme=self.programme, as_of=timezone.localdate(), risks=chosen)
        context.update(
            filter=risk_filter,
            rows=register.rows,
            table=RiskTable(
                register.rows, programme_slug=self.programme.slug, can_edit=self.can_edit
            ),
            heat_map=build_heat_map(register.heat_map),
        )
        return context


class RiskMixin:
    """Resolve the URL's risk within the programme (404 otherwise); after ProgrammeMixin."""

    risk: Risk

    def dispatch(self, request, *args, **kwargs):
        risk = (
            Risk.objects.filter(programme=self.programme, pk=self.kwargs["risk"])
            .select_related("project")
            .first()
        )
        if risk is None:
            raise Http404("No such risk")
        self.risk = risk
        return super().dispatch(request, *args, **kwargs)


def back_to_register(view):
    return redirect("reports:risk_register", view.programme.slug)


class RiskFormMixin(ConflictMixin):
    form_class = RiskForm
    template_name = "reports/risk_form.html"
    risk: Risk | None = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "programme": self.programme}

    def get_context_data(self, **kwargs):
        kwargs["risk"] = self.risk
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            risk = risk_save(
                programme=self.programme,
                risk=self.risk,
                reference=data["reference"],
                description=data["description"],
                project=data["project"],
                likelihood=data["likelihood"],
                impact=data["impact"],
                owner=data["owner"],
                mitigation=data["mitigation"],
                status=data["status"],
                next_review=data["next_review"],
                seen=data["seen"],
                user=self.request.user,
            )
        except ValidationError as error:
            return self.refused(form, error)
        verb = "added to the register" if self.risk is None else "saved"
        if self.risk is not None and risk.status != self.risk.status:
            verb = "closed" if risk.status == "closed" else "reopened"
        messages.success(self.request, f"Risk {risk.reference} is {verb}.")
        return back_to_register(self)


class RiskCreateView(ProgrammeMixin, RiskFormMixin, FormView):
    """Add a risk to the register."""

    edits = True  # here, not only on the mixin: ProgrammeMixin's False comes first


class RiskUpdateView(ProgrammeMixin, RiskMixin, RiskFormMixin, FormView):
    """Change a risk, close it or reopen it; refused if someone saved it since it was opened."""

    edits = True

    def get_initial(self):
        return risk_initial(self.risk, latest_change(self.risk))


class RiskDeleteView(ProgrammeMixin, RiskMixin, TemplateView):
    """Confirm, then remove a risk recorded in error (a real one is closed instead)."""

    edits = True
    template_name = "reports/risk_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["risk"] = self.risk
        return context

    def post(self, request, *args, **kwargs):
        reference = self.risk.reference
        risk_delete(risk=self.risk, user=request.user)
        messages.success(request, f"Risk {reference} is removed from the register.")
        return back_to_register(self)
