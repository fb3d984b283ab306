"""The meetings, agreement and consent pages: each role, the confirmations, refusals, queries."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from benchmarks.builders import large_document
from projects.models import (
    Agreement,
    Call,
    Invoice,
    Meeting,
    Partner,
    PartnerAgreement,
    Programme,
    Role,
)
from projects.programme_file.parsing import parse_programme
from projects.services import programme_load
from tests.after_the_meeting import after_the_meeting
from tests.dates import as_typed
from tests.projects.factories import MembershipFactory

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
JUNE = "chief-executives-2004-06"
OCTOBER = "chief-executives-2004-10"
READERS = ["chief-executive", "partner-officer"]
EDITORS = ["facilitator", "admin"]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


@pytest.fixture
def invoiced(demo):
    programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    return Programme.objects.get(slug=DEMO)


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def url(name: str, *args: str) -> str:
    return reverse(f"contributions:{name}", args=[DEMO, *args])


def meeting_post(**changes) -> dict:
    data = {"body": "Norfolk Chief Executives", "date": "2004-07-16", "note": "Item 5"}
    data.update(changes)
    return as_typed(data)


def agreement_post(client, meeting: str, **changes: str) -> dict:
    """The agreement form as shown, with some amounts changed, as a browser sends it."""
    form = client.get(url("agreement_record", meeting)).context["form"]
    data = {name: form[name].field.prepare_value(form[name].value()) for name in form.fields}
    data.update(changes)
    return data


def stored() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Meeting, Agreement, PartnerAgreement, Call, Invoice)
    ]


# The meetings page


@pytest.mark.parametrize("username", EDITORS + READERS)
def test_the_meetings_page_says_what_a_meeting_is_for_when_there_is_none(client, demo, username):
    response = login(client, username).get(url("meeting_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No meetings are recorded yet." in html
    assert "A meeting is where a body such as the chief executives decides" in html
    assert (url("meeting_create") in html) == (username in EDITORS)


@pytest.mark.parametrize("username", EDITORS + READERS)
def test_the_meetings_page_lists_each_meeting_with_whether_it_has_an_agreement(
    client, invoiced, username
):
    Meeting.objects.create(
        programme=invoiced, slug="board-2005-01-10", body="Board", date=date(2005, 1, 10)
    )
    html = login(client, username).get(url("meeting_list")).content.decode()
    for text in ("18 June 2004", "15 October 2004", "10 January 2005", "Item 5", "Board"):
        assert text in html
    assert html.count(">Recorded<") == 2 and html.count(">Not recorded<") == 1
    assert url("agreement", JUNE) in html
    assert (url("meeting_update", JUNE) in html) == (username in EDITORS)
    assert (url("meeting_delete", JUNE) in html) == (username in EDITORS)


def test_the_navigation_leads_to_the_meetings_and_marks_them(client, demo):
    html = login(client, "chief-executive").get(url("meeting_list")).content.decode()
    assert f'href="{url("meeting_list")}" aria-current="page"' in html


# Adding, changing and deleting a meeting


def test_a_meeting_is_added_and_its_slug_made_from_its_body_and_date(client, demo):
    response = login(client, "facilitator").post(url("meeting_create"), meeting_post())
    assert response.status_code == 302 and response["Location"] == url("meeting_list")
    meeting = Meeting.objects.get()
    assert meeting.slug == "norfolk-chief-executives-2004-07-16"
    assert meeting.history.get().history_user.username == "facilitator"


def test_a_meeting_before_the_programme_starts_needs_a_confirmation(client, demo):
    login(client, "facilitator")
    response = client.post(url("meeting_create"), meeting_post(date="2004-06-18"))
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert (
        "The meeting is dated before the programme starts on 1 July 2004. Save it anyway?" in html
    )
    assert 'name="confirm_date" value="2004-06-18"' in html and "Save it anyway" in html
    # A confirmation of another date does not count: it asks again.
    other = {**meeting_post(date="2004-06-17"), "confirm_date": "2004-06-18"}
    assert client.post(url("meeting_create"), other).status_code == 200
    assert not Meeting.objects.exists()
    confirmed = {**meeting_post(date="2004-06-18"), "confirm_date": "2004-06-18"}
    assert client.post(url("meeting_create"), confirmed).status_code == 302
    assert Meeting.objects.get().date == date(2004, 6, 18)


def test_a_meeting_with_bad_entries_is_refused_in_the_forms_words(client, demo):
    response = login(client, "facilitator").post(
        url("meeting_create"), meeting_post(body="", date="2004-02-31")
    )
    assert response.status_code == 200 and not Meeting.objects.exists()
    html = response.content.decode()
    assert "Enter the body that met" in html
    assert "Date of the meeting must be a real date" in html


def test_a_meeting_is_changed_keeping_its_address(client, invoiced):
    login(client, "facilitator")
    assert client.get(url("meeting_update", JUNE)).context["form"]["body"].value() == (
        "Norfolk Chief Executives"
    )
    response = client.post(
        url("meeting_update", JUNE),
        {**meeting_post(date="2004-06-18", note="Item 6"), "confirm_date": "2004-06-18"},
    )
    assert response.status_code == 302
    assert Meeting.objects.get(slug=JUNE).note == "Item 6"


def test_moving_a_meeting_from_under_its_calls_is_refused_on_the_date(client, invoiced):
    response = login(client, "facilitator").post(
        url("meeting_update", OCTOBER), meeting_post(date="2004-12-01", note="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be moved to that date: calls depend on its agreement" in html
    assert Meeting.objects.get(slug=OCTOBER).date == date(2004, 10, 15)


def test_deleting_a_meeting_asks_then_deletes(client, invoiced):
    meeting = Meeting.objects.create(
        programme=invoiced, slug="board-2005-01-10", body="Board", date=date(2005, 1, 10)
    )
    login(client, "facilitator")
    html = client.get(url("meeting_delete", meeting.slug)).content.decode()
    assert "Delete Board, 10 January 2005?" in html and "Delete meeting" in html
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    response = client.post(url("meeting_delete", meeting.slug))
    assert response.status_code == 302 and not Meeting.objects.filter(pk=meeting.pk).exists()


def test_deleting_a_meeting_that_calls_depend_on_is_refused_saying_why(client, invoiced):
    login(client, "facilitator")
    before = stored()
    page = client.get(url("meeting_delete", JUNE)).content.decode()
    assert "cannot be deleted, because calls depend on its agreement" in page
    assert "The call for the immediate tranche of 2004/05, issued 1 July 2004" in page
    assert "Delete meeting</button>" not in page
    response = client.post(url("meeting_delete", JUNE))
    assert response.status_code == 409
    assert "cannot be deleted: calls depend on its agreement" in response.content.decode()
    assert stored() == before


@pytest.mark.parametrize("username", READERS)
def test_readers_may_not_change_meetings_agreements_or_consent(client, invoiced, username):
    login(client, username)
    before = stored()
    for name, args in (
        ("meeting_create", ()),
        ("meeting_update", (JUNE,)),
        ("meeting_delete", (JUNE,)),
        ("agreement_record", (OCTOBER,)),
        ("consent_update", (OCTOBER, "broadland")),
    ):
        assert client.get(url(name, *args)).status_code == 403
        assert client.post(url(name, *args), {}).status_code == 403
    assert stored() == before


def test_another_partnerships_meeting_is_not_found(client, invoiced):
    other = programme_load(document=large_document(projects=1, partners=2, slug="elsewhere"))
    Meeting.objects.create(
        programme=other, slug="board-2004-07-02", body="B", date=date(2004, 7, 2)
    )
    MembershipFactory(partnership=other.partnership)
    login(client, "facilitator")
    for name in ("agreement", "meeting_update", "meeting_delete", "agreement_record"):
        assert client.get(url(name, "board-2004-07-02")).status_code == 404
        other_url = reverse(f"contributions:{name}", args=["elsewhere", "board-2004-07-02"])
        assert client.get(other_url).status_code == 404
    assert client.get(url("consent_update", OCTOBER, "council-000")).status_code == 404


# Recording the agreement


def test_the_form_starts_with_the_computed_recommendation_and_records_it(client, demo):
    meeting = Meeting.objects.create(
        programme=demo, slug="june", body="Norfolk Chief Executives", date=date(2004, 6, 18)
    )
    login(client, "facilitator")
    page = client.get(url("agreement", meeting.slug)).content.decode()
    assert "No agreement is recorded for this meeting." in page
    form = client.get(url("agreement_record", meeting.slug)).context["form"]
    assert form.initial["broadland-immediate"] == Decimal("10000.00")
    assert form.initial["broadland-cap"] == Decimal("30000.00")
    data = agreement_post(client, meeting.slug, **{"broadland-immediate": "£5,000.50"})
    response = client.post(url("agreement_record", meeting.slug), data)
    assert response.status_code == 302 and response["Location"] == url("agreement", meeting.slug)
    broadland = PartnerAgreement.objects.get(partner__slug="broadland")
    assert broadland.immediate == Decimal("5000.50")
    assert PartnerAgreement.objects.count() == 8
    html = client.get(url("agreement", meeting.slug)).content.decode()
    assert (
        "The computed recommendation is now £10,000 immediately, £4,999.50 more than agreed, "
        "and up to £30,000, as agreed"
    ) in html
    assert "£75,000.50" in html  # the agreed immediate total, to the penny


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"broadland-immediate": "-10"}, "Broadland District Council's immediate tranche must be"),
        ({"broadland-cap": "30000.001"}, "Broadland District Council's cap must be in pounds"),
        (
            {"broadland-immediate": "40000"},
            "Broadland District Council's immediate tranche must not be more than its cap of "
            "£30,000",
        ),
        ({"norwich-cap": ""}, "Enter Norwich City Council's cap"),
    ],
)
def test_bad_figures_are_refused_with_a_clear_message_and_nothing_written(
    client, demo, changes, message
):
    Meeting.objects.create(programme=demo, slug="june", body="N", date=date(2004, 6, 18))
    login(client, "facilitator")
    before = stored()
    response = client.post(
        url("agreement_record", "june"), agreement_post(client, "june", **changes)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message.replace("'", "&#x27;") in html
    assert "There is a problem" in html
    assert stored() == before


def test_a_cap_below_what_was_invoiced_is_refused_on_its_field(client, invoiced):
    login(client, "facilitator")
    before = stored()
    data = agreement_post(client, OCTOBER, **{"south-norfolk-cap": "13,333.33"})
    response = client.post(url("agreement_record", OCTOBER), data)
    assert response.status_code == 200
    assert (
        "South Norfolk Council&#x27;s cap must be at least the £13,333.34 it has already been "
        "invoiced"
    ) in response.content.decode()
    assert response.context["form"].errors["south-norfolk-cap"]
    assert stored() == before


def test_replacing_an_agreement_shows_old_and_new_figures_then_replaces_it(client, invoiced):
    login(client, "facilitator")
    before = stored()
    data = agreement_post(client, JUNE, **{"broadland-immediate": "20000"})
    response = client.post(url("agreement_record", JUNE), data)
    html = response.content.decode()
    assert response.status_code == 200 and stored() == before
    assert "This replaces the agreement already recorded for the meeting." in html
    assert "£10,000 immediately, up to £30,000" in html  # as agreed before
    assert "£20,000 immediately, up to £30,000" in html  # as it would be
    assert "Its consent recorded 5 July 2004 (Cabinet 5 July 2004) is cleared" in html
    assert "Replace the agreement" in html
    fingerprint = response.context["confirm_value"]
    response = client.post(
        url("agreement_record", JUNE), {**data, "confirm_agreement": fingerprint}
    )
    assert response.status_code == 302
    broadland = PartnerAgreement.objects.get(
        agreement__meeting__slug=JUNE, partner__slug="broadland"
    )
    assert broadland.immediate == Decimal("20000.00") and broadland.consent_date is None


def test_a_stale_confirmation_asks_again(client, invoiced):
    login(client, "facilitator")
    data = agreement_post(client, JUNE, **{"broadland-immediate": "20000"})
    response = client.post(url("agreement_record", JUNE), {**data, "confirm_agreement": "0" * 64})
    assert response.status_code == 200
    assert "Not saved: the agreement changed since you confirmed" in response.content.decode()


# The agreement page and consent


@pytest.mark.parametrize("username", EDITORS + READERS)
def test_every_role_reads_the_agreement_beside_the_proposal(client, invoiced, username):
    html = login(client, username).get(url("agreement", OCTOBER)).content.decode()
    assert "This is the agreement that stands" in html
    assert "Proposed immediate tranche" in html and "Agreed cap" in html
    assert "Not recorded" in html
    assert (
        "The computed recommendation is now £10,000 immediately, as agreed, and up to £10,000, "
        "£10,000 less than agreed"
    ) in html
    assert (url("consent_update", OCTOBER, "broadland") in html) == (username in EDITORS)
    june = login(client, username).get(url("agreement", JUNE)).content.decode()
    assert "A later agreement stands" in june
    assert "Consent recorded 5 July 2004 (Cabinet 5 July 2004)" in june
    assert url("consent_update", JUNE, "broadland") not in june


def test_consent_is_recorded_and_shown_on_the_agreement_page(client, invoiced):
    login(client, "facilitator")
    response = client.post(
        url("consent_update", OCTOBER, "norwich"),
        as_typed({"consent_date": "2004-11-02", "consent_reference": "Cabinet 2 November 2004"}),
    )
    assert response.status_code == 302 and response["Location"] == url("agreement", OCTOBER)
    html = client.get(url("agreement", OCTOBER)).content.decode()
    assert "Consent recorded 2 November 2004 (Cabinet 2 November 2004)" in html


def test_consent_with_a_reference_and_no_date_is_refused(client, invoiced):
    login(client, "facilitator")
    before = stored()
    response = client.post(
        url("consent_update", OCTOBER, "norwich"),
        as_typed({"consent_date": "", "consent_reference": "Cabinet"}),
    )
    assert response.status_code == 200
    assert "Enter the date of the council&#x27;s decision, because a reference is given" in (
        response.content.decode()
    )
    assert stored() == before


def test_consent_on_an_agreement_that_no_longer_stands_is_refused(client, invoiced):
    login(client, "facilitator")
    response = client.post(
        url("consent_update", JUNE, "norwich"),
        as_typed({"consent_date": "2004-07-02", "consent_reference": ""}),
    )
    assert response.status_code == 200
    assert "Consent is recorded against the agreement that stands" in response.content.decode()
    assert (
        PartnerAgreement.objects.get(
            agreement__meeting__slug=JUNE, partner__slug="norwich"
        ).consent_date
        is None
    )


# Query counts: each page reads a fixed number of queries, whatever the programme's size.

MAX_LIST_QUERIES = 5  # session, user, membership, programme, meetings with their agreement
# Session, user, membership, programme, meeting (5); its agreement, the partners, its parts and
# the standing agreement (4); the programme's figures (16, whatever its size).
MAX_AGREEMENT_QUERIES = 25
# The same, with the invoiced totals in place of the standing agreement.
MAX_FORM_QUERIES = 25


def programme_with(*, partners: int, meetings: int) -> Programme:
    """A programme with partners and meetings, each meeting's agreement for every partner."""
    programme = programme_load(document=large_document(projects=5, partners=partners))
    council = list(Partner.objects.filter(partnership=programme.partnership))
    for n in range(meetings):
        meeting = Meeting.objects.create(
            programme=programme,
            slug=f"board-{n}",
            body="Board",
            date=date(2004, 7, 1 + n % 28),
            note=f"Item {n}",
        )
        agreement = Agreement.objects.create(meeting=meeting)
        PartnerAgreement.objects.bulk_create(
            PartnerAgreement(
                agreement=agreement,
                partner=partner,
                immediate=Decimal("100.00"),
                cap=Decimal("1000.00"),
                consent_date=date(2004, 7, 5),
                consent_reference="Cabinet",
            )
            for partner in council
        )
    call = Call.objects.create(
        programme=programme,
        slug="call",
        tranche="immediate",
        financial_year="2004/05",
        issued=date(2004, 8, 1),
        due=date(2004, 8, 31),
    )
    Invoice.objects.bulk_create(
        Invoice(
            call=call,
            partnership=programme.partnership,
            number=f"N-{n}",
            partner=partner,
            amount=Decimal("100.00"),
        )
        for n, partner in enumerate(council)
    )
    return programme


@pytest.mark.parametrize(("partners", "meetings"), [(8, 1), (100, 30)])
@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTNER_OFFICER])
def test_the_meetings_pages_queries_do_not_grow(
    client, django_assert_max_num_queries, partners, meetings, role
):
    programme = programme_with(partners=partners, meetings=meetings)
    council = Partner.objects.filter(partnership=programme.partnership).first()
    membership = MembershipFactory(
        partnership=programme.partnership,
        role=role,
        partner=council if role == Role.PARTNER_OFFICER else None,
    )
    client.force_login(membership.user)
    last = f"board-{meetings - 1}"
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(reverse("contributions:meeting_list", args=[programme.slug]))
    assert len(response.context["meetings"]) == meetings
    with django_assert_max_num_queries(MAX_AGREEMENT_QUERIES):
        response = client.get(reverse("contributions:agreement", args=[programme.slug, last]))
    assert len(response.context["page"].rows) == partners
    if role == Role.FACILITATOR:
        with django_assert_max_num_queries(MAX_FORM_QUERIES):
            response = client.get(
                reverse("contributions:agreement_record", args=[programme.slug, last])
            )
        assert len(response.context["form"].rows) == partners
