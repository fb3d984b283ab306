"""The workbook's layout, shared by the export that writes it and the import that reads it back.

Each sheet of programme data is a table with one heading row. A column either holds a key of the
programme file (so that the import can read it back) or a figure computed for the reader, which
the import ignores. The columns of the programme's own fields come from their declarations
(``projects.money.document``): heading, kind, width and order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import models
from openpyxl.utils import get_column_letter

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
    # A spreadsheet formula that works the cell out from the rest of the workbook, so that it
    # follows an edit: ``{key}`` is this row's cell of the column with that key, and
    # ``{Sheet.key}`` that column of another sheet, whole. The import does not read it.
    formula: str | None = None

    @property
    def computed(self) -> bool:
        return self.kind in COMPUTED or self.formula is not None


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
    # The key of the column naming the record a row belongs to (a phase's project, a payment's
    # invoice): the import files the row under that record rather than reading it as a value.
    parent: str | None = None

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def letter(self, key: str) -> str:
        """Return the letter of the column with the key."""
        index = next(i for i, column in enumerate(self.columns, 1) if column.key == key)
        return get_column_letter(index)


def field_column(
    entity: Entity,
    key: str,
    *,
    heading: str | None = None,
    former: tuple[str, ...] = (),
    as_key: str | None = None,
) -> Column:
    """Return the column of a declared field, as its declaration says it is shown.

    ``as_key`` keys the column otherwise, where the field names another record (a payment's
    invoice by the invoice's number).
    """
    spec = entity.spec(key)
    return Column(
        spec.column_heading if heading is None else heading,
        spec.key if as_key is None else as_key,
        Kind(spec.kind.value),
        spec.width,
        spec.choices,
        required=entity.cell_required(spec),
        total=spec.total,
        former=former,
    )


def looked_up(column: Column, formula: str) -> Column:
    """Return a column shown as the spreadsheet works it out from elsewhere, for the reader."""
    return replace(column, formula=formula, required=False, total=False)


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

PHASES = Sheet(
    "Phases", (PROJECT_COLUMN, *field_columns(data.PHASE)), totals=PHASE_TOTALS, parent="project"
)
FUNDING = Sheet(
    "Funding",
    (PROJECT_COLUMN, *field_columns(data.FUNDING)),
    totals=FUNDING_TOTALS,
    parent="project",
)
CLAIMS = Sheet(
    "Outcome claims",
    (PROJECT_COLUMN, *field_columns(data.OUTCOME_CLAIM)),
    totals=(),
    parent="project",
)
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
# After the meeting: the meetings and what each agreed, the calls with their invoices and what
# was paid on them, the money given back, the spend and the forecasts. Written once a programme
# has such records, one row a record, and read back by the import as the programme file's.
MEETINGS = Sheet("Meetings", field_columns(data.MEETING), totals=())
AGREEMENTS = Sheet(
    "Agreements",
    (
        field_column(data.AGREEMENT, "meeting", heading="Meeting slug"),
        Column("Meeting", "meeting_name", Kind.LABEL, 36),
        field_column(data.PARTNER_AGREEMENT, "partner", heading="Council slug"),
        Column("Council", "partner_name", Kind.LABEL, 44),
        *field_columns(data.PARTNER_AGREEMENT, placed=("partner",)),
    ),
    # Each agreement replaces the one before: a total over them all would mean nothing.
    totals=(),
    parent="meeting",
)
# The money columns of the calls and invoices are formulas, so that they follow the payments and
# invoices as they are edited: a call's invoices by its slug, an invoice's payments by its number.
CALLS = Sheet(
    "Calls",
    (
        *field_columns(data.CALL),
        Column(
            "Invoiced",
            "invoiced",
            Kind.MONEY,
            16,
            total=True,
            formula="=SUMIFS({Invoices.amount},{Invoices.call},{slug})",
        ),
        Column(
            "Paid",
            "paid",
            Kind.MONEY,
            16,
            total=True,
            formula="=SUMIFS({Invoices.paid},{Invoices.call},{slug})",
        ),
    ),
    totals=(Total(f"{TOTAL} of all calls listed"),),
)


def _of_the_call(key: str) -> Column:
    """Return a column of an invoice's call, read from the Calls sheet by the call's slug."""
    return looked_up(
        field_column(data.CALL, key),
        f'=IFERROR(INDEX({{Calls.{key}}},MATCH({{call}},{{Calls.slug}},0)),"")',
    )


INVOICES = Sheet(
    "Invoices",
    (
        field_column(data.INVOICE, "number"),
        field_column(data.CALL, "slug", heading="Call", as_key="call"),
        field_column(data.INVOICE, "partner", heading="Council slug"),
        Column("Council", "partner_name", Kind.LABEL, 44),
        *(_of_the_call(key) for key in ("tranche", "financial_year", "issued", "due")),
        field_column(data.INVOICE, "amount"),
        Column(
            "Paid",
            "paid",
            Kind.MONEY,
            16,
            total=True,
            formula="=SUMIFS({Payments.amount},{Payments.invoice},{number})",
        ),
        Column("Owed", "owed", Kind.MONEY, 16, total=True, formula="={amount}-{paid}"),
    ),
    totals=(Total(f"{TOTAL} of all invoices listed"),),
    parent="call",
)
PAYMENTS = Sheet(
    "Payments",
    (
        field_column(data.INVOICE, "number", heading="Invoice number", as_key="invoice"),
        Column(
            "Council",
            "partner_name",
            Kind.LABEL,
            44,
            formula=(
                '=IFERROR(INDEX({Invoices.partner_name},MATCH({invoice},{Invoices.number},0)),"")'
            ),
        ),
        *field_columns(data.PAYMENT),
    ),
    totals=(Total(f"{TOTAL} of all payments listed"),),
    parent="invoice",
)
REFUNDS = Sheet(
    "Refunds and credits",
    (
        field_column(data.REFUND, "partner", heading="Council slug", former=("Partner",)),
        Column("Council", "partner_name", Kind.LABEL, 44),
        *field_columns(data.REFUND, placed=("partner",)),
    ),
    totals=(Total(f"{TOTAL} of all refunds and credits listed"),),
)


def _of_a_phase(entity: Entity) -> tuple[Column, ...]:
    """Return the columns of spend or a forecast: its phase, by its project's slug and its
    number as the file names it, the phase's name for the reader, then the rest."""
    placed = ("project", "phase")
    return (
        *(field_column(entity, key) for key in placed),
        Column("Phase name", "phase_name", Kind.LABEL, 28),
        *field_columns(entity, placed=placed),
    )


SPEND = Sheet("Spend", _of_a_phase(data.SPEND), totals=(Total(f"{TOTAL} of all spend listed"),))
FORECASTS = Sheet(
    "Forecasts", _of_a_phase(data.FORECAST), totals=(Total(f"{TOTAL} of all forecasts listed"),)
)
# In the order the sheets are written, each after the records it refers to.
AFTER_THE_MEETING = (MEETINGS, AGREEMENTS, CALLS, INVOICES, PAYMENTS, REFUNDS, SPEND, FORECASTS)
# The sheets an earlier download wrote for reading only (Agreements, Invoices, Refunds and
# credits) are not these: a workbook with none of these is one from before the import read the
# records after the meeting, and the import keeps the programme's records as they are.
AFTER_THE_MEETING_MARKS = frozenset({"Meetings", "Calls", "Payments", "Spend", "Forecasts"})
# Delivery: each a sheet of its own records, one row a record. A workbook without any of them
# (downloaded before they were written) leaves the programme's as they are.
MILESTONES = Sheet(
    "Milestones",
    (
        field_column(data.MILESTONE, "project"),
        field_column(data.MILESTONE, "phase"),
        Column("Project name", "project_name", Kind.LABEL, 32),
        *field_columns(data.MILESTONE, placed=("project", "phase")),
    ),
    totals=(),
)
STATUS_UPDATES = Sheet(
    "Project status",
    (
        field_column(data.STATUS_UPDATE, "project"),
        Column("Project name", "project_name", Kind.LABEL, 32),
        *field_columns(data.STATUS_UPDATE, placed=("project",)),
    ),
    totals=(),
)
RISKS = Sheet("Risks", field_columns(data.RISK), totals=())
DELIVERY = (MILESTONES, STATUS_UPDATES, RISKS)
DELIVERY_MARKS = frozenset(sheet.title for sheet in DELIVERY)
SHEETS_BY_TITLE = {sheet.title: sheet for sheet in (*AFTER_THE_MEETING, *DELIVERY)}
FIGURES_TITLE = "Figures"
