"""The pages of calls, invoices, payments and refunds: who may do what, what they say."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from pypdf import PdfReader

from projects.models import Call, Invoice, Payment, Refund, Role
from tests.contributions.factories import PartnerFactory
from tests.contributions.money import agreed_programme, paid, raise_call
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def flat(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def words(response) -> str:
    """Return the page's text without its tags, as a screen reader would read it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def member(client, programme, role=Role.FACILITATOR, partner=None):
    membership = MembershipFactory(partnership=programme.partnership, role=role, partner=partner)
    client.force_login(membership.user)
    return membership


def url(name, programme, *args):
    return reverse(f"contributions:{name}", args=[programme.slug, *args])


def dates(prefix, day):
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


CALL = {
    "tranche": "immediate",
    "financial_year": "2004/05",
    **dates("issued", date(2004, 7, 1)),
    **dates("due", date(2004, 7, 31)),
}


# The list of calls


def test_the_empty_list_explains_what_a_call_is(client):
    programme, _ = agreed_programme(1)
    member(client, programme, Role.CHIEF_EXECUTIVE)
    text = flat(client.get(url("call_list", programme)))
    assert "asks every contributing council for its tranche once the board's agreement is" in text
    assert "Raise a call" not in text  # a reader changes nothing


def test_the_list_gives_each_calls_figures(client):
    programme, _ = agreed_programme(2)
    call = raise_call(programme)
    paid(call.invoices.first(), "2500.50")
    member(client, programme)
    text = words(client.get(url("call_list", programme)))
    assert "Raise a call" in text
    assert "Immediate tranche, 2004/05, issued 1 July 2004" in text
    for figure in ("£20,000", "£2,500.50", "£17,499.50", "1 Jul 2004", "31 Jul 2004"):
        assert figure in text


# Raising a call


def test_a_call_is_checked_then_raised(client):
    programme, partners = agreed_programme(2, consent=False)
    member(client, programme)
    check = client.post(url("call_create", programme), CALL)
    assert check.status_code == 200
    text = flat(check)
    assert "Check the call before raising it" in text
    assert "NC-0001" in text and "NC-0002" in text and "£20,000" in text
    assert (
        f"The consent of {partners[0].name} and {partners[1].name} to their shares is not "
        "recorded. Call it anyway?" in text
    )
    assert not Call.objects.exists()
    key = check.context["form"].data["confirmed"]
    done = client.post(url("call_create", programme), {**CALL, "confirmed": key})
    call = Call.objects.get()
    assert done.status_code == 302
    assert done.url == url("call_detail", programme, call.slug)
    assert call.invoices.count() == 2


def test_one_councils_missing_consent_is_named(client):
    programme, partners = agreed_programme(1, consent=False)
    member(client, programme)
    text = flat(client.post(url("call_create", programme), CALL))
    assert f"{partners[0].name}'s consent to its share is not recorded. Call it anyway?" in text


def test_change_goes_back_to_the_form_with_the_entries(client):
    programme, _ = agreed_programme(1)
    member(client, programme)
    response = client.post(url("call_create", programme), {**CALL, "change": "1"})
    assert "Raise a call" in flat(response)
    assert 'value="31"' in response.content.decode()
    assert not Call.objects.exists()


def test_a_call_changed_since_it_was_checked_is_checked_again(client):
    programme, _ = agreed_programme(1)
    member(client, programme)
    response = client.post(url("call_create", programme), {**CALL, "confirmed": "stale"})
    assert "The call changed after you checked it" in flat(response)
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({**CALL, **dates("due", date(2004, 6, 1))},
         "The due date must be the same as or after the date of issue"),
        ({**CALL, "tranche": "review"},
         "The review tranche is called only after a later meeting's decision releases it"),
        ({**CALL, "tranche": ""}, "Select the tranche"),
        ({**CALL, "issued-month": "13"}, "Date of issue must be a real date"),
    ],
)  # fmt: skip
def test_a_refused_call_says_why_and_makes_nothing(client, data, message):
    programme, _ = agreed_programme(1)
    member(client, programme)
    response = client.post(url("call_create", programme), data)
    assert response.status_code == 200
    assert message in flat(response)
    assert not Call.objects.exists()


def test_no_agreement_says_to_record_it(client):
    programme = ProgrammeFactory()
    PartnerFactory(partnership=programme.partnership)
    member(client, programme)
    response = client.post(url("call_create", programme), CALL)
    assert "Record the board's agreement before calling for money" in flat(response)


# A call's page


def test_a_calls_page_lists_its_invoices_and_says_which_are_overdue(client):
    programme, partners = agreed_programme(2)
    call = raise_call(programme)
    paid(call.invoices.get(partner=partners[0]), "10000.00")
    member(client, programme)
    text = flat(client.get(url("call_detail", programme, call.slug)))
    assert text.count("Overdue") == 1  # the unpaid one: due in 2004
    assert "Paid" in text
    assert text.count("Record a payment") == 2


def test_a_partner_officer_sees_the_pdf_of_their_own_invoice_only(client):
    programme, partners = agreed_programme(2)
    call = raise_call(programme)
    member(client, programme, Role.PARTNER_OFFICER, partner=partners[0])
    html = client.get(url("call_detail", programme, call.slug)).content.decode()
    own, other = (call.invoices.get(partner=p) for p in partners)
    assert reverse("report:invoice_pdf", args=[programme.slug, own.pk]) in html
    assert reverse("report:invoice_pdf", args=[programme.slug, other.pk]) not in html
    assert html.count("Record a payment") == 1  # their own council's invoice's


# Cancelling a call


def test_a_call_is_cancelled_after_confirming(client):
    programme, _ = agreed_programme(2)
    call = raise_call(programme)
    member(client, programme)
    page = flat(client.get(url("call_cancel", programme, call.slug)))
    assert "Its 2 invoices, £20,000 in all, will be removed too" in page
    assert Call.objects.exists()
    response = client.post(url("call_cancel", programme, call.slug))
    assert response.status_code == 302
    assert not Call.objects.exists() and not Invoice.objects.exists()


def test_a_paid_call_is_not_cancelled(client):
    programme, _ = agreed_programme(2)
    call = raise_call(programme)
    paid(call.invoices.first(), "1.00")
    member(client, programme)
    assert "cannot be cancelled" in flat(client.get(url("call_cancel", programme, call.slug)))
    response = client.post(url("call_cancel", programme, call.slug))
    assert "1 payment is recorded" in flat(response)
    assert Invoice.objects.count() == 2


# Payments


@pytest.fixture
def invoice():
    programme, _ = agreed_programme(1)
    return raise_call(programme).invoices.select_related("call__programme").get()


def pay(client, invoice, amount="1000.00", on=date(2004, 7, 20), **extra):
    programme = invoice.call.programme
    data = {"amount": amount, "reference": "BACS 1", **dates("date", on), **extra}
    return client.post(url("payment_create", programme, invoice.pk), data)


def test_a_payment_is_recorded(client, invoice):
    member(client, invoice.call.programme)
    form = client.get(url("payment_create", invoice.call.programme, invoice.pk))
    assert 'value="10,000"' in form.content.decode()  # what is owed, offered
    response = pay(client, invoice, "2,500.50")
    assert response.status_code == 302
    assert Payment.objects.get().amount == Decimal("2500.50")


@pytest.mark.parametrize(
    "amount, on, message",
    [
        ("10000.01", date(2004, 7, 20), "is more than the £10,000 still owed on invoice NC-0001"),
        ("5", date(2004, 6, 1), "The payment date must be on or after the invoice's date of issue"),
        ("0", date(2004, 7, 20), "Amount must be more than £0"),
        ("-5", date(2004, 7, 20), "Amount must be more than £0"),
        ("1.234", date(2004, 7, 20), "Amount must be in pounds and pence"),
    ],
)
def test_a_refused_payment_says_why(client, invoice, amount, on, message):
    member(client, invoice.call.programme)
    response = pay(client, invoice, amount, on)
    assert response.status_code == 200
    assert message in flat(response)
    assert not Payment.objects.exists()


def test_a_payment_after_the_programme_is_confirmed_first(client, invoice):
    member(client, invoice.call.programme)
    asked = pay(client, invoice, on=date(2006, 2, 1))
    assert "after the programme ends on 31 December 2005. Record it anyway?" in flat(asked)
    assert not Payment.objects.exists()
    key = asked.context["form"].data["confirmed"]
    assert pay(client, invoice, on=date(2006, 2, 1), confirmed=key).status_code == 302
    assert Payment.objects.count() == 1


def test_a_payment_is_removed_after_confirming(client, invoice):
    payment = paid(invoice, "100.00")
    programme = invoice.call.programme
    member(client, programme)
    page = url("payment_delete", programme, invoice.pk, payment.pk)
    assert "Remove the payment of £100 from invoice NC-0001?" in flat(client.get(page))
    assert Payment.objects.exists()
    assert client.post(page).status_code == 302
    assert not Payment.objects.exists()


# Refunds and credits


def test_the_refunds_page_offers_each_surplus(client):
    programme, partners = agreed_programme(2)
    paid(raise_call(programme).invoices.get(partner=partners[0]), "3000.00")
    member(client, programme)
    text = words(client.get(url("refund_list", programme)))
    assert "No money has been given back yet" in text
    assert f"Give it back to {partners[0].name}" in text
    form = client.get(url("refund_create", programme) + f"?partner={partners[0].slug}")
    assert form.context["form"].initial["amount"] == Decimal("3000.00")
    assert form.context["form"].initial["reason"] == "A phase did not proceed"


def test_money_is_given_back_and_removed(client):
    programme, partners = agreed_programme(1)
    paid(raise_call(programme).invoices.get(), "3000.00")
    member(client, programme)
    data = {"partner": partners[0].pk, "kind": "credit", "amount": "1000", "reason": "Phase 2",
            **dates("date", date(2004, 9, 1))}  # fmt: skip
    assert client.post(url("refund_create", programme), data).status_code == 302
    refund = Refund.objects.get()
    assert (refund.kind, refund.amount) == ("credit", Decimal("1000.00"))
    too_much = client.post(url("refund_create", programme), {**data, "amount": "2000.01"})
    assert "more than the £3,000 the partner has paid" in flat(too_much)
    page = url("refund_delete", programme, refund.pk)
    assert "Remove the credit of £1,000" in flat(client.get(page))
    assert client.post(page).status_code == 302
    assert not Refund.objects.exists()


# Who may do what


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER])
def test_readers_read_and_change_nothing(client, role):
    programme, _ = agreed_programme(1)
    call = raise_call(programme)
    invoice = call.invoices.get()
    # A partner officer of a council not invoiced here: their own council's is another test's.
    council = PartnerFactory(partnership=programme.partnership)
    member(client, programme, role, partner=council if role == Role.PARTNER_OFFICER else None)
    for name, args in (("call_list", ()), ("call_detail", (call.slug,)), ("refund_list", ())):
        assert client.get(url(name, programme, *args)).status_code == 200
    assert client.post(url("call_create", programme), CALL).status_code == 403
    assert client.post(url("call_cancel", programme, call.slug)).status_code == 403
    assert pay(client, invoice).status_code == 403
    assert (Call.objects.count(), Payment.objects.count()) == (1, 0)


def test_a_partner_officer_records_a_payment_on_their_own_councils_invoice(client):
    programme, partners = agreed_programme(2)
    call = raise_call(programme)
    own, other = (call.invoices.get(partner=partner) for partner in partners)
    member(client, programme, Role.PARTNER_OFFICER, partner=partners[0])
    # The links: on the call's page and on their council's page, for their invoice only.
    detail = client.get(url("call_detail", programme, call.slug)).content.decode()
    assert url("payment_create", programme, own.pk) in detail
    assert url("payment_create", programme, other.pk) not in detail
    page = reverse("reports:partner", args=[programme.slug, partners[0].slug])
    assert url("payment_create", programme, own.pk) in client.get(page).content.decode()
    # Another council's invoice: refused, nothing saved.
    assert client.get(url("payment_create", programme, other.pk)).status_code == 403
    assert pay(client, other).status_code == 403
    assert client.get(url("payment_create", programme, own.pk)).status_code == 200
    assert pay(client, own, "2500.00").status_code == 302
    assert Payment.objects.get().invoice == own
    # Removing a payment stays the editors': the form offers no link to it.
    form = client.get(url("payment_create", programme, own.pk)).content.decode()
    assert "2,500" in form
    assert "Remove<span" not in form
    assert Payment.history.get().history_user.pk == int(client.session["_auth_user_id"])
    # Paid in full, their council's page offers no payment on it.
    pay(client, own, "7500.00")
    assert url("payment_create", programme, own.pk) not in client.get(page).content.decode()


def test_another_programmes_invoice_under_ours_answers_404(client):
    programme, _ = agreed_programme(1)
    elsewhere, _ = agreed_programme(1)
    theirs = raise_call(elsewhere).invoices.get()
    member(client, programme)
    assert client.get(url("payment_create", programme, theirs.pk)).status_code == 404
    pdf = reverse("report:invoice_pdf", args=[programme.slug, theirs.pk])
    assert client.get(pdf).status_code == 404


# The invoice as a PDF


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)
                                  if response.streaming else response.content))  # fmt: skip
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_invoice_pdf_says_who_owes_what_for_what_and_by_when(client):
    programme, partners = agreed_programme(2)
    call = raise_call(programme)
    own = call.invoices.get(partner=partners[0])
    member(client, programme, Role.PARTNER_OFFICER, partner=partners[0])
    response = client.get(reverse("report:invoice_pdf", args=[programme.slug, own.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    for words in (
        "Norfolk Connect Partnership",
        "Invoice NC-0001",
        f"To {partners[0].name}",
        "Date of issue 1 July 2004",
        "Due date 31 July 2004",
        "£10,000.00",
        "the immediate tranche, as agreed by Norfolk Chief Executives on 18 June 2004",
        "Pay by 31 July 2004, quoting NC-0001.",
        "Make payment of £10,000.00 to Norfolk Connect Partnership.",
    ):
        assert words in text, words
    other = call.invoices.get(partner=partners[1])
    assert (
        client.get(reverse("report:invoice_pdf", args=[programme.slug, other.pk])).status_code
        == 404
    )


# Queries stay the same as the programme grows


def programme_of(size: int):
    programme, partners = agreed_programme(size)
    call = raise_call(programme)
    for invoice in call.invoices.all():
        paid(invoice, "100.00")
        paid(invoice, "200.00")
    for partner in partners:
        Refund.objects.create(programme=programme, partner=partner, date=date(2004, 9, 1),
                              amount=Decimal("50.00"))  # fmt: skip
    return programme, call, call.invoices.order_by("pk").first()


PAGES = {
    "call_list": lambda p, c, i: url("call_list", p),
    "call_detail": lambda p, c, i: url("call_detail", p, c.slug),
    "call_create": lambda p, c, i: url("call_create", p),
    "call_cancel": lambda p, c, i: url("call_cancel", p, c.slug),
    "payment_create": lambda p, c, i: url("payment_create", p, i.pk),
    "refund_list": lambda p, c, i: url("refund_list", p),
    "refund_create": lambda p, c, i: url("refund_create", p) + f"?partner={i.partner.slug}",
    "invoice_pdf": lambda p, c, i: reverse("report:invoice_pdf", args=[p.slug, i.pk]),
}
# Measured with 8 and 100 councils, each with an invoice, two payments and a refund: the
# session, the user, the membership and the programme, then the page's own reads (the refunds'
# pages read the whole programme once, for each council's surplus).
MAX_QUERIES = {
    "call_list": 6,
    "call_detail": 6,
    "call_create": 5,
    "call_cancel": 5,
    "payment_create": 7,  # with who recorded each payment, from its history
    "refund_list": 22,
    "refund_create": 23,
    "invoice_pdf": 6,
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_queries_per_page_do_not_grow_with_the_partners(
    client, django_assert_max_num_queries, name
):
    counts = []
    for size in (8, 100):
        programme, call, invoice = programme_of(size)
        member(client, programme)
        page = PAGES[name](programme, call, invoice)
        with django_assert_max_num_queries(MAX_QUERIES[name]) as captured:
            assert client.get(page).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    print(f"{name}: {counts}")


def test_checking_a_call_costs_the_same_for_8_or_100_councils(
    client, django_assert_max_num_queries
):
    counts = []
    for size in (8, 100):
        programme, _ = agreed_programme(size)
        member(client, programme)
        with django_assert_max_num_queries(13) as captured:
            assert client.post(url("call_create", programme), CALL).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    print(f"call check: {counts}")


def test_the_partners_page_leads_to_the_calls_and_refunds(client):
    programme, _ = agreed_programme(1)
    member(client, programme, Role.CHIEF_EXECUTIVE)
    html = client.get(url("partner_list", programme)).content.decode()
    assert url("call_list", programme) in html and url("refund_list", programme) in html
    navigation = client.get(url("call_list", programme)).context["programme_navigation"]
    assert [item["label"] for item in navigation if item["current"]] == ["Partners"]
