"""The programme file's records after the meeting: read, checked, stored and written back."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from projects.models import Invoice, Meeting, PartnerAgreement, Payment, Refund, Spend
from projects.money.figures import compute_figures
from projects.programme_file import ProgrammeFileError, dumps_programme, parse_programme
from projects.selectors import programme_document
from projects.services.import_plan import ProgrammeLoadError
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting, seed_before_the_meeting

pytestmark = pytest.mark.django_db


def problems_of(content) -> list[str]:
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(json.dumps(content))
    return [f"{problem.path}: {problem.message}" for problem in caught.value.problems]


def test_a_format_2_file_reads_and_writes_back_exactly():
    content = after_the_meeting()
    document = parse_programme(json.dumps(content))
    assert len(document.calls[0].invoices) == 8
    assert document.agreements[0].per_partner[2].consent_date.isoformat() == "2004-07-05"
    assert json.loads(dumps_programme(document)) == content


def test_a_programme_with_no_record_after_the_meeting_is_still_written_as_format_1():
    document = parse_programme(json.dumps(seed_before_the_meeting()))
    assert json.loads(dumps_programme(document))["format"] == "partnership-programme/1"


def test_every_record_is_stored_and_read_back_as_loaded():
    document = parse_programme(json.dumps(after_the_meeting()))
    programme = programme_load(document=document)
    assert Meeting.objects.filter(programme=programme).count() == 2
    assert PartnerAgreement.objects.count() == 16
    assert Invoice.objects.count() == 10
    assert Payment.objects.count() == 9
    assert Refund.objects.count() == 2
    assert Spend.objects.get().amount == Decimal("1200.00")
    # Each record is in the history.
    assert Payment.history.count() == 9
    stored = programme_document(programme=programme, include_report=True)
    assert stored == document
    assert json.loads(dumps_programme(stored)) == after_the_meeting()


def test_loading_again_replaces_the_records_whole():
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    changed = after_the_meeting()
    changed["calls"].pop()
    changed["refunds"] = []
    programme_load(document=parse_programme(json.dumps(changed)))
    assert Invoice.objects.count() == 8
    assert not Refund.objects.exists()
    stored = programme_document(programme=programme, include_report=True)
    assert json.loads(dumps_programme(stored)) == changed


def test_an_invoice_number_another_programme_of_the_partnership_has_is_refused():
    programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    other = after_the_meeting()
    other["programme"]["slug"] = "norfolk-connect-2005"
    with pytest.raises(ProgrammeLoadError) as caught:
        programme_load(document=parse_programme(json.dumps(other)))
    first = caught.value.problems[0]
    assert first.path == "calls[0].invoices[0].number"
    assert "'NC-0001' is already the programme 'norfolk-connect-2004''s" in first.message
    assert not Meeting.objects.filter(programme__slug="norfolk-connect-2005").exists()


def changed(edit):
    content = after_the_meeting()
    edit(content)
    return content


def set_in(content, path, value):
    *parents, last = path
    target = content
    for key in parents:
        target = target[key]
    target[last] = value


def lower_the_autumn_caps(content):
    # The October meeting lowers every cap to £5,000, below the £10,000 invoiced in July.
    for part in content["agreements"][1]["per_partner"]:
        part["immediate"] = part["cap"] = "5000.00"
    content["calls"].pop()  # the review call would be past the new caps


BAD = {
    "a call above the agreed cap": (
        lambda c: set_in(c, ["calls", 1, "invoices", 0, "amount"], "10000.01"),
        "calls[1].invoices[0].amount: would take 'norfolk-county' to £20,000.01 invoiced, "
        "above its agreed cap of £20,000 in the agreement standing on the call's date of issue",
    ),
    "a payment larger than the invoice": (
        lambda c: set_in(c, ["calls", 0, "invoices", 2, "payments", 1, "amount"], "5000.01"),
        "calls[0].invoices[2].payments[1].amount: would make the payments £10,000.01, more "
        "than the invoice's £10,000",
    ),
    "a payment before the invoice": (
        lambda c: set_in(c, ["calls", 0, "invoices", 2, "payments", 0, "date"], "2004-06-30"),
        "calls[0].invoices[2].payments[0].date: must not be before the invoice was issued "
        "(2004-07-01)",
    ),
    "a refund larger than what was paid": (
        lambda c: set_in(c, ["refunds", 0, "amount"], "10000.01"),
        "refunds[0].amount: would make 'north-norfolk''s refunds and credits £10,000.01, "
        "more than the £10,000 it has paid",
    ),
    "a review call with no later agreement": (
        lambda c: c["agreements"].pop(),
        "calls[1].tranche: the review tranche is called only after a later meeting's "
        "agreement releases it, and on or after that meeting's date",
    ),
    "a call before the agreement": (
        lambda c: set_in(c, ["calls", 0, "issued"], "2004-06-01"),
        "calls[0].issued: must not be before the meeting that agreed the contributions "
        "(2004-06-18)",
    ),
    "a call with no agreement": (
        lambda c: c.update(agreements=[]),
        "calls[0]: needs an agreement: a call asks for money a meeting agreed",
    ),
    "a due date before the issue": (
        lambda c: set_in(c, ["calls", 0, "due"], "2004-06-30"),
        "calls[0].due: must not be before issued (2004-07-01)",
    ),
    "an unknown meeting": (
        lambda c: set_in(c, ["agreements", 0, "meeting"], "chief-executive-2004-06"),
        "agreements[0].meeting: unknown meeting 'chief-executive-2004-06' (did you mean "
        "'chief-executives-2004-06'?)",
    ),
    "two agreements of one meeting": (
        lambda c: set_in(c, ["agreements", 1, "meeting"], "chief-executives-2004-06"),
        "agreements[1].meeting: duplicate agreement for 'chief-executives-2004-06' "
        "(also agreements[0].meeting)",
    ),
    "an immediate tranche above the cap": (
        lambda c: set_in(c, ["agreements", 0, "per_partner", 0, "immediate"], "30000.01"),
        "agreements[0].per_partner[0].immediate: must not be more than the cap (30000.00)",
    ),
    "a partner twice in an agreement": (
        lambda c: set_in(c, ["agreements", 0, "per_partner", 1, "partner"], "norfolk-county"),
        "agreements[0].per_partner[1].partner: duplicate partner 'norfolk-county' "
        "(also agreements[0].per_partner[0].partner)",
    ),
    "an invoice number twice": (
        lambda c: set_in(c, ["calls", 1, "invoices", 0, "number"], "NC-0001"),
        "calls[1].invoices[0].number: duplicate invoice number 'NC-0001' "
        "(also calls[0].invoices[0].number)",
    ),
    "a partner invoiced twice in a call": (
        lambda c: set_in(c, ["calls", 0, "invoices", 1, "partner"], "norfolk-county"),
        "calls[0].invoices[1].partner: duplicate invoice for 'norfolk-county' "
        "(also calls[0].invoices[0].partner)",
    ),
    "an invoice of nothing": (
        lambda c: set_in(c, ["calls", 0, "invoices", 6, "amount"], "0.00"),
        "calls[0].invoices[6].amount: must be more than zero",
    ),
    "a negative payment": (
        lambda c: set_in(c, ["calls", 0, "invoices", 0, "payments", 0, "amount"], "-1.00"),
        "calls[0].invoices[0].payments[0].amount: must not be negative",
    ),
    "a consent without its date": (
        lambda c: set_in(c, ["agreements", 0, "per_partner", 2, "consent"], {"reference": "x"}),
        "agreements[0].per_partner[2].consent.date: required",
    ),
    "a meeting without a date": (
        lambda c: set_in(c, ["meetings", 0, "date"], None),
        'meetings[0].date: must be a date such as "2004-07-01"',
    ),
    "a refund of another kind": (
        lambda c: set_in(c, ["refunds", 0, "kind"], "gift"),
        "refunds[0].kind: must be one of: refund, credit (not 'gift')",
    ),
    "an unknown partner refunded": (
        lambda c: set_in(c, ["refunds", 0, "partner"], "nowhere"),
        "refunds[0].partner: unknown partner 'nowhere'",
    ),
    "spend on a phase waiting for its business case": (
        lambda c: set_in(
            c, ["spend", 0], {**c["spend"][0], "project": "benefits-form", "phase": 2}
        ),
        "spend[0].phase: money is spent only on a committed phase: phase 2 of "
        "'benefits-form' waits for its business case",
    ),
    "spend on a phase that does not proceed": (
        lambda c: set_in(
            c, ["spend", 0], {**c["spend"][0], "project": "authentication-gateway", "phase": 2}
        ),
        "spend[0].phase: money is spent only on a committed phase: phase 2 of "
        "'authentication-gateway' does not proceed",
    ),
    "a forecast for a phase there is not": (
        lambda c: set_in(c, ["forecasts", 0, "phase"], 3),
        "forecasts[0].phase: project 'further-info-points' has no phase 3",
    ),
    "a forecast outside the programme's years": (
        lambda c: set_in(c, ["forecasts", 0, "financial_year"], "2007/08"),
        "forecasts[0].financial_year: must be one of the programme's financial years: "
        "2004/05, 2005/06 (not '2007/08')",
    ),
    "a milestone of a project there is not": (
        lambda c: set_in(c, ["milestones", 0, "project"], "portal-x"),
        "milestones[0].project: unknown project 'portal-x'",
    ),
    "a milestone of a phase there is not": (
        lambda c: set_in(c, ["milestones", 0, "phase"], 9),
        "milestones[0].phase: project 'authentication-gateway' has no phase 9",
    ),
    "a milestone with no baseline date": (
        lambda c: c["milestones"][0].pop("baseline"),
        "milestones[0].baseline: required",
    ),
    "a milestone on no day of the calendar": (
        lambda c: set_in(c, ["milestones", 0, "actual"], "2005-02-30"),
        'milestones[0].actual: must be a date such as "2004-07-01"',
    ),
    "a status that is not red, amber or green": (
        lambda c: set_in(c, ["status_updates", 0, "status"], "blue"),
        "status_updates[0].status: must be one of: red, amber, green (not 'blue')",
    ),
    "a status with no reason": (
        lambda c: set_in(c, ["status_updates", 0, "reason"], " "),
        "status_updates[0].reason: must not be empty",
    ),
    "a status of a project there is not": (
        lambda c: set_in(c, ["status_updates", 1, "project"], "portal-x"),
        "status_updates[1].project: unknown project 'portal-x'",
    ),
    "a milestone reached after today": (
        lambda c: set_in(c, ["milestones", 0, "actual"], "2999-01-01"),
        "milestones[0].actual: must be today or earlier: a milestone is reached once it is",
    ),
    "a status set after today": (
        lambda c: set_in(c, ["status_updates", 0, "date"], "2999-01-01"),
        "status_updates[0].date: must be today or earlier",
    ),
    "a risk scored 6": (
        lambda c: set_in(c, ["risks", 0, "likelihood"], 6),
        "risks[0].likelihood: is too large",
    ),
    "a risk scored 0": (
        lambda c: set_in(c, ["risks", 1, "impact"], 0),
        "risks[1].impact: must be 1 or more",
    ),
    "a risk scored in words": (
        lambda c: set_in(c, ["risks", 1, "impact"], "high"),
        "risks[1].impact: must be a whole number, not 'high'",
    ),
    "two risks with one reference": (
        lambda c: set_in(c, ["risks", 1, "reference"], "3.1"),
        "risks[1].reference: duplicate reference '3.1' (also risks[0].reference)",
    ),
    "a risk reference too long": (
        lambda c: set_in(c, ["risks", 0, "reference"], "R" * 21),
        "risks[0].reference: must be at most 20 characters long (it has 21)",
    ),
    "a risk of a project there is not": (
        lambda c: set_in(c, ["risks", 2, "project"], "portal-x"),
        "risks[2].project: unknown project 'portal-x'",
    ),
    "a risk whose status is not open or closed": (
        lambda c: set_in(c, ["risks", 2, "status"], "done"),
        "risks[2].status: must be one of: open, closed (not 'done')",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_each_bad_record_is_refused_at_its_place(name):
    edit, expected = BAD[name]
    assert expected in problems_of(changed(edit))


def test_a_call_is_held_to_the_agreement_standing_on_its_date_not_a_later_one():
    # July's invoices were within June's caps; October lowering the caps does not undo them.
    figures = compute_figures(parse_programme(json.dumps(changed(lower_the_autumn_caps))))
    assert figures.ledger.uncalled == Decimal("-40000.00")  # 8 x (5,000 - 10,000)
    assert all(ledger.agreed_cap == Decimal("5000.00") for ledger in figures.ledgers)


def test_a_format_1_file_may_not_hold_the_records_after_the_meeting():
    content = after_the_meeting()
    content["format"] = "partnership-programme/1"
    problems = problems_of(content)
    assert 'meetings: is a key of the format "partnership-programme/2", not of this file\'s' in (
        problems
    )


def test_a_bad_file_writes_nothing():
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    before = json.loads(dumps_programme(programme_document(programme=programme)))
    bad = copy.deepcopy(after_the_meeting())
    bad["calls"][1]["invoices"][0]["amount"] = "99999.00"
    with pytest.raises(ProgrammeFileError):
        parse_programme(json.dumps(bad))
    assert json.loads(dumps_programme(programme_document(programme=programme))) == before
