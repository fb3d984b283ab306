"""The risk register's pages, the project page's risks and the dashboard's top risks: who may
do what, what bad input is told, and the queries each page reads as the register grows."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Risk, Role
from projects.money.vocabulary import RiskStatus
from projects.services.risks import latest_change
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import (
    MembershipFactory,
    ProgrammeFactory,
    ProjectFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = date(2004, 1, 1)


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def project(programme):
    return ProjectFactory(programme=programme, name="Authentication / Gateway")


def sign_in(client, programme, role=Role.FACILITATOR):
    partner = (
        PartnerFactory(partnership=programme.partnership) if role == Role.PARTNER_OFFICER else None
    )
    membership = MembershipFactory(partnership=programme.partnership, role=role, partner=partner)
    client.force_login(membership.user)
    return membership.user


def register_url(programme) -> str:
    return reverse("reports:risk_register", args=[programme.slug])


def create_url(programme) -> str:
    return reverse("reports:risk_create", args=[programme.slug])


def update_url(risk) -> str:
    return reverse("reports:risk_update", args=[risk.programme.slug, risk.pk])


def delete_url(risk) -> str:
    return reverse("reports:risk_delete", args=[risk.programme.slug, risk.pk])


def text(response) -> str:
    words = html_lib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", words)


def form_data(**changes) -> dict:
    data = {
        "reference": "R7",
        "description": "The gateway supplier fails",
        "project": "",
        "likelihood": "4",
        "impact": "5",
        "owner": "Programme manager",
        "mitigation": "A second supplier on standby",
        "status": "open",
        "next_review-day": "1",
        "next_review-month": "12",
        "next_review-year": "2004",
        "seen": "",
    }
    data.update(changes)
    return data


# The register


def test_every_member_reads_the_register_with_scores_bands_and_overdue_reviews(
    client, programme, project
):
    RiskFactory(programme=programme, project=project, reference="R1", likelihood=4, impact=4,
                owner="Jo", next_review=LONG_AGO)  # fmt: skip
    RiskFactory(programme=programme, reference="R2", likelihood=1, impact=3)
    RiskFactory(programme=programme, reference="R3", status=RiskStatus.CLOSED)
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    response = client.get(register_url(programme))
    assert response.status_code == 200
    page = text(response)
    assert "Risk register" in page
    assert "Authentication / Gateway 4 4 16 High Jo Open 1 January 2004 Review overdue" in page
    assert "Programme 1 3 3 Low Not named Open Not set" in page
    assert "R3" in page and "Closed" in page
    # A chief executive reads: no way to change the register.
    assert create_url(programme) not in response.content.decode()
    assert "Change" not in page
    # The heat map counts the two open risks.
    html = response.content.decode()
    assert 'role="img"' in html and "2 open risks by likelihood and impact" in html


def test_a_facilitator_is_offered_to_add_change_and_remove(client, programme):
    risk = RiskFactory(programme=programme)
    sign_in(client, programme)
    html = client.get(register_url(programme)).content.decode()
    for url in (create_url(programme), update_url(risk), delete_url(risk)):
        assert url in html


def test_the_register_is_filtered_by_status_project_and_band(client, programme, project):
    RiskFactory(programme=programme, project=project, reference="P-high", likelihood=5, impact=4)
    RiskFactory(programme=programme, reference="Prog-low", likelihood=1, impact=1)
    RiskFactory(programme=programme, reference="Prog-mid-closed", likelihood=2, impact=3,
                status=RiskStatus.CLOSED)  # fmt: skip
    sign_in(client, programme, Role.PARTNER_OFFICER)

    def shown(query: str) -> list[str]:
        response = client.get(register_url(programme) + query)
        assert response.status_code == 200
        return [row.risk.reference for row in response.context["rows"]]

    assert shown("") == ["P-high", "Prog-low", "Prog-mid-closed"]
    assert shown("?status=closed") == ["Prog-mid-closed"]
    assert shown(f"?project={project.slug}") == ["P-high"]
    assert shown("?project=programme") == ["Prog-low", "Prog-mid-closed"]
    assert shown("?band=high") == ["P-high"]
    assert shown("?band=medium") == ["Prog-mid-closed"]
    assert shown("?band=low&status=open") == ["Prog-low"]


def test_a_filter_that_is_not_a_choice_is_told_and_shows_every_risk(client, programme):
    RiskFactory(programme=programme)
    sign_in(client, programme)
    response = client.get(register_url(programme) + "?band=enormous")
    assert response.status_code == 200
    assert "Select a score band from the list" in text(response)
    assert len(response.context["rows"]) == 1


def test_an_empty_register_says_so(client, programme):
    sign_in(client, programme)
    response = client.get(register_url(programme))
    assert "No risks recorded yet" in text(response)
    assert "No open risks: every cell of the grid is empty." in response.content.decode()


# Adding, changing, closing and removing


def test_a_facilitator_adds_a_risk(client, programme, project):
    user = sign_in(client, programme)
    response = client.post(create_url(programme), form_data(project=str(project.pk)))
    assert response.status_code == 302 and response.url == register_url(programme)
    risk = Risk.objects.get()
    assert (risk.reference, risk.project, risk.likelihood, risk.impact) == ("R7", project, 4, 5)
    assert risk.next_review == date(2004, 12, 1)
    assert risk.history.get().history_user == user
    assert "Risk R7 is added to the register." in text(client.get(response.url))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"likelihood": "0"}, "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": "6"}, "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": "three"}, "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": "2.5"}, "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": ""}, "Enter the likelihood, a whole number from 1 to 5"),
        ({"impact": "6"}, "Impact must be a whole number from 1 to 5"),
        ({"reference": ""}, "Enter the risk's reference"),
        ({"reference": "   "}, "Enter the risk's reference"),
        ({"description": ""}, "Enter the risk's description"),
        ({"status": ""}, "Select whether the risk is open or closed"),
        ({"next_review-month": "13"}, "Next review date must be a real date"),
    ],
)
def test_bad_input_is_told_and_nothing_is_written(client, programme, changes, message):
    sign_in(client, programme)
    response = client.post(create_url(programme), form_data(**changes))
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and message in page, page
    assert not Risk.objects.exists() and not Risk.history.exists()


def test_a_duplicate_reference_is_told_and_nothing_is_written(client, programme):
    RiskFactory(programme=programme, reference="R7")
    sign_in(client, programme)
    response = client.post(create_url(programme), form_data())
    assert response.status_code == 200
    assert "The programme already has a risk with reference R7" in text(response)
    assert Risk.objects.count() == 1 and Risk.history.count() == 1


def test_another_programmes_project_is_not_a_choice(client, programme):
    elsewhere = ProjectFactory()
    sign_in(client, programme)
    response = client.post(create_url(programme), form_data(project=str(elsewhere.pk)))
    assert response.status_code == 200
    assert "Select the project, or the programme as a whole from the list" in text(response)
    assert not Risk.objects.exists()


def test_closing_a_risk_is_a_change_and_keeps_it_in_the_register(client, programme):
    risk = RiskFactory(programme=programme, reference="R7")
    sign_in(client, programme)
    form = client.get(update_url(risk))
    assert form.status_code == 200
    assert f'value="{latest_change(risk)}"' in form.content.decode()  # the copy it was made from
    radios = re.findall(r'<label class="govuk-label govuk-radios__label" for="id_status_\d">(\w+)<',
                        form.content.decode())  # fmt: skip
    assert radios == ["Open", "Closed"]
    response = client.post(
        update_url(risk), form_data(status="closed", seen=str(latest_change(risk)))
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.CLOSED and risk.impact == 5
    assert "Risk R7 is closed." in text(client.get(response.url))
    assert [row.risk.pk for row in client.get(register_url(programme)).context["rows"]] == [risk.pk]


def test_a_change_from_an_older_copy_is_refused(client, programme):
    risk = RiskFactory(programme=programme, reference="R7", impact=3)
    sign_in(client, programme)
    opened = str(latest_change(risk))
    assert client.post(update_url(risk), form_data(impact="2", seen=opened)).status_code == 302
    response = client.post(update_url(risk), form_data(impact="5", seen=opened))
    assert response.status_code == 200
    assert "Someone else changed this risk after you opened it" in text(response)
    risk.refresh_from_db()
    assert risk.impact == 2


def test_removing_a_risk_asks_first(client, programme):
    risk = RiskFactory(programme=programme, reference="R7")
    sign_in(client, programme)
    page = client.get(delete_url(risk))
    assert page.status_code == 200
    assert "Remove risk R7 from the register?" in text(page)
    assert Risk.objects.exists()
    response = client.post(delete_url(risk))
    assert response.status_code == 302 and not Risk.objects.exists()
    assert Risk.history.filter(history_type="-").count() == 1


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER])
def test_readers_may_not_change_the_register(client, programme, role):
    risk = RiskFactory(programme=programme, impact=3)
    sign_in(client, programme, role)
    assert client.get(create_url(programme)).status_code == 403
    assert client.post(create_url(programme), form_data()).status_code == 403
    seen = str(latest_change(risk))
    assert client.post(update_url(risk), form_data(seen=seen)).status_code == 403
    assert client.post(delete_url(risk)).status_code == 403
    assert list(Risk.objects.values_list("impact", flat=True)) == [3]


def test_another_partnerships_risk_answers_404(client, programme):
    other = RiskFactory()
    sign_in(client, programme)
    for name in ("reports:risk_update", "reports:risk_delete"):
        url = reverse(name, args=[programme.slug, other.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, form_data()).status_code == 404
    assert client.get(register_url(other.programme)).status_code == 404
    assert Risk.objects.get().pk == other.pk


# Where people look: the project's page and the dashboard


def test_the_project_page_lists_its_risks_and_links_to_the_register(client, programme, project):
    RiskFactory(programme=programme, project=project, reference="G1", description="Late kit",
                likelihood=5, impact=3, next_review=LONG_AGO)  # fmt: skip
    RiskFactory(programme=programme, reference="P1", description="Programme-wide")
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    response = client.get(reverse("projects:project_detail", args=[programme.slug, project.slug]))
    page = text(response)
    assert "G1 Late kit 15 High likelihood 5, impact 3 Not named Open 1 January 2004" in page
    assert "Review overdue" in page and "Programme-wide" not in page
    assert register_url(programme) in response.content.decode()


def test_a_project_without_risks_says_so(client, programme, project):
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    response = client.get(reverse("projects:project_detail", args=[programme.slug, project.slug]))
    assert "No risks are recorded against this project." in text(response)


def test_the_dashboard_shows_the_top_risks_and_the_counts(client, programme):
    overdue = timezone.localdate() - timedelta(days=1)
    for n in range(7):
        RiskFactory(programme=programme, reference=f"R{n}", likelihood=n % 5 + 1, impact=5,
                    next_review=overdue if n < 2 else None)  # fmt: skip
    RiskFactory(programme=programme, reference="gone", likelihood=5, impact=5,
                status=RiskStatus.CLOSED)  # fmt: skip
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    response = client.get(reverse("reports:dashboard", args=[programme.slug]))
    page = text(response)
    assert "Top risks 7 open risks, 2 past their review date" in page, page
    assert [row.risk.reference for row in response.context["top_risks"].rows] == [
        "R4", "R3", "R2", "R1", "R6"
    ]  # fmt: skip
    assert "The 5 open risks with the highest scores" in page
    assert "R4: Risk" in page and "25 High" in page and "gone" not in page
    assert register_url(programme) in response.content.decode()


def test_a_dashboard_without_open_risks_says_so(client, programme):
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    response = client.get(reverse("reports:dashboard", args=[programme.slug]))
    assert "No open risks are recorded." in text(response)


# Queries: the same at 10 risks as at 200


def make_risks(programme, project, count: int) -> None:
    Risk.objects.bulk_create(
        Risk(
            programme=programme,
            project=project if n % 2 else None,
            reference=f"R{n}",
            description=f"Risk {n}",
            likelihood=n % 5 + 1,
            impact=(n // 5) % 5 + 1,
            owner="Jo",
            next_review=LONG_AGO if n % 3 == 0 else None,
        )
        for n in range(count)
    )


def queries_of(client, django_assert_num_queries, url: str, expected: int):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


REGISTER_QUERIES = 7  # session, user, membership, programme; projects, risks, heat map counts
EDIT_QUERIES = 7  # the form's page: the risk, its latest change and the projects to choose from


@pytest.mark.parametrize("count", [10, 200])
def test_the_pages_read_the_same_queries_at_10_and_200_risks(
    client, programme, project, count, django_assert_num_queries
):
    make_risks(programme, project, count)
    sign_in(client, programme)
    response = queries_of(
        client, django_assert_num_queries, register_url(programme), REGISTER_QUERIES
    )
    assert len(response.context["rows"]) == count
    filtered = queries_of(
        client,
        django_assert_num_queries,
        register_url(programme) + f"?band=medium&status=open&project={project.slug}",
        REGISTER_QUERIES,
    )
    assert 0 < len(filtered.context["rows"]) < count
    risk = Risk.objects.filter(programme=programme).last()
    queries_of(client, django_assert_num_queries, update_url(risk), EDIT_QUERIES)


@pytest.mark.parametrize("url_name", ["reports:dashboard", "projects:project_detail"])
def test_the_dashboard_and_project_page_read_no_more_with_more_risks(
    client, programme, project, url_name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, programme)
    args = [programme.slug] + ([project.slug] if url_name == "projects:project_detail" else [])
    url = reverse(url_name, args=args)
    counts = []
    for count in (10, 200):
        Risk.objects.all().delete()
        make_risks(programme, project, count)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
