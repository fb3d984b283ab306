"""An invoice to a council as a PDF, to send to its finance officer.

Anyone of the partnership may download it except a partner officer, who may download only
their own council's: another council's invoice answers 404, as if it were not there. It is
made in the request, by the same locked-down renderer as the statements: an invoice is one page.
"""

from __future__ import annotations

import logging

from django.http import Http404
from django.template.response import TemplateResponse
from django.views.generic import View
from django.views.generic.base import ContextMixin

from contributions.ledger_selectors import InvoiceDocument, invoice_document
from projects.access import ProgrammeMixin, own_council

from ..report.invoices import invoice_pdf
from ..report.pdf import PdfFailedError
from .renders import pdf_response

logger = logging.getLogger(__name__)


class InvoiceMixin:
    """Resolve the ``invoice`` URL kwarg to one the reader may download, or 404.

    After ProgrammeMixin in the bases: it runs once the programme is known, so another
    programme's invoice answers 404 to any method, never 405.
    """

    document: InvoiceDocument

    def dispatch(self, request, *args, **kwargs):
        document = invoice_document(programme=self.programme, pk=kwargs["invoice"])
        council = own_council(self.membership)
        if document is None or (council is not None and document.partner.pk != council.pk):
            raise Http404("No such invoice")
        self.document = document
        return super().dispatch(request, *args, **kwargs)


class InvoicePdfView(ProgrammeMixin, InvoiceMixin, ContextMixin, View):
    def get(self, request, *args, **kwargs):
        document = self.document
        try:
            pdf = invoice_pdf(document)
        except PdfFailedError as error:
            logger.warning("An invoice's PDF failed (%s): %s", error.kind, request.path)
            context = self.get_context_data(error=error, document=document)
            return TemplateResponse(request, "reports/invoice_pdf_failed.html", context, status=503)
        number = document.invoice.number
        return pdf_response(pdf, filename=f"invoice-{number}.pdf", download=False)
