"""Views of programmes: where a user lands, the programme's overview and settings, new ones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from projects.money.figures import figures_and_missing_basis

from ..access import EDITOR_ROLES, ProgrammeMixin, landing_url
from ..forms import PartnershipForm, ProgrammeCreateForm, ProgrammeSettingsForm
from ..history import ConcurrentEditError
from ..models import Membership, Partnership
from ..selectors import programme_document, programmes_for_user
from ..selectors.to_do import to_do_from_document
from ..services import partnership_update, programme_copy, programme_create, programme_update
from .tranches import TrancheConfirmMixin


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


class HomeView(TemplateView):
    """Take the user to their role's page of their programme, or to the list of several (or none).

    The list links each programme to the same page (``landing_url``), so a member of several
    programmes chooses one first and then lands where a member of one does.
    """

    def get(self, request, *args, **kwargs):
        programmes = list(programmes_for_user(request.user)[:2])
        if len(programmes) == 1:
            programme = programmes[0]
            membership = Membership.objects.select_related("partner").get(
                user=request.user, partnership=programme.partnership_id
            )
            return redirect(landing_url(programme.slug, membership))
        return redirect("projects:programme_list")


class ProgrammeListView(TemplateView):
    template_name = "projects/programme_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        memberships = {
            membership.partnership_id: membership
            for membership in user.memberships.select_related("partner")
        }
        context["programmes"] = [
            (programme, landing_url(programme.slug, memberships[programme.partnership_id]))
            for programme in programmes_for_user(user)
        ]
        context["can_create"] = any(
            membership.role in EDITOR_ROLES for membership in memberships.values()
        )
        return context


class ProgrammeHomeView(ProgrammeMixin, TemplateView):
    """The programme's home: where its money stands; for those who keep it, what needs doing."""

    template_name = "projects/programme_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = programme_document(programme=self.programme)
        figures, problem = figures_and_missing_basis(document)
        # Costs cannot be shared by weights or population that partners lack: say so, not 500.
        context["figures_problem"] = problem
        context["figures"] = None if problem else figures
        if self.can_edit:
            context["to_do"] = to_do_from_document(document, figures, missing_basis=problem)
        return context


class ProgrammeSettingsView(TrancheConfirmMixin, ProgrammeMixin, ConflictMixin, FormView):
    edits = True
    form_class = ProgrammeSettingsForm
    template_name = "projects/programme_settings.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.programme}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            check = self.save_or_ask(
                lambda: programme_update(
                    programme=self.programme,
                    data=data,
                    expected_version=version,
                    user=self.request.user,
                )
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        except ValidationError as error:
            return self.refused(form, error)
        if not check.saved:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(self.request, self.with_tranches("The programme's settings are saved."))
        return redirect("projects:programme_home", self.programme.slug)


class PartnershipDetailsView(ProgrammeMixin, ConflictMixin, FormView):
    """The contact officer the partnership's papers name: facilitators edit."""

    edits = True
    form_class = PartnershipForm
    template_name = "projects/partnership_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.programme.partnership}

    def form_valid(self, form):
        try:
            partnership_update(
                partnership=self.programme.partnership,
                data=form.cleaned_data,
                user=self.request.user,
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, "The partnership's details are saved.")
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
