"""The workbook's layout, shared by the export that writes it and the import that reads it back.

Each sheet of programme data is a table with one heading row. A column either holds a key of the
programme file (so that the import can read it back) or a figure computed for the reader, which
the import ignores.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from projects.money.figures import PARTNER_FIGURES
from projects.money.vocabulary import (
    Borne,
    ContributionStatus,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    ProjectStatus,
    Tranche,
    Vocabulary,
)

# The first cell of a sheet's total row; slugs are lower case, so no data row starts with it.
TOTAL = "Total"

MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
COUNT_FORMAT = "0"


class Kind(models.TextChoices):
    """How a column's cells are written and read."""

    SLUG = "slug"  # a programme's, project's or partner's slug
    NAME = "name"  # text that must not be empty
    TEXT = "text"
    CODE = "code"  # text, empty meaning none
    AMOUNT = "amount"  # pounds and pence, required
    COST = "cost"  # pounds and pence, empty (or TBC) meaning to be confirmed
    OPTIONAL_AMOUNT = "optional_amount"  # pounds and pence, empty meaning not recorded
    WHOLE = "whole"  # a whole number
    WEIGHT = "weight"  # a decimal number with up to four places
    YES_NO = "yes_no"
    CHOICE = "choice"
    DATE = "date"
    FINANCIAL_YEAR = "financial_year"
    COUNT = "count"  # computed: a count
    MONEY = "money"  # computed: an amount


COMPUTED = frozenset({Kind.COUNT, Kind.MONEY})


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its heading, the programme file's key and how to show it."""

    heading: str
    key: str  # the programme file's key; empty for a computed column
    kind: Kind
    width: int = 14
    choices: type[Vocabulary] | None = None
    required: bool = False  # the cell must not be empty
    total: bool = False  # the total row adds it up

    @property
    def computed(self) -> bool:
        return self.kind in COMPUTED


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook and its columns, in order."""

    title: str
    columns: tuple[Column, ...]
    imported: bool = True  # read back by the import

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


def projects_sheet(strategy: str) -> Sheet:
    """Return the Projects sheet: the board report's columns, keyed by the project's slug."""
    return Sheet(
        "Projects",
        (
            Column("Slug", "slug", Kind.SLUG, 22, required=True),
            Column("Project", "name", Kind.NAME, 32, required=True),
            Column("Description", "description", Kind.TEXT, 50),
            Column("Outputs", "outputs", Kind.TEXT, 40),
            Column("Required outcomes", "", Kind.COUNT, 11, total=True),
            Column("Good outcomes", "", Kind.COUNT, 11, total=True),
            Column("Excellent outcomes", "", Kind.COUNT, 11, total=True),
            Column(supports_heading(strategy), "supports_strategy", Kind.YES_NO, 14),
            Column("Existing resource", "", Kind.MONEY, 16, total=True),
            Column("Extra cost min", "", Kind.MONEY, 16, total=True),
            Column("Extra cost max", "", Kind.MONEY, 16, total=True),
            Column("Phases TBC", "", Kind.COUNT, 10, total=True),
            Column("Status", "status", Kind.CHOICE, 12, ProjectStatus),
            Column("Lead partner", "lead_partner", Kind.SLUG, 22),
            Column("External project", "external_project", Kind.TEXT, 30),
        ),
    )


def supports_heading(strategy: str) -> str:
    """Name the column saying whether a project supports the partnership's strategy."""
    return f"Supports {strategy or 'the strategy'}"


PHASES = Sheet(
    "Phases",
    (
        Column("Project", "project", Kind.SLUG, 22, required=True),
        Column("Number", "number", Kind.WHOLE, 9, required=True),
        Column("Name", "name", Kind.NAME, 32, required=True),
        Column("Extra cost", "extra_cost", Kind.COST, 16, total=True),
        Column("Gated", "gated", Kind.YES_NO, 9),
        Column("Decision", "decision", Kind.CHOICE, 18, Decision),
        Column("Borne", "borne", Kind.CHOICE, 26, Borne),
        Column("Note", "note", Kind.TEXT, 40),
        Column("Decided on", "decided_on", Kind.DATE, 12),
        Column("Decision note", "decision_note", Kind.TEXT, 30),
    ),
)
FUNDING = Sheet(
    "Funding",
    (
        Column("Project", "project", Kind.SLUG, 22, required=True),
        Column("Source", "source", Kind.NAME, 36, required=True),
        Column("Kind", "kind", Kind.CHOICE, 10, FundingKind),
        Column("Amount", "amount", Kind.AMOUNT, 16, required=True, total=True),
        Column("Status", "status", Kind.CHOICE, 12, FundingStatus),
        Column("Note", "note", Kind.TEXT, 40),
    ),
)
CLAIMS = Sheet(
    "Outcome claims",
    (
        Column("Project", "project", Kind.SLUG, 22, required=True),
        Column("Grade", "grade", Kind.CHOICE, 12, Grade, required=True),
        Column("Code", "code", Kind.CODE, 14),
    ),
)
CONTRIBUTIONS = Sheet(
    "Contributions",
    (
        Column("Partner", "partner", Kind.SLUG, 24, required=True),
        Column("Financial year", "financial_year", Kind.FINANCIAL_YEAR, 14, required=True),
        Column("Tranche", "tranche", Kind.CHOICE, 18, Tranche, required=True),
        Column("Amount", "amount", Kind.AMOUNT, 16, required=True, total=True),
        Column("Status", "status", Kind.CHOICE, 12, ContributionStatus),
        Column("Pledged on", "pledged_on", Kind.DATE, 12),
        Column("Invoiced on", "invoiced_on", Kind.DATE, 12),
        Column("Received on", "received_on", Kind.DATE, 12),
        Column("Returned on", "returned_on", Kind.DATE, 12),
        Column("Note", "note", Kind.TEXT, 30),
    ),
)
PARTNERS = Sheet(
    "Partners",
    (
        Column("Slug", "slug", Kind.SLUG, 24, required=True),
        Column("Name", "name", Kind.NAME, 44, required=True),
        Column("Contributes", "contributes", Kind.YES_NO, 12),
        Column("Population", "population", Kind.WHOLE, 12),
        Column("Weight", "weight", Kind.WEIGHT, 10),
        Column("IEG grant", "ieg_grant", Kind.OPTIONAL_AMOUNT, 16),
    ),
)
SHARES = Sheet(
    "Partner shares",
    (
        Column("Partner", "", Kind.SLUG, 24),
        Column("Name", "", Kind.TEXT, 44),
        # Each partner's amounts, as the registry names them on this sheet.
        *(
            Column(figure.in_sheet(strategy=""), "", Kind.MONEY, 16, total=True)
            for figure in PARTNER_FIGURES
        ),
    ),
    imported=False,
)
FIGURES_TITLE = "Figures"
