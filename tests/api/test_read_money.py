"""The councils' money through the API: invoices and payments, as the call's and council's pages."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contributions.ledger_selectors import call_invoices
from projects.models import Call, Invoice, Partner, Payment, Role
from projects.programme_file import parse_programme
from projects.services import programme_as_imported, programme_import, programme_state
from reports.report.selectors import statement_for
from tests.after_the_meeting import after_the_meeting
from tests.api.money_and_delivery import a_call, many_invoices
from tests.api.world import World, auth, make_world, token_of
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def get(client, world: World, name: str, token: str | None = None, **kwargs):
    address = reverse(f"api:{name}", kwargs={"slug": world.ours.slug, **kwargs})
    return client.get(address, **auth(token or world.token()))


def listed(client, world: World, name: str, **query) -> dict:
    address = reverse(f"api:{name}", args=[world.ours.slug])
    response = client.get(address, query, **auth(world.token()))
    assert response.status_code == 200, response.content
    return response.json()


def by_number(items: list[dict]) -> dict[str, dict]:
    return {item["number"]: item for item in items}


# Invoices


def test_broadland_paid_in_two_instalments_and_norwich_not_at_all(client, world):
    invoices = by_number(listed(client, world, "invoices")["items"])
    broadland = invoices["NC-0003"]
    assert broadland["partner"] == "broadland"
    assert broadland["partner_name"] == "Broadland District Council"
    assert (broadland["amount"], broadland["paid"], broadland["owed"]) == (
        "10000.00",
        "10000.00",
        "0.00",
    )
    assert (broadland["overdue"], broadland["status"]) == (False, "paid")
    assert [(p["date"], p["amount"], p["reference"]) for p in broadland["payments"]] == [
        ("2004-07-20", "5000.00", "BACS 1"),
        ("2004-08-02", "5000.00", "BACS 2"),
    ]
    norwich = invoices["NC-0007"]
    assert norwich["partner"] == "norwich"
    assert (norwich["amount"], norwich["paid"], norwich["owed"]) == ("10000.00", "0.00", "10000.00")
    assert (norwich["overdue"], norwich["status"], norwich["payments"]) == (True, "overdue", [])
    breckland = invoices["NC-0002"]
    assert (breckland["paid"], breckland["owed"], breckland["overdue"]) == (
        "2500.50",
        "7499.50",
        True,
    )
    assert invoices["NC-0010"]["amount"] == "3333.34"
    assert broadland | {"payments": None} == {
        "id": Invoice.objects.get(number="NC-0003").pk,
        "number": "NC-0003",
        "partner": "broadland",
        "partner_name": "Broadland District Council",
        "call": "immediate-2004",
        "tranche": "immediate",
        "financial_year": "2004/05",
        "issued": "2004-07-01",
        "due": "2004-07-31",
        "amount": "10000.00",
        "paid": "10000.00",
        "owed": "0.00",
        "overdue": False,
        "status": "paid",
        "payments": None,
    }


def test_the_invoices_are_the_call_pages_and_the_councils_pages_to_the_penny(client, world):
    invoices = by_number(listed(client, world, "invoices")["items"])
    assert len(invoices) == 10
    for call in Call.objects.filter(programme=world.ours):
        for row in call_invoices(call=call):
            item = invoices[row.invoice.number]
            assert Decimal(item["paid"]) == row.paid
            assert Decimal(item["owed"]) == row.owed
            assert item["overdue"] is row.overdue
    for partner in Partner.objects.filter(partnership=world.ours.partnership):
        for line in statement_for(programme=world.ours, partner=partner).invoices:
            item = invoices[line.number]
            assert (Decimal(item["amount"]), Decimal(item["paid"])) == (line.amount, line.paid)
            assert Decimal(item["owed"]) == line.owed
            assert item["overdue"] is line.overdue


def test_the_invoices_come_oldest_call_first_in_the_councils_order(client, world):
    numbers = [item["number"] for item in listed(client, world, "invoices")["items"]]
    assert numbers == [f"NC-{n:04d}" for n in range(1, 11)]


def test_the_invoices_filtered_by_council_call_and_status(client, world):
    def numbers(**query) -> list[str]:
        return [item["number"] for item in listed(client, world, "invoices", **query)["items"]]

    assert numbers(partner="broadland") == ["NC-0003"]
    assert numbers(partner="norfolk-county") == ["NC-0001", "NC-0009"]
    assert numbers(call="review-2004") == ["NC-0009", "NC-0010"]
    assert numbers(call="review-2004", partner="south-norfolk") == ["NC-0010"]
    assert numbers(status="overdue") == ["NC-0002", "NC-0007", "NC-0010"]
    assert numbers(status="paid") == [
        "NC-0001",
        "NC-0003",
        "NC-0004",
        "NC-0005",
        "NC-0006",
        "NC-0008",
        "NC-0009",
    ]
    assert numbers(status="owing") == []
    assert numbers(partner="no-such-council") == []
    assert numbers(partner="broadland", status="overdue") == []


def test_an_invoice_is_found_by_its_number_when_an_import_gives_it_a_new_id(client, world):
    """A council's system keeps the number its remittance quotes and looks the id up by it: an
    import that changes the records after the meeting writes them again, with new ids."""

    def found(number: str) -> list[dict]:
        return listed(client, world, "invoices", number=number)["items"]

    [broadland] = found("NC-0003")
    assert broadland["partner"] == "broadland"
    assert found("EW-0003") == []  # another partnership's number
    assert found("NC-9999") == []
    assert found("nc-0003") == []  # numbers are matched exactly, as the ledger keeps them

    content = after_the_meeting()
    content["meetings"][0]["note"] = "Item 5, minuted"
    current = programme_as_imported(programme=world.ours)
    programme_import(
        programme=world.ours,
        document=parse_programme(json.dumps(content)),
        expected_state=programme_state(current),
        user=None,
    )
    [again] = found("NC-0003")
    assert again["id"] != broadland["id"]
    assert get(client, world, "invoice", invoice=broadland["id"]).status_code == 404

    def without_ids(invoice: dict) -> dict:
        payments = [{**payment, "id": None} for payment in invoice["payments"]]
        return {**invoice, "id": None, "payments": payments}

    assert without_ids(again) == without_ids(broadland)  # the same invoice, to the penny


def test_owing_is_unpaid_and_not_yet_past_its_due_date(client, world):
    """Due today is not yet overdue: the pages' rule is the due date before the day."""
    today = timezone.localdate()
    partner = Partner.objects.get(partnership=world.ours.partnership, slug="norwich")
    for slug, due in (("due-today", today), ("due-tomorrow", today + timedelta(days=1))):
        invoice = Invoice.objects.create(
            call=a_call(world.ours, slug=slug, due=due),
            partnership=world.ours.partnership,
            number=slug.upper(),
            partner=partner,
            amount=Decimal("20.00"),
        )
        Payment.objects.create(invoice=invoice, date=today, amount=Decimal("19.99"))
    owing = listed(client, world, "invoices", status="owing")["items"]
    assert [(item["number"], item["owed"], item["overdue"]) for item in owing] == [
        ("DUE-TODAY", "0.01", False),
        ("DUE-TOMORROW", "0.01", False),
    ]
    rows = call_invoices(call=Call.objects.get(programme=world.ours, slug="due-today"))
    assert rows[0].overdue is False
    counts = [
        listed(client, world, "invoices", status=status)["count"]
        for status in ("paid", "owing", "overdue")
    ]
    assert counts == [7, 2, 3]
    assert sum(counts) == listed(client, world, "invoices")["count"]


def test_the_invoices_a_page_at_a_time(client, world):
    everything = [item["number"] for item in listed(client, world, "invoices")["items"]]
    page = listed(client, world, "invoices", limit=3, offset=3)
    assert (page["count"], page["limit"], page["offset"]) == (10, 3, 3)
    assert [item["number"] for item in page["items"]] == everything[3:6]
    last = listed(client, world, "invoices", limit=3, offset=9, status="paid")
    assert (last["count"], last["items"]) == (7, [])


@pytest.mark.parametrize(
    "query",
    [
        {"status": "maybe"},
        {"status": ""},
        {"partner": "Not a slug"},
        {"partner": "broad\tland"},
        {"call": "-"},
        {"number": ""},
        {"number": "NC\x010003"},
        {"limit": "0"},
        {"limit": "501"},
        {"offset": "-1"},
        {"paid": "yes"},
    ],
)
def test_a_bad_invoice_filter_is_422(client, world, query):
    response = client.get(
        reverse("api:invoices", args=[world.ours.slug]), query, **auth(world.token())
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    assert [error["field"] for error in body["errors"]] == list(query)


def test_one_invoice_is_the_lists(client, world):
    norwich = Invoice.objects.get(call__programme=world.ours, number="NC-0007")
    response = get(client, world, "invoice", invoice=norwich.pk)
    assert response.status_code == 200
    assert response.json() == by_number(listed(client, world, "invoices")["items"])["NC-0007"]
    broadland = Invoice.objects.get(call__programme=world.ours, number="NC-0003")
    assert len(get(client, world, "invoice", invoice=broadland.pk).json()["payments"]) == 2


def test_another_partnerships_invoice_is_404(client, world):
    theirs = Invoice.objects.get(call__programme=world.theirs, number="EW-0003")
    response = get(client, world, "invoice", invoice=theirs.pk)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    missing = Invoice.objects.order_by("-pk").first().pk + 1
    assert get(client, world, "invoice", invoice=missing).status_code == 404


@pytest.mark.parametrize("key", ["0", str(2**31), str(2**70)])
def test_an_invoice_id_out_of_range_is_422_not_500(client, world, key):
    address = reverse("api:invoice", args=[world.ours.slug, 1]).rsplit("/", 1)[0] + f"/{key}"
    response = client.get(address, **auth(world.token()))
    assert response.status_code == 422


def test_a_partner_officer_reads_every_councils_invoice_as_the_call_page_shows(client, world):
    token = world.token(Role.PARTNER_OFFICER, partner="broadland")
    norwich = Invoice.objects.get(call__programme=world.ours, number="NC-0007")
    assert get(client, world, "invoice", token=token, invoice=norwich.pk).status_code == 200


# Payments


def test_the_payments_oldest_first(client, world):
    payments = listed(client, world, "payments")
    assert payments["count"] == 9
    first = payments["items"][0]
    broadland = Invoice.objects.get(call__programme=world.ours, number="NC-0003")
    assert first == {
        "id": broadland.payments.order_by("date").first().pk,
        "invoice_id": broadland.pk,
        "invoice": "NC-0003",
        "partner": "broadland",
        "partner_name": "Broadland District Council",
        "date": "2004-07-20",
        "amount": "5000.00",
        "reference": "BACS 1",
    }
    dates = [item["date"] for item in payments["items"]]
    assert dates == sorted(dates)
    total = sum(Decimal(item["amount"]) for item in payments["items"])
    assert total == Decimal("65833.83")


def test_the_payments_filtered(client, world):
    def amounts(**query) -> list[tuple[str, str]]:
        items = listed(client, world, "payments", **query)["items"]
        return [(item["invoice"], item["amount"]) for item in items]

    assert amounts(partner="broadland") == [("NC-0003", "5000.00"), ("NC-0003", "5000.00")]
    assert amounts(invoice="NC-0002") == [("NC-0002", "2500.50")]
    assert amounts(partner="norwich") == []
    assert amounts(invoice="EW-0003") == []  # another partnership's invoice
    assert amounts(date_from="2004-07-29", date_to="2004-08-31") == [
        ("NC-0002", "2500.50"),
        ("NC-0003", "5000.00"),
    ]
    assert amounts(date_from="2004-11-20") == [("NC-0009", "3333.33")]
    assert amounts(date_to="2004-07-20") == [("NC-0003", "5000.00")]
    page = listed(client, world, "payments", limit=2, offset=1)
    assert (page["count"], len(page["items"])) == (9, 2)


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2004-13-45"},
        {"date_to": "yesterday"},
        {"partner": "BROADLAND"},
        {"invoice": ""},
        {"invoice": "NC\x010003"},
        {"reference": "BACS 1"},
    ],
)
def test_a_bad_payment_filter_is_422(client, world, query):
    response = client.get(
        reverse("api:payments", args=[world.ours.slug]), query, **auth(world.token())
    )
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == list(query)


# Queries


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("invoices", {}),
        ("invoices", {"limit": 500, "status": "overdue", "call": "call-0"}),
        ("payments", {}),
        ("payments", {"limit": 500, "date_from": "2004-01-01", "invoice": "M-call-0-1"}),
    ],
)
def test_the_lists_read_the_same_queries_at_10_and_1000_invoices(client, name, query):
    programme = ProgrammeFactory()
    token = token_of(MembershipFactory(partnership=programme.partnership, role=Role.ADMIN))
    address = reverse(f"api:{name}", args=[programme.slug])
    client.get(address, **auth(token))  # the token's last use written
    counts = []
    for count in (10, 990):
        many_invoices(programme, count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address, query, **auth(token))
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.json()["count"] == (10 if "call" in query else 1 if query else 1000)
    # the token, its membership, the programme, the count, the page (and its payments)
    assert counts[0] == counts[1] == (6 if name == "invoices" else 5), counts
