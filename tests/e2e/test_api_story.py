"""The API's story, as the issue tells it: Broadland's finance contact makes a token in the
browser, reads Broadland's position with it, records a payment that the facilitator then sees on
the partners page and on the invoice's page ("through the API"), and the same token is refused
another partnership's data and any write beyond what its owner's role allows.
"""

from __future__ import annotations

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Invoice, Milestone, Partner, Programme
from tests.contributions.money import agree, raise_call
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in
from tests.projects.factories import MilestoneFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_broadlands_finance_contact_records_a_payment_through_the_api(page, browser, demo):
    programme = Programme.objects.get(slug="norfolk-connect-2004")
    councils = list(
        Partner.objects.filter(partnership=programme.partnership, contributes=True).order_by(
            "position"
        )
    )
    agree(programme, councils)
    raise_call(programme)
    broadland = Partner.objects.get(partnership=programme.partnership, slug="broadland")
    officer = get_user_model().objects.get(username="partner-officer")
    broadland.finance_contact_name = "Pat Officer"
    broadland.finance_contact_email = officer.email
    broadland.save()
    ours = Invoice.objects.get(call__programme=programme, partner=broadland)
    norwich = Invoice.objects.get(call__programme=programme, partner__slug="norwich")
    milestone = MilestoneFactory(project=programme.projects.order_by("position").first())
    elsewhere = ProgrammeFactory(slug="elsewhere-2004")

    # Broadland's finance contact makes a read-and-write token on their own page.
    sign_in(page, "partner-officer")
    page.goto(reverse("account_tokens"))
    page.get_by_role("link", name="Make a token").click()
    page.get_by_label("Name").fill("Broadland ledger")
    page.get_by_label("What it may do").select_option("read_write")
    page.get_by_role("button", name="Make the token").click()
    token = page.locator("#token").input_value()
    assert token.startswith("ncp_")

    base = f"{page.url.split('/account')[0]}/api/v1/programmes/{programme.slug}"
    api = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=20)
    position = api.get(f"{base}/partners/broadland")
    assert position.status_code == 200, position.text
    owed_before = ours.amount
    assert str(owed_before) in position.text

    paid = api.post(
        f"{base}/invoices/{ours.pk}/payments",
        json={"date": "2004-07-20", "amount": "4000.00", "reference": "BACS 4411"},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["invoice"]["paid"] == "4000.00"
    assert paid.json()["invoice"]["owed"] == f"{ours.amount - 4000:.2f}"

    # Beyond what the token may do: refused, and nothing changes.
    refused = {
        "another partnership": api.get(
            f"{base.replace(programme.slug, elsewhere.slug)}/figures"
        ).status_code,
        "another council's invoice": api.post(
            f"{base}/invoices/{norwich.pk}/payments",
            json={"date": "2004-07-20", "amount": "1.00", "reference": "X"},
        ).status_code,
        "spend": api.post(
            f"{base}/spend",
            json={
                "lines": [
                    {
                        "project": milestone.project.slug,
                        "phase": 1,
                        "date": "2004-08-01",
                        "amount": "1.00",
                    }
                ]
            },
        ).status_code,
        "a milestone": api.patch(
            f"{base}/milestones/{milestone.pk}", json={"actual": "2004-08-01"}
        ).status_code,
    }
    assert refused == {
        "another partnership": 404,
        "another council's invoice": 403,
        "spend": 403,
        "a milestone": 403,
    }
    assert not norwich.payments.exists()
    assert Milestone.objects.get(pk=milestone.pk).actual is None

    # The facilitator sees the payment on the partners page and where it came from.
    facilitator = browser.new_context(base_url=page.url.split("/account")[0], locale="en-GB")
    seen = facilitator.new_page()
    sign_in(seen, "facilitator")
    seen.goto(reverse("contributions:partner_list", args=[programme.slug]))
    row = seen.get_by_role("row").filter(has_text="Broadland District Council").first
    assert "£10,000\t£4,000\t£6,000" in row.inner_text()  # invoiced, paid, owed
    seen.goto(reverse("contributions:payment_create", args=[programme.slug, ours.pk]))
    recorded = seen.get_by_role("row").filter(has_text="BACS 4411").inner_text()
    assert "partner-officer, through the API (token Broadland ledger)" in recorded
    # The invoice's page with its new "Recorded by" column, at desktop and phone widths.
    found = [f"at 1366: {violation}" for violation in axe_violations(seen)]
    seen.set_viewport_size({"width": 320, "height": 640})
    found += [f"at 320: {problem}" for problem in reflow_problems(seen)]
    found += [f"at 320: {violation}" for violation in axe_violations(seen)]
    assert found == []
    facilitator.close()
