"""A partner council's statement of what it owes the programme and has paid, as HTML and PDF.

The partner's own officers may read it, and so may the partnership's facilitators,
administrators and chief executives; another partner's officer may not (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.generic import TemplateView, View

from contributions.models import Partner
from contributions.selectors import partnership_partner
from projects.access import ProgrammeMixin
from projects.models import Role

from ..report.pdf import statement_pdf
from ..report.selectors import statement_for
from .report import pdf_response


class StatementMixin:
    """Resolve the ``partner`` URL kwarg and check the reader may see its statement.

    Put it after ProgrammeMixin in the bases: it runs inside its dispatch, once the programme
    is known, so another partnership's partner answers 404 to any method, never 405.
    """

    partner: Partner

    def dispatch(self, request, *args, **kwargs):
        partner = partnership_partner(
            partnership=self.programme.partnership, slug=kwargs["partner"]
        )
        if partner is None:
            raise Http404("No such partner")
        membership = self.membership
        if membership.role == Role.PARTNER_OFFICER and membership.partner_id != partner.pk:
            raise PermissionDenied("A partner officer may read only their own council's statement.")
        self.partner = partner
        return super().dispatch(request, *args, **kwargs)


class StatementView(ProgrammeMixin, StatementMixin, TemplateView):
    template_name = "reports/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner"] = self.partner
        context["statement"] = statement_for(programme=self.programme, partner=self.partner)
        return context


class StatementPdfView(ProgrammeMixin, StatementMixin, View):
    def get(self, request, *args, **kwargs):
        statement = statement_for(programme=self.programme, partner=self.partner)
        return pdf_response(
            statement_pdf(statement),
            filename=f"{self.programme.slug}-statement-{self.partner.slug}.pdf",
            download=False,
        )
