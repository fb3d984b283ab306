"""Writes of partners and contributions: the rules they keep and the stale saves they refuse."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contributions.selectors import contribution_matrix, partner_money
from contributions.services import (
    DuplicateContributionError,
    PartnerInUseError,
    contribution_create,
    contribution_delete,
    contribution_update,
    partner_create,
    partner_delete,
    partner_update,
)
from projects.history import ConcurrentEditError
from projects.models import Contribution, Partner, Role
from projects.money.formatting import weight_text
from projects.money.shares import missing_basis
from projects.money.vocabulary import Apportionment, ContributionStatus, Tranche
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import (
    MembershipFactory,
    ProgrammeFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="facilitator")


@pytest.fixture
def programme():
    return ProgrammeFactory(financial_years=["2004/05", "2005/06"])


@pytest.fixture
def partner(programme):
    return PartnerFactory(partnership=programme.partnership, name="Broadland District Council")


def data(partner, **changes) -> dict:
    values = {
        "partner": partner,
        "financial_year": "2004/05",
        "tranche": Tranche.IMMEDIATE,
        "amount": Decimal("10000.00"),
        "status": ContributionStatus.PLEDGED,
    }
    return {**values, **changes}


# Partners


def test_partner_create_adds_it_after_the_others_with_its_history(programme, user):
    PartnerFactory(partnership=programme.partnership, position=4)
    partner = partner_create(
        partnership=programme.partnership,
        data={"slug": "broads", "name": "Broads Authority", "contributes": True},
        user=user,
    )
    assert partner.position == 5
    assert partner.version == 1
    assert partner.history.get().history_user == user


@pytest.mark.parametrize("slug", ["new", "taken"])
def test_partner_create_refuses_a_reserved_or_taken_slug(programme, user, slug):
    PartnerFactory(partnership=programme.partnership, slug="taken")
    with pytest.raises(ValidationError) as error:
        partner_create(
            partnership=programme.partnership, data={"slug": slug, "name": "X"}, user=user
        )
    assert "slug" in error.value.message_dict
    assert Partner.objects.count() == 1


def test_the_same_slug_may_be_used_in_another_partnership(programme, user):
    PartnerFactory(slug="broadland")
    partner_create(
        partnership=programme.partnership, data={"slug": "broadland", "name": "B"}, user=user
    )
    assert Partner.objects.filter(slug="broadland").count() == 2


@pytest.mark.parametrize(
    ("method", "field"),
    [(Apportionment.WEIGHTS, "weight"), (Apportionment.POPULATION, "population")],
)
def test_a_contributing_partner_needs_the_basis_its_programmes_share_by(
    programme, partner, user, method, field
):
    programme.apportionment = method
    programme.save()
    with pytest.raises(ValidationError) as error:
        partner_create(
            partnership=programme.partnership,
            data={"slug": "broads", "name": "B", "contributes": True},
            user=user,
        )
    assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        partner_update(partner=partner, data={field: None}, expected_version=1, user=user)
    assert f"shares its costs by {method.label.lower()}" in error.value.message_dict[field][0]
    partner.refresh_from_db()
    assert partner.version == 1  # the claim was rolled back with the refusal
    # A partner that does not contribute needs none.
    partner_create(
        partnership=programme.partnership,
        data={"slug": "broads", "name": "B", "contributes": False},
        user=user,
    )


def test_every_contributing_weight_at_zero_is_refused(programme, partner, user):
    partner.weight = Decimal("50")
    partner.save()
    PartnerFactory(partnership=programme.partnership, weight=Decimal("0"))
    programme.apportionment = Apportionment.WEIGHTS
    programme.save()
    with pytest.raises(ValidationError) as error:
        partner_update(
            partner=partner, data={"weight": Decimal("0")}, expected_version=1, user=user
        )
    assert "more than zero" in error.value.message_dict["weight"][0]
    partner_update(partner=partner, data={"weight": Decimal("12.5")}, expected_version=1, user=user)
    partner.refresh_from_db()
    assert partner.weight == Decimal("12.5") and partner.version == 2
    # Leaving only zero weights by ceasing to contribute is refused too.
    with pytest.raises(ValidationError):
        partner_update(partner=partner, data={"contributes": False}, expected_version=2, user=user)


def test_a_programme_already_unable_to_share_does_not_block_other_edits(programme, partner, user):
    programme.apportionment = Apportionment.WEIGHTS
    programme.save()
    Partner.objects.filter(pk=partner.pk).update(weight=Decimal("0"))
    partner.refresh_from_db()
    # Every weight is already zero: renaming the partner neither causes nor worsens that.
    partner_update(partner=partner, data={"name": "Broadland DC"}, expected_version=1, user=user)
    assert Partner.objects.get(pk=partner.pk).name == "Broadland DC"


def test_partner_update_refuses_a_stale_version_saying_what_changed(partner, user):
    partner_update(partner=partner, data={"name": "Broadland DC"}, expected_version=1, user=user)
    stale = Partner.objects.get(pk=partner.pk)
    stale.version = 1
    with pytest.raises(ConcurrentEditError) as error:
        partner_update(partner=stale, data={"name": "Other"}, expected_version=1, user=user)
    assert [(c.field, c.old, c.new) for c in error.value.changes] == [
        ("Name", "Broadland District Council", "Broadland DC")
    ]
    assert Partner.objects.get(pk=partner.pk).name == "Broadland DC"


def test_partner_update_keeps_the_slug(partner, user):
    slug = partner.slug
    partner_update(partner=partner, data={"slug": "other"}, expected_version=1, user=user)
    partner.refresh_from_db()
    assert partner.slug == slug


def test_partner_delete_removes_an_unused_partner(partner, user):
    pk = partner.pk
    partner_delete(partner=partner, expected_version=1, user=user)
    assert not Partner.objects.exists()
    assert Partner.history.filter(id=pk, history_type="-").get().history_user == user


def test_partner_delete_says_each_thing_that_uses_it(programme, partner, user):
    ContributionFactory(programme=programme, partner=partner)
    ContributionFactory(programme=programme, partner=partner, tranche=Tranche.REVIEW)
    ProjectFactory(programme=programme, name="Portal", lead_partner=partner)
    MembershipFactory(
        partnership=programme.partnership,
        role=Role.PARTNER_OFFICER,
        partner=partner,
        user=UserFactory(username="officer"),
    )
    with pytest.raises(PartnerInUseError) as error:
        partner_delete(partner=partner, expected_version=1, user=user)
    reasons = error.value.reasons
    assert reasons[0] == f"it has 2 contributions (to {programme.name}): remove them first"
    assert reasons[1] == f"it leads Portal ({programme.name}): choose another lead partner first"
    assert reasons[2].startswith("it is the council of user officer:")
    assert Partner.objects.get(pk=partner.pk).version == 1


def test_partner_delete_refuses_a_stale_version(partner, user):
    with pytest.raises(ConcurrentEditError):
        partner_delete(partner=partner, expected_version=2, user=user)
    assert Partner.objects.filter(pk=partner.pk).exists()


# Contributions


def test_contribution_create_records_it_with_its_history(programme, partner, user):
    contribution = contribution_create(programme=programme, data=data(partner), user=user)
    assert contribution.amount == Decimal("10000.00")
    assert contribution.history.get().history_user == user
    money = partner_money(programme=programme, partner=partner)
    assert (money.pledged, money.received, money.outstanding) == (
        Decimal("10000.00"),
        Decimal("0.00"),
        Decimal("10000.00"),
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0.00")}, "amount"),
        ({"amount": Decimal("-1.00")}, "amount"),
        ({"amount": None}, "amount"),
        ({"financial_year": "2006/07"}, "financial_year"),
        ({"status": ContributionStatus.RECEIVED}, "received_on"),
        ({"status": ContributionStatus.RETURNED}, "returned_on"),
    ],
)
def test_contribution_create_refuses_what_breaks_the_rules(
    programme, partner, user, changes, field
):
    with pytest.raises(ValidationError) as error:
        contribution_create(programme=programme, data=data(partner, **changes), user=user)
    assert field in error.value.message_dict
    assert not Contribution.objects.exists()


def test_contribution_create_refuses_foreign_and_non_contributing_partners(programme, user):
    for partner in (
        PartnerFactory(),
        PartnerFactory(partnership=programme.partnership, contributes=False),
    ):
        with pytest.raises(ValidationError) as error:
            contribution_create(programme=programme, data=data(partner), user=user)
        assert "partner" in error.value.message_dict
    assert not Contribution.objects.exists()


def test_a_duplicate_contribution_names_the_existing_one(programme, partner, user):
    existing = ContributionFactory(programme=programme, partner=partner)
    with pytest.raises(DuplicateContributionError) as error:
        contribution_create(programme=programme, data=data(partner), user=user)
    assert error.value.existing == existing
    assert error.value.message_dict["tranche"] == [
        "Broadland District Council already has an immediate contribution for 2004/05: "
        "edit that one instead."
    ]
    # The same year and tranche in another programme of the partnership is another pledge.
    other = ProgrammeFactory(partnership=programme.partnership)
    contribution_create(programme=other, data=data(partner), user=user)
    assert Contribution.objects.count() == 2


def test_contribution_update_keeps_a_partner_that_stopped_contributing(programme, partner, user):
    contribution = ContributionFactory(programme=programme, partner=partner)
    Partner.objects.filter(pk=partner.pk).update(contributes=False)
    partner.refresh_from_db()
    contribution.refresh_from_db()
    contribution_update(
        contribution=contribution,
        data=data(partner, status=ContributionStatus.INVOICED),
        expected_version=1,
        user=user,
    )
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.INVOICED and contribution.version == 2


def test_contribution_update_refuses_a_stale_version_saying_what_changed(programme, partner, user):
    contribution = ContributionFactory(programme=programme, partner=partner)
    contribution_update(
        contribution=contribution,
        data=data(partner, amount=Decimal("12000.00")),
        expected_version=1,
        user=user,
    )
    stale = Contribution.objects.get(pk=contribution.pk)
    with pytest.raises(ConcurrentEditError) as error:
        contribution_update(
            contribution=stale,
            data=data(partner, amount=Decimal("15000.00")),
            expected_version=1,
            user=user,
        )
    assert [(c.field, c.old, c.new) for c in error.value.changes] == [
        ("Amount", "£10,000", "£12,000")
    ]
    assert "Broadland District Council's contribution for 2004/05" in error.value.what
    assert Contribution.objects.get().amount == Decimal("12000.00")
    with pytest.raises(ConcurrentEditError):
        contribution_delete(contribution=stale, expected_version=1, user=user)
    contribution_delete(contribution=stale, expected_version=2, user=user)
    assert not Contribution.objects.exists()


# Reads


def test_matrix_adds_up_by_partner_and_by_year(programme, partner):
    other = PartnerFactory(partnership=programme.partnership, name="Breckland")
    sleeping = PartnerFactory(partnership=programme.partnership, contributes=False)
    rows = [
        ContributionFactory(programme=programme, partner=partner, amount=Decimal("100.00")),
        ContributionFactory(
            programme=programme,
            partner=partner,
            tranche=Tranche.REVIEW,
            amount=Decimal("50.00"),
            status=ContributionStatus.RECEIVED,
        ),
        ContributionFactory(
            programme=programme,
            partner=other,
            financial_year="2005/06",
            amount=Decimal("7.00"),
            status=ContributionStatus.RETURNED,
        ),
    ]
    matrix = contribution_matrix(
        programme=programme, partners=[partner, other, sleeping], contributions=rows
    )
    assert [row.partner for row in matrix.rows] == [partner, other]  # sleeping has no money
    first = matrix.rows[0]
    assert [c.tranche for c in first.cells[0].contributions] == ["immediate", "review"]
    assert first.cells[0].open_tranche is None
    assert (first.pledged, first.received) == (Decimal("150.00"), Decimal("50.00"))
    assert matrix.rows[1].pledged == Decimal("0.00")  # returned money is not pledged
    assert [(t.pledged, t.received) for t in matrix.year_totals] == [
        (Decimal("150.00"), Decimal("50.00")),
        (Decimal("0.00"), Decimal("0.00")),
    ]
    assert (matrix.pledged, matrix.received) == (Decimal("150.00"), Decimal("50.00"))


def test_weight_text_drops_trailing_zeros():
    assert weight_text(Decimal("12.5000")) == "12.5"
    assert weight_text(Decimal("10.0000")) == "10"
    assert weight_text(Decimal("100")) == "100"
    assert weight_text(None) == ""


def test_missing_basis_names_the_partners_without_one():
    partners = [
        Partner(name="A", contributes=True, weight=Decimal("1")),
        Partner(name="B", contributes=True, weight=None),
        Partner(name="C", contributes=False, weight=None),
    ]
    assert missing_basis(Apportionment.EQUAL, partners) == ""
    assert missing_basis(Apportionment.WEIGHTS, partners) == "B has no agreed weight"
    assert missing_basis(Apportionment.POPULATION, partners) == "A, B have no population"
