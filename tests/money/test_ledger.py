"""After the meeting: each partner's agreed, invoiced, paid, owed, overdue, uncalled and surplus."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from projects.money.ledger import (
    AgreementData,
    CallData,
    InvoiceData,
    PartnerAgreementData,
    PaymentData,
    RefundData,
    call_problems,
    invoice_overdue,
    invoice_status,
    latest_agreement,
    ledger_totals,
    partner_ledger,
    partner_ledgers,
    payment_problems,
    refund_problems,
)
from projects.money.vocabulary import RefundKind

PARTNERS = ["norfolk", "breckland", "broadland"]
JUNE = AgreementData(
    meeting="chief-executives-2004-06",
    per_partner=tuple(PartnerAgreementData(p, D("10000.00"), D("30000.00")) for p in PARTNERS),
)
MEETINGS = {"chief-executives-2004-06": date(2004, 6, 24), "review-2004-10": date(2004, 10, 14)}
IMMEDIATE = CallData(
    slug="immediate-2004",
    tranche="immediate",
    financial_year="2004/05",
    issued=date(2004, 7, 1),
    due=date(2004, 7, 31),
    invoices=(
        InvoiceData("NC-0001", "norfolk", D("10000.00")),
        InvoiceData(
            "NC-0002", "breckland", D("10000.00"), (PaymentData(date(2004, 7, 20), D("10000.00")),)
        ),
        InvoiceData(
            "NC-0003",
            "broadland",
            D("10000.00"),
            (
                PaymentData(date(2004, 7, 20), D("5000.00")),
                PaymentData(date(2004, 8, 2), D("4000.00")),
            ),
        ),
    ),
)
SHARE_MAX = D("21875.00")


def ledger(
    partner: str, *, as_of=date(2004, 9, 1), refunds=(), share_max=SHARE_MAX, calls=(IMMEDIATE,)
):
    return partner_ledger(
        partner, agreement=JUNE, calls=calls, refunds=refunds, share_max=share_max, as_of=as_of
    )


def test_before_an_agreement_nothing_is_agreed_or_uncalled():
    before = partner_ledger(
        "norfolk", agreement=None, calls=(), refunds=(), share_max=SHARE_MAX, as_of=date(2004, 6, 1)
    )
    assert (before.agreed_immediate, before.agreed_cap, before.uncalled) == (None, None, None)
    assert before.invoiced == before.paid == before.owed == before.overdue == D("0")
    totals = ledger_totals([before], agreements=[], meeting_dates=MEETINGS)
    assert totals.agreement is None and totals.uncalled is None


def test_a_council_that_paid_in_two_instalments_owes_the_rest_and_it_is_overdue():
    broadland = ledger("broadland")
    assert broadland.agreed_immediate == D("10000.00")
    assert broadland.agreed_cap == D("30000.00")
    assert broadland.invoiced == D("10000.00")
    assert broadland.paid == D("9000.00")
    assert broadland.owed == D("1000.00")
    assert broadland.overdue == D("1000.00")  # due 31 July, looked at on 1 September
    assert broadland.uncalled == D("20000.00")


def test_an_invoice_is_overdue_only_after_its_due_date():
    assert ledger("norfolk", as_of=date(2004, 7, 31)).overdue == D("0")  # due that day
    assert ledger("norfolk", as_of=date(2004, 8, 1)).overdue == D("10000.00")


def test_a_credit_lowers_what_is_owed_and_overdue_a_refund_does_not():
    credit = RefundData("norfolk", date(2004, 8, 1), D("2500.00"), RefundKind.CREDIT, "phase 2")
    refund = RefundData("breckland", date(2004, 8, 1), D("2500.00"), RefundKind.REFUND, "phase 2")
    norfolk = ledger("norfolk", refunds=[credit, refund])
    assert (norfolk.credited, norfolk.owed, norfolk.overdue) == (
        D("2500.00"),
        D("7500.00"),
        D("7500.00"),
    )
    breckland = ledger("breckland", refunds=[credit, refund])
    assert (breckland.refunded, breckland.owed) == (D("2500.00"), D("0.00"))


def test_a_surplus_is_what_was_paid_beyond_the_exact_share_of_the_current_maximum():
    # Authentication phase 2 stops: the maximum falls and each share with it.
    assert ledger("breckland", share_max=D("9375.00")).surplus == D("625.00")
    assert ledger("breckland", share_max=D("21875.00")).surplus == D("0")
    refunded = RefundData("breckland", date(2004, 10, 1), D("625.00"), RefundKind.REFUND)
    assert ledger("breckland", share_max=D("9375.00"), refunds=[refunded]).surplus == D("0")


def test_the_latest_meeting_s_agreement_stands():
    autumn = AgreementData("review-2004-10", JUNE.per_partner[:1])
    assert latest_agreement([autumn, JUNE], MEETINGS) is autumn
    assert latest_agreement([JUNE, autumn], MEETINGS) is autumn
    assert latest_agreement([], MEETINGS) is None
    ledgers = partner_ledgers(
        PARTNERS,
        agreements=[JUNE, autumn],
        meeting_dates=MEETINGS,
        calls=(),
        refunds=(),
        shares_max={},
        as_of=date(2004, 11, 1),
    )
    # A partner the latest agreement leaves out has agreed nothing.
    assert [entry.agreed_cap for entry in ledgers] == [D("30000.00"), D("0.00"), D("0.00")]


def test_the_totals_are_the_sums_over_the_partners():
    ledgers = partner_ledgers(
        PARTNERS,
        agreements=[JUNE],
        meeting_dates=MEETINGS,
        calls=[IMMEDIATE],
        refunds=(),
        shares_max=dict.fromkeys(PARTNERS, SHARE_MAX),
        as_of=date(2004, 9, 1),
    )
    totals = ledger_totals(ledgers, agreements=[JUNE], meeting_dates=MEETINGS)
    assert totals.agreement.immediate_total == D("30000.00")
    assert totals.agreement.cap_total == D("90000.00")
    assert (totals.invoiced, totals.paid, totals.owed) == (
        D("30000.00"),
        D("19000.00"),
        D("11000.00"),
    )
    assert totals.overdue == D("11000.00")
    assert totals.uncalled == D("60000.00")


# The checks


def test_a_call_past_a_partners_agreed_cap_is_refused_saying_by_how_much():
    review = CallData(
        "review-2004",
        "review",
        "2005/06",
        date(2004, 11, 1),
        date(2004, 11, 30),
        (InvoiceData("NC-0004", "broadland", D("20000.01")),),
    )
    assert call_problems(review, agreement=JUNE, earlier=[IMMEDIATE]) == [
        "Invoice NC-0004 would take broadland to £30,000.01 invoiced, "
        "above its agreed cap of £30,000"
    ]
    within = CallData(
        **{**review.__dict__, "invoices": (InvoiceData("NC-0004", "broadland", D("20000.00")),)}
    )
    assert call_problems(within, agreement=JUNE, earlier=[IMMEDIATE]) == []
    assert call_problems(within, agreement=None, earlier=[]) == [
        "Record the meeting's agreement before calling for money"
    ]


def test_a_payment_above_what_is_owed_or_before_the_invoice_is_refused():
    invoice = IMMEDIATE.invoices[2]  # broadland: £9,000 of £10,000 paid
    assert (
        payment_problems(
            PaymentData(date(2004, 9, 1), D("1000.00")), call=IMMEDIATE, invoice=invoice
        )
        == []
    )
    assert payment_problems(
        PaymentData(date(2004, 9, 1), D("1000.01")), call=IMMEDIATE, invoice=invoice
    ) == ["The payment of £1,000.01 is more than the £1,000 still owed on invoice NC-0003"]
    early = payment_problems(
        PaymentData(date(2004, 6, 30), D("10.00")), call=IMMEDIATE, invoice=invoice
    )
    assert early == [
        "The payment date must be on or after the invoice's date of issue, 1 July 2004"
    ]


def test_refunds_and_credits_never_exceed_what_was_paid():
    breckland = ledger("breckland")  # paid £10,000
    whole = RefundData("breckland", date(2004, 10, 1), D("10000.00"), RefundKind.REFUND)
    assert refund_problems(whole, ledger=breckland) == []
    more = RefundData("breckland", date(2004, 10, 1), D("10000.01"), RefundKind.CREDIT)
    assert refund_problems(more, ledger=breckland) == [
        "Refunds and credits would come to £10,000.01, more than the £10,000 the partner has paid"
    ]


# Properties

pennies = st.integers(min_value=1, max_value=10**9).map(lambda p: D(p) / 100)
days = st.integers(min_value=0, max_value=730).map(lambda n: date(2004, 7, 1) + timedelta(days=n))


@st.composite
def histories(draw):
    """Draw calls within the June agreement's caps, payments within each invoice, and refunds."""
    calls, invoiced = [], dict.fromkeys(PARTNERS, D("0"))
    for number in range(draw(st.integers(0, 4))):
        issued = draw(days)
        invoices = []
        for partner in draw(st.lists(st.sampled_from(PARTNERS), unique=True)):
            room = D("30000.00") - invoiced[partner]
            if room <= 0:
                continue
            amount = min(draw(pennies), room)
            paid, payments = D("0"), []
            for _ in range(draw(st.integers(0, 3))):
                if paid >= amount:
                    break
                part = min(draw(pennies), amount - paid)
                payments.append(
                    PaymentData(issued + timedelta(days=draw(st.integers(0, 90))), part)
                )
                paid += part
            invoiced[partner] += amount
            invoices.append(InvoiceData(f"NC-{number}-{partner}", partner, amount, tuple(payments)))
        calls.append(
            CallData(
                f"c{number}",
                "immediate",
                "2004/05",
                issued,
                issued + timedelta(days=30),
                tuple(invoices),
            )
        )
    return calls


@given(calls=histories(), as_of=days, share=pennies)
def test_owed_paid_and_credited_add_up_to_what_was_invoiced(calls, as_of, share):
    ledgers = partner_ledgers(
        PARTNERS,
        agreements=[JUNE],
        meeting_dates=MEETINGS,
        calls=calls,
        refunds=(),
        shares_max=dict.fromkeys(PARTNERS, share),
        as_of=as_of,
    )
    for entry in ledgers:
        assert entry.owed + entry.paid + entry.credited == entry.invoiced
        assert D("0") <= entry.overdue <= max(entry.owed, D("0"))
        assert entry.invoiced <= entry.agreed_cap  # calls kept within the agreement
        assert entry.uncalled == entry.agreed_cap - entry.invoiced >= 0
        assert entry.surplus == max(D("0"), entry.paid - share)
    totals = ledger_totals(ledgers, agreements=[JUNE], meeting_dates=MEETINGS)
    for name in ("invoiced", "paid", "owed", "overdue", "uncalled", "surplus"):
        assert getattr(totals, name) == sum((getattr(e, name) for e in ledgers), D("0")), name


@given(calls=histories())
def test_every_call_drawn_within_the_caps_passes_the_check_and_one_penny_more_does_not(calls):
    for index, call in enumerate(calls):
        assert call_problems(call, agreement=JUNE, earlier=calls[:index]) == []
    if calls and calls[-1].invoices:
        last = calls[-1]
        invoice = last.invoices[0]
        room = D("30000.00") - sum(
            (i.amount for c in calls for i in c.invoices if i.partner == invoice.partner), D("0")
        )
        grown = InvoiceData(invoice.number, invoice.partner, invoice.amount + room + D("0.01"))
        over = CallData(
            last.slug, last.tranche, last.financial_year, last.issued, last.due, (grown,)
        )
        assert call_problems(over, agreement=JUNE, earlier=calls[:-1]) != []


def test_an_invoice_is_paid_owing_or_overdue_on_the_day():
    due = date(2004, 7, 31)
    cases = [
        # paid, the day, overdue, status
        (D("10000.00"), date(2004, 8, 1), False, "paid"),
        (D("10000.01"), date(2004, 8, 1), False, "paid"),  # overpaid
        (D("9999.99"), date(2004, 8, 1), True, "overdue"),
        (D("0.00"), due, False, "owing"),  # due today: not yet overdue
        (D("0.00"), due + timedelta(days=1), True, "overdue"),
        (D("5000.00"), date(2004, 7, 1), False, "owing"),
    ]
    for paid, as_of, overdue, status in cases:
        values = {"amount": D("10000.00"), "paid": paid, "due": due, "as_of": as_of}
        assert invoice_overdue(**values) is overdue, values
        assert invoice_status(**values) == status, values


@given(
    paid=st.decimals(min_value=0, max_value=20000, places=2),
    days=st.integers(min_value=-40, max_value=40),
)
def test_an_invoice_is_overdue_exactly_when_its_status_says(paid, days):
    values = {
        "amount": D("10000.00"),
        "paid": paid,
        "due": date(2004, 7, 31),
        "as_of": date(2004, 7, 31) + timedelta(days=days),
    }
    assert invoice_overdue(**values) == (invoice_status(**values) == "overdue")
