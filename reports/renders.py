"""The worker's writes to a PDF render: how far it has got, the finished PDF, or why it failed.

The request that queues a render is a service (``reports.services``); the task that makes the
PDF (``reports.tasks``) records its progress here.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .models import PdfRender, RenderState, sha256_hex


def report_render_progress(*, render: PdfRender, stage: str, percent: int) -> None:
    """Record how far the worker has got with a render (and that it is running)."""
    now = timezone.now()
    changes = {"state": RenderState.RUNNING, "stage": stage, "percent": max(0, min(percent, 99))}
    if render.started is None:
        changes["started"] = render.started = now
    type(render).objects.filter(pk=render.pk).update(**changes)
    render.state, render.stage, render.percent = RenderState.RUNNING, stage, changes["percent"]


def report_render_finish(
    *, render: PdfRender, pdf: bytes, fingerprint: str, report_date: date
) -> None:
    """Store the finished PDF of a render, with its SHA-256, and mark it ready."""
    changes = {
        "state": RenderState.READY,
        "stage": "Ready",
        "percent": 100,
        "pdf": pdf,
        "pdf_sha256": sha256_hex(pdf),
        # The report as rendered: it may have changed between the request and the worker.
        "fingerprint": fingerprint,
        "report_date": report_date,
        "finished": timezone.now(),
        "error": "",
    }
    type(render).objects.filter(pk=render.pk).update(**changes)
    for name, value in changes.items():
        setattr(render, name, value)


def report_render_fail(*, render: PdfRender, error: str) -> None:
    """Mark a render failed, saying why, so that it never stays waiting or running."""
    changes = {"state": RenderState.FAILED, "error": error, "finished": timezone.now()}
    type(render).objects.filter(pk=render.pk).update(**changes)
    for name, value in changes.items():
        setattr(render, name, value)
