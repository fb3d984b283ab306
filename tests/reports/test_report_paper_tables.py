"""The tables of the papers after the meeting: the autumn review's and a progress report's.

The autumn review paper sets out the business cases and each council's contribution against the
cap it needs now; a progress report each council's money on the paper's date and the pot. Every
total is its column's sum, to the penny. The medium term workload paper has none of them, and
its page, PDF and snapshot are as they were.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from projects.models import Meeting, Phase, Programme, ReportText
from projects.money.document import AgreementData, ProgrammeDocument
from projects.money.paper_tables import total_words
from projects.money.vocabulary import Decision, PaperTemplate
from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from reports.models import IssuedReport
from reports.report.changes import fingerprint, report_changes, report_snapshot
from reports.report.content import BoardReport, board_report_from_document
from reports.report.selectors import board_report, changes_since_issued
from reports.selectors import report_render_fingerprint
from reports.services import paper_create, report_issue, report_render_request
from tests.after_the_meeting import after_the_meeting, with_a_december_call
from tests.conftest import SEED_FILE
from tests.reports.test_dashboard import element, text_of
from tests.reports.test_report_render import pdf_text, run_worker

AUTUMN = PaperTemplate.AUTUMN_REVIEW
PROGRESS = PaperTemplate.PROGRESS
DEMO = "norfolk-connect-2004"
DECEMBER = date(2004, 12, 1)
OCTOBER_MEETING = "chief-executives-2004-10"
# The keys of the medium term workload paper's snapshot, as they were before the papers after
# the meeting had tables of their own.
WORKLOAD_SNAPSHOT_KEYS = {
    "format",
    "title",
    "figures",
    "partners",
    "projects",
    "recommendation",
    "text_sha256",
    "charts_appendix",
}
# Every council agreed £10,000 now and up to £20,000 in October; the maximum is £75,000 once
# the gateway's phase 2 does not proceed, £9,375 a council.
CONTRIBUTIONS = [
    ("Norfolk County Council", "13333.33", "13333.33"),
    ("Breckland District Council", "10000.00", "2500.50"),
    ("Broadland District Council", "10000.00", "10000.00"),
    ("Great Yarmouth Borough Council", "10000.00", "10000.00"),
    ("Borough Council of King's Lynn and West Norfolk", "10000.00", "10000.00"),
    ("North Norfolk District Council", "10000.00", "10000.00"),
    ("Norwich City Council", "10000.00", "0.00"),
    ("South Norfolk Council", "13333.34", "10000.00"),
]


WITHIN = "£10,625 within its agreed cap"


def document(content: dict | None = None) -> ProgrammeDocument:
    return parse_programme(json.dumps(content or after_the_meeting()))


def report(doc: ProgrammeDocument, template: str, on: date = DECEMBER) -> BoardReport:
    return board_report_from_document(doc, on=on, template=template)


def with_phase(doc: ProgrammeDocument, project: str, number: int, **changes) -> ProgrammeDocument:
    return replace(
        doc,
        projects=tuple(
            replace(
                item,
                phases=tuple(
                    replace(phase, **changes) if phase.number == number else phase
                    for phase in item.phases
                ),
            )
            if item.slug == project
            else item
            for item in doc.projects
        ),
    )


def body_html(doc: ProgrammeDocument, template: str, *, print_: bool = False) -> str:
    return render_to_string(
        "reports/report_body.html", {"report": report(doc, template), "print": print_}
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def d(amount: str) -> Decimal:
    return Decimal(amount)


# The autumn review: the business cases


def test_the_autumn_review_lists_each_gated_phase_and_its_decision():
    cases = report(document(), AUTUMN).business_cases
    assert cases is not None
    assert [(c.title, c.cost_text, c.cost_note, c.decision_text, c.note) for c in cases] == [
        (
            "Authentication / Gateway, phase 2: Connection",
            "£100,000",
            "individual connection costs",
            "Not proceeding",
            "",
        ),
        ("Benefits Form, phase 2: Links to e-forms", "TBC", "", "Awaiting a decision", ""),
    ]


def test_a_decided_case_gives_its_date_and_note():
    doc = with_phase(
        document(),
        "benefits-form",
        2,
        decision=Decision.APPROVED,
        extra_cost=d("4000.00"),
        decided_on=date(2004, 10, 15),
        decision_note="The business case stacks up.",
    )
    case = report(doc, AUTUMN).business_cases[1]
    assert (case.cost_text, case.decision_text, case.note) == (
        "£4,000",
        "Approved on 15 October 2004",
        "The business case stacks up.",
    )
    html = body_html(doc, AUTUMN)
    assert (
        "Benefits Form Phase 2: Links to e-forms £4,000 Approved on 15 October 2004 "
        "The business case stacks up." in element(html, "business-cases")
    )


def test_a_programme_without_gated_phases_says_so():
    doc = document()
    doc = replace(
        doc,
        projects=tuple(
            replace(p, phases=tuple(replace(ph, gated=False) for ph in p.phases))
            for p in doc.projects
        ),
    )
    assert report(doc, AUTUMN).business_cases == ()
    assert "No phase of the programme waits on a business case." in body_html(doc, AUTUMN)


# The autumn review: each council's contribution


def test_each_councils_contribution_against_the_cap_it_needs_now():
    review = report(document(), AUTUMN).contribution_review
    assert review is not None and review.agreed
    assert review.agreed_on == date(2004, 10, 15)
    rows = [
        (r.name, r.agreed_immediate, r.agreed_cap, r.invoiced, r.paid, r.needed, r.words)
        for r in review.rows
    ]
    assert rows == [
        (name, d("10000"), d("20000"), d(invoiced), d(paid), d("9375"), WITHIN)
        for name, invoiced, paid in CONTRIBUTIONS
    ]
    totals = (review.agreed_immediate, review.agreed_cap, review.invoiced, review.paid)
    assert totals == (d("80000.00"), d("160000.00"), d("86666.67"), d("65833.83"))
    assert review.needed == d("75000.00")  # the maximum, to the penny
    assert review.words == "£85,000 within the agreed caps"
    # Every total is its column's sum.
    for key in ("agreed_immediate", "agreed_cap", "invoiced", "paid", "needed"):
        assert getattr(review, key) == sum(getattr(row, key) for row in review.rows)


def test_a_pending_case_shows_each_council_over_its_cap():
    doc = with_phase(document(), "authentication-gateway", 2, decision=Decision.PENDING)
    review = report(doc, AUTUMN).contribution_review
    assert {(r.needed, r.words) for r in review.rows} == {
        (d("21875.00"), "£1,875 over its agreed cap")
    }
    assert (review.needed, review.over, review.words) == (
        d("175000.00"),
        d("15000.00"),
        "£15,000 over the agreed caps",
    )
    html = body_html(doc, AUTUMN)
    assert "<strong>£1,875 over its agreed cap</strong>" in html


def test_the_total_difference_sums_the_overs_and_the_withins_apart():
    doc = with_phase(document(), "authentication-gateway", 2, decision=Decision.PENDING)
    june, october = doc.agreements
    parts = tuple(
        replace(part, cap=d("25000.00")) if part.partner == "norfolk-county" else part
        for part in october.per_partner
    )
    doc = replace(doc, agreements=(june, AgreementData(october.meeting, parts)))
    review = report(doc, AUTUMN).contribution_review
    county = review.rows[0]
    assert (county.name, county.words) == ("Norfolk County Council", "£3,125 within its agreed cap")
    # Seven councils £1,875 over each; Norfolk County £3,125 within.
    assert (review.over, review.within) == (d("13125.00"), d("3125.00"))
    assert review.words == "£13,125 over and £3,125 within the agreed caps"
    assert review.agreed_cap - review.needed == review.within - review.over


def test_total_words():
    assert total_words(d("0"), d("0")) == "exactly the agreed caps"
    assert total_words(d("0.01"), d("0")) == "£0.01 over the agreed caps"


def test_before_an_agreement_the_table_shows_the_recommendation():
    seed = parse_programme(SEED_FILE.read_bytes())
    review = report(seed, AUTUMN).contribution_review
    assert review is not None and not review.agreed and review.rows == ()
    assert {(r.immediate, r.cap, r.share_max) for r in review.recommended} == {
        (d("10000.00"), d("30000.00"), d("21875.00"))
    }
    assert (
        review.recommended_immediate,
        review.recommended_cap,
        review.recommended_share_max,
    ) == (d("80000.00"), d("240000.00"), d("175000.00"))
    html = body_html(seed, AUTUMN)
    assert element(html, "contributions-not-agreed").startswith(
        "The councils' agreement is not recorded yet."
    )
    assert 'id="council-contributions"' not in html
    assert "All councils £80,000 £240,000 £175,000" in element(html, "council-recommendation")


def test_without_shares_the_table_says_why():
    seed = parse_programme(SEED_FILE.read_bytes())
    seed = replace(
        seed,
        programme=replace(seed.programme, apportionment="population"),
    )
    html = body_html(seed, AUTUMN)
    assert "council-recommendation" not in html
    assert "cannot be worked out" in element(html, "contributions-problem")


# A progress report: the money


def test_a_progress_report_sets_out_each_councils_money_on_its_date():
    money = report(document(), PROGRESS).progress_money
    assert money is not None and money.as_of == DECEMBER
    rows = [(r.name, r.agreed_cap, r.invoiced, r.paid, r.owed_text, r.overdue) for r in money.rows]
    assert rows[0] == (
        "Norfolk County Council", d("20000"), d("13333.33"), d("13333.33"), "£0.01 in credit", 0
    )  # fmt: skip
    assert rows[1][4:] == ("£7,499.50", d("7499.50"))
    assert rows[6][4:] == ("£10,000", d("10000.00"))  # Norwich has paid nothing
    assert rows[7][4:] == ("£3,333.34", d("3333.34"))  # South Norfolk's review invoice, due 30 Nov
    totals = (money.agreed_cap, money.invoiced, money.paid, money.owed, money.overdue)
    assert totals == (d("160000"), d("86666.67"), d("65833.83"), d("20832.83"), d("20832.84"))
    for key in ("invoiced", "paid", "owed", "overdue"):
        assert getattr(money, key) == sum(getattr(row, key) for row in money.rows)
    assert [(line.label, line.amount) for line in money.pot] == [
        ("Paid by the councils", d("65833.83")),
        ("Refunded to the councils", d("1250.00")),
        ("Spent", d("1200.00")),
        ("Held in the pot", d("63383.83")),
    ]


def test_what_is_overdue_is_as_of_the_papers_date():
    money = report(document(), PROGRESS, on=date(2004, 11, 15)).progress_money
    # South Norfolk's review invoice is not due until 30 November.
    assert money.rows[7].overdue == 0
    assert money.overdue == d("17499.50")
    html = body_html(document(), PROGRESS)
    assert "What is overdue was due before 1 December 2004" in element(html, "money-note")


def test_a_progress_report_without_spend_leaves_the_line_out():
    content = after_the_meeting()
    content["spend"] = []
    money = report(document(content), PROGRESS).progress_money
    assert [line.key for line in money.pot] == ["paid", "refunded", "balance"]
    assert money.pot[-1].amount == d("64583.83")


def test_before_an_agreement_a_progress_report_says_so():
    seed = parse_programme(SEED_FILE.read_bytes())
    html = body_html(seed, PROGRESS)
    assert "The councils' agreement is not recorded yet" in element(html, "money-not-agreed")
    assert 'id="council-money"' not in html
    assert "Held in the pot £0" in element(html, "pot")


# The page: accessible tables, money aligned right, cards on a phone


def test_the_autumn_reviews_tables_follow_the_sections_before_the_projects():
    html = body_html(document(), AUTUMN)
    order = [
        html.index('id="report-recommendations"'),
        html.index('id="business-cases"'),
        html.index('id="council-contributions"'),
        html.index('id="report-project-table"'),
    ]
    assert order == sorted(order)
    table = element(html, "council-contributions")
    assert (
        "Norfolk County Council £10,000 £20,000 £13,333.33 £13,333.33 £9,375 "
        "£10,625 within its agreed cap" in table
    )
    assert (
        "All councils £80,000 £160,000 £86,666.67 £65,833.83 £75,000 "
        "£85,000 within the agreed caps" in table
    )


@pytest.mark.parametrize(
    ("template", "tables"),
    [
        (AUTUMN, ("business-cases", "council-contributions")),
        (PROGRESS, ("council-money", "pot")),
    ],
)
def test_each_table_has_a_caption_headers_with_scope_and_money_on_the_right(template, tables):
    html = body_html(document(), template)
    for table_id in tables:
        start = html.rindex("<table", 0, html.index(f'id="{table_id}"'))
        table = html[start : html.index("</table>", start)]
        assert '<caption class="govuk-table__caption' in table
        assert '<th scope="col"' in table and '<th scope="row"' in table
        cells = table.split("<td ")[1:]
        money_cells = [cell for cell in cells if "£" in cell.split("</td>")[0]]
        assert money_cells
        # Every amount is in a right-aligned money cell (a note in words has no pound sign).
        for cell in money_cells:
            head = cell.split(">")[0]
            if "app-paper-table__words" in head:
                continue
            assert "govuk-table__cell--numeric app-report-table__money" in head, head
        if table_id != "pot":
            assert "app-table--stack" in table  # a card a row on a phone
            assert all('data-label="' in cell.split(">")[0] for cell in cells)


def test_the_workload_paper_has_none_of_the_tables():
    doc = document()
    workload = board_report_from_document(doc, on=DECEMBER)
    assert (workload.business_cases, workload.contribution_review, workload.progress_money) == (
        None,
        None,
        None,
    )
    html = render_to_string("reports/report_body.html", {"report": workload, "print": False})
    for table_id in ("business-cases", "council-contributions", "council-money", "pot"):
        assert f'id="{table_id}"' not in html
    assert "app-report__tables" not in html


# The snapshot: the workload paper's is as it was; the others' hold their kind and cases


def test_the_workload_papers_snapshot_keeps_its_keys():
    snapshot = report_snapshot(board_report_from_document(document(), on=DECEMBER))
    assert set(snapshot) == WORKLOAD_SNAPSHOT_KEYS


def test_an_autumn_reviews_snapshot_holds_its_kind_and_its_cases():
    snapshot = report_snapshot(report(document(), AUTUMN))
    assert set(snapshot) == WORKLOAD_SNAPSHOT_KEYS | {"paper", "business_cases"}
    assert snapshot["paper"] == "autumn_review"
    assert snapshot["business_cases"][0] == {
        "project": "authentication-gateway",
        "phase": 2,
        "name": "Authentication / Gateway, phase 2: Connection",
        "extra_cost": "100000.00",
        "decision": "Not proceeding",
        "note": "",
    }
    progress = report_snapshot(report(document(), PROGRESS))
    assert set(progress) == WORKLOAD_SNAPSHOT_KEYS | {"paper"}


def test_a_changed_decision_note_changes_the_fingerprint_and_is_listed():
    before = report_snapshot(report(document(), AUTUMN))
    doc = with_phase(document(), "authentication-gateway", 2, decision_note="Too dear.")
    after = report_snapshot(report(doc, AUTUMN))
    assert fingerprint(before) != fingerprint(after)
    changes = report_changes(before, after)
    assert changes.any
    [case] = changes.cases
    assert (case.name, case.action) == ("Authentication / Gateway, phase 2: Connection", "Changed")
    assert [(c.label, c.old, c.new) for c in case.changes] == [
        ("Decision note", "none", "Too dear.")
    ]


def test_against_a_workload_paper_the_kind_and_the_cases_are_new():
    issued = report_snapshot(board_report_from_document(document(), on=DECEMBER))
    now = report_snapshot(report(document(), AUTUMN))
    changes = report_changes(issued, now)
    assert changes.kind is not None
    assert (changes.kind.old, changes.kind.new) == (
        "Medium term workload paper",
        "Autumn review paper",
    )
    assert changes.cases == ()
    assert [(c.label, c.new) for c in changes.not_in_issued] == [
        ("Authentication / Gateway, phase 2: Connection", "Not proceeding"),
        ("Benefits Form, phase 2: Links to e-forms", "Awaiting a decision"),
    ]


# The paper in the application: the page, the PDF and the queries


@pytest.fixture
def demo(monkeypatch, db) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


def load(content: dict) -> Programme:
    return programme_load(document=parse_programme(json.dumps(content)))


def autumn_paper(programme: Programme) -> ReportText:
    return paper_create(
        programme=programme,
        template=AUTUMN,
        meeting=Meeting.objects.get(programme=programme, slug=OCTOBER_MEETING),
        user=get_user_model().objects.get(username="facilitator"),
    )


def paper_url(name: str, paper: ReportText) -> str:
    return reverse(f"report:paper_{name}", args=[DEMO, paper.slug])


def signed_in(client, username: str = "chief-executive"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_autumn_review_paper_reads_its_kind_from_the_database(demo):
    programme = load(after_the_meeting())
    paper = autumn_paper(programme)
    made = board_report(programme=programme, paper=paper, on=DECEMBER)
    assert made.template == AUTUMN
    assert made.contribution_review.needed == d("75000.00")
    # The paper being prepared is the newest: the autumn review, without naming it.
    assert board_report(programme=programme, on=DECEMBER).template == AUTUMN
    Phase.objects.filter(project__slug="authentication-gateway", number=2).update(
        decision_note="Connection costs fall to each council."
    )
    again = board_report(programme=programme, paper=paper, on=DECEMBER)
    assert again.business_cases[0].note == "Connection costs fall to each council."


def test_the_chief_executive_reads_the_tables_on_the_page(client, demo):
    paper = autumn_paper(load(after_the_meeting()))
    html = signed_in(client).get(paper_url("report", paper)).content.decode()
    assert "Each council's contribution" in text_of(html)
    assert "Authentication / Gateway Phase 2: Connection £100,000" in element(
        html, "business-cases"
    )
    assert "All councils £80,000 £160,000" in element(html, "council-contributions")


def test_the_autumn_review_pdf_has_its_tables(client, demo):
    paper = autumn_paper(load(after_the_meeting()))
    response = signed_in(client).get(paper_url("report_pdf", paper))
    assert response.status_code == 200
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(response.content)).pages]
    text = " ".join(pages)
    for expected in (
        "The business cases",
        "Each phase that waited on a business case, and the decision on it",
        "Authentication / Gateway Phase 2: Connection £100,000 (individual connection costs) "
        "Not proceeding None recorded",
        "Benefits Form Phase 2: Links to e-forms TBC Awaiting a decision None recorded",
        "Each council's contribution",
        "Under the agreement made on 15 October 2004.",
        "Norfolk County Council £10,000 £20,000 £13,333.33 £13,333.33 £9,375 £10,625 within "
        "its agreed cap",
        "Norwich City Council £10,000 £20,000 £10,000 £0 £9,375 £10,625 within its agreed cap",
        "All councils £80,000 £160,000 £86,666.67 £65,833.83 £75,000 £85,000 within the "
        "agreed caps",
    ):
        assert expected in text, expected
    # The tables come after the numbered sections and before the summary of projects.
    # The autumn review's first words have three sections: background, project list and
    # recommendations.
    assert text.index("3. Recommendations") < text.index("The business cases")
    assert text.index("Each council's contribution") < text.index("Summary of projects")


def test_the_progress_report_pdf_has_its_money(client, demo):
    programme = load(after_the_meeting())
    paper = paper_create(
        programme=programme,
        template=PROGRESS,
        meeting=None,
        user=get_user_model().objects.get(username="facilitator"),
    )
    response = signed_in(client).get(paper_url("report_pdf", paper))
    text = " ".join(
        flat(page.extract_text()) for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Money" in text
    assert "Norfolk County Council £20,000 £13,333.33 £13,333.33 £0.01 in credit £0" in text
    assert "All councils £160,000 £86,666.67 £65,833.83 £20,832.83 £20,832.84" in text
    assert "Held in the pot £63,383.83" in text


def test_the_changes_page_lists_a_changed_decision_note(client, demo):
    programme = load(after_the_meeting())
    paper = autumn_paper(programme)
    october = date(2004, 10, 15)
    issued = board_report(programme=programme, paper=paper, on=october, issued=True)
    report_issue(
        programme=programme,
        meeting_date=october,
        expected_fingerprint=fingerprint(report_snapshot(issued)),
        user=get_user_model().objects.get(username="facilitator"),
        paper=paper,
    )
    Phase.objects.filter(project__slug="authentication-gateway", number=2).update(
        decision_note="Connection costs fall to each council."
    )
    html = signed_in(client).get(paper_url("report_changes", paper)).content.decode()
    words = text_of(html)
    assert "Business cases" in words
    assert (
        "Authentication / Gateway, phase 2: Connection: changed Field In the issued report Now "
        "Decision note none Connection costs fall to each council." in words
    )


def test_an_autumn_review_issued_before_snapshots_held_their_kind_keeps_its_kind(client, demo):
    programme = load(after_the_meeting())
    paper = autumn_paper(programme)
    october = date(2004, 10, 15)
    issued = report_snapshot(board_report(programme=programme, paper=paper, on=october))
    for key in ("paper", "business_cases"):
        del issued[key]
    IssuedReport.objects.create(
        programme=programme,
        paper=paper,
        meeting_date=october,
        title="Autumn review",
        issued_by=get_user_model().objects.get(username="facilitator"),
        pdf=b"%PDF",
        pdf_sha256="0" * 64,
        figures=json.dumps(issued),
        figures_sha256="0" * 64,
    )
    page = changes_since_issued(programme=programme, paper=paper)
    assert page.changes is not None and page.changes.kind is None
    assert [c.label for c in page.changes.not_in_issued][:1] == [
        "Authentication / Gateway, phase 2: Connection"
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_an_autumn_review_pdf_with_its_tables(demo):
    programme = load(after_the_meeting())
    paper = autumn_paper(programme)
    made = board_report(programme=programme, paper=paper)
    render, _ = report_render_request(
        programme=programme, fingerprint=report_render_fingerprint(made), user=None, paper=paper
    )
    run_worker()
    render.refresh_from_db()
    text = pdf_text(bytes(render.pdf))
    assert "Each council's contribution" in text
    assert "All councils £80,000 £160,000 £86,666.67 £65,833.83 £75,000" in text


def test_the_workload_pdf_is_unchanged_by_the_other_kinds(client, demo):
    load(after_the_meeting())
    response = signed_in(client).get(reverse("report:report_pdf", args=[DEMO]))
    text = " ".join(
        flat(page.extract_text()) for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "The business cases" not in text and "Each council's contribution" not in text


# Session, user, membership, programme, the paper; the programme's rows (6) and its records
# after the meeting (13: which kinds it has, meetings, agreements, their partners, calls,
# invoices, payments, refunds, spend, forecasts, milestones, status updates, risks); the
# partners with statements, the paper's last issue and its decisions. As many as the workload
# paper's page reads, whatever the number of calls and payments: the tables are worked out from
# the programme read once.
AUTUMN_PAGE_QUERIES = 27


@pytest.mark.parametrize(
    "content",
    [after_the_meeting, lambda: with_a_december_call(after_the_meeting())],
    ids=["after-the-meeting", "with-a-december-call"],
)
def test_the_autumn_review_pages_queries_are_pinned_at_two_sizes(
    client, demo, content, django_assert_num_queries
):
    paper = autumn_paper(load(content()))
    signed_in(client)
    with django_assert_num_queries(AUTUMN_PAGE_QUERIES):
        response = client.get(paper_url("report", paper))
    assert response.status_code == 200
