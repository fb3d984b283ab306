"""The admin refuses what the programme file refuses: what it saves backs up and restores."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from projects.admin import PhaseInline
from projects.models import Contribution, Partner, Programme, Project
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import (
    PartnershipFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def admin_form(model, instance=None, **data):
    """Return the admin's bound form for the model, as its change page would post it."""
    request = RequestFactory().post("/")
    request.user, _ = get_user_model().objects.get_or_create(
        username="admin-user", defaults={"is_superuser": True, "is_staff": True}
    )
    model_admin = admin.site._registry[model]
    form_class = model_admin.get_form(request, obj=instance)
    initial = {}
    if instance is not None:
        # A fresh copy: a bound form writes what it cleaned into its instance.
        instance = type(instance).objects.get(pk=instance.pk)
        form = form_class(instance=instance)
        initial = {name: form[name].value() for name in form.fields}
    return form_class(data={**initial, **data}, instance=instance)


@pytest.fixture
def programme():
    programme = ProgrammeFactory(financial_years=["2004/05", "2005/06"])
    PartnerFactory(partnership=programme.partnership, slug="broadland")
    return programme


def contribution_data(programme, partner, **changes):
    return {
        "programme": programme.pk,
        "partner": partner.pk,
        "financial_year": "2004/05",
        "tranche": "immediate",
        "amount": "5000",
        "status": "pledged",
        **changes,
    }


def test_a_contribution_must_fit_its_programme(programme):
    partner = Partner.objects.get(slug="broadland")
    assert admin_form(Contribution, **contribution_data(programme, partner)).is_valid()
    form = admin_form(
        Contribution, **contribution_data(programme, partner, financial_year="2009/10")
    )
    assert "financial_year" in form.errors
    stranger = PartnerFactory(slug="stranger")
    form = admin_form(Contribution, **contribution_data(programme, stranger))
    assert "partner" in form.errors
    sleeping = PartnerFactory(partnership=programme.partnership, slug="sleeping", contributes=False)
    form = admin_form(Contribution, **contribution_data(programme, sleeping))
    assert "partner" in form.errors


def test_a_partner_with_contributions_keeps_contributing(programme):
    partner = Partner.objects.get(slug="broadland")
    ContributionFactory(programme=programme, partner=partner, financial_year="2004/05")
    form = admin_form(Partner, instance=partner, contributes=False)
    assert "has 1 contribution recorded" in str(form.errors["contributes"])
    form = admin_form(
        Partner,
        slug="South_Norfolk",
        name="South Norfolk",
        partnership=programme.partnership.pk,
        position=1,
    )
    assert "slug" in form.errors


def test_a_programme_keeps_its_years_in_use_and_its_rules(programme):
    ContributionFactory(
        programme=programme,
        partner=Partner.objects.get(slug="broadland"),
        financial_year="2005/06",
    )
    form = admin_form(Programme, instance=programme, financial_years="2004/05")
    assert form.errors["financial_years"] == [
        "Contributions are recorded for 2005/06; move or remove them before dropping the year."
    ]
    form = admin_form(Programme, instance=programme, financial_years="2004/05, 2005/6")
    assert form.errors["financial_years"] == [
        "Financial years must be like 2004/05; “2005/6” is not one"
    ]
    form = admin_form(
        Programme, instance=programme, financial_years="\uff12\uff10\uff10\uff14/05, 2005/06"
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["financial_years"] == ["2004/05", "2005/06"]
    Partner.objects.update(weight=None)
    form = admin_form(Programme, instance=programme, apportionment="weights")
    assert not form.is_valid() and "apportionment" in form.errors
    form = admin_form(Programme, instance=programme, slug="bad_Slug-X")
    assert "slug" in form.errors
    assert "partnership" not in admin_form(Programme, instance=programme).fields


def test_a_project_leads_only_with_a_partner_of_its_partnership(programme):
    project = ProjectFactory(programme=programme)
    stranger = PartnerFactory(partnership=PartnershipFactory(), slug="stranger")
    form = admin_form(Project, instance=project, lead_partner=stranger.pk)
    assert "lead_partner" in form.errors
    form = admin_form(Project, instance=project, slug="-lead")
    assert "slug" in form.errors
    ours = Partner.objects.get(slug="broadland")
    assert admin_form(Project, instance=project, lead_partner=ours.pk).is_valid()


def test_a_withdrawn_project_keeps_only_phases_that_do_not_proceed(programme):
    project = ProjectFactory(programme=programme, status="withdrawn")
    phase = PhaseFactory(project=project, number=1, decision="pending")
    request = RequestFactory().post("/")
    request.user, _ = get_user_model().objects.get_or_create(
        username="admin-user", defaults={"is_superuser": True, "is_staff": True}
    )
    inline = PhaseInline(Project, admin.site)
    formset_class = inline.get_formset(request, obj=project)

    def posted(decision: str):
        prefix = formset_class.get_default_prefix()
        data = {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": str(phase.pk),
            f"{prefix}-0-project": str(project.pk),
            f"{prefix}-0-number": "1",
            f"{prefix}-0-name": phase.name,
            f"{prefix}-0-decision": decision,
            f"{prefix}-0-borne": "shared",
        }
        return formset_class(data=data, instance=project, prefix=prefix)

    refused = posted("pending")
    assert not refused.is_valid()
    assert "must all be “not proceeding”" in str(refused.non_form_errors())
    assert posted("not_proceeding").is_valid()
