"""A partner council's statement of what it owes the programme and has paid, as HTML and PDF.

The partner's own officers may read it, and so may the partnership's facilitators,
administrators and chief executives; another partner's officer may not (403). A large
statement's PDF is prepared by the background worker, as a large board report's is, and its
renders are reached only under their own partner's address.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View
from django.views.generic.base import ContextMixin

from contributions.selectors import partnership_partner
from projects.access import ProgrammeMixin
from projects.models import Partner, Role

from ..models import RenderState, StatementRender
from ..report.pdf import PdfFailedError, statement_pdf
from ..report.selectors import statement_for
from ..report.statements import statement_fingerprint
from ..selectors import (
    reusable_statement_render,
    statement_render,
    statement_render_with_pdf,
    statement_renders_in_background,
)
from ..services import statement_render_request
from .renders import RenderPdfMixin, RenderProgressMixin, pdf_response
from .report import pdf_failed_response

logger = logging.getLogger(__name__)


class StatementMixin:
    """Resolve the ``partner`` URL kwarg and check the reader may see its statement.

    Put it after ProgrammeMixin in the bases: it runs inside its dispatch, once the programme
    is known, so another partnership's partner answers 404 to any method, never 405.
    """

    partner: Partner
    refusal = "You can only see your own council's statement."  # the 403 page says it

    def dispatch(self, request, *args, **kwargs):
        partner = partnership_partner(
            partnership=self.programme.partnership, slug=kwargs["partner"]
        )
        if partner is None:
            raise Http404("No such partner")
        membership = self.membership
        if membership.role == Role.PARTNER_OFFICER and membership.partner_id != partner.pk:
            raise PermissionDenied(self.refusal)
        self.partner = partner
        return super().dispatch(request, *args, **kwargs)


class StatementView(ProgrammeMixin, StatementMixin, TemplateView):
    template_name = "reports/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner"] = self.partner
        context["statement"] = statement_for(programme=self.programme, partner=self.partner)
        return context


class StatementPdfView(ProgrammeMixin, StatementMixin, ContextMixin, View):
    """The statement as an A4 PDF: made now if small, else by the worker (sent to its page)."""

    def get(self, request, *args, **kwargs):
        statement = statement_for(programme=self.programme, partner=self.partner)
        slug, partner = self.programme.slug, self.partner.slug
        if statement_renders_in_background(statement):
            made = reusable_statement_render(
                programme=self.programme,
                partner=self.partner,
                fingerprint=statement_fingerprint(statement),
            )
            if made is not None and made.state == RenderState.READY:
                return redirect("report:statement_render_pdf", slug, partner, made.pk)
            return redirect("report:statement_renders", slug, partner)
        try:
            pdf = statement_pdf(statement)
        except PdfFailedError as error:
            return pdf_failed_response(
                self,
                error,
                title=f"Statement for {self.partner.name}",
                background_url=reverse("report:statement_renders", args=[slug, partner]),
            )
        return pdf_response(pdf, filename=f"{slug}-statement-{partner}.pdf", download=False)


class StatementRenderRequestView(ProgrammeMixin, StatementMixin, TemplateView):
    """Ask the worker for the statement's PDF: whoever may read the statement may ask.

    GET explains why a large statement is prepared in the background and offers the button;
    POST queues a render, or finds one of the statement as it stands, and shows its page.
    """

    template_name = "reports/statement_render_request.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = statement_for(programme=self.programme, partner=self.partner)
        context["partner"] = self.partner
        context["ready"] = reusable_statement_render(
            programme=self.programme,
            partner=self.partner,
            fingerprint=statement_fingerprint(statement),
        )
        return context

    def post(self, request, *args, **kwargs):
        statement = statement_for(programme=self.programme, partner=self.partner)
        render, queued = statement_render_request(
            programme=self.programme,
            partner=self.partner,
            fingerprint=statement_fingerprint(statement),
            user=request.user,
        )
        if not queued and render.state == RenderState.READY:
            messages.info(
                request,
                "The statement has not changed since this PDF was made, so it is ready to "
                "download.",
            )
        return redirect(
            "report:statement_render", self.programme.slug, self.partner.slug, render.pk
        )


class StatementRenderMixin:
    """Resolve the ``render`` URL kwarg to a render of this partner's statement, or 404.

    After ProgrammeMixin and StatementMixin in the bases: another partner's render, even of the
    same programme, answers 404, as does another programme's.
    """

    render: StatementRender
    with_pdf = False

    def dispatch(self, request, *args, **kwargs):
        find = statement_render_with_pdf if self.with_pdf else statement_render
        render = find(programme=self.programme, partner=self.partner, pk=kwargs["render"])
        if render is None:
            raise Http404("No such PDF of the statement")
        self.render = render
        return super().dispatch(request, *args, **kwargs)


class StatementRenderView(
    RenderProgressMixin, ProgrammeMixin, StatementMixin, StatementRenderMixin, TemplateView
):
    """How far the worker has got with a statement's PDF, and its download when ready."""

    template_name = "reports/statement_render.html"
    partial_template_name = "reports/partials/_statement_render_progress.html"

    def poll_url(self) -> str:
        return reverse(
            "report:statement_render",
            args=[self.programme.slug, self.partner.slug, self.render.pk],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner"] = self.partner
        return context


class StatementRenderPdfView(
    RenderPdfMixin, ProgrammeMixin, StatementMixin, StatementRenderMixin, View
):
    """A statement's PDF made by the worker: refused if it no longer matches its hash."""

    def progress(self):
        return redirect(
            "report:statement_render", self.programme.slug, self.partner.slug, self.render.pk
        )

    def filename(self) -> str:
        slug, partner = self.programme.slug, self.partner.slug
        return f"{slug}-statement-{partner}-{self.render.report_date:%Y-%m-%d}.pdf"
