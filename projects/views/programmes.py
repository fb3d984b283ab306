"""Views of programmes: where a user lands, the programme's overview and settings, new ones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from projects.money.figures import compute_figures
from projects.money.shares import missing_basis

from ..access import EDITOR_ROLES, ProgrammeMixin
from ..forms import ProgrammeCreateForm, ProgrammeSettingsForm
from ..history import ConcurrentEditError
from ..models import Membership, Partnership, Role
from ..selectors import programme_document, programmes_for_user
from ..services import programme_copy, programme_create, programme_update


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field where it names one."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class ConflictMixin:
    """Show a refused save: a concurrent edit answers 409 with what changed, entries kept."""

    def conflict(self, form, error: ConcurrentEditError):
        form.add_error(None, str(error))
        return self.render_to_response(self.get_context_data(form=form, conflict=error), status=409)

    def refused(self, form, error: ValidationError):
        apply_validation_error(form, error)
        return self.form_invalid(form)


# Chief executives and partner officers read the money rather than edit the programme: their
# landing page is the dashboard.
DASHBOARD_ROLES = frozenset({Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER})


class HomeView(TemplateView):
    """Take the user to their programme, or to the list when they have several (or none)."""

    def get(self, request, *args, **kwargs):
        programmes = list(programmes_for_user(request.user)[:2])
        if len(programmes) == 1:
            programme = programmes[0]
            role = (
                Membership.objects.filter(user=request.user, partnership=programme.partnership_id)
                .values_list("role", flat=True)
                .first()
            )
            if role in DASHBOARD_ROLES:
                return redirect("reports:dashboard", programme.slug)
            return redirect("projects:programme_home", programme.slug)
        return redirect("projects:programme_list")


class ProgrammeListView(TemplateView):
    template_name = "projects/programme_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["programmes"] = programmes_for_user(user)
        context["can_create"] = user.memberships.filter(role__in=EDITOR_ROLES).exists()
        return context


class ProgrammeHomeView(ProgrammeMixin, TemplateView):
    template_name = "projects/programme_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = programme_document(programme=self.programme)
        # Costs cannot be shared by weights or population that partners lack: say so, not 500.
        problem = missing_basis(document.programme.apportionment, document.partners)
        context["figures_problem"] = problem
        context["figures"] = None if problem else compute_figures(document)
        return context


class ProgrammeSettingsView(ProgrammeMixin, ConflictMixin, FormView):
    edits = True
    form_class = ProgrammeSettingsForm
    template_name = "projects/programme_settings.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.programme}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            programme_update(
                programme=self.programme,
                data=data,
                expected_version=version,
                user=self.request.user,
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, "The programme's settings are saved.")
        return redirect("projects:programme_home", self.programme.slug)


class ProgrammeCreateView(FormView):
    """Start a programme, empty or as a copy of one for the next period: facilitators only."""

    form_class = ProgrammeCreateForm
    template_name = "projects/programme_create.html"

    def dispatch(self, request, *args, **kwargs):
        self.partnerships = Partnership.objects.filter(
            memberships__user=request.user, memberships__role__in=EDITOR_ROLES
        ).distinct()
        if not self.partnerships.exists():
            raise PermissionDenied("Only a partnership's facilitators can start a programme.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "partnerships": self.partnerships,
            "programmes": programmes_for_user(self.request.user).filter(
                partnership__in=self.partnerships
            ),
        }

    def get_initial(self):
        return {"apportionment": "equal"}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        partnership = data.pop("partnership")
        source = data.pop("copy_from")
        try:
            if source:
                programme = programme_copy(source=source, data=data, user=self.request.user)
            else:
                programme = programme_create(
                    partnership=partnership, data=data, user=self.request.user
                )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"The programme “{programme.name}” is started.")
        return redirect(reverse("projects:programme_home", args=[programme.slug]))
