"""What a pending business case would ask of each council after the agreement, and what is due."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from projects.money.review import cap_warnings, next_due
from projects.programme_file import parse_programme
from tests.after_the_meeting import after_the_meeting, seed


def document(edit=None):
    content = after_the_meeting()
    if edit:
        edit(content)
    return parse_programme(json.dumps(content))


def test_no_warning_before_an_agreement():
    assert cap_warnings(parse_programme(json.dumps(seed()))) == []


def test_a_pending_case_past_the_agreed_cap_is_named_for_each_council():
    def pend_gateway(content):
        for project in content["projects"]:
            if project["slug"] == "authentication-gateway":
                project["phases"][1]["decision"] = "pending"

    warnings = cap_warnings(document(pend_gateway))
    # Approved, the gateway's £100,000 would make the committed minimum £175,000: £21,875 each,
    # past the £20,000 each agreed in October.
    assert len(warnings) == 8
    assert {(w.project, w.phase, w.needed, w.cap) for w in warnings} == {
        ("Authentication / Gateway", 2, D("21875.00"), D("20000.00"))
    }


def test_a_case_within_the_cap_is_not_named():
    def lower(content):
        for project in content["projects"]:
            if project["slug"] == "authentication-gateway":
                project["phases"][1]["decision"] = "pending"
                project["phases"][1]["extra_cost"] = "85000.00"  # £20,000 each exactly

    assert cap_warnings(document(lower)) == []


def test_the_next_due_date_is_the_earliest_unpaid_invoice_not_yet_past_due():
    calls = document().calls
    # South Norfolk owes its review invoice, due 30 November.
    assert next_due("south-norfolk", calls, date(2004, 11, 1)) == date(2004, 11, 30)
    assert next_due("south-norfolk", calls, date(2004, 12, 1)) is None  # overdue, not next
    # Norwich has paid nothing: its immediate invoice fell due on 31 July.
    assert next_due("norwich", calls, date(2004, 7, 2)) == date(2004, 7, 31)
    # Paid in full: nothing is due.
    assert next_due("broadland", calls, date(2004, 7, 2)) is None
    paid_norwich = [
        replace(
            call,
            invoices=tuple(
                replace(invoice, payments=(replace(calls[0].invoices[0].payments[0]),))
                if invoice.partner == "norwich"
                else invoice
                for invoice in call.invoices
            ),
        )
        for call in calls
    ]
    assert next_due("norwich", paid_norwich, date(2004, 7, 2)) is None
