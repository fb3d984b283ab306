"""The reports issued to the board, and the PDFs the worker makes of large ones.

An issued report is a record of what the board was given: its PDF and its figures are stored
with their SHA-256 and never change. The model refuses to save a row twice or to delete one;
``reports.services.report_issue`` is the only way one is made.

A report render is a PDF of a large report made by the background worker; a statement render
the same for a partner's statement.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.money.document import REPORT_LINE_MAX_LENGTH


class IssuedReportImmutableError(Exception):
    """An issued report is what the board was given: it is never changed or removed."""


def sha256_hex(content: bytes) -> str:
    """Return the SHA-256 of the content as 64 hexadecimal digits."""
    return hashlib.sha256(content).hexdigest()


class IssuedReport(models.Model):
    """A board report as issued for a meeting: its PDF and figures, fixed, with their hashes."""

    programme = models.ForeignKey(
        "projects.Programme", on_delete=models.PROTECT, related_name="issued_reports"
    )
    # The paper it is an issue of: each paper has its own archive and its own changes since.
    paper = models.ForeignKey("reports.ReportText", on_delete=models.PROTECT, related_name="issues")
    meeting_date = models.DateField("meeting date")
    title = models.CharField(max_length=REPORT_LINE_MAX_LENGTH)
    issued_at = models.DateTimeField("issued at", default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="issued_reports"
    )
    pdf = models.BinaryField("PDF")
    pdf_sha256 = models.CharField("SHA-256 of the PDF", max_length=64)
    # The figures as canonical JSON text, kept as text so that its hash stays checkable.
    figures = models.TextField("figures (JSON)")
    figures_sha256 = models.CharField("SHA-256 of the figures", max_length=64)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pdf_sha256__regex=r"^[0-9a-f]{64}$")
                & models.Q(figures_sha256__regex=r"^[0-9a-f]{64}$"),
                name="issued_report_hashes_are_sha256",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.meeting_date:%d %B %Y}"

    def save(self, *args, **kwargs) -> None:
        # The integrity of the archive, not domain logic: a saved issued report is final.
        if not self._state.adding:
            raise IssuedReportImmutableError(
                "An issued report cannot be changed: issue a new one instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedReportImmutableError("An issued report cannot be removed.")

    @property
    def intact(self) -> bool:
        """Return whether the stored PDF and figures still match the hashes taken at issue."""
        return (
            sha256_hex(bytes(self.pdf)) == self.pdf_sha256
            and sha256_hex(self.figures.encode("utf-8")) == self.figures_sha256
        )


class RenderState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class PdfRender(models.Model):
    """A PDF prepared by the background worker, with its progress on the way.

    Large PDFs take seconds to lay out, too long to keep a request waiting: the worker makes
    them (``reports.tasks``) and the member downloads the PDF when it is ready. Only
    ``reports.services`` changes a render.
    """

    FINISHED = (RenderState.READY, RenderState.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField("requested at", default=timezone.now)
    started = models.DateTimeField("started at", null=True, blank=True)
    finished = models.DateTimeField("finished at", null=True, blank=True)
    state = models.CharField(max_length=10, choices=RenderState.choices, default=RenderState.QUEUED)
    stage = models.CharField("stage", max_length=100, blank=True)
    percent = models.PositiveSmallIntegerField("percent done", default=0)
    # What the document said when it was requested, then when it was rendered (with its date):
    # a ready render whose fingerprint matches the document now is served again, not redone.
    fingerprint = models.CharField("fingerprint of the report", max_length=64)
    report_date = models.DateField("date of the report", null=True, blank=True)
    pdf = models.BinaryField("PDF", blank=True, default=b"")
    pdf_sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    error = models.TextField("what went wrong", blank=True)
    task_id = models.CharField("task id", max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def done(self) -> bool:
        """Return whether the render has finished, ready or failed."""
        return self.state in self.FINISHED

    @property
    def intact(self) -> bool:
        """Return whether the stored PDF still matches the hash taken when it was made."""
        return bool(self.pdf_sha256) and sha256_hex(bytes(self.pdf)) == self.pdf_sha256


class ReportRender(PdfRender):
    """A board report's PDF prepared by the background worker (``render_board_report``)."""

    programme = models.ForeignKey(
        "projects.Programme", on_delete=models.CASCADE, related_name="report_renders"
    )
    # The paper it is a PDF of; none for a paper whose words are not saved yet (the default's).
    paper = models.ForeignKey(
        "reports.ReportText",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="renders",
    )
    # The PDF of the report as issued to a meeting (dated the meeting), not a draft.
    for_meeting = models.BooleanField("for issue to a meeting", default=False)

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["programme", "fingerprint"], name="report_render_reuse_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="report_render_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"PDF of the board report of {self.programme} ({self.get_state_display()})"


class StatementRender(PdfRender):
    """A partner's statement as a PDF prepared by the worker (``render_partner_statement``).

    Its ``fingerprint`` is of the statement as it stood, dated ``report_date``; only the
    partner's own officers and the partnership's other members may see it.
    """

    programme = models.ForeignKey(
        "projects.Programme", on_delete=models.CASCADE, related_name="statement_renders"
    )
    partner = models.ForeignKey(
        "contributions.Partner", on_delete=models.CASCADE, related_name="statement_renders"
    )

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(
                fields=["programme", "partner", "fingerprint"], name="statement_render_reuse_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100),
                name="statement_render_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"PDF of the statement of {self.partner} ({self.get_state_display()})"
