"""Constraints: the database refuses impossible money, and full_clean() names the field."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import Contribution, Membership, Phase, Programme, Project, Role
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import (
    FundingLineFactory,
    MembershipFactory,
    PartnershipFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_negative_phase_cost_is_a_field_error():
    phase = PhaseFactory.build(project=ProjectFactory(), extra_cost=Decimal("-1.00"))
    with pytest.raises(ValidationError) as error:
        phase.full_clean()
    assert "extra_cost" in error.value.message_dict


def test_database_refuses_negative_phase_cost():
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(project=project, number=1, name="x", extra_cost=Decimal("-5"))


def test_database_refuses_negative_funding_and_contribution():
    line = FundingLineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(amount=Decimal("-0.01"))
    contribution = ContributionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=contribution.pk).update(amount=Decimal("-1"))


def test_duplicate_phase_number_is_reported_by_full_clean():
    phase = PhaseFactory(number=2)
    duplicate = Phase(project=phase.project, number=2, name="Again", extra_cost=Decimal(1))
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "The project already has a phase with this number." in str(error.value)


def test_database_refuses_duplicate_phase_number():
    phase = PhaseFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(project=phase.project, number=1, name="Again")


def test_duplicate_project_slug_in_a_programme_is_refused_but_allowed_in_another():
    project = ProjectFactory(slug="portal")
    duplicate = Project(programme=project.programme, slug="portal", name="Portal again")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already in the programme" in str(error.value)
    ProjectFactory(slug="portal")  # another programme: no conflict


def test_duplicate_programme_slug_is_a_field_error():
    ProgrammeFactory(slug="norfolk-connect-2004")
    programme = Programme(
        partnership=PartnershipFactory(),
        slug="norfolk-connect-2004",
        name="Again",
        financial_years=["2004/05"],
    )
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert "slug" in error.value.message_dict


def test_rounding_step_must_be_positive():
    programme = ProgrammeFactory.build(partnership=PartnershipFactory(), rounding_step=Decimal(0))
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert "rounding_step" in error.value.message_dict


def test_programme_must_start_before_it_ends():
    from datetime import date

    programme = ProgrammeFactory.build(
        partnership=PartnershipFactory(), starts=date(2005, 1, 1), ends=date(2004, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert "The programme must start before it ends." in str(error.value)


def test_one_contribution_per_partner_year_and_tranche():
    contribution = ContributionFactory()
    duplicate = Contribution(
        programme=contribution.programme,
        partner=contribution.partner,
        financial_year=contribution.financial_year,
        tranche=contribution.tranche,
        amount=Decimal("1.00"),
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has a contribution" in str(error.value)


def test_partner_officer_needs_a_partner_of_the_same_partnership():
    membership = MembershipFactory.build(
        user=UserFactory(), partnership=PartnershipFactory(), role=Role.PARTNER_OFFICER
    )
    with pytest.raises(ValidationError):
        membership.full_clean()
    membership.partner = PartnerFactory()  # another partnership's council
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "partner" in error.value.message_dict
    membership.partner = PartnerFactory(partnership=membership.partnership)
    membership.full_clean()
    membership.save()
    assert Membership.objects.count() == 1


def test_several_partnerships_and_programmes_live_side_by_side():
    first, second = ProgrammeFactory(), ProgrammeFactory()
    ProjectFactory(programme=first, slug="portal")
    ProjectFactory(programme=second, slug="portal")
    PartnerFactory(partnership=first.partnership, slug="norwich")
    PartnerFactory(partnership=second.partnership, slug="norwich")
    assert first.partnership != second.partnership
    assert Project.objects.filter(slug="portal").count() == 2
