"""The services of the money after the board decides: every refusal writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contributions import calls as call_services
from contributions.calls import (
    NO_AGREEMENT,
    REVIEW_NOT_RELEASED,
    ConfirmationNeeded,
    call_cancel,
    call_plan,
    call_raise,
    invoice_prefix,
    payment_delete,
    payment_record,
    refund_delete,
    refund_record,
)
from projects.models import Call, Invoice, Payment, Refund
from tests.contributions.factories import PartnerFactory
from tests.contributions.money import OCTOBER, agree, agreed_programme, paid, raise_call
from tests.projects.factories import PartnershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db
ISSUED, DUE = date(2004, 7, 1), date(2004, 7, 31)


def rows() -> tuple[int, int, int, int]:
    return (
        Call.objects.count(),
        Invoice.objects.count(),
        Payment.objects.count(),
        Refund.objects.count(),
    )


def attempt(programme, confirmed="", **changes):
    values = {
        "programme": programme,
        "tranche": "immediate",
        "financial_year": "2004/05",
        "issued": ISSUED,
        "due": DUE,
        "user": None,
        **changes,
    }
    return call_raise(**values, confirmed=confirmed)


def refused(action, *args, **kwargs) -> ValidationError:
    before = rows()
    with pytest.raises(ValidationError) as caught:
        action(*args, **kwargs)
    assert rows() == before
    return caught.value


# Raising a call


def test_a_call_asks_each_council_for_its_immediate_tranche_numbered_in_the_partnership():
    programme, partners = agreed_programme(3)
    user = UserFactory()
    call = raise_call(programme, user=user)
    invoices = list(call.invoices.order_by("number"))
    assert [(i.number, i.partner, i.amount) for i in invoices] == [
        ("NC-0001", partners[0], Decimal("10000.00")),
        ("NC-0002", partners[1], Decimal("10000.00")),
        ("NC-0003", partners[2], Decimal("10000.00")),
    ]
    assert call.slug == "immediate-2004-05"
    assert call.history.get().history_user == user
    assert {i.history.get().history_user for i in invoices} == {user}


def test_the_call_is_made_only_once_confirmed_as_shown():
    programme, _ = agreed_programme(2)
    with pytest.raises(ConfirmationNeeded) as asked:
        attempt(programme)
    assert rows() == (0, 0, 0, 0)
    assert asked.value.plan is not None and len(asked.value.plan.invoices) == 2
    with pytest.raises(ConfirmationNeeded):
        attempt(programme, confirmed="not-what-was-shown")
    assert rows() == (0, 0, 0, 0)
    attempt(programme, confirmed=asked.value.key)
    assert rows() == (1, 2, 0, 0)


def test_a_council_without_consent_is_asked_about():
    programme, partners = agreed_programme(1, consent=False)
    with pytest.raises(ConfirmationNeeded) as asked:
        attempt(programme)
    assert asked.value.warnings == (f"{partners[0].name}'s consent to its share is not recorded.",)


def test_dates_outside_the_programme_are_asked_about():
    programme, _ = agreed_programme(1)
    with pytest.raises(ConfirmationNeeded) as asked:
        attempt(programme, issued=date(2006, 1, 2), due=date(2006, 2, 1))
    assert asked.value.warnings == (
        "The date of issue, 2 January 2006, is after the programme ends on 31 December 2005.",
        "The due date, 1 February 2006, is after the programme ends on 31 December 2005.",
    )


def test_what_was_invoiced_before_is_taken_off_and_a_council_with_nothing_left_is_skipped():
    programme, partners = agreed_programme(3)
    earlier = Call.objects.create(
        programme=programme, slug="earlier", tranche="immediate",
        financial_year="2004/05", issued=ISSUED, due=DUE,
    )  # fmt: skip
    for partner, amount, number in ((partners[0], "4000.00", "NC-0041"),
                                    (partners[1], "10000.00", "NC-0042")):  # fmt: skip
        Invoice.objects.create(
            call=earlier, partnership=programme.partnership, number=number,
            partner=partner, amount=Decimal(amount),
        )  # fmt: skip
    call = raise_call(programme)
    assert [(i.partner, i.amount, i.number) for i in call.invoices.order_by("number")] == [
        (partners[0], Decimal("6000.00"), "NC-0043"),
        (partners[2], Decimal("10000.00"), "NC-0044"),
    ]


def test_numbers_run_on_across_the_partnerships_programmes():
    programme, partners = agreed_programme(2)
    raise_call(programme)
    second = ProgrammeFactory(partnership=programme.partnership)
    agree(second, partners)
    call = raise_call(second)
    assert sorted(call.invoices.values_list("number", flat=True)) == ["NC-0003", "NC-0004"]


@pytest.mark.parametrize(
    "name, prefix",
    [("Norfolk Connect Partnership", "NC"), ("The Suffolk Partnership", "S"), ("2004", "INV")],
)
def test_the_prefix_is_the_partnerships_initials(name, prefix):
    assert invoice_prefix(PartnershipFactory(name=name)) == prefix


def test_no_agreement_no_call():
    programme = ProgrammeFactory()
    PartnerFactory(partnership=programme.partnership)
    error = refused(attempt, programme)
    assert error.messages == [NO_AGREEMENT]


def test_the_review_tranche_waits_for_a_later_decision():
    programme, partners = agreed_programme(2)
    raise_call(programme)
    error = refused(attempt, programme, tranche="review", issued=date(2004, 11, 1),
                    due=date(2004, 11, 30))  # fmt: skip
    assert error.message_dict == {"tranche": [REVIEW_NOT_RELEASED]}
    agree(programme, partners, on=OCTOBER, cap="25000.00")
    # Issued before the later meeting: still not released.
    error = refused(attempt, programme, tranche="review", issued=date(2004, 10, 1),
                    due=date(2004, 11, 30))  # fmt: skip
    assert error.message_dict == {"tranche": [REVIEW_NOT_RELEASED]}
    call = raise_call(programme, tranche="review", issued=date(2004, 11, 1), due=date(2004, 11, 30))
    # The later agreement's cap less what each was invoiced.
    assert set(call.invoices.values_list("amount", flat=True)) == {Decimal("15000.00")}


def test_due_before_issue_is_refused():
    programme, _ = agreed_programme(1)
    error = refused(attempt, programme, due=date(2004, 6, 30))
    assert error.message_dict == {
        "due": ["The due date must be the same as or after the date of issue"]
    }


def test_nothing_left_to_call_is_refused():
    programme, _ = agreed_programme(2)
    raise_call(programme)
    error = refused(attempt, programme)
    assert error.message_dict["tranche"][0].startswith("Nothing is left to call")


def test_a_year_not_the_programmes_is_refused():
    programme, _ = agreed_programme(1)
    error = refused(attempt, programme, financial_year="1999/00")
    assert "financial_year" in error.message_dict


def test_an_invoice_above_the_cap_is_refused(monkeypatch):
    programme, _ = agreed_programme(1)
    seen = []

    def over_cap(call, *, agreement, earlier):
        seen.append((call, agreement))
        return ["Invoice NC-0001 would take Council 0 to £40,000 invoiced, above its cap"]

    monkeypatch.setattr(call_services, "call_problems", over_cap)
    error = refused(attempt, programme)
    assert error.messages == [
        "Invoice NC-0001 would take Council 0 to £40,000 invoiced, above its cap"
    ]
    # The ledger's check was given the agreement's caps by the councils' names.
    call, agreement = seen[0]
    assert call.invoices[0].partner == "Council 0"
    assert agreement.per_partner[0].cap == Decimal("30000.00")


def test_the_plan_is_what_the_call_creates():
    programme, _ = agreed_programme(3)
    plan = call_plan(programme=programme, tranche="immediate", financial_year="2004/05",
                     issued=ISSUED, due=DUE)  # fmt: skip
    assert plan.total == Decimal("30000.00")
    call = attempt(programme, confirmed=plan.key)
    assert [i.number for i in plan.invoices] == sorted(
        call.invoices.values_list("number", flat=True)
    )


# Cancelling a call


def test_a_call_is_cancelled_with_its_invoices_in_the_history():
    programme, _ = agreed_programme(2)
    call = raise_call(programme)
    user = UserFactory()
    call_cancel(call=call, user=user)
    assert rows() == (0, 0, 0, 0)
    assert Call.history.filter(history_type="-").get().history_user == user
    assert Invoice.history.filter(history_type="-").count() == 2


def test_a_call_with_a_payment_is_not_cancelled():
    programme, _ = agreed_programme(2)
    call = raise_call(programme)
    paid(call.invoices.first(), "10.00")
    error = refused(call_cancel, call=call, user=None)
    assert "1 payment is recorded" in error.messages[0]


# Payments


def record(invoice, amount="1000.00", on=date(2004, 7, 20), confirmed="", reference="BACS 1"):
    return payment_record(
        invoice=invoice, date=on, amount=Decimal(amount), reference=reference,
        confirmed=confirmed, user=None,
    )  # fmt: skip


@pytest.fixture
def invoice():
    programme, _ = agreed_programme(1)
    return raise_call(programme).invoices.get()


def test_an_invoice_is_paid_in_several_payments(invoice):
    user = UserFactory()
    record(invoice, "2500.50")
    payment = payment_record(invoice=invoice, date=date(2004, 8, 1), amount=Decimal("7499.50"),
                             reference="", confirmed="", user=user)  # fmt: skip
    assert sum(invoice.payments.values_list("amount", flat=True)) == Decimal("10000.00")
    assert payment.history.get().history_user == user


@pytest.mark.parametrize(
    "amount, on, field, message",
    [
        ("10000.01", date(2004, 7, 20), "amount",
         "The payment of £10,000.01 is more than the £10,000 still owed on invoice NC-0001"),
        ("100.00", date(2004, 6, 30), "date",
         "The payment date must be on or after the invoice's date of issue, 1 July 2004"),
        ("0", date(2004, 7, 20), "amount", "Amount must be more than £0"),
        ("-5", date(2004, 7, 20), "amount", "Amount must be more than £0"),
        ("1.005", date(2004, 7, 20), "amount",
         "Amount must be in pounds and pence, like 15,000.50"),
    ],
)  # fmt: skip
def test_a_payment_that_breaks_the_rules_is_refused(invoice, amount, on, field, message):
    error = refused(record, invoice, amount, on)
    assert error.message_dict[field] == [message]


def test_a_paid_invoice_takes_no_more(invoice):
    record(invoice, "10000.00")
    error = refused(record, invoice, "0.01")
    assert error.message_dict["amount"] == [
        "Invoice NC-0001 is paid in full: nothing is owed on it"
    ]


def test_a_payment_outside_the_programme_is_confirmed_first(invoice):
    with pytest.raises(ConfirmationNeeded) as asked:
        record(invoice, on=date(2006, 1, 3))
    assert asked.value.warnings == (
        "The payment date, 3 January 2006, is after the programme ends on 31 December 2005.",
    )
    assert not invoice.payments.exists()
    record(invoice, on=date(2006, 1, 3), confirmed=asked.value.key)
    assert invoice.payments.count() == 1


def test_removing_a_payment_is_recorded(invoice):
    payment = record(invoice)
    user = UserFactory()
    payment_delete(payment=payment, user=user)
    assert not Payment.objects.exists()
    assert Payment.history.filter(history_type="-").get().history_user == user


# Refunds and credits


def give(programme, partner, amount, kind="refund", on=date(2004, 9, 1), confirmed=""):
    return refund_record(
        programme=programme, partner=partner, kind=kind, date=on, amount=Decimal(amount),
        reason="A phase did not proceed", confirmed=confirmed, user=None,
    )  # fmt: skip


def test_refunds_and_credits_together_stay_within_what_was_paid():
    programme, partners = agreed_programme(1)
    call = raise_call(programme)
    paid(call.invoices.get(), "6000.00")
    give(programme, partners[0], "4000.00", kind="refund")
    give(programme, partners[0], "1500.00", kind="credit")
    error = refused(give, programme, partners[0], "500.01", kind="credit")
    assert error.message_dict["amount"] == [
        "Refunds and credits would come to £6,000.01, more than the £6,000 the partner has paid"
    ]
    give(programme, partners[0], "500.00")
    assert Refund.objects.count() == 3


def test_nothing_is_given_back_to_a_council_that_paid_nothing():
    programme, partners = agreed_programme(1)
    raise_call(programme)
    error = refused(give, programme, partners[0], "1.00")
    assert "more than the £0 the partner has paid" in error.message_dict["amount"][0]


@pytest.mark.parametrize("amount", ["0", "-1", "0.001"])
def test_a_refund_of_nothing_or_a_fraction_of_a_penny_is_refused(amount):
    programme, partners = agreed_programme(1)
    paid(raise_call(programme).invoices.get(), "100.00")
    error = refused(give, programme, partners[0], amount)
    assert "amount" in error.message_dict


def test_another_partnerships_council_is_refused():
    programme, _ = agreed_programme(1)
    stranger = PartnerFactory()
    error = refused(give, programme, stranger, "1.00")
    assert error.message_dict == {"partner": ["Select a council of the partnership"]}


def test_a_refund_outside_the_programme_is_confirmed_and_removing_it_is_recorded():
    programme, partners = agreed_programme(1)
    paid(raise_call(programme).invoices.get(), "100.00")
    with pytest.raises(ConfirmationNeeded) as asked:
        give(programme, partners[0], "50.00", on=date(2006, 3, 1))
    assert not Refund.objects.exists()
    refund = give(programme, partners[0], "50.00", on=date(2006, 3, 1), confirmed=asked.value.key)
    user = UserFactory()
    refund_delete(refund=refund, user=user)
    assert not Refund.objects.exists()
    assert Refund.history.filter(history_type="-").get().history_user == user


def test_a_call_is_not_dated_before_the_meeting_that_agreed_it():
    # Refused as the programme file refuses it, so that the programme's export always loads.
    programme, _ = agreed_programme(2)
    error = refused(attempt, programme, issued=date(2004, 6, 1), due=date(2004, 6, 30))
    assert error.message_dict == {
        "issued": [
            "Date of issue must be the same as or after 18 June 2004, the date of the meeting "
            "that agreed the contributions"
        ]
    }
    assert not Invoice.objects.exists()


def test_a_programme_with_its_calls_exports_a_file_that_loads_with_the_same_figures():
    import json

    from projects.money.figures import figures_as_json
    from projects.programme_file import dumps_programme, parse_programme
    from projects.selectors import programme_document, programme_figures

    programme, _ = agreed_programme(3)
    call = raise_call(programme)
    paid(call.invoices.first(), "2500.00")
    text = dumps_programme(programme_document(programme=programme, include_report=True))
    document = parse_programme(text)  # every check of the file passes
    assert json.loads(dumps_programme(document)) == json.loads(text)
    figures = figures_as_json(programme_figures(programme=programme, as_of=date(2004, 12, 1)))
    from projects.money.figures import compute_figures

    assert figures_as_json(compute_figures(document, date(2004, 12, 1))) == figures
