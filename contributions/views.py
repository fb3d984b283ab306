"""Views of a partnership's partners and a programme's contributions."""

from __future__ import annotations

import copy
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from projects.access import ProgrammeMixin
from projects.history import ConcurrentEditError
from projects.models import Contribution, Partner
from projects.money.formatting import money
from projects.money.vocabulary import Tranche
from projects.views.programmes import ConflictMixin, apply_validation_error
from projects.views.tranches import TrancheConfirmMixin

from .forms import ContributionForm, PartnerForm, VersionForm
from .selectors import (
    contributing_partners,
    partner_money,
    partner_uses,
    partners_page,
    partnership_partner,
    programme_contribution,
)
from .services import (
    DuplicateContributionError,
    PartnerInUseError,
    contribution_create,
    contribution_delete,
    contribution_label,
    contribution_update,
    partner_create,
    partner_delete,
    partner_update,
)


class PartnerListView(ProgrammeMixin, TemplateView):
    template_name = "contributions/partner_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner = self.membership.partner  # fetched with the membership
        context["page"] = partners_page(
            programme=self.programme, own_partner=partner.slug if partner else None
        )
        return context


class PartnerMixin(ConflictMixin):
    """Resolve the ``partner`` URL kwarg to a partner of the programme's partnership, or 404."""

    @cached_property
    def partner(self) -> Partner:
        partner = partnership_partner(
            partnership=self.programme.partnership, slug=self.kwargs["partner"]
        )
        if partner is None:
            raise Http404("No such partner")
        return partner

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.partner, **kwargs)


class PartnerCreateView(TrancheConfirmMixin, ProgrammeMixin, ConflictMixin, FormView):
    edits = True
    form_class = PartnerForm
    template_name = "contributions/partner_form.html"

    def get_initial(self):
        return {"contributes": True}

    def form_valid(self, form):
        try:
            check = self.save_or_ask(
                lambda: partner_create(
                    partnership=self.programme.partnership,
                    data=form.cleaned_data,
                    user=self.request.user,
                )
            )
        except ValidationError as error:
            return self.refused(form, error)
        if not check.saved:
            return self.render_to_response(self.get_context_data(form=form))
        partner = check.result
        messages.success(
            self.request, self.with_tranches(f"{partner.name} is added to the partnership.")
        )
        return redirect("contributions:partner_list", self.programme.slug)


class PartnerUpdateView(TrancheConfirmMixin, ProgrammeMixin, PartnerMixin, FormView):
    edits = True
    form_class = PartnerForm
    template_name = "contributions/partner_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.partner}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            check = self.save_or_ask(
                lambda: partner_update(
                    partner=self.partner,
                    data=data,
                    expected_version=version,
                    user=self.request.user,
                )
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        except ValidationError as error:
            self.partner.refresh_from_db()
            return self.refused(form, error)
        if not check.saved:
            self.partner.refresh_from_db()
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(self.request, self.with_tranches(f"{self.partner.name} is saved."))
        return redirect("contributions:partner_list", self.programme.slug)


class PartnerDeleteView(TrancheConfirmMixin, ProgrammeMixin, PartnerMixin, FormView):
    """Confirm, then remove a partner that nothing uses; say what uses it otherwise."""

    edits = True
    form_class = VersionForm
    template_name = "contributions/partner_delete.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.partner}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "uses" not in context:
            context["uses"] = partner_uses(self.partner)
        return context

    def form_valid(self, form):
        name = self.partner.name
        try:
            check = self.save_or_ask(
                lambda: partner_delete(
                    # A copy: deleting clears its key, and a removal waiting for confirmation
                    # leaves the page's partner as stored.
                    partner=copy.copy(self.partner),
                    expected_version=form.cleaned_data["version"],
                    user=self.request.user,
                )
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        except PartnerInUseError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form, uses=error.reasons))
        if not check.saved:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            self.request, self.with_tranches(f"{name} is removed from the partnership.")
        )
        return redirect("contributions:partner_list", self.programme.slug)


class ContributionObjectMixin:
    """Resolve the ``pk`` URL kwarg to a contribution of this programme, or 404."""

    @cached_property
    def contribution(self) -> Contribution:
        contribution = programme_contribution(programme=self.programme, pk=self.kwargs["pk"])
        if contribution is None:
            raise Http404("No such contribution")
        return contribution

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contribution=self.contribution,
            contribution_label=contribution_label(self.contribution),
            **kwargs,
        )


class ContributionPageMixin(ConflictMixin):
    form_class = ContributionForm
    template_name = "contributions/contribution_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "programme": self.programme}

    def duplicate(self, form, error: DuplicateContributionError):
        apply_validation_error(form, error)
        return self.render_to_response(self.get_context_data(form=form, duplicate=error.existing))

    def saved(self, text: str, partner: Partner):
        """Say what was saved and where the partner's money now stands; back to the matrix."""
        position = partner_money(programme=self.programme, partner=partner)
        messages.success(
            self.request,
            f"{text} {partner.name} has now pledged {money(position.pledged)}, received "
            f"{money(position.received)}, outstanding {money(position.outstanding)}.",
        )
        return redirect("contributions:partner_list", self.programme.slug)


class ContributionCreateView(ProgrammeMixin, ContributionPageMixin, FormView):
    edits = True

    def get_initial(self):
        """Prefill from the matrix cell the facilitator came from (?partner=...&financial_year=)."""
        initial = {}
        slug = self.request.GET.get("partner", "")
        if slug:
            partner = contributing_partners(partnership=self.programme.partnership).filter(
                slug=slug[:50]
            )
            initial["partner"] = partner.values_list("pk", flat=True).first()
        year = self.request.GET.get("financial_year", "")
        if year in self.programme.financial_years:
            initial["financial_year"] = year
        tranche = self.request.GET.get("tranche", "")
        if tranche in Tranche.values:
            initial["tranche"] = tranche
        return initial

    def form_valid(self, form):
        try:
            contribution = contribution_create(
                programme=self.programme, data=form.cleaned_data, user=self.request.user
            )
        except DuplicateContributionError as error:
            return self.duplicate(form, error)
        except ValidationError as error:
            return self.refused(form, error)
        return self.saved(f"{contribution_label(contribution)} is recorded.", contribution.partner)


class ContributionUpdateView(
    ProgrammeMixin, ContributionObjectMixin, ContributionPageMixin, FormView
):
    edits = True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.contribution}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            contribution = contribution_update(
                contribution=self.contribution,
                data=data,
                expected_version=data.pop("version"),
                user=self.request.user,
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        except DuplicateContributionError as error:
            self.contribution.refresh_from_db()
            return self.duplicate(form, error)
        except ValidationError as error:
            self.contribution.refresh_from_db()
            return self.refused(form, error)
        return self.saved(f"{contribution_label(contribution)} is saved.", contribution.partner)


class ContributionDeleteView(
    ProgrammeMixin, ContributionObjectMixin, ContributionPageMixin, FormView
):
    """Confirm, then remove a contribution."""

    edits = True
    form_class = VersionForm
    template_name = "contributions/contribution_delete.html"

    def get_form_kwargs(self):
        # The confirmation carries only the version, not the contribution's fields.
        kwargs = super(ContributionPageMixin, self).get_form_kwargs()
        return {**kwargs, "instance": self.contribution}

    def form_valid(self, form):
        label = contribution_label(self.contribution)
        partner = self.contribution.partner
        try:
            contribution_delete(
                contribution=self.contribution,
                expected_version=form.cleaned_data["version"],
                user=self.request.user,
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        return self.saved(f"{label} is removed.", partner)
