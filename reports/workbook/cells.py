"""Read one cell of the workbook as the programme file has its value, or say why it cannot be.

A finance officer types what reads naturally: "£15,000", "yes", "Secured" or "secured", a date
as 02/08/2004, TBC for a cost to be confirmed. Each column's kind says how its cells are read.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from projects.fields import parse_amount
from projects.money.document import ProgrammeDocument
from projects.money.vocabulary import Vocabulary

from .layout import Column, Kind

PENNY = Decimal("0.01")
# Float noise left by a formula such as =0.1+0.2 is not a fraction of a penny anyone meant.
_FLOAT_NOISE = Decimal("0.000001")
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
TBC = "tbc"
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def blank(value: Any) -> bool:
    """Return whether a cell holds nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def convert_cell(column: Column, value: Any, current: ProgrammeDocument) -> Any:
    """Return a cell's value as the programme file has it; raise CellError if it cannot be."""
    return _CONVERTERS[column.kind](column, value, current)


class CellError(Exception):
    """A cell's value cannot be read as its column needs."""


OMIT: Any = object()  # leave the key out: the programme file's default applies


def stand_in(column: Column, current: ProgrammeDocument) -> Any:
    """Return a value that lets the other checks go on past a cell already reported."""
    return {
        Kind.AMOUNT: "0.00",
        Kind.COST: None,
        Kind.OPTIONAL_AMOUNT: None,
        Kind.WHOLE: 1 if column.required else None,
        Kind.WEIGHT: None,
        Kind.YES_NO: OMIT,
        Kind.DATE: None,
        Kind.CODE: None,
        Kind.FINANCIAL_YEAR: (current.programme.financial_years or ("2004/05",))[0],
        Kind.CHOICE: column.choices.values[0] if column.choices else OMIT,
    }.get(column.kind, "" if column.kind in (Kind.NAME, Kind.TEXT) else None)


def _text(value: Any) -> str:
    """Return a cell's value as text: a number typed in a text column is still text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _describe(value: Any) -> str:
    text = _text(value)
    return f"“{text if len(text) <= 40 else text[:37] + '...'}”"


def _number(value: Any) -> Decimal | None:
    """Return a numeric cell's value exactly as shown, or None for any other cell."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: what Excel shows.
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value
    return None


def _convert_text(column: Column, value: Any, current) -> Any:
    return "" if value is None else _text(value)


def _convert_code(column: Column, value: Any, current) -> Any:
    return None if blank(value) else _text(value).strip()


def _convert_slug(column: Column, value: Any, current) -> Any:
    if blank(value):
        if column.required:
            raise CellError("must not be empty")
        return None
    if isinstance(value, datetime | date | bool) or (
        isinstance(value, float) and not value.is_integer()
    ):
        raise CellError(f'must be a slug such as "portal", not {_describe(value)}')
    return _text(value).strip()


def _convert_amount(column: Column, value: Any, current) -> Any:
    if blank(value):
        raise CellError("must not be empty: enter an amount in pounds, such as 15000")
    amount = _number(value)
    if amount is None:
        if not isinstance(value, str):
            raise CellError(f"must be an amount in pounds, such as 15000, not {_describe(value)}")
        try:
            amount = parse_amount(value[:40])
        except ValidationError as error:
            raise CellError(
                {
                    "negative": f"must not be negative (it is {_describe(value)})",
                    "too_large": "must be less than £1,000,000,000,000",
                }.get(
                    error.error_list[0].code or "",
                    f"must be an amount in pounds, such as 15000, not {_describe(value)}",
                )
            ) from error
    if amount < 0:
        raise CellError(f"must not be negative (it is {_describe(value)})")
    pennies = amount.quantize(PENNY)
    if abs(amount - pennies) > _FLOAT_NOISE:
        raise CellError(
            f"must be in pounds and pence, with at most two decimal places (it is {amount})"
        )
    return f"{pennies:f}"


def _convert_cost(column: Column, value: Any, current) -> Any:
    if blank(value) or (isinstance(value, str) and value.strip().casefold() == TBC):
        return None
    return _convert_amount(column, value, current)


def _convert_optional_amount(column: Column, value: Any, current) -> Any:
    return None if blank(value) else _convert_amount(column, value, current)


def _convert_whole(column: Column, value: Any, current) -> Any:
    if blank(value):
        if column.required:
            raise CellError("must not be empty: enter a whole number")
        return None
    number = _number(value)
    if number is None and isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            number = None
    if number is None or number != number.to_integral_value():
        raise CellError(f"must be a whole number, not {_describe(value)}")
    return int(number)


def _convert_weight(column: Column, value: Any, current) -> Any:
    if blank(value):
        return None
    number = _number(value)
    if number is None and isinstance(value, str):
        try:
            number = Decimal(value.strip().rstrip("%").strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise CellError(f"must be a number such as 12.5, not {_describe(value)}")
    return f"{number:f}"


def _convert_yes_no(column: Column, value: Any, current) -> Any:
    if blank(value):
        return OMIT
    if isinstance(value, bool):
        return value
    text = _text(value).strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"must be Yes or No, not {_describe(value)}")


def _convert_choice(column: Column, value: Any, current) -> Any:
    choices: type[Vocabulary] = column.choices  # type: ignore[assignment]
    if blank(value):
        if column.required:
            raise CellError(f"must not be empty: choose one of {_labels(choices)}")
        return OMIT
    text = " ".join(_text(value).replace("_", " ").split()).casefold()
    found = _choice_names(choices).get(text)
    if found is not None:
        return found
    raise CellError(f"must be one of {_labels(choices)}, not {_describe(value)}")


@functools.cache
def _choice_names(choices: type[Vocabulary]) -> dict[str, str]:
    """Return each choice's value by the ways a person may write it: its value or its label."""
    names: dict[str, str] = {}
    for choice in choices:  # the first choice a name fits wins, as when they are tried in turn
        names.setdefault(choice.value.replace("_", " "), choice.value)
        names.setdefault(str(choice.label).casefold(), choice.value)
    return names


def _labels(choices: type[Vocabulary]) -> str:
    return ", ".join(str(label) for label in choices.labels)


def _convert_date(column: Column, value: Any, current) -> Any:
    if blank(value):
        if column.required:
            raise CellError("must not be empty: enter a date such as 2004-07-01")
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        if match := _UK_DATE.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                pass
    raise CellError(f"must be a date such as 2004-07-01, not {_describe(value)}")


def _convert_financial_year(column: Column, value: Any, current) -> Any:
    if blank(value):
        raise CellError("must not be empty: enter a financial year such as 2004/05")
    if isinstance(value, datetime) and value.day == 1 and (value.year + 1) % 100 == value.month:
        # A spreadsheet can take "2005/06" typed into a cell for June 2005.
        return f"{value.year}/{value.month:02d}"
    return _text(value).strip()


_CONVERTERS = {
    Kind.SLUG: _convert_slug,
    Kind.NAME: _convert_text,
    Kind.TEXT: _convert_text,
    Kind.CODE: _convert_code,
    Kind.AMOUNT: _convert_amount,
    Kind.COST: _convert_cost,
    Kind.OPTIONAL_AMOUNT: _convert_optional_amount,
    Kind.WHOLE: _convert_whole,
    Kind.WEIGHT: _convert_weight,
    Kind.YES_NO: _convert_yes_no,
    Kind.CHOICE: _convert_choice,
    Kind.DATE: _convert_date,
    Kind.FINANCIAL_YEAR: _convert_financial_year,
}
