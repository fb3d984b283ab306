"""The partner and contribution forms read whatever is typed without ever failing."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contributions.forms import ContributionForm, PartnerForm, VersionForm
from projects.models import Partner
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.dates import date_parts
from tests.projects.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
typed = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "£", "-0", "1e5", "NaN", "Infinity", "0x10", "٣", "1,00", "+5"]),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@pytest.fixture
def programme():
    programme = ProgrammeFactory()
    PartnerFactory(partnership=programme.partnership)
    return programme


@FUZZ
@given(
    partner=typed,
    year=typed,
    tranche=typed,
    amount=typed,
    status=typed,
    date=typed,
    note=typed,
    version=typed,
)
def test_contribution_form_never_fails_on_odd_input(
    programme, partner, year, tranche, amount, status, date, note, version
):
    contribution = ContributionFactory(
        programme=programme, partner=Partner.objects.first(), financial_year="2005/06"
    )
    for instance in (None, contribution):
        form = ContributionForm(
            data={
                "partner": partner,
                "financial_year": year,
                "tranche": tranche,
                "amount": amount,
                "status": status,
                **date_parts("pledged_on", date),
                **date_parts("received_on", (date, date, date)),
                "note": note,
                "version": version,
            },
            programme=programme,
            instance=instance,
        )
        if form.is_valid():
            cleaned = form.cleaned_data
            assert isinstance(cleaned["amount"], Decimal)
            assert cleaned["amount"] >= 0 and cleaned["amount"] == cleaned["amount"].quantize(
                Decimal("0.01")
            )
            assert cleaned["partner"].partnership_id == programme.partnership_id
            assert cleaned["financial_year"] in programme.financial_years
        form.render()  # the page shows the form with its errors, whatever they are
    contribution.delete()


@FUZZ
@given(name=typed, slug=typed, population=typed, weight=typed, version=typed)
def test_partner_form_never_fails_on_odd_input(programme, name, slug, population, weight, version):
    partner = Partner.objects.first()
    for instance in (None, partner):
        form = PartnerForm(
            data={
                "name": name,
                "slug": slug,
                "population": population,
                "weight": weight,
                "version": version,
            },
            instance=instance,
        )
        if form.is_valid():
            cleaned = form.cleaned_data
            assert cleaned["population"] is None or 0 <= cleaned["population"] < 2**31
            weight_value = cleaned["weight"]
            assert weight_value is None or (weight_value.is_finite() and weight_value >= 0)
            assert "slug" not in cleaned  # made from the name by the service, never typed
            if instance is not None:
                assert isinstance(cleaned["version"], int)
        form.render()


@FUZZ
@given(version=typed)
def test_version_form_accepts_only_a_positive_whole_number(programme, version):
    form = VersionForm(data={"version": version}, instance=Partner.objects.first())
    if form.is_valid():
        assert isinstance(form.cleaned_data["version"], int)
        assert form.cleaned_data["version"] >= 1
    else:
        assert form.non_field_errors()


def test_amounts_are_read_as_people_type_them(programme):
    partner = Partner.objects.first()
    for typed_amount, expected in [
        ("£15,000", "15000.00"),
        ("15000", "15000.00"),
        ("15,000.50", "15000.50"),
    ]:
        form = ContributionForm(
            data={
                "partner": partner.pk,
                "financial_year": "2004/05",
                "tranche": "immediate",
                "amount": typed_amount,
                "status": "pledged",
            },
            programme=programme,
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == Decimal(expected)


def test_population_is_read_with_or_without_thousands_commas():
    for typed_population, expected in [("124,000", 124000), ("124000", 124000), ("", None)]:
        form = PartnerForm(data={"name": "A", "slug": "a", "population": typed_population})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["population"] == expected
    assert not PartnerForm(data={"name": "A", "slug": "a", "population": "12,00"}).is_valid()
