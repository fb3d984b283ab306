"""The workbook's layout, shared by the export that writes it and the import that reads it back.

Each sheet of programme data is a table with one heading row. A column either holds a key of the
programme file (so that the import can read it back) or a figure computed for the reader, which
the import ignores. The columns of the programme's own fields come from their declarations
(``projects.money.document``): heading, kind, width and order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from projects.money import document as data
from projects.money.figures import PARTNER_FIGURES
from projects.money.schema import Entity
from projects.money.shares import PLEDGED_STATUSES
from projects.money.vocabulary import (
    ContributionStatus,
    Decision,
    FundingStatus,
    Vocabulary,
)

# How the first cell of a sheet's total row begins. The first column holds slugs, which are
# lower case, so no data row starts with it.
TOTAL = "Total"
YES, NO = "Yes", "No"  # how a yes-or-no cell is written

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
    LABEL = "label"  # computed: the name of what a slug column identifies, for the reader


COMPUTED = frozenset({Kind.COUNT, Kind.MONEY, Kind.LABEL})


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its heading, the programme file's key and how to show it."""

    heading: str
    key: str  # the programme file's key; for a computed column, the figure's name
    kind: Kind
    width: int = 14
    choices: type[Vocabulary] | None = None
    required: bool = False  # the cell must not be empty
    total: bool = False  # the total rows add it up
    # Headings the column had in earlier downloads, read when its heading is missing, so a
    # workbook downloaded before a heading changed still imports.
    former: tuple[str, ...] = ()

    @property
    def computed(self) -> bool:
        return self.kind in COMPUTED


@dataclass(frozen=True)
class Condition:
    """A test of a row's cell as the sheet shows it: equal to a text, or not equal to it."""

    key: str  # the column's key
    shown: str
    equal: bool = True


@dataclass(frozen=True)
class Total:
    """One total row: what it adds up, said in words on the row, and which rows it counts.

    A row counts when it meets every condition of any one group; no groups counts every row.
    The groups must not overlap, so that no row is counted twice (the spreadsheet adds one
    SUMIFS a group).
    """

    label: str
    groups: tuple[tuple[Condition, ...], ...] = ()


EVERY_ROW = (Total(TOTAL),)


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook and its columns, in order, and its total rows."""

    title: str
    columns: tuple[Column, ...]
    imported: bool = True  # read back by the import
    totals: tuple[Total, ...] = EVERY_ROW

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


def field_column(
    entity: Entity, key: str, *, heading: str | None = None, former: tuple[str, ...] = ()
) -> Column:
    """Return the column of a declared field, as its declaration says it is shown."""
    spec = entity.spec(key)
    return Column(
        spec.column_heading if heading is None else heading,
        spec.key,
        Kind(spec.kind.value),
        spec.width,
        spec.choices,
        required=entity.cell_required(spec),
        total=spec.total,
        former=former,
    )


def slug_column(entity: Entity, key: str, *, heading: str, former: str) -> Column:
    """Return the column of a slug that names another row, headed as a slug.

    The name beside it is for the reader; the import matches the rows by this slug.
    """
    return field_column(entity, key, heading=heading, former=(former,))


def field_columns(entity: Entity, *, placed: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """Return the columns of an entity's declared fields in order, but those placed already."""
    return tuple(
        field_column(entity, spec.key)
        for spec in entity.fields
        if spec.in_workbook and spec.key not in placed
    )


# The project a phase, funding line or outcome claim belongs to, by its slug. A slug is made of
# the project's name, and a column of names beside it would make the largest programmes'
# workbooks a sixth larger.
PROJECT_COLUMN = Column("Project", "project", Kind.SLUG, 22, required=True)
# The Projects sheet's own fields, in the board report's order among the computed columns.
_PROJECT_PLACED = (
    "slug",
    "name",
    "description",
    "outputs",
    "supports_strategy",
    "status",
    "lead_partner",
    "external_project",
)


def projects_sheet(strategy: str) -> Sheet:
    """Return the Projects sheet: the board report's columns, keyed by the project's slug.

    A computed column's key names the figure it shows; the import reads only the others.
    """

    def column(key: str) -> Column:
        return field_column(data.PROJECT, key)

    return Sheet(
        "Projects",
        (
            column("slug"),
            column("name"),
            column("description"),
            column("outputs"),
            Column("Required outcomes", "required_outcomes", Kind.COUNT, 11, total=True),
            Column("Good outcomes", "good_outcomes", Kind.COUNT, 11, total=True),
            Column("Excellent outcomes", "excellent_outcomes", Kind.COUNT, 11, total=True),
            field_column(data.PROJECT, "supports_strategy", heading=supports_heading(strategy)),
            Column("Existing resource", "existing_resource", Kind.MONEY, 16, total=True),
            Column(EXTRA_MIN_HEADING, "extra_min", Kind.MONEY, 16, total=True),
            Column(EXTRA_MAX_HEADING, "extra_max", Kind.MONEY, 16, total=True),
            Column("Phases TBC", "tbc_phases", Kind.COUNT, 10, total=True),
            column("status"),
            Column("Lead partner", "lead_partner_name", Kind.LABEL, 28),
            slug_column(
                data.PROJECT, "lead_partner", heading="Lead partner slug", former="Lead partner"
            ),
            column("external_project"),
            *field_columns(data.PROJECT, placed=_PROJECT_PLACED),
        ),
        totals=(Total(f"{TOTAL} of all projects listed"),),
    )


def supports_heading(strategy: str) -> str:
    """Name the column saying whether a project supports the partnership's strategy."""
    return f"Supports {strategy or 'the strategy'}"


def strategy_name(strategy: str) -> str:
    """Name the partnership's strategy in a sentence, as the dashboard does."""
    return strategy or "the partnership's strategy"


# What the minimum and the maximum are, in the words every sheet uses for them.
MINIMUM = "minimum: phases certain to go ahead"
MAXIMUM = "maximum: all phases that may proceed"
EXTRA_MIN_HEADING = "Extra cost, minimum"
EXTRA_MAX_HEADING = "Extra cost, maximum"


def _either(key: str, shown: frozenset[str] | tuple[str, ...]) -> tuple[tuple[Condition, ...], ...]:
    """Return the groups counting a row whose cell shows any one of the texts."""
    return tuple((Condition(key, text),) for text in sorted(shown))


_GOES_AHEAD = Condition("decision", Decision.NOT_PROCEEDING.label, equal=False)
# The same rules as the money core's counts_in_minimum and counts_in_maximum, as the sheet shows
# the phases: the minimum is every phase that needs no business case, or whose business case is
# approved, unless it does not proceed; the maximum is every phase that has not stopped.
PHASE_TOTALS = (
    Total(
        f"{TOTAL} extra cost, {MINIMUM}",
        (
            (Condition("gated", NO), _GOES_AHEAD),
            (Condition("gated", YES), Condition("decision", Decision.APPROVED.label)),
        ),
    ),
    Total(f"{TOTAL} extra cost, {MAXIMUM}", ((_GOES_AHEAD,),)),
    Total(f"{TOTAL} of all phases listed, including any not proceeding"),
)
FUNDING_TOTALS = (
    Total(
        f"{TOTAL} secured: the existing resource",
        ((Condition("status", FundingStatus.SECURED.label),),),
    ),
    Total(f"{TOTAL} of all funding lines listed, secured and prospective"),
)
CONTRIBUTION_TOTALS = (
    Total(
        f"{TOTAL} pledged (pledged, invoiced or received)",
        _either("status", tuple(ContributionStatus(status).label for status in PLEDGED_STATUSES)),
    ),
    Total(f"{TOTAL} received", _either("status", (ContributionStatus.RECEIVED.label,))),
    Total(f"{TOTAL} of all contributions listed, including any returned"),
)

PHASES = Sheet("Phases", (PROJECT_COLUMN, *field_columns(data.PHASE)), totals=PHASE_TOTALS)
FUNDING = Sheet("Funding", (PROJECT_COLUMN, *field_columns(data.FUNDING)), totals=FUNDING_TOTALS)
CLAIMS = Sheet("Outcome claims", (PROJECT_COLUMN, *field_columns(data.OUTCOME_CLAIM)), totals=())
CONTRIBUTIONS = Sheet(
    "Contributions",
    (
        slug_column(data.CONTRIBUTION, "partner", heading="Partner slug", former="Partner"),
        Column("Partner", "partner_name", Kind.LABEL, 34),
        *field_columns(data.CONTRIBUTION, placed=("partner",)),
    ),
    totals=CONTRIBUTION_TOTALS,
)
PARTNERS = Sheet("Partners", field_columns(data.PARTNER), totals=())
SHARES = Sheet(
    "Partner shares",
    (
        Column("Partner", "name", Kind.LABEL, 40),
        # Each partner's amounts, as the registry names them on this sheet.
        *(
            Column(figure.in_sheet(strategy=""), figure.key, Kind.MONEY, 16, total=True)
            for figure in PARTNER_FIGURES
        ),
    ),
    imported=False,
    totals=(Total(f"{TOTAL} of all contributing partners"),),
)
# After the meeting: what was agreed, the invoices and what was paid on them, and the money given
# back. Written once a programme has such records; the import leaves them to the programme file.
AGREEMENTS = Sheet(
    "Agreements",
    (
        Column("Meeting", "meeting_name", Kind.LABEL, 36),
        field_column(data.AGREEMENT, "meeting", heading="Meeting slug"),
        Column("Council", "partner_name", Kind.LABEL, 34),
        field_column(data.PARTNER_AGREEMENT, "partner", heading="Council slug"),
        *field_columns(data.PARTNER_AGREEMENT, placed=("partner",)),
    ),
    imported=False,
    # Each agreement replaces the one before: a total over them all would mean nothing.
    totals=(),
)
INVOICES = Sheet(
    "Invoices",
    (
        field_column(data.INVOICE, "number"),
        Column("Council", "partner_name", Kind.LABEL, 34),
        field_column(data.INVOICE, "partner", heading="Council slug"),
        field_column(data.CALL, "slug", heading="Call"),
        field_column(data.CALL, "tranche"),
        field_column(data.CALL, "financial_year"),
        field_column(data.CALL, "issued"),
        field_column(data.CALL, "due"),
        field_column(data.INVOICE, "amount"),
        Column("Paid", "paid", Kind.MONEY, 16, total=True),
        Column("Owed", "owed", Kind.MONEY, 16, total=True),
    ),
    imported=False,
    totals=(Total(f"{TOTAL} of all invoices listed"),),
)
REFUNDS = Sheet(
    "Refunds and credits",
    (
        Column("Council", "partner_name", Kind.LABEL, 34),
        *field_columns(data.REFUND),
    ),
    imported=False,
    totals=(Total(f"{TOTAL} of all refunds and credits listed"),),
)
FIGURES_TITLE = "Figures"
