"""How an entity's fields are declared once, for every place that lists them.

Each entity of a programme (its programme settings, partners, projects, phases, funding lines,
outcome claims, contributions, the board report's text) has one ``Entity``: its plain data class
and a ``FieldSpec`` per field, in the programme file's order. The programme file's parser and
dumper, the reading of the database into plain data, the loading of plain data into the
database, the workbook's columns, the import's preview of changes and the history's way of
showing an empty value all iterate over it, so that a field added to the declaration (and to
its model) appears in each of them.

Pure Python: it imports no app and no Django at run time.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from functools import cached_property
from typing import Any

from .vocabulary import Vocabulary


class Kind(enum.StrEnum):
    """What a field holds, which says how each place reads, writes and shows it."""

    SLUG = "slug"  # a programme's, project's or partner's slug
    NAME = "name"  # text that must not be empty
    TEXT = "text"
    MARKDOWN = "markdown"  # the board report's words, within the report text's bounds
    CODE = "code"  # short text, none when empty (stored as "")
    AMOUNT = "amount"  # pounds and pence, required
    COST = "cost"  # pounds and pence, none meaning to be confirmed (TBC)
    OPTIONAL_AMOUNT = "optional_amount"  # pounds and pence, none meaning not recorded
    WHOLE = "whole"  # a whole number between the field's minimum and maximum
    WEIGHT = "weight"  # a decimal number with up to four places, or none
    YES_NO = "yes_no"
    CHOICE = "choice"  # one of the field's choices
    DATE = "date"  # a date, or none
    FINANCIAL_YEAR = "financial_year"
    FINANCIAL_YEARS = "financial_years"  # a non-empty list of distinct financial years
    # A named person's details, each optional (empty when not recorded): a name on one line,
    # an email address and a telephone number, each checked as the forms check them.
    PERSON = "person"
    EMAIL = "email"
    TELEPHONE = "telephone"


MONEY_KINDS = frozenset({Kind.AMOUNT, Kind.COST, Kind.OPTIONAL_AMOUNT})
CONTACT_KINDS = frozenset({Kind.PERSON, Kind.EMAIL, Kind.TELEPHONE})


@dataclass(frozen=True)
class FieldSpec:
    """One field of an entity: its key, how people and the workbook name it, what it holds."""

    key: str  # the programme file's key, and the attribute of the plain data
    label: str  # how the import's preview of changes names it
    kind: Kind
    choices: type[Vocabulary] | None = None  # for Kind.CHOICE
    heading: str | None = None  # the workbook column's heading, when it differs from label
    width: int = 14  # the workbook column's width
    total: bool = False  # the workbook's total row adds the column up
    in_workbook: bool = True  # a column of the entity's sheet, if it has one
    max_length: int | None = None  # the longest text the file takes
    minimum: int = 0  # for Kind.WHOLE
    maximum: int = 0  # for Kind.WHOLE
    sparse: bool = False  # written to the file only when it holds something
    model: str = ""  # the model's attribute, when it is not the key
    required: bool = False  # the file must give it, though the plain data has a default
    edited: bool = True  # edited in the form of the row it belongs to

    @property
    def column_heading(self) -> str:
        return self.label if self.heading is None else self.heading

    @property
    def attribute(self) -> str:
        """The model's attribute that stores the field."""
        return self.model or self.key


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


# The default of a field the programme file must give.
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Entity:
    """An entity's plain data class, its fields in the programme file's order, and its model.

    ``identity`` names the fields that tell one row of the entity from another (a phase's
    number, a partner's slug): the import's preview shows them as the row, not as changes.
    """

    data: type
    fields: tuple[FieldSpec, ...]
    identity: tuple[str, ...] = ()
    model: str = ""  # the label of the model that stores it, such as "projects.Phase"

    def __post_init__(self) -> None:
        # Out of step with the data class is a mistake in the code: say so on import.
        attributes = {item.name for item in fields(self.data)}
        unknown = [spec.key for spec in self.fields if spec.key not in attributes]
        if unknown:
            raise TypeError(f"{self.data.__name__} has no field {', '.join(unknown)}")

    def spec(self, key: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.key == key)

    def default(self, key: str) -> Any:
        """Return the value a programme file may leave out, or REQUIRED."""
        if self.spec(key).required:
            return REQUIRED
        declared = next(item for item in fields(self.data) if item.name == key)
        if declared.default is not MISSING:
            return declared.default
        if declared.default_factory is not MISSING:
            return declared.default_factory()
        return REQUIRED

    def required(self, key: str) -> bool:
        return self.spec(key).required or self.default(key) is REQUIRED

    def cell_required(self, spec: FieldSpec) -> bool:
        """Return whether the workbook's cell must not be empty (an unknown cost may be)."""
        return self.required(spec.key) and spec.kind != Kind.COST

    @property
    def shown(self) -> tuple[FieldSpec, ...]:
        """The fields a person sees change: all but those that identify the row."""
        return tuple(spec for spec in self.fields if spec.key not in self.identity)

    @property
    def edited_keys(self) -> tuple[str, ...]:
        """The model attributes edited in the form of the entity's rows."""
        return tuple(spec.attribute for spec in self.fields if spec.edited)

    def values(self, record: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
        """Return the plain record's values by key."""
        return {
            spec.key: getattr(record, spec.key) for spec in self.fields if spec.key not in leave_out
        }

    def stored(self, record: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
        """Return the plain record's values as the model stores them, by model attribute."""
        return {
            spec.attribute: stored_value(spec, getattr(record, spec.key))
            for spec in self.fields
            if spec.key not in leave_out
        }

    def read(self, row: Mapping[str, Any], **given: Any) -> Any:
        """Return the plain record of a stored row (by model attribute); ``given`` by key."""
        values = {
            key: row[attribute] if convert is None else convert(row[attribute])
            for key, attribute, convert in self._readers
            if key not in given
        }
        return self.data(**values, **given)

    @cached_property
    def _readers(self) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
        # Worked out once: a whole programme is read row by row through these.
        return tuple((spec.key, spec.attribute, _reader_of(spec)) for spec in self.fields)


def stored_value(spec: FieldSpec, value: Any) -> Any:
    """Return a plain value as the model stores it: no code is an empty code."""
    if spec.kind == Kind.CODE:
        return value or ""
    if spec.kind == Kind.FINANCIAL_YEARS:
        return list(value)
    return value


def _reader_of(spec: FieldSpec) -> Callable[[Any], Any] | None:
    """Return how a stored value becomes plain data, or None when it is used as it is."""
    if spec.kind == Kind.CODE:
        return lambda value: value or None
    if spec.kind == Kind.CHOICE and spec.choices is not None:
        return spec.choices
    if spec.kind == Kind.FINANCIAL_YEARS:
        return tuple
    return None


def empty_shown_as_tbc(entities: tuple[Entity, ...]) -> frozenset[tuple[str, str]]:
    """Return (model label, attribute) of each field whose empty value means "to be confirmed"."""
    return frozenset(
        (entity.model, spec.attribute)
        for entity in entities
        for spec in entity.fields
        if spec.kind == Kind.COST
    )
