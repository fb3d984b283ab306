"""The pages of a PDF made by the background worker: its progress, and its download.

A board report's and a partner statement's renders share these; each view says only where
its render is found, how its page is addressed and what its file is called.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse

from ..models import PdfRender, RenderState

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DAMAGED = (
    "This PDF's stored file no longer matches the fingerprint taken when it was made, so it is "
    "not served. Ask for the PDF again."
)


def pdf_response(content: bytes, *, filename: str, download: bool) -> HttpResponse:
    """Return a PDF, to open in the browser or to download."""
    response = HttpResponse(content, content_type=PDF)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class RenderProgressMixin:
    """How far the worker has got with a PDF, and its download when ready.

    htmx asks again every two seconds with what it last showed (``seen``): the answer is
    empty (204) while that has not changed, so a screen reader hears each step only once, and
    the fragment of a finished render stops asking.
    """

    render: PdfRender
    partial_template_name: str

    def poll_url(self) -> str:
        raise NotImplementedError

    def get_template_names(self):
        if self.request.htmx:
            return [self.partial_template_name]
        return [self.template_name]

    def get(self, request, *args, **kwargs):
        if request.htmx and not self.render.done and request.GET.get("seen") == self.seen():
            return HttpResponse(status=204)
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    def seen(self) -> str:
        return f"{self.render.state}-{self.render.percent}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["render"] = self.render
        context["seen"] = self.seen()
        context["poll_url"] = self.poll_url()
        return context


class RenderPdfMixin:
    """A PDF made by the worker: its progress page until it is ready; refused if damaged."""

    render: PdfRender
    with_pdf = True

    def progress(self):
        raise NotImplementedError

    def filename(self) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        render = self.render
        if render.state != RenderState.READY:
            return self.progress()
        if not render.intact:
            logger.error("%s %s no longer matches its SHA-256", type(render).__name__, render.pk)
            return HttpResponse(DAMAGED, status=500, content_type="text/plain; charset=utf-8")
        return pdf_response(bytes(render.pdf), filename=self.filename(), download=True)
