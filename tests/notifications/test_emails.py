"""Emails sent by the worker to a real SMTP server on loopback, and what it received."""

from __future__ import annotations

import socket
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from norfolk_connect.notifications import rules
from norfolk_connect.notifications.mail import read_unsubscribe_token
from norfolk_connect.notifications.models import OptOut, Sending, SendingState
from norfolk_connect.notifications.tasks import deliver
from projects.models import Call, Invoice, Meeting, Payment, Role
from projects.money.vocabulary import Tranche
from reports.report.changes import fingerprint, report_snapshot
from reports.report.selectors import board_report
from reports.services import report_issue
from tests.contributions.factories import PartnerFactory
from tests.contributions.money import agreed_programme, raise_call
from tests.projects.factories import MembershipFactory, ProgrammeFactory, UserFactory

# The worker (`db_worker`) closes the database connection between tasks, as a worker must; inside
# a test's transaction that would end the test's own connection (PostgreSQL), so these tests
# commit for real and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)

MEETING = date(2004, 6, 18)
DUE = date(2004, 7, 31)


def member(partnership, role, email, username=None):
    user = UserFactory(username=username or email or f"{role}-no-email", email=email)
    return MembershipFactory(user=user, partnership=partnership, role=role)


def run_worker() -> None:
    """Run the background worker until its queue is empty, as `manage.py db_worker` does."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


def issue_paper(programme):
    facilitator = get_user_model().objects.get(username="facilitator@example.org")
    report = board_report(programme=programme, on=MEETING, issued=True)
    return report_issue(
        programme=programme,
        meeting_date=MEETING,
        expected_fingerprint=fingerprint(report_snapshot(report)),
        user=facilitator,
    )


@pytest.fixture
def programme():
    programme = ProgrammeFactory(name="Norfolk Connect")
    partnership = programme.partnership
    member(partnership, Role.CHIEF_EXECUTIVE, "chief.one@example.org")
    member(partnership, Role.CHIEF_EXECUTIVE, "chief.two@example.org")
    member(partnership, Role.CHIEF_EXECUTIVE, "")  # no address: cannot be emailed
    member(partnership, Role.FACILITATOR, "facilitator@example.org")
    partner = PartnerFactory(partnership=partnership)
    officer = UserFactory(username="officer", email="officer@example.org")
    MembershipFactory(
        user=officer, partnership=partnership, role=Role.PARTNER_OFFICER, partner=partner
    )
    elsewhere = ProgrammeFactory()
    member(elsewhere.partnership, Role.CHIEF_EXECUTIVE, "chief@elsewhere.example.org")
    return programme


def test_issuing_a_paper_emails_its_chief_executives_and_nobody_else(
    programme, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issued = issue_paper(programme)
    run_worker()

    assert sorted(r for m in mailbox for r in m.recipients) == [
        "chief.one@example.org",
        "chief.two@example.org",
    ]
    link = "http://testserver" + reverse(
        "report:issued_pdf", kwargs={"slug": programme.slug, "pk": issued.pk}
    )
    for received in mailbox:
        assert received.subject == f"Paper issued: {issued.title}"
        assert received.message["To"] == received.recipients[0]
        text, html = received.part("text/plain"), received.part("text/html")
        assert link in text and f'href="{link}"' in html
        assert "18 June 2004" in text and "18 June 2004" in html
        assert not received.attachments  # a link, not the PDF
        unsubscribe = received.header("List-Unsubscribe")
        assert unsubscribe.startswith("<http://testserver/email/unsubscribe/")
        token = unsubscribe.strip("<>").rstrip("/").rsplit("/", 1)[1]
        assert read_unsubscribe_token(token) == (received.recipients[0], rules.PAPER_ISSUED)
        assert unsubscribe.strip("<>") in text
        assert "http://testserver/account/notifications/" in text  # their choices' page
    sent = Sending.objects.filter(key=f"paper-issued:{issued.pk}")
    assert {s.state for s in sent} == {SendingState.SENT} and sent.count() == 2
    assert all(s.attempts == 1 and s.sent_at for s in sent)


def overdue_world(programme):
    """Three councils invoiced in a call due on 31 July 2004: one paid, two not."""
    partnership = programme.partnership
    owing = PartnerFactory(
        partnership=partnership,
        name="Breckland Council",
        finance_contact_name="Fran Finance",
        finance_contact_email="finance@breckland.example.org",
    )
    paid = PartnerFactory(partnership=partnership, finance_contact_email="finance@paid.example.org")
    silent = PartnerFactory(partnership=partnership, name="Quiet Council")
    Meeting.objects.create(programme=programme, slug="board-2004-06-18", body="Board", date=MEETING)
    call = Call.objects.create(
        programme=programme,
        slug="immediate-2004-05",
        tranche=Tranche.IMMEDIATE,
        financial_year="2004/05",
        issued=date(2004, 7, 1),
        due=DUE,
    )
    invoices = {}
    for number, partner in enumerate((owing, paid, silent), start=1):
        invoices[partner.slug] = Invoice.objects.create(
            call=call,
            partnership=partnership,
            number=f"NC-{number:04d}",
            partner=partner,
            amount=Decimal("10000.00"),
        )
    Payment.objects.create(
        invoice=invoices[owing.slug], date=date(2004, 7, 20), amount=Decimal("2500.00")
    )
    Payment.objects.create(
        invoice=invoices[paid.slug], date=date(2004, 7, 20), amount=Decimal("10000.00")
    )
    return invoices[owing.slug], invoices[silent.slug]


def send_reminders(day: date) -> str:
    out = StringIO()
    call_command("send_reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def test_an_overdue_invoice_emails_the_councils_finance_contact_and_nobody_else(
    programme, mailbox, django_capture_on_commit_callbacks
):
    _owing, silent = overdue_world(programme)
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 overdue invoices" in send_reminders(DUE)  # due today: not overdue yet
    run_worker()
    assert mailbox == []

    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(DUE + timedelta(days=1))
    run_worker()

    assert [m.recipients for m in mailbox] == [["finance@breckland.example.org"]]
    received = mailbox[0]
    assert received.subject == "Invoice NC-0001 is overdue: £7,500.00 to pay"
    text, html = received.part("text/plain"), received.part("text/html")
    for part in (text, html):
        assert "Fran Finance" in part and "31 July 2004" in part and "£7,500.00" in part
    assert not received.attachments
    assert received.header("List-Unsubscribe")
    assert "/account/notifications/" not in text + html  # no account: no page of choices
    # The council with no finance contact: nobody emailed, and the reason recorded.
    nobody = Sending.objects.get(key=f"invoice-overdue:{silent.pk}")
    assert nobody.state == SendingState.SKIPPED and nobody.recipient_email == ""
    assert nobody.note == "Quiet Council has no finance contact's email"


def test_send_reminders_run_twice_sends_each_email_once(
    programme, mailbox, django_capture_on_commit_callbacks
):
    overdue_world(programme)
    day = DUE + timedelta(days=3)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            send_reminders(day)
        run_worker()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(day + timedelta(days=1))  # the next day too
    run_worker()
    assert [m.recipients for m in mailbox] == [["finance@breckland.example.org"]]
    assert Sending.objects.filter(kind=rules.INVOICE_OVERDUE).count() == 2  # one not sent


def test_a_server_that_is_down_is_tried_again_then_the_failure_recorded(
    programme, settings, django_capture_on_commit_callbacks, request
):
    # A port held but not listening: connections to it are refused, and no other process can
    # start listening on it meanwhile.
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    request.addfinalizer(held.close)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", held.getsockname()[1]
    settings.EMAIL_TIMEOUT = 2
    overdue_world(programme)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(DUE + timedelta(days=1))
    sending = Sending.objects.get(recipient_email="finance@breckland.example.org")

    assert deliver(sending.pk) == SendingState.QUEUED  # the first attempt, and a retry queued
    sending.refresh_from_db()
    assert sending.attempts == 1 and "ConnectionRefusedError" in sending.last_error
    waits = [sending.retry_at]
    while (outcome := deliver(sending.pk)) == SendingState.QUEUED:
        sending.refresh_from_db()
        waits.append(sending.retry_at)
    assert outcome == SendingState.FAILED
    sending.refresh_from_db()
    assert sending.state == SendingState.FAILED and sending.attempts == rules.MAX_ATTEMPTS
    assert sending.last_error.startswith(f"Attempt {rules.MAX_ATTEMPTS}: ")
    assert deliver(sending.pk) == "not queued"  # failed stays failed: never sent twice
    # The first task and a retry after each failure but the last, each after a longer wait.
    assert DBTaskResult.objects.filter(args_kwargs__args=[sending.pk]).count() == 5
    assert len(waits) == rules.MAX_ATTEMPTS - 1
    assert all(later > earlier for earlier, later in pairwise(waits))


def test_a_sending_is_never_sent_twice(programme, mailbox, django_capture_on_commit_callbacks):
    overdue_world(programme)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(DUE + timedelta(days=1))
    sending = Sending.objects.get(recipient_email="finance@breckland.example.org")
    assert deliver(sending.pk) == SendingState.SENT
    assert deliver(sending.pk) == "not queued"
    run_worker()  # the task queued on commit finds it sent
    assert len(mailbox) == 1


def test_unsubscribing_stops_the_next_email(
    client, programme, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue_paper(programme)
    run_worker()
    first = next(m for m in mailbox if m.recipients == ["chief.one@example.org"])
    url = first.header("List-Unsubscribe").strip("<>").removeprefix("http://testserver")

    page = client.get(url)  # a mail client fetching the link unsubscribes nobody
    assert page.status_code == 200 and "Unsubscribe" in page.text
    assert not OptOut.objects.exists()
    done = client.post(url)
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    mailbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        second = issue_paper(programme)
    run_worker()
    assert [m.recipients for m in mailbox] == [["chief.two@example.org"]]
    skipped = Sending.objects.get(key=f"paper-issued:{second.pk}", state=SendingState.SKIPPED)
    assert skipped.recipient_email == "chief.one@example.org"


def test_a_name_with_a_line_break_adds_no_header(
    programme, mailbox, django_capture_on_commit_callbacks
):
    # Names are one-line fields; one saved past the validators still cannot add a header.
    owing, _ = overdue_world(programme)
    partnership = programme.partnership
    partnership.name = "Evil\r\nBcc: victim@example.org\r\nX-Injected: yes"
    partnership.save()
    owing.number = "NC-0001\nBcc: other@example.org"
    owing.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(DUE + timedelta(days=1))
    run_worker()
    assert [m.recipients for m in mailbox] == [["finance@breckland.example.org"]]
    message = mailbox[0].message
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert "\n" not in mailbox[0].subject and "Bcc: other@example.org" in mailbox[0].subject


def test_a_council_without_a_finance_contact_is_recorded_not_emailed(programme, mailbox):
    overdue_world(programme)
    send_reminders(DUE + timedelta(days=1))
    skipped = Sending.objects.get(kind=rules.INVOICE_OVERDUE, recipient_email="")
    assert skipped.state == SendingState.SKIPPED


def test_an_unsubscribe_link_that_was_not_made_here_is_refused(client, db):
    response = client.get(reverse("notifications:unsubscribe", args=["forged:token"]))
    assert response.status_code == 404
    assert client.post(reverse("notifications:unsubscribe", args=["forged"])).status_code == 404
    assert not OptOut.objects.exists()


def test_raising_a_call_emails_each_councils_finance_contact_its_invoice(
    mailbox, django_capture_on_commit_callbacks
):
    programme, partners = agreed_programme(3)
    for partner, email in zip(partners, ["one@example.org", "two@example.org", ""], strict=True):
        partner.finance_contact_email = email
        partner.finance_contact_name = f"Finance of {partner.name}" if email else ""
        partner.save()
    MembershipFactory(partnership=programme.partnership, user__email="fac@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        call = raise_call(programme)
    run_worker()

    assert sorted((m.recipients[0], m.subject) for m in mailbox) == [
        ("one@example.org", "Invoice NC-0001 from Norfolk Connect Partnership"),
        ("two@example.org", "Invoice NC-0002 from Norfolk Connect Partnership"),
    ]
    text = next(m for m in mailbox if m.recipients == ["one@example.org"]).part("text/plain")
    assert "Dear Finance of Council 0" in text and "£10,000.00" in text
    assert "31 July 2004" in text
    assert all(not m.attachments for m in mailbox)
    third = Invoice.objects.get(call=call, partner=partners[2])
    nobody = Sending.objects.get(key=f"invoice-issued:{third.pk}")
    assert nobody.state == SendingState.SKIPPED and nobody.note.endswith(
        "no finance contact's email"
    )


def test_on_the_demo_issuing_the_paper_emails_its_chief_executive_alone(
    mailbox, django_capture_on_commit_callbacks, monkeypatch
):
    """The demo's users have example addresses, so `make run` shows the email it would send."""
    from projects.models import Programme

    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get(slug="norfolk-connect-2004")
    facilitator = get_user_model().objects.get(username="facilitator")
    assert facilitator.email == "facilitator@norfolk-connect.example"
    report = board_report(programme=programme, on=MEETING, issued=True)
    with django_capture_on_commit_callbacks(execute=True):
        report_issue(
            programme=programme,
            meeting_date=MEETING,
            expected_fingerprint=fingerprint(report_snapshot(report)),
            user=facilitator,
        )
    run_worker()
    assert [r for m in mailbox for r in m.recipients] == ["chief-executive@norfolk-connect.example"]
