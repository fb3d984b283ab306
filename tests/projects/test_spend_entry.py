"""Entering spend and forecasts: refused on a phase that is not committed, confirmed when odd."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from projects.models import Forecast, Role, Spend
from projects.money.vocabulary import Decision
from tests.dates import as_typed
from tests.projects.factories import MembershipFactory, PhaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = ProjectFactory(
        name="Authentication / Gateway",
        programme__starts=date(2004, 4, 1),
        programme__ends=date(2006, 3, 31),
    )
    PhaseFactory(project=project, number=1, name="Build", extra_cost=D("10000.00"))
    PhaseFactory(project=project, number=2, name="Roll out", gated=True)
    PhaseFactory(project=project, number=3, name="Kiosks", decision=Decision.NOT_PROCEEDING)
    return project


@pytest.fixture
def facilitator(client, project):
    membership = MembershipFactory(partnership=project.programme.partnership)
    client.force_login(membership.user)
    return membership.user


def url(project, name="spend_create") -> str:
    return reverse(f"projects:{name}", args=[project.programme.slug, project.slug])


def entries(project, number=1, **changes):
    data = {
        "phase": project.phases.get(number=number).pk,
        "date": "2004-09-30",
        "amount": "1,200.50",
        "supplier": "Kiosk Ltd",
        "reference": "PO 17",
        "description": "Kiosks for the libraries",
    }
    data.update(changes)
    return as_typed(data)


def test_a_spend_line_is_recorded_with_its_author(client, project, facilitator):
    response = client.post(url(project), entries(project))
    assert response.status_code == 302
    assert response.url == url(project, "project_spend")
    spend = Spend.objects.get()
    assert (spend.amount, spend.date, spend.description) == (
        D("1200.50"),
        date(2004, 9, 30),
        "Kiosks for the libraries",
    )
    assert spend.history.get().history_user == facilitator


def test_spend_on_a_phase_awaiting_its_case_is_refused_saying_why(client, project, facilitator):
    response = client.post(url(project), entries(project, number=2))
    assert response.status_code == 200
    assert (
        "Phase 2 of Authentication / Gateway awaits its business case: spend on it is refused "
        "until the case is approved."
    ) in response.content.decode()
    assert not Spend.objects.exists()
    project.phases.filter(number=2).update(decision=Decision.APPROVED)
    assert client.post(url(project), entries(project, number=2)).status_code == 302


def test_spend_on_a_stopped_phase_is_refused(client, project, facilitator):
    response = client.post(url(project), entries(project, number=3))
    assert "Phase 3 of Authentication / Gateway does not proceed" in response.content.decode()
    assert not Spend.objects.exists()


def test_another_projects_phase_is_not_offered(client, project, facilitator):
    other = PhaseFactory(project__programme=project.programme)
    response = client.post(url(project), entries(project, phase=other.pk))
    assert "Select the phase from the list" in response.content.decode()
    assert not Spend.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", ""])
def test_an_amount_of_nothing_or_less_is_refused(client, project, facilitator, amount):
    response = client.post(url(project), entries(project, amount=amount))
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not Spend.objects.exists()


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        ({"date": "2006-04-01"}, "is after the programme ends on 31 March 2006"),
        (
            {},
            "A spend line of £1,200.50 with reference PO 17 is already recorded on phase 1 of "
            "Authentication / Gateway, dated 30 September 2004",
        ),
    ],
)
def test_a_date_outside_the_period_or_a_repeat_is_saved_only_once_confirmed(
    client, project, facilitator, changes, warning
):
    if not changes:  # the repeat: the same phase, reference and amount
        client.post(url(project), entries(project))
    before = Spend.objects.count()
    data = entries(project, **changes)
    response = client.post(url(project), data)
    assert warning in response.content.decode()
    assert Spend.objects.count() == before
    data["confirmed"] = response.context["form"].data["confirmed"]
    assert client.post(url(project), data).status_code == 302
    assert Spend.objects.count() == before + 1


def test_a_spend_line_is_removed_after_confirming(client, project, facilitator):
    client.post(url(project), entries(project))
    spend = Spend.objects.get()
    delete = reverse("projects:spend_delete", args=[project.programme.slug, project.slug, spend.pk])
    assert "Remove the spend line of £1,200.50" in client.get(delete).content.decode()
    assert Spend.objects.exists()
    assert client.post(delete).status_code == 302
    assert not Spend.objects.exists()
    assert Spend.history.filter(history_type="-").get().history_user == facilitator


def test_a_reader_may_not_enter_spend(client, project):
    membership = MembershipFactory(
        partnership=project.programme.partnership, role=Role.CHIEF_EXECUTIVE
    )
    client.force_login(membership.user)
    assert client.post(url(project), entries(project)).status_code == 403
    assert not Spend.objects.exists()


# Forecasts


def field(phase_number, year):
    return f"forecast-{phase_number}-{year.replace('/', '-')}"


def test_forecasts_are_set_changed_and_cleared_on_one_form(client, project, facilitator):
    forecasts = url(project, "forecasts_update")
    response = client.get(forecasts)
    assert field(1, "2004/05") in response.content.decode()
    assert field(3, "2004/05") not in response.content.decode()  # it does not proceed
    client.post(forecasts, {field(1, "2004/05"): "5,000", field(2, "2005/06"): "250.25"})
    assert dict(Forecast.objects.values_list("financial_year", "amount")) == {
        "2004/05": D("5000.00"),
        "2005/06": D("250.25"),
    }
    client.post(forecasts, {field(1, "2004/05"): "4000"})
    assert dict(Forecast.objects.values_list("financial_year", "amount")) == {"2004/05": D("4000")}
    assert Forecast.history.filter(history_user=facilitator).count() == 4


def test_a_bad_forecast_changes_nothing(client, project, facilitator):
    forecasts = url(project, "forecasts_update")
    response = client.post(forecasts, {field(1, "2004/05"): "-5", field(1, "2005/06"): "10"})
    assert response.status_code == 200
    assert "must be £0 or more" in response.content.decode()
    assert not Forecast.objects.exists()


def test_a_forecast_on_a_stopped_phase_is_refused_by_the_service(project, facilitator):
    from django.core.exceptions import ValidationError

    from projects.services import forecasts_set

    stopped = project.phases.get(number=3)
    with pytest.raises(ValidationError, match="does not proceed"):
        forecasts_set(project=project, amounts={(stopped.pk, "2004/05"): D("1")}, user=facilitator)
    assert not Forecast.objects.exists()


FORECAST_FORM_QUERIES = 7  # the same with three phases as with twelve


@pytest.mark.parametrize("phases", [2, 12])
def test_the_forecasts_form_takes_the_same_queries_however_many_phases(
    client, project, facilitator, phases, django_assert_num_queries
):
    for number in range(4, phases + 1):
        phase = PhaseFactory(project=project, number=number, name=f"Phase {number}")
        Forecast.objects.create(phase=phase, financial_year="2004/05", amount=D("10"))
    with django_assert_num_queries(FORECAST_FORM_QUERIES):
        response = client.get(url(project, "forecasts_update"))
    assert response.status_code == 200
