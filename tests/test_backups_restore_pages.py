"""A database filled through the web pages with every oddity still backs up and restores.

Each oddity is posted to the page a person would use: the page either refuses it, saying why
on the field, or saves a value the programme file can hold.
"""

from __future__ import annotations

from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from projects.models import Contribution, Membership, Partner, Partnership, Programme, Project, Role
from projects.programme_file import dumps_programme
from projects.selectors import programme_document
from tests.test_backups_restore_forms import arabic_indic, full_width
from tests.tranches import post_confirmed

pytestmark = pytest.mark.django_db

BAD_SLUGS = ["Bad_Slug", "-lead", "a--b", "UPPER", "bad_Slug-X", "lead-", full_width("abc")]
SLUG_MESSAGE = "Enter a slug such as norfolk-connect: lower-case letters and digits, words joined"


@pytest.fixture
def facilitator(client):
    user = get_user_model().objects.create_user("facilitator")
    partnership = Partnership.objects.create(slug="norfolk", name="Norfolk")
    Membership.objects.create(user=user, partnership=partnership, role=Role.FACILITATOR)
    client.force_login(user)
    return client


def programme_data(**changes) -> dict[str, str]:
    return {
        "partnership": str(Partnership.objects.get(slug="norfolk").pk),
        "name": "Norfolk Connect 2006",
        "slug": "norfolk-connect-2006",
        "financial_years": "2006/07",
        "apportionment": "equal",
        **changes,
    }


def project_data(**changes) -> dict[str, str]:
    data = {
        "name": "Portal",
        "slug": "portal",
        "status": "proposed",
        "phases-0-number": "1",
        "phases-0-name": "Investigation",
        "phases-0-extra_cost": "7,000",
        "phases-0-decision": "pending",
        "phases-0-borne": "shared",
        "funding-0-source": "ODPM grant",
        "funding-0-kind": "local",
        "funding-0-amount": "15,000",
        "funding-0-status": "secured",
        "claims-0-grade": "good",
        "claims-0-code": "",
    }
    for prefix in ("phases", "funding", "claims"):
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return {**data, **changes}


def refused(response, field: str, message: str) -> None:
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert f'href="#id_{field}"' in page, page[:2000]
    assert message in page, [line for line in page.splitlines() if "error" in line][:8]


def exported() -> dict[str, str]:
    return {
        programme.slug: dumps_programme(
            programme_document(programme=programme, include_report=True)
        )
        for programme in Programme.objects.order_by("slug")
    }


def backup_and_restore(tmp_path) -> dict[str, str]:
    """Back up every programme, lose them all, restore them; return the files before."""
    files = {
        programme.slug: dumps_programme(
            programme_document(programme=programme, include_report=True)
        )
        for programme in Programme.objects.order_by("slug")
    }
    call_command("backup_programmes", str(tmp_path), stdout=StringIO())
    Contribution.objects.all().delete()
    Programme.objects.all().delete()
    Membership.objects.all().delete()
    Partner.objects.all().delete()
    Partnership.objects.all().delete()
    call_command("restore_programmes", str(tmp_path), stdout=StringIO())
    return files


def test_every_oddity_typed_into_the_pages_is_refused_or_restorable(facilitator, tmp_path):
    create = "/programmes/new/"
    # A slug is never typed: one the file refuses is not taken from the page, whatever it sends.
    for slug in [*BAD_SLUGS, "bad_Slug-X"]:
        response = facilitator.post(create, programme_data(slug=slug, name=""))
        refused(response, "name", "Enter the programme's name")
    for years in ["2006/7", "2006/08", "2006-07", arabic_indic("2006") + "/07x"]:
        response = facilitator.post(create, programme_data(financial_years=years))
        refused(response, "financial_years", "Financial years must be like 2004/05")
    refused(facilitator.post(create, programme_data(name="   ")), "name", "Enter")
    assert not Programme.objects.exists()
    # Years typed in full-width digits are read as the years they show.
    years = full_width("2006/07, 2007/08")
    assert facilitator.post(create, programme_data(financial_years=years)).status_code == 302
    programme = Programme.objects.get()
    assert programme.financial_years == ["2006/07", "2007/08"]

    base = f"/programmes/{programme.slug}"
    response = facilitator.post(f"{base}/partners/new/", {"name": " ", "slug": "broadland"})
    refused(response, "name", "Enter")
    response = facilitator.post(
        f"{base}/partners/new/",
        {"name": "Broadland", "slug": "broadland", "contributes": "on", "population": "124,000"},
    )
    assert response.status_code == 302
    broadland = Partner.objects.get(slug="broadland")

    for name in ["   ", "\u3000"]:
        response = facilitator.post(f"{base}/projects/new/", project_data(name=name))
        refused(response, "name", "Enter")
    response = post_confirmed(
        facilitator, f"{base}/projects/new/", project_data(**{"claims-0-code": "  "})
    )
    assert response.status_code == 302  # a code of only spaces is read as no code
    assert Project.objects.get().outcome_claims.get().code == ""

    response = facilitator.post(
        f"{base}/contributions/new/",
        {
            "partner": str(broadland.pk),
            "financial_year": full_width("2006/07"),
            "tranche": "immediate",
            "amount": "5,000",
            "status": "pledged",
        },
    )
    refused(response, "financial_year", "Select one of the programme")
    response = facilitator.post(
        f"{base}/contributions/new/",
        {
            "partner": str(broadland.pk),
            "financial_year": "2006/07",
            "tranche": "immediate",
            "amount": "5,000",
            "status": "pledged",
        },
    )
    assert response.status_code == 302
    # Having contributed, the partner cannot stop contributing: the file would refuse that.
    response = facilitator.post(
        f"{base}/partners/broadland/edit/",
        {"name": "Broadland", "population": "124,000", "version": "1"},
    )
    refused(response, "contributes", "has 1 contribution recorded")
    assert Partner.objects.get(slug="broadland").contributes

    files = backup_and_restore(tmp_path)
    assert {
        programme.slug: dumps_programme(
            programme_document(programme=programme, include_report=True)
        )
        for programme in Programme.objects.order_by("slug")
    } == files


def test_a_slug_taken_in_another_partnership_is_passed_over_without_a_word(facilitator):
    elsewhere = Partnership.objects.create(slug="suffolk", name="Suffolk")
    Programme.objects.create(
        partnership=elsewhere, slug="suffolk-2006", name="Suffolk", financial_years=["2006/07"]
    )
    response = facilitator.post("/programmes/new/", programme_data(name="Suffolk 2006"))
    assert response.status_code == 302
    assert response["Location"] == "/programmes/suffolk-2006-2/"
    # The person's own programme of the same name is numbered on in the same way.
    assert facilitator.post("/programmes/new/", programme_data()).status_code == 302
    assert facilitator.post("/programmes/new/", programme_data()).status_code == 302
    assert set(
        Programme.objects.filter(name="Norfolk Connect 2006").values_list("slug", flat=True)
    ) == {
        "norfolk-connect-2006",
        "norfolk-connect-2006-2",
    }
