"""The pure rules: who gets what, how, when to retry, the digest's week; and what is overdue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from norfolk_connect.notifications import rules
from norfolk_connect.notifications.rules import Member, Recipient
from projects.models import Role
from projects.money.document import CallData, InvoiceData, PaymentData, RefundData
from projects.money.notices import falling_due, overdue_invoices
from projects.money.vocabulary import RefundKind, Tranche

MEMBERS = [
    Member(1, "chief.one@example.org", rules.CHIEF_EXECUTIVE),
    Member(2, "Chief.Two@example.org", rules.CHIEF_EXECUTIVE),
    Member(3, "facilitator@example.org", rules.FACILITATOR),
    Member(4, "officer@example.org", rules.PARTNER_OFFICER),
    Member(5, "admin@example.org", rules.ADMIN),
    Member(6, "chief.two@example.org", rules.CHIEF_EXECUTIVE),  # the same address, other case
]


def test_the_roles_are_those_of_the_partnership():
    assert set(rules.KINDS_FOR_ROLE) == set(Role.values)


def test_a_paper_goes_to_the_chief_executives_once_per_address():
    assert rules.paper_recipients(MEMBERS) == [
        Recipient("chief.one@example.org", 1),
        Recipient("Chief.Two@example.org", 2),
    ]


def test_reminders_go_to_the_facilitators_and_the_contact_officer_once():
    assert rules.facilitator_recipients(MEMBERS, "contact@example.org") == [
        Recipient("facilitator@example.org", 3),
        Recipient("contact@example.org"),
    ]
    assert rules.facilitator_recipients(MEMBERS, " FACILITATOR@example.org ") == [
        Recipient("facilitator@example.org", 3)
    ]
    assert rules.facilitator_recipients(MEMBERS, "") == [Recipient("facilitator@example.org", 3)]


def test_an_invoice_goes_to_the_finance_contact_or_nobody():
    assert rules.finance_recipients("pay@example.org") == [Recipient("pay@example.org")]
    assert rules.finance_recipients("  ") == []


def test_the_kinds_that_concern_each_role():
    assert rules.kinds_for_roles([rules.CHIEF_EXECUTIVE]) == [rules.PAPER_ISSUED]
    assert rules.kinds_for_roles([rules.FACILITATOR, rules.CHIEF_EXECUTIVE]) == [
        rules.PAPER_ISSUED,
        rules.PHASE_DECIDED,
        rules.MILESTONE_DUE,
        rules.RISK_REVIEW,
    ]
    assert rules.kinds_for_roles([rules.PARTNER_OFFICER, rules.ADMIN]) == []


def test_delivery_follows_the_choice_and_unsubscribing():
    kind = rules.PAPER_ISSUED
    assert rules.delivery(kind, has_account=True, chosen=None, opted_out=False) == rules.SEND
    assert rules.delivery(kind, has_account=True, chosen=rules.WEEKLY, opted_out=False) == (
        rules.HOLD
    )
    assert rules.delivery(kind, has_account=True, chosen=rules.NONE, opted_out=False) == rules.SKIP
    assert rules.delivery(kind, has_account=False, chosen=None, opted_out=True) == rules.SKIP
    assert rules.delivery(kind, has_account=False, chosen=None, opted_out=False) == rules.SEND
    # The digest itself is never kept for a digest.
    assert rules.delivery(rules.DIGEST, has_account=True, chosen=rules.WEEKLY, opted_out=False) == (
        rules.SEND
    )


def test_retries_wait_longer_each_time_then_stop():
    delays = [rules.retry_delay(attempts) for attempts in range(1, rules.MAX_ATTEMPTS + 1)]
    assert delays == [60, 120, 240, 480, None]


def test_the_digest_goes_on_mondays_keyed_by_the_iso_week():
    assert rules.digest_due(date(2026, 12, 7)) and not rules.digest_due(date(2026, 12, 8))
    assert rules.digest_key(date(2026, 12, 7)) == rules.digest_key(date(2026, 12, 13))
    assert rules.digest_key(date(2026, 12, 7)) == "digest:2026-W50"
    assert rules.digest_key(date(2027, 1, 1)) == "digest:2026-W53"


def test_one_line_removes_line_breaks():
    assert rules.one_line("A\r\nBcc: x@example.org\n\tB") == "A Bcc: x@example.org B"


# What is overdue, as docs/design.md section 9 says


def call(due: date, *invoices: InvoiceData) -> CallData:
    return CallData("c", Tranche.IMMEDIATE, "2004/05", date(2004, 7, 1), due, invoices)


def invoice(number: str, partner: str, amount: str, *paid: str) -> InvoiceData:
    payments = tuple(PaymentData(date(2004, 7, 2), Decimal(p)) for p in paid)
    return InvoiceData(number, partner, Decimal(amount), payments)


DUE = date(2004, 7, 31)


def test_an_invoice_is_overdue_the_day_after_it_falls_due_with_money_owed():
    calls = [call(DUE, invoice("NC-1", "a", "100.00", "40.00"))]
    assert overdue_invoices("a", calls=calls, refunds=[], as_of=DUE) == []
    [found] = overdue_invoices("a", calls=calls, refunds=[], as_of=date(2004, 8, 1))
    assert (found.invoice.number, found.owed, found.overdue) == (
        "NC-1",
        Decimal("60.00"),
        Decimal("60.00"),
    )


def test_a_credit_or_an_early_payment_on_a_later_invoice_counts_against_what_is_overdue():
    calls = [
        call(DUE, invoice("NC-1", "a", "100.00")),
        call(date(2004, 12, 31), invoice("NC-2", "a", "100.00", "100.00")),
    ]
    # Paid 100 on the later invoice: the council owes nothing overdue (section 9's rule).
    assert overdue_invoices("a", calls=calls, refunds=[], as_of=date(2004, 8, 1)) == []
    credit = RefundData("b", date(2004, 7, 1), Decimal("100.00"), RefundKind.CREDIT)
    calls_b = [call(DUE, invoice("NC-3", "b", "100.00"))]
    assert overdue_invoices("b", calls=calls_b, refunds=[credit], as_of=date(2004, 8, 1)) == []


def test_a_paid_invoice_is_not_listed_beside_an_overdue_one():
    calls = [call(DUE, invoice("NC-1", "a", "100.00", "100.00"), invoice("NC-2", "a", "50.00"))]
    found = overdue_invoices("a", calls=calls, refunds=[], as_of=date(2004, 8, 1))
    assert [f.invoice.number for f in found] == ["NC-2"]
    assert overdue_invoices("z", calls=calls, refunds=[], as_of=date(2004, 8, 1)) == []


def test_a_milestone_falls_due_within_the_week_when_not_reached_nor_late():
    today = date(2005, 3, 24)
    assert falling_due(date(2005, 3, 31), None, None, as_of=today) == date(2005, 3, 31)
    assert falling_due(date(2005, 4, 1), None, None, as_of=today) is None  # in 8 days
    assert falling_due(date(2005, 3, 24), None, None, as_of=today) == today  # today
    assert falling_due(date(2005, 3, 31), None, date(2005, 3, 20), as_of=today) is None
    assert falling_due(date(2005, 3, 20), None, None, as_of=today) is None  # late
    assert falling_due(date(2005, 5, 1), date(2005, 3, 26), None, as_of=today) == date(2005, 3, 26)
