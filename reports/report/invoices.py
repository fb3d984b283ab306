"""An invoice to a council as an A4 PDF, made by the statements' locked-down renderer."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from contributions.ledger_selectors import InvoiceDocument

from .pdf import render_pdf_within


def invoice_html(document: InvoiceDocument) -> str:
    """Return an invoice to a council as the finished HTML the PDF is made from."""
    return render_to_string("pdf/invoice.html", {"document": document})


def invoice_pdf(document: InvoiceDocument, *, seconds: float | None = None) -> bytes:
    """Return an invoice to a council as an A4 PDF, within the request's time budget."""
    return render_pdf_within(
        invoice_html(document), seconds=seconds or settings.PDF_REQUEST_SECONDS
    )
