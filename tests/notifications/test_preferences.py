"""Each person's own choices, the weekly digest, and the reminders to the facilitators."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from norfolk_connect.notifications import rules
from norfolk_connect.notifications.mail import unsubscribe_token
from norfolk_connect.notifications.models import OptOut, Preference, Sending, SendingState
from norfolk_connect.notifications.tasks import deliver
from projects.models import Role
from projects.money.vocabulary import Decision
from projects.services import phase_decide
from tests.projects.factories import (
    MembershipFactory,
    MilestoneFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"
MONDAY = date(2005, 3, 28)


@pytest.fixture
def facilitator(client):
    user = UserFactory(username="fac", email="fac@example.org")
    membership = MembershipFactory(user=user, role=Role.FACILITATOR)
    client.force_login(user)
    return membership


def test_the_page_needs_a_sign_in(client):
    assert reverse("account_notifications") == URL
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.post(URL, {}).status_code == 302


def test_a_facilitator_chooses_for_the_kinds_that_concern_them(client, facilitator):
    page = client.get(URL)
    assert page.status_code == 200
    assert "A business case is decided" in page.text and "A paper is issued" not in page.text
    response = client.post(
        URL,
        {
            rules.PHASE_DECIDED: rules.WEEKLY,
            rules.MILESTONE_DUE: rules.NONE,
            rules.RISK_REVIEW: rules.IMMEDIATE,
        },
    )
    assert response.status_code == 302 and response.url == URL
    assert dict(Preference.objects.values_list("kind", "delivery")) == {
        rules.PHASE_DECIDED: rules.WEEKLY,
        rules.MILESTONE_DUE: rules.NONE,
        rules.RISK_REVIEW: rules.IMMEDIATE,
    }
    assert "Your email preferences have been saved" in client.get(URL).text


def test_a_choice_left_out_or_made_up_is_refused_and_nothing_saved(client, facilitator):
    response = client.post(URL, {rules.PHASE_DECIDED: "sometimes"})
    assert response.status_code == 400
    assert "Select how you want emails when a business case is decided from the list" in (
        response.text
    )
    assert "Select how you want emails when a milestone falls due" in response.text
    assert not Preference.objects.exists()
    # A kind that does not concern the person is not theirs to choose.
    client.post(URL, {**dict.fromkeys(rules.KINDS_FOR_ROLE["facilitator"], rules.NONE),
                      rules.PAPER_ISSUED: rules.NONE})  # fmt: skip
    assert not Preference.objects.filter(kind=rules.PAPER_ISSUED).exists()


def test_a_person_without_an_email_address_is_told_so(client):
    user = UserFactory(username="po")
    MembershipFactory(user=user, role=Role.CHIEF_EXECUTIVE)
    client.force_login(user)
    page = client.get(URL)
    assert "Your account has no email address" in page.text


def test_choosing_emails_again_undoes_an_unsubscribe(client, facilitator):
    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(
        "FAC@example.org", rules.RISK_REVIEW)]))  # fmt: skip
    assert Preference.objects.get(kind=rules.RISK_REVIEW).delivery == rules.NONE
    assert OptOut.objects.filter(kind=rules.RISK_REVIEW).exists()
    client.post(URL, dict.fromkeys(rules.KINDS_FOR_ROLE["facilitator"], rules.IMMEDIATE))
    assert not OptOut.objects.exists()


def reminders(day: date) -> None:
    call_command("send_reminders", "--date", day.isoformat(), stdout=StringIO())


def run_queued() -> None:
    for pk in Sending.objects.filter(state=SendingState.QUEUED).values_list("pk", flat=True):
        deliver(pk)


def test_milestones_and_risks_remind_the_facilitators_and_contact_officer(facilitator):
    partnership = facilitator.partnership
    partnership.contact_email = "contact@example.org"
    partnership.save()
    programme = ProgrammeFactory(partnership=partnership)
    project = ProjectFactory(programme=programme, name="Gateway")
    MilestoneFactory(project=project, name="Go live", baseline=MONDAY + timedelta(days=3))
    MilestoneFactory(project=project, name="Later", baseline=MONDAY + timedelta(days=20))
    RiskFactory(programme=programme, reference="R1", next_review=MONDAY - timedelta(days=1))
    RiskFactory(programme=programme, reference="R2", next_review=MONDAY)
    reminders(MONDAY)
    reminders(MONDAY)
    run_queued()
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == [
        ("contact@example.org", "Milestone due on 31 March 2005: Go live"),
        ("contact@example.org", "Risk R1 is past its review date"),
        ("fac@example.org", "Milestone due on 31 March 2005: Go live"),
        ("fac@example.org", "Risk R1 is past its review date"),
    ]


def test_a_business_case_decision_emails_the_facilitators(facilitator):
    programme = ProgrammeFactory(partnership=facilitator.partnership)
    phase = PhaseFactory(project=ProjectFactory(programme=programme, name="Gateway"), gated=True)
    phase_decide(
        phase=phase,
        decision=Decision.APPROVED,
        decided_on=date(2004, 9, 1),
        note="",
        expected_version=phase.project.version,
        user=facilitator.user,
    )
    run_queued()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["fac@example.org"], "Business case decided: Gateway, phase 1: Approved")
    ]


def test_the_weekly_digest_gathers_what_was_kept_once_a_week(facilitator):
    Preference.objects.create(user=facilitator.user, kind=rules.RISK_REVIEW, delivery=rules.WEEKLY)
    programme = ProgrammeFactory(partnership=facilitator.partnership)
    RiskFactory(programme=programme, reference="R1", next_review=MONDAY - timedelta(days=3))
    reminders(MONDAY - timedelta(days=1))  # a Sunday: kept for Monday's digest
    run_queued()
    assert mail.outbox == []
    assert Sending.objects.get(kind=rules.RISK_REVIEW).state == SendingState.HELD
    reminders(MONDAY)
    reminders(MONDAY)
    run_queued()
    [digest] = mail.outbox
    assert digest.to == ["fac@example.org"] and digest.subject == "Your weekly digest: 1 update"
    assert "Risk R1 is past its review date" in digest.body
    assert Sending.objects.get(kind=rules.RISK_REVIEW).state == SendingState.DIGESTED


def test_the_preferences_need_the_csrf_token_and_one_click_unsubscribe_does_not(facilitator):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(facilitator.user)
    choices = dict.fromkeys(rules.KINDS_FOR_ROLE["facilitator"], rules.NONE)
    assert browser.post(URL, choices).status_code == 403
    assert not Preference.objects.exists()
    # A mail client's one-click unsubscribe (RFC 8058) posts no token: the signed link is enough.
    token = unsubscribe_token("fac@example.org", rules.MILESTONE_DUE)
    url = reverse("notifications:unsubscribe", args=[token])
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(kind=rules.MILESTONE_DUE).delivery == rules.NONE


def test_a_subject_longer_than_the_record_holds_is_cut_not_refused(db):
    from norfolk_connect.notifications.services import queue_email

    [sending] = queue_email(
        kind=rules.INVOICE_ISSUED,
        key="long",
        recipients=[rules.Recipient("pay@example.org")],
        subject="Invoice " + "x" * 400,
        context={},
        summary="y" * 600,
    )
    sending.full_clean()
    assert len(sending.subject) == 300 and sending.subject.endswith("…")
    assert len(sending.summary) == 500


def test_a_message_that_cannot_be_made_fails_at_once_and_is_not_left_being_sent(db):
    sending = Sending.objects.create(
        kind=rules.INVOICE_ISSUED,
        key="bad",
        recipient_email="pay@example.org\nBcc: x@example.org",  # saved past every validator
        subject="Invoice",
    )
    assert deliver(sending.pk) == SendingState.FAILED
    sending.refresh_from_db()
    assert sending.attempts == 1 and sending.state == SendingState.FAILED
    assert "BadHeaderError" in sending.last_error and mail.outbox == []


def test_the_digests_unsubscribe_page_says_what_stops(client, db):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token("a@example.org", "digest")])
    assert "Stop the weekly digest sent to a@example.org" in client.get(url).text
    assert "No more weekly digests will be sent to a@example.org" in client.post(url).text
    url = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token("a@example.org", "risk_review")]
    )
    assert "when a risk is past its review date." in client.get(url).text
