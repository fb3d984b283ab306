"""What a pending business case would ask of each council after the agreement, and what is due."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from projects.money.document import (
    AgreementData,
    MeetingData,
    PartnerAgreementData,
    PartnerData,
    PartnershipData,
    PhaseData,
    ProgrammeData,
    ProgrammeDocument,
    ProjectData,
)
from projects.money.figures import compute_figures
from projects.money.review import (
    Need,
    cap_review,
    cap_warnings,
    cap_words,
    caps_after,
    next_due,
    over_words,
)
from projects.money.vocabulary import Apportionment, Borne, Decision
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


# The autumn review: the cap each council needs against the cap it agreed


def gateway(decision: str):
    def edit(content):
        for project in content["projects"]:
            if project["slug"] == "authentication-gateway":
                project["phases"][1]["decision"] = decision

    return edit


def only_june(content):
    """Leave the June agreement standing: caps of £30,000."""
    content["agreements"] = content["agreements"][:1]
    content["meetings"] = content["meetings"][:1]
    content["calls"] = content["calls"][:1]
    content["refunds"] = []


def review_of(doc, project="authentication-gateway", phase=2):
    return cap_review(doc, compute_figures(doc, date(2004, 12, 1)), project=project, phase=phase)


def test_no_review_before_an_agreement():
    doc = parse_programme(json.dumps(seed()))
    assert review_of(doc) is None
    assert caps_after(compute_figures(doc), {}) is None


def test_each_council_s_agreed_cap_against_its_share_of_the_maximum_now_and_with_each_decision():
    # The autumn meeting: the gateway's £100,000 business case still awaited, caps of £20,000.
    review = review_of(document(gateway("pending")))
    assert review.agreed_on == date(2004, 10, 15)
    assert len(review.rows) == 8
    breckland = review.rows[0]
    assert (breckland.partner, breckland.name) == ("breckland", "Breckland District Council")
    assert breckland.agreed_cap == D("20000.00")
    # £175,000 over eight councils now, and if approved; £75,000 if the phase does not proceed.
    assert (breckland.now.amount, breckland.now.words) == (
        D("21875.00"),
        "£1,875 over its agreed cap",
    )
    assert breckland.approved == breckland.now
    assert (breckland.not_proceeding.amount, breckland.not_proceeding.words) == (
        D("9375.00"),
        "£10,625 within its agreed cap",
    )
    assert (review.agreed_total, review.maximum_now, review.maximum_approved) == (
        D("160000.00"),
        D("175000.00"),
        D("175000.00"),
    )
    assert review.maximum_not_proceeding == D("75000.00")
    assert len(review.over(Decision.APPROVED)) == 8 and review.over(Decision.NOT_PROCEEDING) == ()
    assert review.warnings == (
        "If the business case is approved, every council will need £1,875 more than its agreed "
        "cap.",
    )


def test_within_the_june_caps_there_is_no_warning():
    review = review_of(document(lambda content: (gateway("pending")(content), only_june(content))))
    assert {row.now.words for row in review.rows} == {"£8,125 within its agreed cap"}
    assert review.warnings == ()


def test_reopening_a_stopped_phase_takes_each_council_past_its_cap():
    # In October the gateway did not proceed: £9,375 each is needed, within the £20,000 caps.
    review = review_of(document())
    assert {row.now.words for row in review.rows} == {"£10,625 within its agreed cap"}
    assert all(row.not_proceeding == row.now for row in review.rows)
    assert {row.approved.words for row in review.rows} == {"£1,875 over its agreed cap"}
    assert review.warnings[0].startswith("If the business case is approved, every council")


def test_a_phase_whose_cost_is_to_be_confirmed_moves_no_cap():
    review = review_of(document(gateway("pending")), project="benefits-form", phase=2)
    assert all(row.now == row.approved == row.not_proceeding for row in review.rows)


def test_the_difference_is_said_in_words():
    assert cap_words(D("17500.00"), D("20000.00")) == "£2,500 within its agreed cap"
    assert cap_words(D("21250.00"), D("20000.00")) == "£1,250 over its agreed cap"
    assert cap_words(D("20000.01"), D("20000.00")) == "£0.01 over its agreed cap"
    assert cap_words(D("20000.00"), D("20000.00")) == "exactly its agreed cap"
    assert Need(D("19000.00"), D("20000.00")).over == D("0.00")


def test_who_is_over_is_said_plainly():
    one = [("Norwich City Council", D("1250.00"))]
    assert over_words(one, future=True, of=8) == (
        "Norwich City Council will need £1,250 more than its agreed cap."
    )
    assert over_words(one, future=False, of=1) == (
        "Norwich City Council now needs £1,250 more than its agreed cap."
    )
    two = [("Breckland", D("1875.00")), ("Norwich", D("1875.00"))]
    assert over_words(two, future=False, of=8) == (
        "two councils now need £1,875 more each than their agreed caps: Breckland and Norwich."
    )
    assert over_words(two, future=True, of=2) == (
        "every council will need £1,875 more than its agreed cap."
    )
    differing = [("Breckland", D("1875.00")), ("Norwich", D("0.01")), ("Broadland", D("2"))]
    assert over_words(differing, future=True, of=8) == (
        "three councils will need more than their agreed caps: Breckland £1,875, Norwich £0.01 "
        "and Broadland £2."
    )


def test_after_a_phase_stops_the_councils_that_paid_beyond_their_share_have_a_surplus():
    doc = document()  # the gateway does not proceed: £9,375 each of £75,000
    after = caps_after(compute_figures(doc, date(2004, 12, 1)), {"broadland": "Broadland"})
    assert after.over == ()
    assert after.councils == 8
    surplus = {item.partner: item.amount for item in after.surplus}
    # Paid £10,000 each; Norfolk County £13,333.33 less a penny's credit; North Norfolk was
    # refunded £1,250 already, Breckland and Norwich have paid less than their share.
    assert surplus == {
        "broadland": D("625.00"),
        "great-yarmouth": D("625.00"),
        "kings-lynn-west-norfolk": D("625.00"),
        "norfolk-county": D("3958.32"),
        "south-norfolk": D("625.00"),
    }
    assert after.surplus[0].name == "Broadland"
    assert after.surplus_sentence.startswith(
        "Five councils have paid more than their shares of the new maximum: Broadland £625, "
    )
    assert after.over_sentence == ""


def test_after_approving_every_council_past_its_cap_is_said():
    doc = document(gateway("approved"))
    after = caps_after(compute_figures(doc, date(2004, 12, 1)), {})
    assert after.over_sentence == "Every council now needs £1,875 more than its agreed cap."
    assert after.surplus == ()


# The needed caps always sum to the maximum, to the penny


MONEY = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


@st.composite
def programmes(draw):
    count = draw(st.integers(min_value=1, max_value=12))
    method = draw(st.sampled_from(list(Apportionment)))
    partners = tuple(
        PartnerData(
            slug=f"council-{n:02d}",
            name=f"Council {n}",
            contributes=n == 0 or draw(st.booleans()),
            population=draw(st.integers(min_value=1, max_value=900_000)),
            weight=draw(st.decimals(min_value=1, max_value=100, places=2)),
        )
        for n in range(count)
    )
    phase_data = st.builds(
        PhaseData,
        number=st.just(0),
        name=st.just("Phase"),
        extra_cost=st.one_of(st.none(), MONEY),
        gated=st.booleans(),
        decision=st.sampled_from(list(Decision)),
        borne=st.sampled_from(list(Borne)),
    )
    projects = tuple(
        ProjectData(
            slug=f"project-{n}",
            name=f"Project {n}",
            phases=(
                *(
                    replace(phase, number=number + 1)
                    for number, phase in enumerate(draw(st.lists(phase_data, max_size=4)))
                ),
                PhaseData(
                    number=9,
                    name="Gated",
                    extra_cost=draw(st.one_of(st.none(), MONEY)),
                    gated=True,
                    decision=draw(st.sampled_from(list(Decision))),
                    borne=draw(st.sampled_from(list(Borne))),
                ),
            ),
        )
        for n in range(draw(st.integers(min_value=1, max_value=5)))
    )
    contributing = [p.slug for p in partners if p.contributes]
    agreement = AgreementData(
        meeting="board",
        per_partner=tuple(
            PartnerAgreementData(slug, D("0.00"), draw(MONEY)) for slug in contributing
        ),
    )
    return ProgrammeDocument(
        partnership=PartnershipData(slug="p", name="P"),
        programme=ProgrammeData(
            slug="programme",
            name="Programme",
            financial_years=("2004/05",),
            apportionment=method,
            rounding_step=draw(st.sampled_from([None, D("1000.00"), D("0.01")])),
        ),
        partners=partners,
        projects=projects,
        meetings=(MeetingData(slug="board", body="Board", date=date(2004, 6, 18)),),
        agreements=(agreement,),
    ), draw(st.integers(min_value=0, max_value=len(projects) - 1))


@given(programmes())
def test_the_needed_caps_sum_to_the_maximum_to_the_penny(drawn):
    doc, which = drawn
    project = doc.projects[which]
    figures = compute_figures(doc, date(2004, 12, 1))
    review = cap_review(doc, figures, project=project.slug, phase=9)
    assert review is not None
    assert review.maximum_now == sum((row.now.amount for row in review.rows), D(0))
    assert review.maximum_now == figures.extra_max
    gated = project.phases[-1]
    for decision, total in (
        (Decision.APPROVED, review.maximum_approved),
        (Decision.NOT_PROCEEDING, review.maximum_not_proceeding),
    ):
        decided = replace(
            doc,
            projects=tuple(
                replace(p, phases=(*p.phases[:-1], replace(gated, decision=decision)))
                if p.slug == project.slug
                else p
                for p in doc.projects
            ),
        )
        assert total == compute_figures(decided, date(2004, 12, 1)).extra_max
        assert total == sum((row.with_decision(decision).amount for row in review.rows), D(0))
    # The decision the phase already has needs what is needed now.
    assert all(row.with_decision(gated.decision) == row.now for row in review.rows)
    for row in review.rows:
        for need in (row.now, row.approved, row.not_proceeding):
            assert need.amount == need.amount.quantize(D("0.01"))
            assert need.over == max(need.amount - row.agreed_cap, D(0))
