"""Recording what a meeting resolved on each recommendation of its paper, and the agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from projects.models import Agreement, BoardDecision, Meeting, Programme, ReportText
from tests.projects.factories import PhaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
JUNE = date(2004, 6, 18)
URL = reverse("report:decisions", args=[DEMO])


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


@pytest.fixture
def june(demo) -> Meeting:
    """The June 2004 meeting, the seed paper set to it."""
    meeting = Meeting.objects.create(
        programme=demo,
        slug="norfolk-chief-executives-2004-06-18",
        body="Norfolk Chief Executives",
        date=JUNE,
    )
    ReportText.objects.filter(programme=demo).update(for_meeting=meeting)
    return meeting


def signed_in(client, username: str = "facilitator"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def decide(client, *resolutions: str, **extra) -> object:
    fingerprint = client.get(URL).context["form"].initial["fingerprint"]
    data = {"fingerprint": fingerprint, **extra}
    for number, resolution in enumerate(resolutions, start=1):
        data[f"resolution_{number}"] = resolution
    return client.post(URL, data)


def test_the_page_lists_the_seeds_two_recommendations_with_todays_figures(client, demo, june):
    page = unescape(signed_in(client).get(URL).text)
    assert "1. The list of medium term work to be carried out as suggested" in page
    assert (
        "2. To agree a contribution of up to £30,000 each over the two financial years "
        "2004-2006 with £10,000 each" in page
    )
    assert "Recommendation 2 is about the partners' contributions:" in page
    assert "records the meeting's agreement with these figures" in page


def test_agreeing_the_contributions_records_the_june_agreement(client, demo, june):
    response = decide(signed_in(client), "agreed", "agreed", note_1="As set out.")
    assert response.status_code == 302
    assert response["Location"] == reverse("contributions:agreement", args=[DEMO, june.slug])
    agreement = Agreement.objects.get(meeting=june)
    parts = list(agreement.partners.all())
    assert len(parts) == 8
    assert {(p.immediate, p.cap) for p in parts} == {(Decimal("10000.00"), Decimal("30000.00"))}
    decisions = list(BoardDecision.objects.filter(paper__programme=demo).order_by("number"))
    assert [(d.number, d.resolution, d.note) for d in decisions] == [
        (1, "agreed", "As set out."),
        (2, "agreed", ""),
    ]
    assert decisions[1].text.startswith("To agree a contribution of up to £30,000 each")
    message = unescape(client.get(response["Location"]).text)
    assert "recorded as recommended: £80,000 immediately and up to £240,000 in all" in message
    # The paper shows what was decided.
    page = unescape(client.get(reverse("report:report", args=[DEMO])).text)
    assert "Decisions of Norfolk Chief Executives, 18 June 2004" in page
    assert "As set out." in page


def test_agreed_with_amendments_asks_for_the_amended_figures(client, demo, june):
    response = decide(signed_in(client), "agreed", "amended", note_2="£8,000 immediately.")
    assert response["Location"] == reverse("contributions:agreement_record", args=[DEMO, june.slug])
    assert not Agreement.objects.filter(meeting=june).exists()
    assert BoardDecision.objects.get(number=2).resolution == "amended"


@pytest.mark.parametrize("resolution", ["deferred", "rejected"])
def test_a_deferred_or_rejected_contribution_records_no_agreement(client, demo, june, resolution):
    response = decide(signed_in(client), "agreed", resolution)
    assert response["Location"] == reverse("report:report", args=[DEMO])
    assert not Agreement.objects.exists()
    assert BoardDecision.objects.count() == 2


def test_agreeing_again_leaves_the_recorded_agreement_as_it_is(client, demo, june):
    signed_in(client)
    decide(client, "agreed", "agreed")
    part = Agreement.objects.get().partners.first()
    part.cap = Decimal("25000.00")
    part.save()
    decide(client, "agreed", "agreed", note_2="Confirmed.")
    part.refresh_from_db()
    assert part.cap == Decimal("25000.00")
    assert Agreement.objects.count() == 1
    assert BoardDecision.objects.get(number=2).note == "Confirmed."


def test_figures_that_moved_since_the_page_was_opened_are_not_agreed(client, demo, june):
    signed_in(client)
    fingerprint = client.get(URL).context["form"].initial["fingerprint"]
    # A new £80,000 project doubles every council's immediate tranche.
    PhaseFactory(project=ProjectFactory(programme=demo), number=1, extra_cost="80000.00")
    response = client.post(
        URL, {"fingerprint": fingerprint, "resolution_1": "agreed", "resolution_2": "agreed"}
    )
    assert response.status_code == 409
    assert "changed since you opened this page" in unescape(response.text)
    assert not Agreement.objects.exists() and not BoardDecision.objects.exists()


def test_a_missing_decision_is_refused_naming_the_recommendation(client, demo, june):
    response = decide(signed_in(client), "agreed")
    assert response.status_code == 200
    assert response.context["form"].errors["resolution_2"] == [
        "Select what was decided on recommendation 2"
    ]
    assert not BoardDecision.objects.exists()


def test_a_paper_without_its_meeting_says_to_choose_it_and_saves_nothing(client, demo):
    signed_in(client)
    page = unescape(client.get(URL).text)
    assert "Set the meeting this paper went to" in page
    response = client.post(
        URL, {"fingerprint": "0" * 64, "resolution_1": "agreed", "resolution_2": "agreed"}
    )
    assert response.status_code == 200
    assert not BoardDecision.objects.exists() and not Agreement.objects.exists()


def test_only_editors_record_decisions(client, demo, june):
    assert signed_in(client, "chief-executive").get(URL).status_code == 403


def test_the_decisions_page_reads_the_same_queries_with_more_projects(
    client, demo, june, django_assert_num_queries
):
    signed_in(client)
    client.get(URL)
    with django_assert_num_queries(22) as few:  # 15 read the programme whole
        client.get(URL)
    for _ in range(30):
        PhaseFactory(project=ProjectFactory(programme=demo), number=1, extra_cost="1000.00")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)
