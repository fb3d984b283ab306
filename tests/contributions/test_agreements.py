"""Meetings, agreements and consent: the services' rules, their refusals and their history."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from contributions.agreement_selectors import (
    agreement_page,
    consent_text,
    difference_text,
    standing_agreement,
)
from contributions.agreements import (
    AgreedFigures,
    AgreementReplaceQuestion,
    MeetingDateQuestion,
    MeetingInUseError,
    agreement_record,
    consent_record,
    meeting_create,
    meeting_delete,
    meeting_update,
    uncovered_invoices,
)
from projects.models import (
    Agreement,
    Call,
    Invoice,
    Meeting,
    Partner,
    PartnerAgreement,
    Payment,
    Programme,
)
from projects.programme_file.parsing import parse_programme
from projects.services import programme_load
from tests.after_the_meeting import after_the_meeting

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
JUNE = "chief-executives-2004-06"
OCTOBER = "chief-executives-2004-10"


@pytest.fixture
def demo() -> Programme:
    """The seed as it stood before the meeting: no meeting, agreement or invoice."""
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


@pytest.fixture
def invoiced(demo) -> Programme:
    """The seed after the meetings: two agreements, an immediate and a review call, payments."""
    programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    return Programme.objects.select_related("partnership").get(slug=DEMO)


@pytest.fixture
def user():
    return get_user_model().objects.get(username="facilitator")


def meeting_data(**changes) -> dict:
    return {"body": "Norfolk Chief Executives", "date": date(2004, 7, 16), "note": "", **changes}


def partners(programme: Programme) -> list[Partner]:
    return list(
        Partner.objects.filter(partnership=programme.partnership, contributes=True).order_by(
            "position"
        )
    )


def figures(programme: Programme, **overrides: tuple[str, str]) -> list[AgreedFigures]:
    """Each contributing partner at £10,000 now and up to £30,000, unless overridden by slug."""
    rows = []
    for partner in partners(programme):
        immediate, cap = overrides.get(partner.slug.replace("-", "_"), ("10000.00", "30000.00"))
        rows.append(
            AgreedFigures(
                partner=partner,
                immediate=None if immediate is None else Decimal(immediate),
                cap=None if cap is None else Decimal(cap),
            )
        )
    return rows


def stored() -> list:
    """Every record after the meeting as stored, to show that a refusal wrote nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Meeting, Agreement, PartnerAgreement, Call, Invoice, Payment)
    ]


def meeting_of(programme: Programme, slug: str) -> Meeting:
    return Meeting.objects.select_related("programme").get(programme=programme, slug=slug)


# Meetings


def test_a_meetings_slug_is_made_from_its_body_and_date_and_unique_in_the_programme(demo, user):
    first = meeting_create(programme=demo, data=meeting_data(), user=user)
    second = meeting_create(programme=demo, data=meeting_data(note="Again"), user=user)
    assert first.slug == "norfolk-chief-executives-2004-07-16"
    assert second.slug == "norfolk-chief-executives-2004-07-16-2"
    long = meeting_create(programme=demo, data=meeting_data(body="Board " * 30), user=user)
    assert long.slug.endswith("-2004-07-16") and len(long.slug) <= 50
    record = first.history.get()
    assert record.history_type == "+" and record.history_user == user


def test_a_meeting_before_the_programme_starts_is_saved_only_once_confirmed(demo, user):
    with pytest.raises(MeetingDateQuestion) as asked:
        meeting_create(programme=demo, data=meeting_data(date=date(2004, 6, 18)), user=user)
    assert asked.value.question == (
        "The meeting is dated before the programme starts on 1 July 2004. Save it anyway?"
    )
    assert not Meeting.objects.exists()
    meeting = meeting_create(
        programme=demo, data=meeting_data(date=date(2004, 6, 18)), user=user, date_confirmed=True
    )
    assert meeting.slug == "norfolk-chief-executives-2004-06-18"


def test_a_meeting_after_the_programme_ends_asks_too(demo, user):
    demo.ends = date(2006, 3, 31)
    demo.save()
    with pytest.raises(MeetingDateQuestion, match="after the programme ends on 31 March 2006"):
        meeting_create(programme=demo, data=meeting_data(date=date(2006, 4, 1)), user=user)
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    with pytest.raises(MeetingDateQuestion):
        meeting_update(meeting=meeting, data={"date": date(2006, 4, 1)}, user=user)
    meeting.refresh_from_db()
    assert meeting.date == date(2004, 7, 16)


def test_a_meeting_without_a_body_or_date_is_refused_and_nothing_written(demo, user):
    with pytest.raises(ValidationError) as refused:
        meeting_create(programme=demo, data=meeting_data(body="", date=None), user=user)
    assert set(refused.value.message_dict) == {"body", "date"}
    assert not Meeting.objects.exists()


def test_changing_a_meeting_keeps_its_slug_and_records_who(demo, user):
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    meeting_update(
        meeting=meeting, data=meeting_data(body="Chief Executives", note="Item 4"), user=user
    )
    meeting.refresh_from_db()
    assert (meeting.slug, meeting.body, meeting.note) == (
        "norfolk-chief-executives-2004-07-16",
        "Chief Executives",
        "Item 4",
    )
    latest = meeting.history.latest()
    assert latest.history_type == "~" and latest.history_user == user


def test_a_meeting_without_calls_is_deleted_with_its_agreement(demo, user):
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    agreement_record(meeting=meeting, parts=figures(demo), user=user)
    meeting_delete(meeting=meeting, user=user)
    assert not Meeting.objects.exists() and not PartnerAgreement.objects.exists()
    removed = PartnerAgreement.history.filter(history_type="-")
    assert removed.count() == 8 and {r.history_user for r in removed} == {user}
    assert Agreement.history.filter(history_type="-", history_user=user).count() == 1


def test_a_meeting_whose_agreement_calls_were_made_under_cannot_be_deleted(invoiced, user):
    before = stored()
    for slug in (JUNE, OCTOBER):
        with pytest.raises(MeetingInUseError) as refused:
            meeting_delete(meeting=meeting_of(invoiced, slug), user=user)
        assert "calls depend on its agreement" in str(refused.value)
    assert stored() == before
    # The June agreement: the immediate call was issued under it, on 1 July 2004.
    with pytest.raises(MeetingInUseError) as refused:
        meeting_delete(meeting=meeting_of(invoiced, JUNE), user=user)
    assert refused.value.reasons == [
        "the call for the immediate tranche of 2004/05, issued 1 July 2004, was made under it "
        "(8 invoices, £80,000 in all)"
    ]


def test_a_later_meeting_that_no_call_was_made_under_can_be_deleted(invoiced, user):
    later = meeting_create(programme=invoiced, data=meeting_data(date=date(2005, 1, 10)), user=user)
    agreement_record(
        meeting=later,
        parts=figures(invoiced, norfolk_county=("0.00", "13333.33")),
        user=user,
    )
    meeting_delete(meeting=later, user=user)  # the calls were made before it: nothing depends
    assert not Meeting.objects.filter(pk=later.pk).exists()


def test_moving_a_meeting_so_that_a_call_stands_under_another_agreement_is_refused(invoiced, user):
    october = meeting_of(invoiced, OCTOBER)
    with pytest.raises(MeetingInUseError) as refused:
        meeting_update(meeting=october, data={"date": date(2004, 12, 1)}, user=user)
    assert "the call for the tranche subject to review of 2004/05" in refused.value.reasons[0]
    october.refresh_from_db()
    assert october.date == date(2004, 10, 15)
    # A day that keeps every call under the same agreement is fine.
    meeting_update(meeting=october, data={"date": date(2004, 10, 14)}, user=user)
    assert meeting_of(invoiced, OCTOBER).date == date(2004, 10, 14)


def test_without_the_meeting_the_standing_agreement_must_still_cover_the_invoices(invoiced):
    october = meeting_of(invoiced, OCTOBER)
    assert uncovered_invoices(invoiced, without=october) == []  # June's caps of £30,000 stand
    PartnerAgreement.objects.filter(
        agreement__meeting__slug=JUNE, partner__slug="south-norfolk"
    ).update(immediate=Decimal("0.00"), cap=Decimal("13000.00"))
    assert uncovered_invoices(invoiced, without=october) == [
        "South Norfolk Council has been invoiced £13,333.34, above its cap of £13,000 in the "
        "agreement that would then stand"
    ]
    assert uncovered_invoices(invoiced, without=october, moved=date(2005, 1, 1)) == []


def test_a_meeting_without_an_agreement_is_deleted_whatever_the_calls(invoiced, user):
    meeting = meeting_create(programme=invoiced, data=meeting_data(), user=user)
    meeting_delete(meeting=meeting, user=user)
    assert Meeting.objects.filter(programme=invoiced).count() == 2


# Agreements


def test_recording_an_agreement_stores_each_partners_figures_in_the_history(demo, user):
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    agreement = agreement_record(
        meeting=meeting, parts=figures(demo, broadland=("5000.50", "30000.00")), user=user
    )
    parts = {part.partner.slug: part for part in agreement.partners.select_related("partner")}
    assert len(parts) == 8
    assert (parts["broadland"].immediate, parts["broadland"].cap) == (
        Decimal("5000.50"),
        Decimal("30000.00"),
    )
    assert PartnerAgreement.history.filter(history_type="+", history_user=user).count() == 8
    assert Agreement.history.get().history_user == user
    assert standing_agreement(programme=demo) == agreement


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        (("-1.00", "30000.00"), "broadland-immediate", "must be £0 or more"),
        (("10000.00", "-5"), "broadland-cap", "Broadland District Council's cap must be £0"),
        (("10000.005", "30000.00"), "broadland-immediate", "must be in pounds and pence"),
        (("30000.01", "30000.00"), "broadland-immediate", "must not be more than its cap"),
        ((None, "30000.00"), "broadland-immediate", "Enter Broadland District Council's"),
    ],
)
def test_bad_figures_are_refused_on_their_field_and_nothing_written(
    demo, user, override, field, message
):
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    before = stored()
    with pytest.raises(ValidationError) as refused:
        agreement_record(meeting=meeting, parts=figures(demo, broadland=override), user=user)
    assert message in " ".join(refused.value.message_dict[field])
    assert stored() == before


def test_a_cap_below_what_the_partner_was_invoiced_is_refused(invoiced, user):
    meeting = meeting_create(
        programme=invoiced, data=meeting_data(date=date(2005, 1, 10)), user=user
    )
    before = stored()
    with pytest.raises(ValidationError) as refused:
        agreement_record(
            meeting=meeting,
            parts=figures(invoiced, norfolk_county=("0.00", "13333.32")),
            user=user,
        )
    assert refused.value.message_dict["norfolk-county-cap"] == [
        "Norfolk County Council's cap must be at least the £13,333.33 it has already been invoiced"
    ]
    # Leaving an invoiced partner out is refused too.
    with pytest.raises(ValidationError) as refused:
        agreement_record(meeting=meeting, parts=figures(invoiced)[1:], user=user)
    assert refused.value.message_dict["__all__"] == [
        "Norfolk County Council has already been invoiced £13,333.33, so the agreement must "
        "give it a cap of at least that"
    ]
    assert stored() == before


def test_replacing_an_agreement_asks_first_showing_each_councils_figures(demo, user):
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    agreement_record(meeting=meeting, parts=figures(demo), user=user)
    part = PartnerAgreement.objects.get(partner__slug="broadland")
    consent_record(
        part=part,
        data={"consent_date": date(2004, 7, 20), "consent_reference": "Cabinet"},
        user=user,
    )
    kept = PartnerAgreement.objects.get(partner__slug="norwich")
    consent_record(
        part=kept, data={"consent_date": date(2004, 7, 21), "consent_reference": ""}, user=user
    )
    before = stored()
    changed = figures(demo, broadland=("20000.00", "30000.00"))
    with pytest.raises(AgreementReplaceQuestion) as asked:
        agreement_record(meeting=meeting, parts=changed, user=user)
    assert stored() == before
    moved = [change for change in asked.value.changes if change.changed]
    assert len(asked.value.changes) == 8 and len(moved) == 1
    change = moved[0]
    assert (change.partner, change.old_immediate, change.new_immediate) == (
        "Broadland District Council",
        Decimal("10000.00"),
        Decimal("20000.00"),
    )
    assert change.consent_cleared == "consent recorded 20 July 2004 (Cabinet)"
    # A stale confirmation asks again; the one shown replaces it.
    with pytest.raises(AgreementReplaceQuestion):
        agreement_record(meeting=meeting, parts=changed, user=user, confirmed="0" * 64)
    agreement_record(meeting=meeting, parts=changed, user=user, confirmed=asked.value.fingerprint)
    part.refresh_from_db()
    kept.refresh_from_db()
    assert part.immediate == Decimal("20000.00") and part.consent_date is None
    assert kept.consent_date == date(2004, 7, 21)  # its figures did not change
    assert part.history.latest().history_user == user


def test_a_confirmation_of_another_change_asks_again(demo, user):
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    agreement_record(meeting=meeting, parts=figures(demo), user=user)
    with pytest.raises(AgreementReplaceQuestion) as asked:
        agreement_record(
            meeting=meeting, parts=figures(demo, norwich=("0.00", "30000.00")), user=user
        )
    with pytest.raises(AgreementReplaceQuestion):
        agreement_record(
            meeting=meeting,
            parts=figures(demo, norwich=("1.00", "30000.00")),
            user=user,
            confirmed=asked.value.fingerprint,
        )
    assert PartnerAgreement.objects.get(partner__slug="norwich").immediate == Decimal("10000.00")


def test_the_same_figures_again_write_nothing_and_ask_nothing(demo, user):
    meeting = meeting_create(programme=demo, data=meeting_data(), user=user)
    agreement_record(meeting=meeting, parts=figures(demo), user=user)
    count = PartnerAgreement.history.count()
    agreement_record(meeting=meeting, parts=figures(demo), user=user)
    assert PartnerAgreement.history.count() == count


# Consent


def test_consent_is_recorded_changed_and_cleared(invoiced, user):
    part = PartnerAgreement.objects.select_related("agreement__meeting__programme").get(
        agreement__meeting__slug=OCTOBER, partner__slug="norwich"
    )
    consent_record(
        part=part,
        data={"consent_date": date(2004, 11, 2), "consent_reference": " Delegated decision 7 "},
        user=user,
    )
    part.refresh_from_db()
    assert consent_text(part) == "Consent recorded 2 November 2004 (Delegated decision 7)"
    consent_record(part=part, data={"consent_date": None, "consent_reference": ""}, user=user)
    part.refresh_from_db()
    assert consent_text(part) == "Not recorded"
    assert part.history.count() == 3 and part.history.latest().history_user == user


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"consent_date": None, "consent_reference": "Cabinet"}, "because a reference is given"),
        ({"consent_date": "tomorrow", "consent_reference": ""}, "today or in the past"),
    ],
)
def test_bad_consent_is_refused_and_nothing_written(invoiced, user, data, message):
    if data["consent_date"] == "tomorrow":
        data = {**data, "consent_date": timezone.localdate() + timedelta(days=1)}
    part = PartnerAgreement.objects.select_related("agreement__meeting__programme").get(
        agreement__meeting__slug=OCTOBER, partner__slug="norwich"
    )
    before = stored()
    with pytest.raises(ValidationError) as refused:
        consent_record(part=part, data=data, user=user)
    assert message in refused.value.message_dict["consent_date"][0]
    assert stored() == before


def test_consent_goes_only_on_the_agreement_that_stands(invoiced, user):
    part = PartnerAgreement.objects.select_related("agreement__meeting__programme").get(
        agreement__meeting__slug=JUNE, partner__slug="norwich"
    )
    before = stored()
    with pytest.raises(ValidationError, match="of Norfolk Chief Executives on 15 October 2004"):
        consent_record(
            part=part, data={"consent_date": date(2004, 7, 1), "consent_reference": ""}, user=user
        )
    assert stored() == before


# The agreement beside today's recommendation


def test_the_difference_is_said_in_words():
    assert difference_text(
        agreed_immediate=Decimal("10000"),
        agreed_cap=Decimal("30000"),
        immediate=Decimal("20000"),
        cap=Decimal("25000"),
    ) == (
        "The computed recommendation is now £20,000 immediately, £10,000 more than agreed, "
        "and up to £25,000, £5,000 less than agreed"
    )
    assert difference_text(
        agreed_immediate=Decimal("1"),
        agreed_cap=Decimal("2"),
        immediate=Decimal("1"),
        cap=Decimal("2"),
    ) == ("The computed recommendation is the same as agreed")


def test_the_agreement_page_sets_the_agreed_figures_beside_todays_proposal(invoiced):
    # Authentication phase 2 stopped at the autumn review: the cap is now £10,000 too.
    page = agreement_page(programme=invoiced, meeting=meeting_of(invoiced, JUNE))
    assert not page.stands and page.standing_meeting.slug == OCTOBER
    row = next(row for row in page.rows if row.partner.slug == "broadland")
    assert (row.immediate, row.cap) == (Decimal("10000.00"), Decimal("30000.00"))
    assert row.consent == "Consent recorded 5 July 2004 (Cabinet 5 July 2004)"
    assert (row.proposed_immediate, row.proposed_cap) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
    )
    assert row.difference == (
        "The computed recommendation is now £10,000 immediately, as agreed, and up to £10,000, "
        "£20,000 less than agreed"
    )
    assert page.immediate_total == Decimal("80000.00") and page.cap_total == Decimal("240000.00")
    october = agreement_page(programme=invoiced, meeting=meeting_of(invoiced, OCTOBER))
    assert october.stands
    assert {row.consent for row in october.rows} == {"Not recorded"}
