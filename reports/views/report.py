"""The board report: as a page and a PDF, its text, issuing it, and the archive of issued ones.

A large report's PDF is prepared by the background worker (reports.tasks): the member asks for
it, follows its progress on the render's page, and downloads it from there when it is ready.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View
from django.views.generic.base import ContextMixin

from contributions.selectors import partners_of
from projects.access import ProgrammeMixin
from projects.history import ConcurrentEditError
from projects.models import ReportText, Role
from projects.money.document import REPORT_TEXT_MAX_LENGTH
from projects.money.placeholders import PLACEHOLDERS
from projects.report_text import MAX_NESTING, MAX_PARAGRAPHS
from projects.views.programmes import ConflictMixin, apply_validation_error

from ..models import IssuedReport, RenderState, ReportRender
from ..renders import report_render_fail
from ..report.content import BoardReport
from ..report.forms import IssueForm, ReportTextForm
from ..report.pdf import PdfFailedError, report_pdf
from ..report.selectors import (
    board_report,
    changes_since_issued,
    issued_report,
    issued_reports,
    paper_for,
    report_fingerprint,
)
from ..selectors import (
    issue_render_prepared,
    report_render,
    report_render_fingerprint,
    report_render_with_pdf,
    report_renders_in_background,
    reusable_report_render,
)
from ..services import (
    PdfNotPreparedError,
    PreparedPdfDamagedError,
    ReportChangedError,
    ReportTextOutOfBoundsError,
    report_issue,
    report_issue_prepare,
    report_render_request,
    report_text_update,
)
from .renders import RenderPdfMixin, RenderProgressMixin, pdf_response

logger = logging.getLogger(__name__)


def pdf_failed_response(view, error: PdfFailedError, *, title: str, background_url: str):
    """Return the page saying a PDF could not be made in the request, with status 503.

    503, not 500: the service is sound, and the PDF may be made by trying again or by the
    worker. ``view`` is a programme view with a context (ProgrammeMixin, ContextMixin).
    """
    logger.warning("A PDF failed in the request (%s): %s", error.kind, view.request.path)
    context = view.get_context_data(error=error, title=title, background_url=background_url)
    return TemplateResponse(view.request, "reports/pdf_failed.html", context, status=503)


def statement_partners(programme, membership):
    """Return the partners whose statements the member may read: a partner officer only theirs."""
    if membership.role == Role.PARTNER_OFFICER:
        return [membership.partner]
    return list(partners_of(partnership=programme.partnership))


PAPER_PAGES = (
    "report",
    "report_pdf",
    "report_text",
    "report_issue",
    "issued_list",
    "report_changes",
    "renders",
    "decisions",
)


def paper_urls(programme_slug: str, paper_slug: str | None) -> dict[str, str]:
    """Return the addresses of a paper's pages: under "report" for the paper being prepared."""
    if paper_slug is None:
        return {name: reverse(f"report:{name}", args=[programme_slug]) for name in PAPER_PAGES}
    return {
        name: reverse(f"report:paper_{name}", args=[programme_slug, paper_slug])
        for name in PAPER_PAGES
    }


class PaperMixin:
    """Resolve the paper: the one the ``paper`` URL kwarg names, else the one being prepared.

    After ProgrammeMixin in the bases, as IssuedReportMixin: another programme's paper answers
    404 to any method. The paper being prepared may be unsaved: the default words.
    """

    paper: ReportText
    paper_route: str | None = None

    def dispatch(self, request, *args, **kwargs):
        paper = paper_for(programme=self.programme, slug=kwargs.get("paper"))
        if paper is None:
            raise Http404("No such paper")
        self.paper = paper
        self.paper_route = kwargs.get("paper")
        return super().dispatch(request, *args, **kwargs)

    def paper_url(self, name: str) -> str:
        return paper_urls(self.programme.slug, self.paper_route)[name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["paper"] = self.paper
        context["paper_urls"] = paper_urls(self.programme.slug, self.paper_route)
        return context


class ReportView(ProgrammeMixin, PaperMixin, TemplateView):
    """A paper as a page, with the facilitator's tools around it."""

    template_name = "reports/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = board_report(programme=self.programme, paper=self.paper)
        context["statement_partners"] = statement_partners(self.programme, self.membership)
        context["last_issued"] = issued_reports(programme=self.programme, paper=self.paper).first()
        context["decisions"] = list(self.paper.decisions.all()) if self.paper.pk else []
        context["pdf_in_background"] = report_renders_in_background(context["report"])
        context["background_projects"] = settings.REPORT_BACKGROUND_PROJECTS
        return context


class ReportPdfView(ProgrammeMixin, PaperMixin, ContextMixin, View):
    """The board report as it stands, as an A4 PDF; a large one is prepared in the background.

    For a large report this sends the member to its PDF made earlier, if the report has not
    changed since, or else to the page that asks the worker for one.
    """

    def get(self, request, *args, **kwargs):
        report = board_report(programme=self.programme, paper=self.paper)
        if report_renders_in_background(report):
            made = reusable_report_render(
                programme=self.programme, fingerprint=report_render_fingerprint(report)
            )
            if made is not None and made.state == RenderState.READY:
                return redirect("report:render_pdf", self.programme.slug, made.pk)
            return redirect(self.paper_url("renders"))
        try:
            pdf = report_pdf(report)
        except PdfFailedError as error:
            return pdf_failed_response(
                self,
                error,
                title="PDF of the board report",
                background_url=self.paper_url("renders"),
            )
        return pdf_response(
            pdf,
            filename=f"{self.programme.slug}-board-report-draft-{report.date:%Y-%m-%d}.pdf",
            download=False,
        )


class ReportTextView(ProgrammeMixin, PaperMixin, ConflictMixin, FormView):
    """Write the report's words; its figures come from the data through placeholders."""

    edits = True
    form_class = ReportTextForm
    template_name = "reports/report_text_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.paper}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = board_report(programme=self.programme, paper=self.paper)
        context["placeholders"] = [
            {"written": p.written, "meaning": p.meaning, "value": report.placeholder_values[name]}
            for name, p in PLACEHOLDERS.items()
        ]
        context["mismatches"] = report.mismatches
        context["bounds"] = {
            "length": f"{REPORT_TEXT_MAX_LENGTH:,}",
            "paragraphs": MAX_PARAGRAPHS,
            "nesting": MAX_NESTING,
        }
        # Text saved before the report's bounds shows as plain text until it is fixed here.
        context["stored_problems"] = (
            [] if context["form"].is_bound else context["form"].stored_problems()
        )
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            report_text_update(
                programme=self.programme,
                paper=self.paper,
                data=data,
                expected_version=version,
                user=self.request.user,
            )
        except ConcurrentEditError as error:
            return self.conflict(form, error)
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(self.request, "The report's text is saved.")
        return redirect(self.paper_url("report"))


class ReportIssueView(ProgrammeMixin, PaperMixin, FormView):
    """Issue the report for a meeting: its PDF and figures are then kept unchanged.

    A large report's PDF is prepared for the meeting by the background worker first (the
    "prepare" button), then issued as made, never laid out in the request.
    """

    edits = True
    form_class = IssueForm
    template_name = "reports/report_issue.html"

    def get_report(self) -> BoardReport:
        if not hasattr(self, "_report"):
            self._report = board_report(programme=self.programme, paper=self.paper)
        return self._report

    def get_prepared(self) -> ReportRender | None:
        """Return the PDF prepared for issue of the report as it stands, if it is large."""
        if not hasattr(self, "_prepared"):
            report = self.get_report()
            self._prepared = (
                issue_render_prepared(programme=self.programme, report=report)
                if report_renders_in_background(report)
                else None
            )
        return self._prepared

    def get_initial(self):
        initial = {"fingerprint": report_fingerprint(self.get_report())}
        if self.get_prepared() is not None:
            initial["meeting_date"] = self.get_prepared().report_date
        elif self.paper.for_meeting is not None:
            initial["meeting_date"] = self.paper.for_meeting.date
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = self.get_report()
        context["pdf_in_background"] = report_renders_in_background(self.get_report())
        context["background_projects"] = settings.REPORT_BACKGROUND_PROJECTS
        context["prepared"] = self.get_prepared()
        return context

    def form_valid(self, form):
        meeting_date = form.cleaned_data["meeting_date"]
        try:
            if "prepare" in self.request.POST:
                render = report_issue_prepare(
                    programme=self.programme,
                    paper=self.paper,
                    meeting_date=meeting_date,
                    expected_fingerprint=form.cleaned_data["fingerprint"],
                    user=self.request.user,
                )
                messages.info(
                    self.request,
                    f"This is the PDF to issue for the meeting on {meeting_date.day} "
                    f"{meeting_date:%B %Y}. When it is ready, check it, then go back to "
                    "Issue the board report to issue it.",
                )
                return redirect("report:render", self.programme.slug, render.pk)
            issued = report_issue(
                programme=self.programme,
                paper=self.paper,
                meeting_date=meeting_date,
                expected_fingerprint=form.cleaned_data["fingerprint"],
                user=self.request.user,
            )
        except ReportChangedError as error:
            # Show the report as it is now, with its new fingerprint, and the date kept.
            return self.refused(error, fingerprint=report_fingerprint(self.get_report()))
        except (PdfNotPreparedError, PdfFailedError, ReportTextOutOfBoundsError) as error:
            return self.refused(error, fingerprint=form.cleaned_data["fingerprint"])
        except PreparedPdfDamagedError as error:
            logger.error("Report render %s no longer matches its SHA-256", error.render.pk)
            # Retired, so that preparing the PDF again makes a new one.
            report_render_fail(render=error.render, error=str(error))
            self._prepared = None
            return self.refused(error, fingerprint=form.cleaned_data["fingerprint"])
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The report is issued for the meeting on {issued.meeting_date:%d %B %Y}. "
            "Its PDF and figures are kept unchanged in the archive.",
        )
        return redirect(self.paper_url("issued_list"))

    def refused(self, error: Exception, *, fingerprint: str):
        """Show the form again, the meeting's date kept, with why nothing was issued."""
        form = self.get_form_class()(
            data={
                **{
                    key: value
                    for key, value in self.request.POST.items()
                    if key.startswith("meeting_date-")  # the date's day, month and year
                },
                "fingerprint": fingerprint,
            }
        )
        form.is_valid()
        form.add_error(None, str(error))
        return self.render_to_response(self.get_context_data(form=form), status=409)


class IssuedReportListView(ProgrammeMixin, PaperMixin, TemplateView):
    """Every issue of a paper, newest first."""

    template_name = "reports/report_archive.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["issued_reports"] = issued_reports(programme=self.programme, paper=self.paper)
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


class ReportChangesView(ProgrammeMixin, PaperMixin, TemplateView):
    """Every figure and project that changed since the paper's last issue, old and new.

    A paper not issued yet is compared with the programme's last issued paper: what the board
    last saw.
    """

    template_name = "reports/report_changes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = changes_since_issued(programme=self.programme, paper=self.paper)
        return context


class ReportRenderRequestView(ProgrammeMixin, PaperMixin, TemplateView):
    """Ask the background worker for the report's PDF; any member may, as any may read it.

    GET explains why a large report is prepared in the background and offers the button; POST
    queues a render, or finds one of the report as it stands, and shows its page.
    """

    template_name = "reports/report_render_request.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = board_report(programme=self.programme, paper=self.paper)
        context["report"] = report
        context["background_projects"] = settings.REPORT_BACKGROUND_PROJECTS
        context["ready"] = reusable_report_render(
            programme=self.programme, fingerprint=report_render_fingerprint(report)
        )
        return context

    def post(self, request, *args, **kwargs):
        report = board_report(programme=self.programme, paper=self.paper)
        render, queued = report_render_request(
            programme=self.programme,
            paper=self.paper,
            fingerprint=report_render_fingerprint(report),
            user=request.user,
        )
        if not queued and render.state == RenderState.READY:
            messages.info(
                request,
                "The report has not changed since this PDF was made, so it is ready to download.",
            )
        return redirect("report:render", self.programme.slug, render.pk)


class ReportRenderMixin:
    """Resolve the ``render`` URL kwarg to a render of the programme, or 404.

    After ProgrammeMixin in the bases, as IssuedReportMixin: another programme's render
    answers 404 to any method.
    """

    render: ReportRender
    with_pdf = False

    def dispatch(self, request, *args, **kwargs):
        find = report_render_with_pdf if self.with_pdf else report_render
        render = find(programme=self.programme, pk=kwargs["render"])
        if render is None:
            raise Http404("No such PDF of the report")
        self.render = render
        return super().dispatch(request, *args, **kwargs)


class ReportRenderView(RenderProgressMixin, ProgrammeMixin, ReportRenderMixin, TemplateView):
    """How far the worker has got with the report's PDF, and its download when ready."""

    template_name = "reports/report_render.html"
    partial_template_name = "reports/partials/_render_progress.html"

    def poll_url(self) -> str:
        return reverse("report:render", args=[self.programme.slug, self.render.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The pages of the paper it is a PDF of, to go back to or issue it.
        paper = self.render.paper
        context["paper_urls"] = paper_urls(
            self.programme.slug, None if paper is None else paper.slug
        )
        return context


class ReportRenderPdfView(RenderPdfMixin, ProgrammeMixin, ReportRenderMixin, View):
    """A report's PDF made by the worker: refused if it no longer matches its hash."""

    def progress(self):
        return redirect("report:render", self.programme.slug, self.render.pk)

    def filename(self) -> str:
        draft = "" if self.render.for_meeting else "draft-"
        return f"{self.programme.slug}-board-report-{draft}{self.render.report_date:%Y-%m-%d}.pdf"
