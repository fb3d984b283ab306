"""Figures put into words as the board papers put them: "One required, one good", "2004-2006"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from .formatting import money

NUMBER_WORDS = (
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
NOT_KNOWN = "not yet known"


def number_word(count: int) -> str:
    """Return a count as a word up to twenty, as figures beyond: "three", "42"."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else f"{count:,}"


def capitalise(text: str) -> str:
    """Return the text with its first letter in upper case and the rest left alone."""
    return text[:1].upper() + text[1:]


def amount_or_unknown(amount: Decimal | None) -> str:
    """Return money as the seed shows it, or say it is not yet known."""
    return NOT_KNOWN if amount is None else money(amount)


def gap_words(gap: Decimal) -> str:
    """Return a funding gap as money, or the headroom when the pledges exceed the need."""
    return f"{money(-gap)} headroom" if gap < 0 else money(gap)


def month_year(day: date | None) -> str:
    """Return a date as its month and year, "December 2005", or say it is not yet known."""
    return NOT_KNOWN if day is None else day.strftime("%B %Y")


def financial_years_span(years: Sequence[str]) -> str:
    """Return the calendar years financial years run over: 2004/05 and 2005/06 -> "2004-2006"."""
    if not years:
        return NOT_KNOWN
    ordered = sorted(years)
    return f"{ordered[0][:4]}-{int(ordered[-1][:4]) + 1}"


def listed(items: Sequence[str]) -> str:
    """Join items as a sentence lists them: "a", "a and b", "a, b and c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def financial_years_words(years: Sequence[str]) -> str:
    """Return "the financial year 2004/05" or "the two financial years 2004-2006"."""
    if not years:
        return "the programme's financial years"
    if len(years) == 1:
        return f"the financial year {years[0]}"
    return f"the {number_word(len(years))} financial years {financial_years_span(years)}"
