"""The board report's words for each programme, and the reports issued to the board.

An issued report is a record of what the board was given: its PDF and its figures are stored
with their SHA-256 and never change. The model refuses to save a row twice or to delete one;
``reports.services.report_issue`` is the only way one is made.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.data import REPORT_LINE_MAX_LENGTH, REPORT_TEXT_MAX_LENGTH

from .report.placeholders import validate_placeholders

LINE = {"max_length": REPORT_LINE_MAX_LENGTH, "blank": True, "validators": [validate_placeholders]}
TEXT = {
    "blank": True,
    "validators": [validate_placeholders, MaxLengthValidator(REPORT_TEXT_MAX_LENGTH)],
}


class ReportText(models.Model):
    """The facilitator's words of a programme's board report, with figure placeholders."""

    programme = models.OneToOneField(
        "projects.Programme", on_delete=models.CASCADE, related_name="report_text"
    )
    meeting = models.CharField(
        "meeting", **LINE, help_text="The meeting it goes to, such as Norfolk Chief Executives."
    )
    item_number = models.CharField(
        "item number", **LINE, help_text="The item's number on the meeting's agenda, if known."
    )
    title = models.CharField(
        "title", **LINE, help_text="Such as Norfolk Connect Medium Term Workload."
    )
    report_by = models.CharField(
        "report by", **LINE, help_text="Who the report is by, with their role and council."
    )
    summary = models.TextField(
        "summary", **TEXT, help_text="What the report recommends, in a sentence or two."
    )
    background = models.TextField("1. Background/Introduction", **TEXT)
    project_list = models.TextField(
        "2. Project list", **TEXT, help_text="The table of projects follows the report."
    )
    risks_and_benefits = models.TextField("3. Risks and Benefits", **TEXT)
    alternative_options = models.TextField("4. Alternative Options", **TEXT)
    recommendations = models.TextField(
        "5. Recommendations",
        **TEXT,
        help_text="{contribution_recommendation} gives the recommended contribution in full.",
    )
    contact_officers = models.TextField("6. Contact Officers", **TEXT)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "report text"

    def __str__(self) -> str:
        return f"Report text of {self.programme}"


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
