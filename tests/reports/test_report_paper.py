"""What the board report tells the board beyond the paper, and the paper's own length.

A stated total that differs from its lines is footnoted by the total for every reader; the
decision on each gated phase is in words; every money column aligns right; the charts appendix
is the facilitator's choice, left out of the demo's paper, and the PDF and its fingerprint
follow the choice.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from projects.models import Programme, ReportText
from projects.money.document import REPORT_WORDS, PartnerData, ProgrammeDocument
from projects.money.vocabulary import Apportionment, Decision
from projects.programme_file import parse_programme
from reports.models import IssuedReport, RenderState, ReportRender
from reports.report.content import BoardReport, board_report_from_document, decisions_phrase
from reports.report.pdf import report_pdf
from reports.report.selectors import board_report, report_fingerprint
from reports.selectors import report_render_fingerprint, reusable_report_render
from reports.services import report_issue
from tests.conftest import SEED_FILE
from tests.reports.seed import with_phase_decision

DEMO = "norfolk-connect-2004"
MEETING = date(2004, 6, 24)
ROOT = Path(__file__).resolve().parents[2]
ORIGINAL_PAPER_PAGES = 5  # the paper as the board had it
MAX_PAPER_PAGES = ORIGINAL_PAPER_PAGES + 1
CHART_HEADINGS = (
    "Cost of each project",
    "Each partner's share against pledged and received",
    "Priority outcome claims by grade",
)
NOTE = (
    "The paper as drafted gave £165,000 for the existing resource total; its lines add up to "
    "£175,000."
)


def flat(text: str) -> str:
    return " ".join(text.split())


def seed() -> ProgrammeDocument:
    return parse_programme(SEED_FILE.read_bytes())


def with_charts(document: ProgrammeDocument, include: bool = True) -> ProgrammeDocument:
    assert document.report is not None
    return replace(document, report=replace(document.report, include_charts=include))


def with_stated(document: ProgrammeDocument, **stated: Decimal | None) -> ProgrammeDocument:
    return replace(document, programme=replace(document.programme, **stated))


def report_of(document: ProgrammeDocument) -> BoardReport:
    return board_report_from_document(document, on=MEETING)


def body_html(document: ProgrammeDocument) -> str:
    """Return the report as the page shows it (print=False), the facilitator's tools left out."""
    report = report_of(document)
    return render_to_string("reports/report_body.html", {"report": report, "print": False})


def pdf_pages(document: ProgrammeDocument) -> list[str]:
    reader = PdfReader(io.BytesIO(report_pdf(report_of(document), seconds=60)))
    return [flat(page.extract_text()) for page in reader.pages]


@pytest.fixture
def demo(monkeypatch, db):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


def signed_in(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


# 1. A stated total that differs from its lines is footnoted, for everyone


def test_the_papers_existing_total_is_a_note_by_the_total():
    report = report_of(seed())
    assert [(n.field, n.mark, n.text) for n in report.total_notes] == [
        ("existing_total", "*", NOTE)
    ]
    assert report.existing_note is report.total_notes[0]
    assert report.extra_note is None  # the paper's extra total, £175,000, is right


def test_a_stated_extra_total_that_differs_gets_its_own_mark():
    report = report_of(with_stated(seed(), stated_extra_total=Decimal("170000")))
    assert report.extra_note is not None
    assert (report.extra_note.mark, report.extra_note.text) == (
        "\u2020",
        "The paper as drafted gave £170,000 for the extra cost total; its lines add up to "
        "£175,000.",
    )


@pytest.mark.parametrize("stated", [Decimal("175000"), None], ids=["equal", "not stated"])
def test_no_note_when_the_stated_total_agrees_or_is_not_stated(stated):
    document = with_stated(seed(), stated_existing_total=stated)
    assert report_of(document).total_notes == ()
    html = body_html(document)
    assert 'id="report-notes"' not in html
    assert "app-note-mark" not in html
    assert "The paper as drafted" not in html


def test_the_note_is_linked_from_a_mark_by_the_total_and_back():
    html = body_html(seed())
    total = re.search(r'<td [^>]*id="existing-total"[^>]*>(.*?)</td>', html, re.S).group(1)
    assert total.startswith("£175,000")
    assert (
        '<a class="govuk-link" href="#report-note-existing-total" '
        'id="report-note-existing-total-ref"><span class="govuk-visually-hidden">see note </span>'
        "*</a>"
    ) in total
    note = re.search(r'<p [^>]*id="report-note-existing-total">(.*?)</p>', html, re.S).group(1)
    assert NOTE in note
    assert 'href="#report-note-existing-total-ref"' in note  # back to the total
    extra = re.search(r'<td [^>]*id="extra-total"[^>]*>(.*?)</td>', html, re.S).group(1)
    assert "app-note-mark" not in extra


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer", "facilitator"])
def test_every_reader_of_the_page_sees_the_note(client, demo, username):
    response = signed_in(client, username).get(reverse("report:report", args=[DEMO]))
    html = flat(unescape(response.content.decode()))
    assert 'id="report-note-existing-total"' in html
    assert NOTE in html


def test_the_pdf_has_the_note_under_the_table_only_when_the_totals_differ():
    text = " ".join(pdf_pages(seed()))
    assert "Total £175,000* £175,000" in text
    assert f"* {NOTE}" in text
    agreed = " ".join(pdf_pages(with_stated(seed(), stated_existing_total=Decimal("175000"))))
    assert "Total £175,000 £175,000" in agreed
    assert "The paper as drafted" not in agreed and "£165,000" not in agreed


# 2. The decision on each gated phase, in words


def test_each_gated_phases_decision_is_in_the_decisions_words():
    gated = seed().projects[4].phases  # Authentication / Gateway: phase 2 gated, pending
    assert decisions_phrase(gated) == "Phase 2: decision pending"
    approved = [replace(p, decision=Decision.APPROVED) if p.gated else p for p in gated]
    assert decisions_phrase(approved) == "Phase 2: approved"
    stopped = [replace(p, decision=Decision.NOT_PROCEEDING) if p.gated else p for p in gated]
    assert decisions_phrase(stopped) == ""  # the extra cost's words say it is not proceeding
    ungated = [replace(p, gated=False) for p in gated]
    assert decisions_phrase(ungated) == ""  # committed: no decision to make


def extra_cell(html: str, name: str) -> str:
    row = re.search(
        rf'<span class="app-report-project__name">{re.escape(name)}</span>.*?</tr>', html, re.S
    ).group(0)
    cells = re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', row, re.S)
    return flat(next(text for classes, text in cells if "app-report-table__extra" in classes))


@pytest.mark.parametrize(
    ("decision", "words"),
    [
        (
            Decision.PENDING,
            "£7,000 plus £100,000 phase 2 (individual connection costs)"
            '<span class="app-report-decisions">Phase 2: decision pending</span>',
        ),
        (
            Decision.APPROVED,
            "£7,000 plus £100,000 phase 2 (individual connection costs)"
            '<span class="app-report-decisions">Phase 2: approved</span>',
        ),
        (Decision.NOT_PROCEEDING, "£7,000; phase 2 not proceeding"),
    ],
)
def test_the_project_table_tells_each_state_apart_in_words(decision, words):
    document = with_phase_decision(seed(), "authentication-gateway", 2, decision)
    assert extra_cell(body_html(document), "Authentication / Gateway") == words


def test_the_pdf_table_says_which_phases_await_a_decision():
    text = " ".join(pdf_pages(seed()))
    assert (
        "£7,000 plus £100,000 phase 2 (individual connection costs) Phase 2: decision pending"
        in text
    )
    assert "plus phase 2, cost TBC Phase 2: decision pending" in text  # Benefits Form


# 3. Every money column aligns right


class _Cells(HTMLParser):
    """Collect each table's cells by id: (tag, classes, column) of every th and td."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[str, str, int]]] = {}
        self._table: str | None = None
        self._column = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._table = attributes.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr":
            self._column = 0
        elif tag in ("th", "td") and self._table is not None:
            self.tables[self._table].append((tag, attributes.get("class") or "", self._column))
            self._column += int(attributes.get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None


def cells_of(html: str) -> dict[str, list[tuple[str, str, int]]]:
    parser = _Cells()
    parser.feed(html)
    return parser.tables


def test_every_money_cell_of_the_project_table_has_the_money_class():
    cells = cells_of(body_html(seed()))["project-table"]
    money = [(tag, classes) for tag, classes, column in cells if column in (3, 4)]
    assert len(money) == 2 * (1 + 10 + 1)  # the heading, ten projects and the total
    assert all("app-report-table__money" in classes.split() for _, classes in money)
    words = [classes for _, classes, column in cells if column in (0, 1, 2)]
    assert not any("app-report-table__money" in classes for classes in words)


def test_every_money_cell_of_the_partners_contributions_has_the_money_class():
    document = seed()
    weights = {partner.slug: Decimal(index + 1) for index, partner in enumerate(document.partners)}
    document = replace(
        document,
        programme=replace(document.programme, apportionment=Apportionment.WEIGHTS),
        partners=tuple(
            PartnerData(**{**p.__dict__, "weight": weights[p.slug]}) for p in document.partners
        ),
    )
    cells = cells_of(body_html(document))["partner-contributions"]
    money = [classes for _, classes, column in cells if column in (1, 2)]
    assert len(money) == 2 * (1 + 8)
    assert all("app-report-table__money" in classes.split() for classes in money)


@pytest.mark.parametrize(
    "stylesheet", ["frontend/app.scss", "templates/pdf/_styles.html"], ids=["page", "pdf"]
)
def test_the_money_class_aligns_right_in_tabular_figures(stylesheet):
    css = (ROOT / stylesheet).read_text(encoding="utf-8")
    rule = re.search(r"\.app-report-table__money \{([^}]*)\}", css).group(1)
    declarations = {flat(d) for d in rule.split(";") if d.strip()}
    assert {"text-align: right", "font-variant-numeric: tabular-nums"} <= declarations


# 4. The charts appendix, the facilitator's choice


def test_the_charts_appendix_follows_the_choice_in_the_pdf():
    without = pdf_pages(seed())
    included = pdf_pages(with_charts(seed()))
    for heading in CHART_HEADINGS:
        assert heading not in " ".join(without)
        assert heading in " ".join(included)
    assert any(page.startswith("Charts") for page in included)
    # Measured for the demo: 4 pages without the appendix, 8 with it.
    assert len(included) >= len(without) + 3
    # Each chart's table is kept whole on one page, its caption with it.
    for caption, last in (
        ("Cost of each project Project Existing resource", "£350,000"),
        (
            "Each partner's share against pledged and received Partner Share of the maximum",
            "Total £175,000 £0 £0",
        ),
    ):
        page = next(page for page in included if caption in page)
        assert last in page[page.index(caption) :]


def test_the_seeds_paper_is_no_longer_than_the_original_and_a_page():
    pages = pdf_pages(seed())
    assert len(pages) <= MAX_PAPER_PAGES
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_the_page_follows_the_choice_too():
    assert 'id="report-charts"' not in body_html(seed())
    html = body_html(with_charts(seed()))
    assert 'id="report-charts"' in html and 'id="chart-project-costs"' in html


def test_the_choice_changes_the_fingerprints():
    without, included = report_of(seed()), report_of(with_charts(seed()))
    assert report_fingerprint(without) != report_fingerprint(included)
    assert report_render_fingerprint(without) != report_render_fingerprint(included)


def test_a_pdf_made_before_the_choice_changed_is_not_served_again(demo):
    before = board_report(programme=demo)
    made = ReportRender.objects.create(
        programme=demo,
        fingerprint=report_render_fingerprint(before),
        report_date=before.date,
        state=RenderState.READY,
        pdf=b"%PDF-1.7 without charts",
    )
    assert reusable_report_render(programme=demo, fingerprint=made.fingerprint) == made
    ReportText.objects.filter(programme=demo).update(include_charts=True)
    after = board_report(programme=demo)
    assert after.include_charts
    fingerprint = report_render_fingerprint(after)
    assert fingerprint != made.fingerprint
    assert reusable_report_render(programme=demo, fingerprint=fingerprint) is None


def test_an_issued_report_keeps_its_pdf_when_the_choice_changes(demo):
    report = board_report(programme=demo, on=MEETING, issued=True)
    issued = report_issue(
        programme=demo,
        meeting_date=MEETING,
        expected_fingerprint=report_fingerprint(report),
        user=get_user_model().objects.get(username="facilitator"),
    )
    pdf = bytes(issued.pdf)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Cost of each project" not in text
    ReportText.objects.filter(programme=demo).update(include_charts=True)
    kept = IssuedReport.objects.get(pk=issued.pk)
    assert bytes(kept.pdf) == pdf and kept.intact


# The choice in the report text's form


def form_data(programme: Programme, **changes) -> dict:
    """Return the text form's data as saved, without the charts box: a box left unticked."""
    text = ReportText.objects.get(programme=programme)
    words = {field: getattr(text, field) for field in REPORT_WORDS}
    return {**words, "version": text.version, **changes}


def test_the_form_offers_the_choice_with_a_hint(client, demo):
    html = signed_in(client, "facilitator").get(reverse("report:report_text", args=[DEMO]))
    page = html.content.decode()
    assert 'type="checkbox" name="include_charts"' in page
    assert "Include the charts appendix" in page
    assert 'id="id_include_charts_helptext"' in page
    assert "Leave it unticked for the paper alone." in page
    assert "checked" not in re.search(r"<input[^>]*include_charts[^>]*>", page).group(0)


def test_the_facilitator_includes_the_charts_and_leaves_them_out_again(client, demo):
    url = reverse("report:report_text", args=[DEMO])
    client = signed_in(client, "facilitator")
    assert client.post(url, form_data(demo, include_charts="on")).status_code == 302
    assert ReportText.objects.get(programme=demo).include_charts is True
    assert (
        'id="report-charts"' in client.get(reverse("report:report", args=[DEMO])).content.decode()
    )
    # An unticked box is not sent at all.
    assert client.post(url, form_data(demo)).status_code == 302
    text = ReportText.objects.get(programme=demo)
    assert text.include_charts is False
    assert text.history.first().include_charts is False  # kept in the text's history
    assert text.history.count() == 3  # loaded, included, left out


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_only_editors_change_the_choice(client, demo, username):
    url = reverse("report:report_text", args=[DEMO])
    response = signed_in(client, username).post(url, form_data(demo, include_charts="on"))
    assert response.status_code == 403
    assert ReportText.objects.get(programme=demo).include_charts is False
