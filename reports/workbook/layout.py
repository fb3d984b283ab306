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
from projects.money.vocabulary import (
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
    key: str  # the programme file's key; for a computed column, the figure's name
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


def field_column(entity: Entity, key: str, *, heading: str | None = None) -> Column:
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
    )


def field_columns(entity: Entity, *, placed: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """Return the columns of an entity's declared fields in order, but those placed already."""
    return tuple(
        field_column(entity, spec.key)
        for spec in entity.fields
        if spec.in_workbook and spec.key not in placed
    )


# The project a phase, funding line or outcome claim belongs to, by its slug.
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
            Column("Extra cost min", "extra_min", Kind.MONEY, 16, total=True),
            Column("Extra cost max", "extra_max", Kind.MONEY, 16, total=True),
            Column("Phases TBC", "tbc_phases", Kind.COUNT, 10, total=True),
            column("status"),
            column("lead_partner"),
            column("external_project"),
            *field_columns(data.PROJECT, placed=_PROJECT_PLACED),
        ),
    )


def supports_heading(strategy: str) -> str:
    """Name the column saying whether a project supports the partnership's strategy."""
    return f"Supports {strategy or 'the strategy'}"


PHASES = Sheet("Phases", (PROJECT_COLUMN, *field_columns(data.PHASE)))
FUNDING = Sheet("Funding", (PROJECT_COLUMN, *field_columns(data.FUNDING)))
CLAIMS = Sheet("Outcome claims", (PROJECT_COLUMN, *field_columns(data.OUTCOME_CLAIM)))
CONTRIBUTIONS = Sheet("Contributions", field_columns(data.CONTRIBUTION))
PARTNERS = Sheet("Partners", field_columns(data.PARTNER))
SHARES = Sheet(
    "Partner shares",
    (
        Column("Partner", "partner", Kind.SLUG, 24),
        Column("Name", "name", Kind.TEXT, 44),
        # Each partner's amounts, as the registry names them on this sheet.
        *(
            Column(figure.in_sheet(strategy=""), figure.key, Kind.MONEY, 16, total=True)
            for figure in PARTNER_FIGURES
        ),
    ),
    imported=False,
)
FIGURES_TITLE = "Figures"
