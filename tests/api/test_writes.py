"""The API's writes: a payment, spend lines and a milestone's actual date, through the services.

Each is read back through the selectors the pages use; the history names the token's owner and
the token; a write the token or its owner's role may not make is 403, nothing saved.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from norfolk_connect.api.models import AccessToken, Scope
from norfolk_connect.api.v1.versions import record_etag
from projects.models import Invoice, Milestone, Partner, Payment, Role, Spend
from projects.selectors.pot import spend_summary
from projects.selectors.projects import project_history
from reports.report.selectors import statement_for
from tests.api.world import World, auth, make_world

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def world() -> World:
    return make_world()


def invoice_of(world: World, number: str, programme=None) -> Invoice:
    return Invoice.objects.get(call__programme=programme or world.ours, number=number)


def pay_url(world: World, invoice: Invoice, programme=None) -> str:
    slug = (programme or world.ours).slug
    return reverse("api:payment_record", kwargs={"slug": slug, "invoice": invoice.pk})


def spend_url(world: World) -> str:
    return reverse("api:spend_record", kwargs={"slug": world.ours.slug})


def milestone_url(world: World, milestone: Milestone) -> str:
    return reverse(
        "api:milestone_update", kwargs={"slug": world.ours.slug, "milestone": milestone.pk}
    )


def post(client, url, body, token, **headers):
    return client.post(url, json.dumps(body), content_type=JSON, **auth(token), **headers)


def patch(client, url, body, token, **headers):
    return client.patch(url, json.dumps(body), content_type=JSON, **auth(token), **headers)


def paid_by(world: World, slug: str) -> Decimal:
    """What the council's page says the council has paid."""
    partner = Partner.objects.get(partnership=world.ours.partnership, slug=slug)
    return statement_for(programme=world.ours, partner=partner).agreed.paid


def line(n: int = 0, **changes) -> dict:
    return {
        "project": "further-info-points",
        "phase": 1,
        "date": "2005-01-14",
        "amount": "10.00",
        "supplier": "Kiosks Ltd",
        "reference": f"PO-{n}",
        "description": "Kiosk parts",
        **changes,
    }


# Payments


def test_a_facilitators_payment_shows_on_the_councils_page_and_in_the_history(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    invoice = invoice_of(world, "NC-0002")  # Breckland's, £7,499.50 owed
    before = paid_by(world, "breckland")
    response = post(
        client,
        pay_url(world, invoice),
        {"date": "2005-01-14", "amount": "1000.50", "reference": "BACS 77"},
        token,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["payment"]["amount"] == "1000.50"
    after = {key: body["invoice"][key] for key in ("id", "number", "partner", "amount", "paid")}
    assert after == {
        "id": invoice.pk,
        "number": "NC-0002",
        "partner": "breckland",
        "amount": "10000.00",
        "paid": "3501.00",
    }
    assert body["invoice"]["owed"] == "6499.00"
    assert body["payment"]["invoice"] == "NC-0002"
    assert paid_by(world, "breckland") == before + Decimal("1000.50")
    assert response["ETag"] == record_etag(invoice)
    record = Payment.history.get(id=body["payment"]["id"])
    stored = AccessToken.objects.get(prefix=token.split("_")[1])
    assert record.history_user == stored.user
    assert record.history_change_reason == f'API token "Ledger" (ncp_{stored.prefix})'


def test_a_partner_officer_pays_their_own_councils_invoice_only(client, world):
    token = world.token(Role.PARTNER_OFFICER, Scope.READ_WRITE, partner="breckland")
    body = {"date": "2005-01-14", "amount": "100.00"}
    before = Payment.objects.count()
    refused = post(client, pay_url(world, invoice_of(world, "NC-0007")), body, token)  # Norwich's
    assert refused.status_code == 403
    assert "own council" in refused.json()["detail"]
    assert Payment.objects.count() == before
    response = post(client, pay_url(world, invoice_of(world, "NC-0002")), body, token)
    assert response.status_code == 201, response.content
    assert Payment.objects.count() == before + 1
    # Nothing else: spend and milestones are the editors'.
    milestone = Milestone.objects.get(project__programme=world.ours, actual=None)
    assert post(client, spend_url(world), {"lines": [line()]}, token).status_code == 403
    assert patch(client, milestone_url(world, milestone), {"actual": None}, token).status_code == (
        403
    )
    assert Spend.objects.filter(reference="PO-0").count() == 0


def test_read_tokens_and_readers_roles_write_nothing(client, world):
    invoice = invoice_of(world, "NC-0002")
    body = {"date": "2005-01-14", "amount": "100.00"}
    for token in (
        world.token(Role.FACILITATOR, Scope.READ),
        world.token(Role.PARTNER_OFFICER, Scope.READ, partner="breckland"),
        world.token(Role.CHIEF_EXECUTIVE, Scope.READ),
    ):
        response = post(client, pay_url(world, invoice), body, token)
        assert response.status_code == 403
        assert "reads only" in response.json()["detail"]
    assert not Payment.objects.filter(invoice=invoice, amount="100.00").exists()


def test_another_partnerships_invoice_is_404(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    theirs = invoice_of(world, "EW-0002", world.theirs)
    body = {"date": "2005-01-14", "amount": "100.00"}
    # Their invoice's id under our programme, and their programme's slug.
    assert post(client, pay_url(world, theirs), body, token).status_code == 404
    assert post(client, pay_url(world, theirs, world.theirs), body, token).status_code == 404
    assert not Payment.objects.filter(invoice=theirs, amount="100.00").exists()


def test_a_payment_is_refused_in_the_services_words(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    invoice = invoice_of(world, "NC-0002")
    response = post(
        client, pay_url(world, invoice), {"date": "2004-06-01", "amount": "9000.001"}, token
    )
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert fields["amount"] == "Amount must be in pounds and pence, like 15,000.50"
    assert "on or after the invoice's date of issue" in fields["date"]


@pytest.mark.parametrize(
    "body",
    [
        {"date": "2005-01-14"},  # no amount
        {"date": "2005-01-14", "amount": 100},  # a number, not a decimal string
        {"date": 1105660800, "amount": "100.00"},  # seconds, not a date
        {"date": "14/01/2005", "amount": "100.00"},
        {"date": "2005-01-14", "amount": "100.00", "extra": 1},
        {"date": "2005-01-14", "amount": "1e5"},
        [],
    ],
)
def test_bad_bodies_are_422_in_the_common_shape(client, world, body):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    response = post(client, pay_url(world, invoice_of(world, "NC-0002")), body, token)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]
    assert set(response.json()) == {"detail", "errors"}


def test_bad_json_is_422_not_500(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    url = pay_url(world, invoice_of(world, "NC-0002"))
    for text in ("{", "nonsense", ""):
        response = client.post(url, text, content_type=JSON, **auth(token))
        assert response.status_code in {400, 422}, response.content
        assert response.json()["detail"]


def test_a_date_outside_the_programme_is_confirmed_then_saved(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    invoice = invoice_of(world, "NC-0002")
    body = {"date": "2006-02-01", "amount": "50.00", "reference": "Late"}
    asked = post(client, pay_url(world, invoice), body, token)
    assert asked.status_code == 409
    assert "after the programme ends" in asked.json()["warnings"][0]
    assert not Payment.objects.filter(reference="Late").exists()
    wrong = post(client, pay_url(world, invoice), {**body, "confirmation": "nope"}, token)
    assert wrong.status_code == 409
    # Another amount is another change: its key is its own.
    other = post(
        client,
        pay_url(world, invoice),
        {**body, "amount": "60.00", "confirmation": asked.json()["confirmation"]},
        token,
    )
    assert other.status_code == 409
    confirmed = {**body, "confirmation": asked.json()["confirmation"]}
    assert post(client, pay_url(world, invoice), confirmed, token).status_code == 201
    assert Payment.objects.filter(reference="Late").count() == 1


def test_if_match_stale_is_412_with_the_changes_and_saves_nothing(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    invoice = invoice_of(world, "NC-0002")
    seen = record_etag(invoice)
    first = post(
        client,
        pay_url(world, invoice),
        {"date": "2005-01-14", "amount": "10.00", "reference": "First"},
        token,
        HTTP_IF_MATCH=seen,
    )
    assert first.status_code == 201
    assert first["ETag"] != seen
    count = Payment.objects.count()
    stale = post(
        client,
        pay_url(world, invoice),
        {"date": "2005-01-15", "amount": "20.00"},
        token,
        HTTP_IF_MATCH=seen,
    )
    assert stale.status_code == 412
    assert Payment.objects.count() == count
    (change,) = stale.json()["changes"]
    assert change["action"] == "Added"
    assert change["row"] == "Payment of £10 dated 14 January 2005"
    assert change["who"].endswith("through the API (token Ledger)")
    current = post(
        client,
        pay_url(world, invoice),
        {"date": "2005-01-15", "amount": "20.00"},
        token,
        HTTP_IF_MATCH=first["ETag"],
    )
    assert current.status_code == 201
    assert Payment.objects.count() == count + 1
    # A tag that names no version of the invoice: refused, with no changes to list.
    other = post(
        client,
        pay_url(world, invoice),
        {"date": "2005-01-15", "amount": "20.00"},
        token,
        HTTP_IF_MATCH='"abc"',
    )
    assert other.status_code == 412
    assert other.json()["changes"] == []


# Spend


def test_a_batch_of_spend_shows_on_the_spend_page(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    before = spend_summary(programme=world.ours).totals.spent
    lines = [line(n) for n in range(3)]
    response = post(client, spend_url(world), {"lines": lines}, token)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 3
    assert body["total"] == "30.00"
    assert [row["reference"] for row in body["lines"]] == ["PO-0", "PO-1", "PO-2"]
    assert spend_summary(programme=world.ours).totals.spent == before + Decimal("30.00")
    record = Spend.history.get(id=body["lines"][0]["id"])
    assert record.history_change_reason.startswith('API token "Ledger"')


def test_spend_on_a_phase_not_committed_is_refused(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    lines = [
        line(0),
        line(1, project="benefits-form", phase=2),  # waits for its business case
        line(2, project="authentication-gateway", phase=2),  # does not proceed
        line(3, project="no-such-project"),
        line(4, phase=9),
        line(5, amount="0.00"),
    ]
    response = post(client, spend_url(world), {"lines": lines}, token)
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert "awaits its business case" in fields["lines.1.phase"]
    assert "does not proceed" in fields["lines.2.phase"]
    assert fields["lines.3.project"] == "Select one of the programme's projects"
    assert fields["lines.4.phase"] == "Select one of the project's phases"
    assert fields["lines.5.amount"] == "Amount must be more than £0, in pounds and pence"
    assert "lines.0.phase" not in fields
    assert not Spend.objects.filter(reference__startswith="PO-").exists()


def test_a_batch_is_all_or_nothing(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    before = Spend.objects.count()
    lines = [line(n) for n in range(999)] + [line(999, amount="1.001")]
    response = post(client, spend_url(world), {"lines": lines}, token)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["lines.999.amount"]
    assert Spend.objects.count() == before


def test_a_batch_holds_1_to_1000_lines(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    for lines in ([], [line(n) for n in range(1001)]):
        response = post(client, spend_url(world), {"lines": lines}, token)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "lines"


def test_repeats_and_dates_outside_need_confirming(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    lines = [line(0), line(0), line(1, date="2006-01-02")]
    asked = post(client, spend_url(world), {"lines": lines}, token)
    assert asked.status_code == 409
    warnings = asked.json()["warnings"]
    assert warnings[0].startswith("Line 3: The date, 2 January 2006, is after the programme ends")
    assert warnings[1].startswith("Line 2: A spend line of £10 with reference PO-0 is already")
    assert not Spend.objects.filter(reference__startswith="PO-").exists()
    confirmed = {"lines": lines, "confirmation": asked.json()["confirmation"]}
    assert post(client, spend_url(world), confirmed, token).status_code == 201
    assert Spend.objects.filter(reference__startswith="PO-").count() == 3
    # Sent again, every line repeats one recorded.
    again = post(client, spend_url(world), {"lines": [line(1)]}, token)
    assert again.status_code == 409
    assert "already recorded" in again.json()["warnings"][0]


def inserts(size: int) -> int:
    """The INSERTs of ``size`` spend lines and their history: in batches of at most 500, or
    fewer where the database takes fewer values in one statement (SQLite)."""
    total = 0
    for model in (Spend, Spend.history.model):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        batch = min(500, connection.ops.bulk_batch_size(fields, [None] * size))
        total += -(-size // batch)
    return total


def test_1000_lines_take_a_fixed_number_of_queries(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    client.get(reverse("api:programmes"), **auth(token))  # the token's last use written
    counts = {}
    for size in (10, 1000):
        lines = [line(n, reference=f"B{size}-{n}") for n in range(size)]
        body = json.dumps({"lines": lines})
        with CaptureQueriesContext(connection) as queries:
            response = client.post(spend_url(world), body, content_type=JSON, **auth(token))
        assert response.status_code == 201, response.content
        written = [q for q in queries if q["sql"].startswith("INSERT")]
        assert len(written) == inserts(size), size
        counts[size] = len(queries) - len(written)
    # The token, its membership, the programme; two savepoints, the phases (locked), the lines
    # recorded on them, the savepoints released, the lines read back for the answer: the same
    # whatever the number of lines.
    assert counts == {10: 10, 1000: 10}, counts


def test_a_1000_line_batch_fits_and_a_10_mb_body_is_413(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    lines = [line(n, description="x" * 200) for n in range(1000)]
    body = json.dumps({"lines": lines})
    assert len(body) > 250_000
    assert post(client, spend_url(world), {"lines": lines}, token).status_code == 201
    huge = json.dumps({"lines": [line(0, description="x" * 10_000_000)]})
    response = client.post(spend_url(world), huge, content_type=JSON, **auth(token))
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


# Milestones


def test_a_milestones_actual_date_is_set_and_shown_in_the_projects_history(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    owner = AccessToken.objects.get(prefix=token.split("_")[1]).user
    owner.first_name, owner.last_name = "Jane", "Smith"
    owner.save()
    milestone = Milestone.objects.get(project__programme=world.ours, actual=None)
    before = (milestone.name, milestone.baseline, milestone.forecast, milestone.phase_id)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = patch(
        client,
        milestone_url(world, milestone),
        {"actual": yesterday.isoformat()},
        token,
        HTTP_IF_MATCH=record_etag(milestone),
    )
    assert response.status_code == 200, response.content
    assert response.json()["actual"] == yesterday.isoformat()
    milestone.refresh_from_db()
    assert milestone.actual == yesterday
    assert (milestone.name, milestone.baseline, milestone.forecast, milestone.phase_id) == before
    assert response["ETag"] == record_etag(milestone)
    entry = project_history(project=milestone.project)[0]
    assert entry.row == f"Milestone: {milestone.name}"
    assert entry.who == "Jane Smith, through the API (token Ledger)"  # named as People names
    assert [(c.field, c.new) for c in entry.changes] == [("Actual date", f"{yesterday:%Y-%m-%d}")]


def test_a_milestone_in_the_future_is_refused_and_stale_is_412(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    milestone = Milestone.objects.get(project__programme=world.ours, actual=None)
    seen = record_etag(milestone)
    tomorrow = timezone.localdate() + timedelta(days=1)
    url = milestone_url(world, milestone)
    response = patch(client, url, {"actual": tomorrow.isoformat()}, token)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "actual"
    assert patch(client, url, {"actual": "2004-10-01"}, token).status_code == 200
    stale = patch(client, url, {"actual": None}, token, HTTP_IF_MATCH=seen)
    assert stale.status_code == 412
    (change,) = stale.json()["changes"]
    assert change["fields"] == [{"field": "Actual date", "old": "-", "new": "2004-10-01"}]
    milestone.refresh_from_db()
    assert milestone.actual == date(2004, 10, 1)
    assert patch(client, url, {}, token).status_code == 422  # actual is required
    theirs = Milestone.objects.filter(project__programme=world.theirs).first()
    assert patch(client, milestone_url(world, theirs), {"actual": None}, token).status_code == 404


def test_a_nul_in_the_query_or_body_is_422_json(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    response = client.get(reverse("api:programmes") + "?limit=%00", **auth(token))
    assert response.status_code == 422
    assert "NUL" in response.json()["errors"][0]["message"]
    invoice = invoice_of(world, "NC-0002")
    body = {"date": "2005-01-14", "amount": "1.00", "reference": "A\x00B"}
    response = post(client, pay_url(world, invoice), body, token)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reference"


def test_the_etag_a_get_gives_is_the_version_a_write_checks(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    invoice = invoice_of(world, "NC-0002")
    address = reverse("api:invoice", args=[world.ours.slug, invoice.pk])
    read = client.get(address, **auth(token))
    etag = read["ETag"]
    assert etag.startswith(record_etag(invoice).removesuffix('"') + ".")
    assert client.get(address, HTTP_IF_NONE_MATCH=etag, **auth(token)).status_code == 304
    body = {"date": "2005-01-14", "amount": "1.00", "reference": "A"}
    first = post(client, pay_url(world, invoice), body, token, HTTP_IF_MATCH=etag)
    assert first.status_code == 201, first.content
    # The same ETag again names the version before that payment: refused, nothing saved.
    count = Payment.objects.count()
    again = post(client, pay_url(world, invoice), body, token, HTTP_IF_MATCH=etag)
    assert again.status_code == 412
    assert [change["action"] for change in again.json()["changes"]] == ["Added"]
    assert Payment.objects.count() == count
    # Read again: a new ETag, which the write takes.
    fresh = client.get(address, HTTP_IF_NONE_MATCH=etag, **auth(token))
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    taken = post(client, pay_url(world, invoice), body, token, HTTP_IF_MATCH=fresh["ETag"])
    assert taken.status_code == 201, taken.content


def test_a_milestones_get_etag_is_taken_by_its_patch(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    milestone = Milestone.objects.filter(project__programme=world.ours).order_by("pk").first()
    etag = client.get(
        reverse("api:milestone", args=[world.ours.slug, milestone.pk]), **auth(token)
    )["ETag"]
    today = timezone.localdate().isoformat()
    url = milestone_url(world, milestone)
    assert patch(client, url, {"actual": today}, token, HTTP_IF_MATCH=etag).status_code == 200
    stale = patch(client, url, {"actual": None}, token, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    milestone.refresh_from_db()
    assert milestone.actual.isoformat() == today


def test_the_invoices_page_says_a_payment_came_through_the_api(client, world):
    token = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    invoice = invoice_of(world, "NC-0002")
    body = {"date": "2005-01-14", "amount": "12.34", "reference": "BACS 9"}
    assert post(client, pay_url(world, invoice), body, token).status_code == 201
    facilitator = world.member(Role.FACILITATOR)
    owner = AccessToken.objects.get(prefix=token.split("_")[1]).user
    client.force_login(facilitator.user)
    page = client.get(
        reverse("contributions:payment_create", args=[world.ours.slug, invoice.pk])
    ).content.decode()
    assert not owner.get_full_name()  # no name known: the username stands for them
    assert f"{owner.get_username()}, through the API (token Ledger)" in page
    assert "(system)" in page  # the payments loaded from the programme file
