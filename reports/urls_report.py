"""The board report, its archive and the partners' statements, under /programmes/<slug>/."""

from django.urls import path

from .views import decisions, invoices, papers, report, statements

app_name = "report"

# A paper's pages, each under "report" for the paper being prepared (the newest) and under
# "papers/<paper>" for any of the programme's papers. The names of the second have "paper_".
PAPER_PAGES = [
    ("/", report.ReportView, "report"),
    (".pdf", report.ReportPdfView, "report_pdf"),
    ("/text/", report.ReportTextView, "report_text"),
    ("/issue/", report.ReportIssueView, "report_issue"),
    ("/issued/", report.IssuedReportListView, "issued_list"),
    ("/changes/", report.ReportChangesView, "report_changes"),
    ("/renders/", report.ReportRenderRequestView, "renders"),
    ("/decisions/", decisions.DecisionsView, "decisions"),
]

urlpatterns = [
    # Before the paper's pages, whose slug would otherwise take "new".
    path("papers/", papers.PaperListView.as_view(), name="paper_list"),
    path("papers/new/", papers.PaperCreateView.as_view(), name="paper_create"),
    *(path(f"report{suffix}", view.as_view(), name=name) for suffix, view, name in PAPER_PAGES),
    *(
        path(f"papers/<slug:paper>{suffix}", view.as_view(), name=f"paper_{name}")
        for suffix, view, name in PAPER_PAGES
    ),
    path("papers/<slug:paper>/delete/", papers.PaperDeleteView.as_view(), name="paper_delete"),
    path("report/issued/<int:pk>.pdf", report.IssuedReportPdfView.as_view(), name="issued_pdf"),
    path("report/renders/<uuid:render>/", report.ReportRenderView.as_view(), name="render"),
    path(
        "report/renders/<uuid:render>.pdf", report.ReportRenderPdfView.as_view(), name="render_pdf"
    ),
    path(
        "partners/<slug:partner>/statement/",
        statements.StatementView.as_view(),
        name="statement",
    ),
    path(
        "partners/<slug:partner>/statement.pdf",
        statements.StatementPdfView.as_view(),
        name="statement_pdf",
    ),
    path(
        "partners/<slug:partner>/statement/renders/",
        statements.StatementRenderRequestView.as_view(),
        name="statement_renders",
    ),
    path(
        "partners/<slug:partner>/statement/renders/<uuid:render>/",
        statements.StatementRenderView.as_view(),
        name="statement_render",
    ),
    path(
        "partners/<slug:partner>/statement/renders/<uuid:render>.pdf",
        statements.StatementRenderPdfView.as_view(),
        name="statement_render_pdf",
    ),
    path("invoices/<int:invoice>.pdf", invoices.InvoicePdfView.as_view(), name="invoice_pdf"),
]
