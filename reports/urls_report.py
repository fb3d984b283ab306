"""The board report, its archive and the partners' statements, under /programmes/<slug>/."""

from django.urls import path

from .views import invoices, report, statements

app_name = "report"

urlpatterns = [
    path("report/", report.ReportView.as_view(), name="report"),
    path("report.pdf", report.ReportPdfView.as_view(), name="report_pdf"),
    path("report/text/", report.ReportTextView.as_view(), name="report_text"),
    path("report/issue/", report.ReportIssueView.as_view(), name="report_issue"),
    path("report/issued/", report.IssuedReportListView.as_view(), name="issued_list"),
    path("report/issued/<int:pk>.pdf", report.IssuedReportPdfView.as_view(), name="issued_pdf"),
    path("report/changes/", report.ReportChangesView.as_view(), name="report_changes"),
    path("report/renders/", report.ReportRenderRequestView.as_view(), name="renders"),
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
