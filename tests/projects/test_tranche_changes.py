"""A change that moves a partner's immediate tranche or cap is saved only once confirmed."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from projects.models import Partner, Phase, Programme, Project
from projects.selectors import programme_figures
from projects.services import save_checking_tranches
from projects.views.tranches import CONFIRM_FIELD
from tests.projects.factories import PhaseFactory, ProjectFactory
from tests.projects.test_project_forms import page_data
from tests.tranches import asked_to_confirm

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
NEW = reverse("projects:project_create", args=[SLUG])
RAISES = "This raises every council's immediate tranche from £10,000 to £20,000, £80,000 in all."
RAISED = "This raised every council's immediate tranche from £10,000 to £20,000, £80,000 in all."
# The programme as stored and its document (eight queries: the demo's risks are one), before
# and after the save, and the savepoint's start and end.
QUERIES_ADDED_BY_THE_CHECK = 2 * 9 + 2


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    return Programme.objects.get(slug=SLUG)


def user(username: str):
    return get_user_model().objects.get(username=username)


def login(client, username: str = "facilitator"):
    client.force_login(user(username))
    return client


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def project_data(client, name: str = "Joint call centre", cost: str = "£8,000") -> dict:
    data = page_data(client.get(NEW))
    data.update(
        {
            "name": name,
            "phases-0-number": "1",
            "phases-0-name": "Set up",
            "phases-0-extra_cost": cost,
        }
    )
    return data


def immediate() -> set[Decimal]:
    figures = programme_figures(programme=Programme.objects.get(slug=SLUG))
    return {position.immediate for position in figures.per_partner}


def test_adding_an_8000_project_waits_for_confirmation_then_saves_and_says_so(client, demo):
    login(client)
    data = project_data(client)
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert asked_to_confirm(response)
    page = text(response)
    assert RAISES in page
    assert "Save and change the tranches" in page
    assert not Project.objects.filter(name="Joint call centre").exists()
    assert immediate() == {Decimal("10000.00")}
    # The entries come back as typed.
    assert 'value="£8,000"' in page and 'value="Joint call centre"' in page
    fingerprint = response.context["tranche_fingerprint"]
    assert f'name="{CONFIRM_FIELD}" value="{fingerprint}"' in page

    response = client.post(NEW, {**data, CONFIRM_FIELD: fingerprint})
    assert response.status_code == 302
    assert Project.objects.filter(name="Joint call centre").exists()
    assert immediate() == {Decimal("20000.00")}
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == f"The project “Joint call centre” is added. {RAISED}"


def test_a_confirmation_of_another_effect_asks_again(client, demo):
    login(client)
    data = project_data(client)
    fingerprint = client.post(NEW, data).context["tranche_fingerprint"]
    # Meanwhile someone halves the rounding step: the same project now raises them to £15,000.
    Programme.objects.filter(pk=demo.pk).update(rounding_step=Decimal("5000"))
    response = client.post(NEW, {**data, CONFIRM_FIELD: fingerprint})
    assert response.status_code == 200 and asked_to_confirm(response)
    assert "since you confirmed, the entries or the programme changed" in text(response)
    assert not Project.objects.filter(name="Joint call centre").exists()


def test_a_made_up_confirmation_does_not_save(client, demo):
    login(client)
    response = client.post(NEW, {**project_data(client), CONFIRM_FIELD: "0" * 16})
    assert asked_to_confirm(response)
    assert not Project.objects.filter(name="Joint call centre").exists()


def test_a_change_that_moves_no_tranche_saves_at_once(client, demo):
    login(client)
    response = client.post(NEW, project_data(client, cost="£100"))
    assert response.status_code == 302
    assert Project.objects.filter(name="Joint call centre").exists()
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "The project “Joint call centre” is added."


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_only_facilitators_may_save_or_confirm(client, demo, username):
    data = project_data(login(client))
    fingerprint = client.post(NEW, data).context["tranche_fingerprint"]
    login(client, username)
    assert client.post(NEW, data).status_code == 403
    assert client.post(NEW, {**data, CONFIRM_FIELD: fingerprint}).status_code == 403
    assert not Project.objects.filter(name="Joint call centre").exists()


@pytest.mark.parametrize("extra_projects", [0, 40])
def test_the_check_takes_the_same_few_queries_whatever_the_size(
    demo, django_assert_max_num_queries, extra_projects
):
    for _ in range(extra_projects):
        PhaseFactory(project=ProjectFactory(programme=demo), extra_cost=Decimal("1000"))
    with django_assert_max_num_queries(QUERIES_ADDED_BY_THE_CHECK) as counted:
        check = save_checking_tranches(programme=demo, save=lambda: None, confirmed="")
    assert check.saved and not check.change
    assert len(counted.captured_queries) == QUERIES_ADDED_BY_THE_CHECK


def test_raising_the_rounding_step_asks_first(client, demo):
    login(client)
    url = reverse("projects:programme_settings", args=[SLUG])
    data = {
        "name": demo.name,
        "starts": "2004-07-01",
        "ends": "2005-12-31",
        "financial_years": "2004/05, 2005/06",
        "apportionment": "equal",
        "rounding_step": "£20,000",
        "stated_existing_total": "165,000",
        "stated_extra_total": "175000.00",
        "version": demo.version,
    }
    response = client.post(url, data)
    assert asked_to_confirm(response)
    assert "This raises every council's immediate tranche from £10,000 to £20,000" in text(response)
    assert Programme.objects.get(slug=SLUG).rounding_step == Decimal("10000.00")
    response = client.post(url, {**data, CONFIRM_FIELD: response.context["tranche_fingerprint"]})
    assert response.status_code == 302
    assert Programme.objects.get(slug=SLUG).rounding_step == Decimal("20000.00")


def test_adding_a_contributing_partner_asks_first_and_names_it(client, demo):
    login(client)
    url = reverse("contributions:partner_create", args=[SLUG])
    data = {"name": "Broads Authority", "contributes": "on"}
    response = client.post(url, data)
    assert asked_to_confirm(response)
    assert "gives Broads Authority an immediate tranche of £10,000" in text(response)
    assert not Partner.objects.filter(name="Broads Authority").exists()
    response = client.post(url, {**data, CONFIRM_FIELD: response.context["tranche_fingerprint"]})
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "gave Broads Authority an immediate tranche of £10,000" in message


def test_a_partner_that_does_not_contribute_is_added_at_once(client, demo):
    login(client)
    url = reverse("contributions:partner_create", args=[SLUG])
    assert client.post(url, {"name": "Broads Authority"}).status_code == 302


def test_approving_a_business_case_asks_first(client, demo):
    login(client)
    url = reverse("projects:phase_decision", args=[SLUG, "authentication-gateway", 2])
    data = {
        "decision": "approved",
        "decided_on-day": "27",
        "decided_on-month": "9",
        "decided_on-year": "2004",
        "note": "",
        "version": 1,
    }
    response = client.post(url, data)
    assert asked_to_confirm(response)
    assert Phase.objects.get(project__slug="authentication-gateway", number=2).decision == (
        "pending"
    )
    response = client.post(url, {**data, CONFIRM_FIELD: response.context["tranche_fingerprint"]})
    assert response.status_code == 302
    assert Phase.objects.get(project__slug="authentication-gateway", number=2).decision == (
        "approved"
    )


def test_deleting_a_project_asks_first_on_the_delete_page(client, demo):
    login(client)
    url = reverse("projects:project_delete", args=[SLUG, "authentication-gateway"])
    response = client.post(url, {"version": "1"})
    assert asked_to_confirm(response)
    page = text(response)
    assert "This lowers every council's cap from £30,000 to £10,000, £160,000 in all." in page
    assert "Delete project and change the tranches" in page
    assert Project.objects.filter(slug="authentication-gateway").exists()
