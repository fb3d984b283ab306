"""Form fields for money and financial years, read the way people type them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

MAX_WHOLE_DIGITS = 12  # the database keeps 14 digits, two of them pence
AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$")
FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def parse_amount(text: str) -> Decimal:
    """Read an amount as typed (£15,000 or 15000 or 15,000.50) exactly, or explain the problem."""
    cleaned = text.strip().replace(" ", "")
    negative = cleaned.startswith("-") or cleaned.startswith("(")
    cleaned = cleaned.lstrip("-(").rstrip(")").removeprefix("£").lstrip("-")
    if negative and AMOUNT.match(cleaned):
        raise ValidationError("Enter an amount that is not negative.", code="negative")
    if not AMOUNT.match(cleaned):
        if re.fullmatch(r"[\d,]*\.\d{3,}", cleaned):
            raise ValidationError("Enter an amount in pounds and pence, like 15,000.50.")
        raise ValidationError(
            "Enter an amount in pounds, like £15,000 or 15000.50.", code="invalid"
        )
    whole = cleaned.split(".")[0].replace(",", "")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ValidationError("Enter an amount less than £1,000,000,000,000.", code="too_large")
    try:
        return Decimal(cleaned.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation as error:  # pragma: no cover - the pattern already excludes it
        raise ValidationError("Enter an amount in pounds.", code="invalid") from error


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
        text = super().to_python(value) or ""
        years = [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]
        for year in years:
            match = FINANCIAL_YEAR.match(year)
            if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
                raise ValidationError(
                    f"Enter financial years like 2004/05; '{year[:20]}' is not one."
                )
        if len(set(years)) != len(years):
            raise ValidationError("Enter each financial year once.")
        return sorted(years)

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError("Enter at least one financial year, like 2004/05.")
