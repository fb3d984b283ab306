"""The board report: as a page and a PDF, its text, issuing it, and the archive of issued ones."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView, View

from contributions.selectors import partners_of
from projects.access import ProgrammeMixin
from projects.history import ConcurrentEditError
from projects.models import Role
from projects.views.programmes import apply_validation_error

from ..models import IssuedReport
from ..report.content import BoardReport
from ..report.forms import IssueForm, ReportTextForm
from ..report.pdf import report_pdf
from ..report.placeholders import PLACEHOLDERS
from ..report.selectors import (
    board_report,
    changes_since_issued,
    issued_report,
    issued_reports,
    report_fingerprint,
    report_text_for,
)
from ..services import ReportChangedError, report_issue, report_text_update

logger = logging.getLogger(__name__)
PDF = "application/pdf"


def pdf_response(content: bytes, *, filename: str, download: bool) -> HttpResponse:
    """Return a PDF, to open in the browser or to download."""
    response = HttpResponse(content, content_type=PDF)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def statement_partners(programme, membership):
    """Return the partners whose statements the member may read: a partner officer only theirs."""
    if membership.role == Role.PARTNER_OFFICER:
        return [membership.partner]
    return list(partners_of(partnership=programme.partnership))


class ReportView(ProgrammeMixin, TemplateView):
    """The board report as a page, with the facilitator's tools around it."""

    template_name = "reports/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = board_report(programme=self.programme)
        context["statement_partners"] = statement_partners(self.programme, self.membership)
        context["last_issued"] = issued_reports(programme=self.programme).first()
        return context


class ReportPdfView(ProgrammeMixin, View):
    """The board report as it stands, as an A4 PDF."""

    def get(self, request, *args, **kwargs):
        report = board_report(programme=self.programme)
        return pdf_response(
            report_pdf(report),
            filename=f"{self.programme.slug}-board-report-draft-{report.date:%Y-%m-%d}.pdf",
            download=False,
        )


class ReportTextView(ProgrammeMixin, FormView):
    """Write the report's words; its figures come from the data through placeholders."""

    edits = True
    form_class = ReportTextForm
    template_name = "reports/report_text_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": report_text_for(programme=self.programme)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = board_report(programme=self.programme)
        context["placeholders"] = [
            {"written": p.written, "meaning": p.meaning, "value": report.placeholder_values[name]}
            for name, p in PLACEHOLDERS.items()
        ]
        context["mismatches"] = report.mismatches
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            report_text_update(
                programme=self.programme,
                data=data,
                expected_version=version,
                user=self.request.user,
            )
        except ConcurrentEditError as error:
            form.add_error(None, str(error))
            return self.render_to_response(
                self.get_context_data(form=form, conflict=error), status=409
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The report's text is saved.")
        return redirect("report:report", self.programme.slug)


class ReportIssueView(ProgrammeMixin, FormView):
    """Issue the report for a meeting: its PDF and figures are then kept unchanged."""

    edits = True
    form_class = IssueForm
    template_name = "reports/report_issue.html"

    def get_report(self) -> BoardReport:
        if not hasattr(self, "_report"):
            self._report = board_report(programme=self.programme)
        return self._report

    def get_initial(self):
        return {"fingerprint": report_fingerprint(self.get_report())}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = self.get_report()
        return context

    def form_valid(self, form):
        try:
            issued = report_issue(
                programme=self.programme,
                meeting_date=form.cleaned_data["meeting_date"],
                expected_fingerprint=form.cleaned_data["fingerprint"],
                user=self.request.user,
            )
        except ReportChangedError as error:
            # Show the report as it is now, with its new fingerprint, and the date kept.
            form = self.get_form_class()(
                data={
                    "meeting_date": self.request.POST.get("meeting_date", ""),
                    "fingerprint": report_fingerprint(self.get_report()),
                }
            )
            form.is_valid()
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The report is issued for the meeting on {issued.meeting_date:%d %B %Y}. "
            "Its PDF and figures are kept unchanged in the archive.",
        )
        return redirect("report:issued_list", self.programme.slug)


class IssuedReportListView(ProgrammeMixin, TemplateView):
    """Every report issued for the programme, newest first."""

    template_name = "reports/report_archive.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["issued_reports"] = issued_reports(programme=self.programme)
        return context


class IssuedReportMixin:
    """Resolve the ``pk`` URL kwarg to an issued report of the programme, or 404.

    Put it after ProgrammeMixin in the bases: it runs inside its dispatch, once the programme
    is known, so another programme's report answers 404 to any method, never 405.
    """

    issued: IssuedReport

    def dispatch(self, request, *args, **kwargs):
        issued = issued_report(programme=self.programme, pk=kwargs["pk"])
        if issued is None:
            raise Http404("No such issued report")
        self.issued = issued
        return super().dispatch(request, *args, **kwargs)


class IssuedReportPdfView(ProgrammeMixin, IssuedReportMixin, View):
    """An issued report's PDF, exactly as issued: refused if it no longer matches its hash."""

    def get(self, request, *args, **kwargs):
        issued = self.issued
        if not issued.intact:
            logger.error("Issued report %s no longer matches its SHA-256", issued.pk)
            return HttpResponse(
                "This issued report's stored file no longer matches the fingerprint taken when "
                "it was issued, so it is not served. Tell the administrator.",
                status=500,
                content_type="text/plain; charset=utf-8",
            )
        return pdf_response(
            bytes(issued.pdf),
            filename=f"{self.programme.slug}-board-report-{issued.meeting_date:%Y-%m-%d}.pdf",
            download=True,
        )


class ReportChangesView(ProgrammeMixin, TemplateView):
    """Every figure and project that changed since the last issued report, old and new."""

    template_name = "reports/report_changes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = changes_since_issued(programme=self.programme)
        return context
