"""Form fields for money and financial years, read the way people type them."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from .rules import AMOUNT_MAX_WHOLE_DIGITS, is_financial_year, normalise_financial_year

MAX_WHOLE_DIGITS = AMOUNT_MAX_WHOLE_DIGITS  # the database keeps 14 digits, two of them pence
# Digits are ASCII only: Python's \d also matches other scripts' digits, which no file keeps.
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
AMOUNT = re.compile(rf"£?\s*({_NUMBER})")
# Every way of writing a minus that people paste from spreadsheets and word processors, and the
# accountants' brackets: wherever one stands, the amount is negative and refused, never dropped.
_NEGATIVE_MARKS = re.compile(r"[-\u2212\u2010-\u2015\ufe58\ufe63\uff0d()]")
_INVALID = "Enter an amount in pounds, like £15,000 or 15000.50."


def parse_amount(text: str) -> Decimal:
    """Read an amount as typed (£15,000 or 15000 or 15,000.50) exactly, or explain the problem."""
    cleaned = text.strip()
    if _NEGATIVE_MARKS.search(cleaned):
        bare = re.sub(r"\s|£", "", _NEGATIVE_MARKS.sub("", cleaned))
        if re.fullmatch(_NUMBER, bare):
            raise ValidationError("Enter an amount that is not negative.", code="negative")
        raise ValidationError(_INVALID, code="invalid")
    match = AMOUNT.fullmatch(cleaned)
    if not match:
        raise ValidationError(_INVALID, code="invalid")
    whole, _, pence = match.group(1).replace(",", "").partition(".")
    if len(pence) > 2:
        raise ValidationError("Enter an amount in pounds and pence, like 15,000.50.", code="pence")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ValidationError("Enter an amount less than £1,000,000,000,000.", code="too_large")
    return Decimal(f"{whole}.{pence or '0'}").quantize(Decimal("0.01"))


class MoneyField(forms.CharField):
    """An amount in pounds, typed with or without £ and thousands commas; empty is None."""

    prefix = "£"  # shown before the input; typing a £ as well does no harm

    widget = forms.TextInput(
        attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("class", "govuk-input--width-10")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:,.2f}".removesuffix(".00")
        return value

    def to_python(self, value) -> Decimal | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > 40:
            raise ValidationError("Enter an amount in pounds, like £15,000.", code="invalid")
        return parse_amount(text)


class FinancialYearsField(forms.CharField):
    """Financial years typed as a list, such as "2004/05, 2005/06"."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        # Full-width digits and commas, as some keyboards type them, are read as ASCII ones:
        # the programme file keeps ASCII digits only.
        text = normalise_financial_year(super().to_python(value) or "")
        years = [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]
        for year in years:
            if not is_financial_year(year):
                raise ValidationError(
                    f"Enter financial years like 2004/05; '{year[:20]}' is not one."
                )
        if len(set(years)) != len(years):
            raise ValidationError("Enter each financial year once.")
        return sorted(years)

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError("Enter at least one financial year, like 2004/05.")
