"""The board report as a PDF: it reads like the seed, every figure right, tagged, paged, fast."""

from __future__ import annotations

import io
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from benchmarks.builders import large_document
from projects.models import Membership, Programme, Role
from projects.services import programme_load
from tests.projects.factories import RiskFactory, paper_of

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
# session, user, membership, programme, the programme's rows (8), the paper, its last issue and
# its decisions
MAX_REPORT_QUERIES = 16
MAX_PDF_QUERIES = 13  # session, user, membership, programme, the programme's rows (9)
SECTION_HEADINGS = (
    "1. Background/Introduction",
    "2. Project list",
    "3. Risks and Benefits",
    "4. Alternative Options",
    "5. Recommendations",
    "6. Contact Officers",
)
# Each line of the seed's table, from its outcomes cell to its extra cost cell, as extracted.
SEED_ROWS = (
    "e-Forms",
    "One required, one good Supports Norfolk Ambition £15,000",
    "Portal",
    "Three required, one good, one excellent Supports Norfolk Ambition £35,000",
    "Further Info Points",
    "gaps in the CIC network Supports Norfolk Ambition £20,000",
    "Marketing (e-Citizen national project)",
    "One good, one excellent £80,000",
    "Authentication / Gateway",
    "One required, one good £7,000 plus £100,000 phase 2 (individual connection costs)",
    "Benefits Form",
    "Two good, one excellent Supports Norfolk Ambition £13,000 (may be covered by a future bid "
    "for external funds) plus phase 2, cost TBC",
    "Shared customer info / CRM (LoG-IN INTERREG project)",
    "One required, two good, one excellent Supports Norfolk Ambition £25,000",
    "Direct.Gov",
    "One required Supports Norfolk Ambition £5,000",
    "Member support (e-Voice INTERREG project)",
    "Three required, three good, one excellent Supports Norfolk Ambition £20,000 £20,000",
    "Partnership Support",
    "EU funding are exploited £10,000",
    "Total £175,000* £175,000",
)
TABLE_HEADER = "Project Outputs Priority Outcomes achieved Existing Resource Extra Cost"


def flat(text: str) -> str:
    """Return extracted text with every run of whitespace (line breaks too) as one space."""
    return " ".join(text.split())


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


def signed_in(client, username: str = "chief-executive"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def demo_pdf(client, demo):
    response = signed_in(client).get(reverse("report:report_pdf", args=[DEMO]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def pages_text(reader: PdfReader) -> list[str]:
    return [flat(page.extract_text()) for page in reader.pages]


def test_the_chief_executive_gets_a_report_that_reads_like_the_seed(demo_pdf):
    text = " ".join(pages_text(demo_pdf))
    for expected in (
        "Norfolk Chief Executives",
        "Item No",
        "Norfolk Connect Medium Term Workload",
        "Report by Colin Bland, Chief Executive Broadland District Council",
        "This report recommends the medium term workload on joint e-Government projects",
        *SECTION_HEADINGS,
        "1.1 As previously agreed the Norfolk Connect Partnership",
        "Achieve relevant areas of the Norfolk Ambition draft action plan",
        "2.1 Attached is a summary of the projects which are being suggested to be carried out "
        "between now and end December 2005.",
        "6.1 Further information can be obtained from Tim Anderson, Norfolk Connect Partnership "
        "facilitator 01603 224279",
    ):
        assert expected in text, expected
    # The headings come in the seed's order.
    positions = [text.index(heading) for heading in SECTION_HEADINGS]
    assert positions == sorted(positions)


def test_every_figure_of_the_seeds_table_is_right(demo_pdf):
    text = " ".join(pages_text(demo_pdf))
    position = 0
    for expected in SEED_ROWS:
        found = text.find(expected, position)
        assert found >= 0, f"{expected!r} not found (in order) in the PDF"
        position = found + len(expected)
    # The paper's own total is printed once: in the note to the total it differs from.
    assert text.count("£165,000") == 1
    assert (
        "* The paper as drafted gave £165,000 for the existing resource total; its lines add up "
        "to £175,000."
    ) in text
    assert "One phase has a cost still to be confirmed (TBC)" in text
    assert (
        "the minimum, for the phases needing no business case and those approved, is £75,000"
        in (text)
    )


def test_the_recommendation_carries_the_datas_figures(demo_pdf):
    text = " ".join(pages_text(demo_pdf))
    assert (
        "5.1 Chief Executives are recommended to agree: The list of medium term work to be "
        "carried out as suggested To agree a contribution of up to £30,000 each over the two "
        "financial years 2004-2006 with £10,000 each to be made available immediately, the rest "
        "subject to a review early autumn this year"
    ) in text
    assert "up to £30,000 each" in text
    assert "£10,000 each to be made available immediately" in text


CHART_TITLES = (
    "Cost of each project",
    "Each partner's share against pledged and received",
    "Priority outcome claims by grade",
)


def test_the_demos_paper_has_no_charts_appendix(demo_pdf):
    text = " ".join(pages_text(demo_pdf))
    for title in CHART_TITLES:
        assert title not in text
    assert "Norfolk County Council £21,875 £0 £0" not in text


def test_the_dashboards_charts_are_in_a_report_that_includes_them(client, demo):
    demo.papers.update(include_charts=True)
    response = signed_in(client).get(reverse("report:report_pdf", args=[DEMO]))
    text = " ".join(pages_text(PdfReader(io.BytesIO(response.content))))
    for title in CHART_TITLES:
        assert title in text
    assert "Norfolk County Council £21,875 £0 £0" in text  # the partner chart's table


def test_every_page_is_a4_with_page_x_of_y_title_and_date(demo_pdf):
    texts = pages_text(demo_pdf)
    today = timezone.localdate()
    footer_date = f"Draft of {today.day} {today:%B %Y}"
    for number, (page, text) in enumerate(zip(demo_pdf.pages, texts, strict=True), start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        assert f"Page {number} of {len(texts)}" in text
        assert f"Norfolk Connect Medium Term Workload — {footer_date}" in text


def test_the_table_header_repeats_on_each_page_of_the_table(demo_pdf):
    table_pages = [text for text in pages_text(demo_pdf) if "Supports Norfolk Ambition" in text]
    assert len(table_pages) >= 2
    assert all(TABLE_HEADER in text for text in table_pages)


def test_the_pdf_is_tagged_with_its_language_and_title(demo_pdf):
    catalog = demo_pdf.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert catalog["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert demo_pdf.metadata.title.startswith(
        "Norfolk Connect Medium Term Workload: Norfolk Chief Executives"
    )
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp  # declared PDF/UA-1


def test_the_report_page_shows_the_same_report(client, demo):
    response = signed_in(client).get(reverse("report:report", args=[DEMO]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Board report: Norfolk Connect Medium Term Workload" in html
    for heading in SECTION_HEADINGS:
        assert heading in html
    assert "£7,000 plus £100,000 phase 2 (individual connection costs)" in html
    assert 'id="report-charts"' not in html  # the demo's paper is without its appendix
    assert 'id="mismatches"' not in html  # only facilitators are told of the paper's total


def test_the_facilitator_is_shown_the_papers_total_as_a_mismatch(client, demo):
    response = signed_in(client, "facilitator").get(reverse("report:report", args=[DEMO]))
    html = flat(unescape(response.content.decode()))
    assert 'id="mismatches"' in html
    assert (
        "The paper's existing resource total was £165,000, but the lines add up to £175,000: "
        "the report shows £175,000."
    ) in html


def test_a_partner_officer_may_read_the_report(client, demo):
    response = signed_in(client, "partner-officer").get(reverse("report:report_pdf", args=[DEMO]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_user_text_is_escaped_on_the_page(client, demo):
    from projects.models import ReportText

    ReportText.objects.filter(programme=demo).update(
        title="<script>alert(1)</script>", background="<script>alert(2)</script> Plain."
    )
    html = signed_in(client).get(reverse("report:report", args=[DEMO])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# A constant number of queries, at the demo's size and at 200 projects


def load_large(projects: int) -> Programme:
    programme = programme_load(document=large_document(projects=projects, partners=8))
    user = get_user_model().objects.get(username="chief-executive")
    Membership.objects.create(
        user=user, partnership=programme.partnership, role=Role.CHIEF_EXECUTIVE
    )
    return programme


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(
    ("name", "most"),
    [("report:report", MAX_REPORT_QUERIES), ("report:report_pdf", MAX_PDF_QUERIES)],
)
def test_report_queries_do_not_grow_from_the_demo_to_200_projects(
    client, demo, settings, name, most
):
    settings.REPORT_BACKGROUND_PROJECTS = 200  # made in the request, not by the worker
    settings.PDF_BACKGROUND_WORK = 10**9
    large = load_large(200)
    paper_of(large)  # a saved paper, as the demo's: an unsaved one has no issues to look up
    RiskFactory(programme=large)  # a risk, as the demo's two: the same kinds of record to read
    signed_in(client)
    small = count(client, reverse(name, args=[DEMO]))
    big = count(client, reverse(name, args=[large.slug]))
    assert small == big <= most


def test_report_queries_are_pinned_at_the_demo(client, demo, django_assert_max_num_queries):
    signed_in(client)
    with django_assert_max_num_queries(MAX_PDF_QUERIES):
        client.get(reverse("report:report_pdf", args=[DEMO]))
    with django_assert_max_num_queries(MAX_REPORT_QUERIES):
        client.get(reverse("report:report", args=[DEMO]))


def test_a_200_project_report_repeats_its_header_on_every_table_page(client, demo, settings):
    settings.REPORT_BACKGROUND_PROJECTS = 200  # made in the request, not by the worker
    settings.PDF_BACKGROUND_WORK = 10**9
    large = load_large(200)
    response = signed_in(client).get(reverse("report:report_pdf", args=[large.slug]))
    texts = pages_text(PdfReader(io.BytesIO(response.content)))
    first = next(i for i, text in enumerate(texts) if text.startswith("Summary of projects"))
    table_pages = texts[first:]  # no charts appendix follows: the table ends the paper
    assert len(table_pages) > 5
    assert "Project 0 " in table_pages[0] and "Project 199 " in table_pages[-1]
    assert all(TABLE_HEADER in text for text in table_pages)
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
