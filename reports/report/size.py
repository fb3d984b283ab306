"""How much work a PDF will be to lay out, estimated from what it holds. Pure.

The estimate decides whether a PDF is made in the request or by the background worker
(``PDF_BACKGROUND_WORK``). It is in milliseconds of WeasyPrint on the reference machine
(2 cores, WeasyPrint 70), fitted to PDFs measured at several sizes (docs/deployment.md, "How
large is large"): a fixed start, a cost per table row, and a cost per character of text.
A table cell's text costs more the longer it is, as a row taller than a page is laid out again
for each page it breaks over: its characters are counted linearly and squared.
"""

from __future__ import annotations

from collections.abc import Iterable

from projects.money.document import REPORT_WORDS

from .content import BoardReport
from .statements import PartnerStatement

START = 500  # fonts, styles, the first pages and the charts' frames
REPORT_ROW = 11  # one project: its table row and its bar in the cost chart
PARTNER = 5  # a partner's bars, and its line where the partners' contributions differ
CELL_CHARACTER = 0.018  # a character of a project's row (name, description, outputs, cost)
CELL_CHARACTER_SQUARED = 7.2e-6  # the same row's characters, squared
TEXT_CHARACTER = 0.023  # a character of the report's own words, in paragraphs
STATEMENT_START = 200  # a statement's first page: no charts
STATEMENT_ROW = 6  # a line of a statement: a year, a contribution or a project's share
STATEMENT_CHARACTER = 0.02  # a character of a statement's names and notes


def _cell_work(characters: int) -> float:
    return CELL_CHARACTER * characters + CELL_CHARACTER_SQUARED * characters**2


def _characters(texts: Iterable[str]) -> int:
    return sum(len(text) for text in texts)


def report_pdf_work(report: BoardReport) -> int:
    """Return the estimated work of laying out the board report as a PDF, in milliseconds."""
    rows = sum(
        _cell_work(
            _characters(
                (
                    row.name,
                    row.external_project,
                    row.description,
                    row.outputs,
                    row.outcomes,
                    row.supports,
                    row.extra,
                )
            )
        )
        for row in report.projects
    )
    words = _characters(getattr(report.text, field) for field in REPORT_WORDS)
    return round(
        START
        + REPORT_ROW * len(report.projects)
        + PARTNER * len(report.partner_names)
        + rows
        + TEXT_CHARACTER * words
    )


def statement_pdf_work(statement: PartnerStatement) -> int:
    """Return the estimated work of laying out a partner's statement as a PDF, in milliseconds."""
    lines = len(statement.years) + len(statement.contributions) + len(statement.projects)
    characters = _characters(line.note for line in statement.contributions) + _characters(
        share.name for share in statement.projects
    )
    return round(STATEMENT_START + STATEMENT_ROW * lines + STATEMENT_CHARACTER * characters)


def made_in_background(work: int, *, threshold: int) -> bool:
    """Return whether a PDF of this estimated work is made by the worker, not in the request."""
    return work > threshold
