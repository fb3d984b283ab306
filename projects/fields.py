"""Form fields for money and financial years, read the way people type them."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from norfolk_connect.forms import the

from . import rules
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
    """An amount in pounds, typed with or without £ and thousands commas; empty is None.

    Its messages name it: ``MoneyField(label="Extra cost")`` says "Enter the extra cost" and
    "Extra cost must be £0 or more"; ``subject`` and ``enter`` change the words.
    """

    prefix = "£"  # shown before the input; typing a £ as well does no harm

    widget = forms.TextInput(
        attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
    )

    def __init__(
        self, *args, subject: str | None = None, enter: str | None = None, **kwargs
    ) -> None:
        subject = subject or str(kwargs.get("label") or "Amount")
        enter = enter or the(subject)
        kwargs["error_messages"] = {
            "required": f"Enter {enter}",
            "invalid": f"{subject} must be an amount in pounds, like £15,000 or 15000.50",
            "negative": f"{subject} must be £0 or more",
            "pence": f"{subject} must be in pounds and pence, like 15,000.50",
            "too_large": f"{subject} must be less than £1,000,000,000,000",
            "null_characters_not_allowed": f"{subject} must be an amount in pounds, like £15,000",
            **kwargs.get("error_messages", {}),
        }
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
        try:
            if len(text) > 40:
                raise ValidationError(_INVALID, code="invalid")
            return parse_amount(text)
        except ValidationError as error:
            # The field names itself in its messages; parse_amount knows no field.
            code = error.code or "invalid"
            raise ValidationError(self.error_messages.get(code, str(error)), code=code) from None


class FinancialYearsField(forms.CharField):
    """Financial years typed as a list, such as "2004/05, 2005/06"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages["null_characters_not_allowed"] = (
            "Financial years must be like 2004/05, separated by commas"
        )
        self.error_messages["required"] = "Enter at least one financial year, like 2004/05"

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
                    f"Financial years must be like 2004/05; “{year[:20]}” is not one",
                    code="invalid",
                )
        if len(set(years)) != len(years):
            raise ValidationError("Enter each financial year once", code="duplicate")
        return sorted(years)

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


DATE_PARTS = ("day", "month", "year")
DATE_HINT = "For example, 27 9 2004"
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DIGITS = re.compile(r"[0-9]+")


def _month(text: str) -> int | None:
    """Read a month as a number (9, 09) or a name or its start (Sep, Sept, September)."""
    if _DIGITS.fullmatch(text):
        return int(text)
    word = text.lower().rstrip(".")
    if len(word) >= 3:
        for number, name in enumerate(_MONTHS, start=1):
            if name.startswith(word):
                return number
    return None


def _and(parts: list[str]) -> str:
    return " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"


class DateInputWidget(forms.Widget):
    """The GOV.UK Design System's date input: day, month and year, three text inputs.

    Named as the GOV.UK macro names them (``decided_on-day``, ``decided_on-month``,
    ``decided_on-year``); only the parts in error are marked as such.
    """

    template_name = "components/forms/date_input.html"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.error_parts: tuple[str, ...] = ()

    def show_errors(self, errors) -> None:
        """Mark the parts the errors name, or every part when they name none."""
        parts: list[str] = []
        for error in errors:
            for part in (error.params or {}).get("parts", DATE_PARTS):
                if part not in parts:
                    parts.append(part)
        self.error_parts = tuple(part for part in DATE_PARTS if part in parts)

    def value_from_datadict(self, data, files, name) -> list[str | None]:
        return [data.get(f"{name}-{part}") for part in DATE_PARTS]

    def value_omitted_from_data(self, data, files, name) -> bool:
        return all(f"{name}-{part}" not in data for part in DATE_PARTS)

    def id_for_label(self, id_: str) -> str:
        """Return the first input in error, or the day: where the error summary links to."""
        return f"{id_}-{(self.error_parts or DATE_PARTS)[0]}" if id_ else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, datetime.date):
            typed = [str(value.day), str(value.month), str(value.year)]
        elif isinstance(value, list | tuple):
            typed = [str(part or "") for part in value]
        else:
            typed = ["", "", ""]
        id_ = context["widget"]["attrs"].get("id", "")
        context["widget"]["parts"] = [
            {
                "name": f"{name}-{part}",
                "id": f"{id_}-{part}",
                "label": part.capitalize(),
                "value": text,
                "width": 4 if part == "year" else 2,
                "error": part in self.error_parts,
            }
            for part, text in zip(DATE_PARTS, typed, strict=True)
        ]
        return context


class GovukDateField(forms.Field):
    """A date typed as day, month and year, read the way people type it.

    Leading zeros, spaces and month names or their start ("Sept", "september") are all
    read. The messages are the Design System's: "Enter the decision date", "Decision date must
    include a month", "Decision date must be a real date", "Year of the decision date must
    include 4 numbers". ``subject`` names the date in them (by default its label).
    """

    widget = DateInputWidget
    is_date_input = True  # the field template draws a fieldset with a legend

    def __init__(
        self,
        *,
        subject: str | None = None,
        enter: str | None = None,
        required_when: str = "",
        **kwargs,
    ) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(**kwargs)
        subject = subject or str(self.label or "Date")
        enter = enter or the(subject)
        self.subject = subject
        # A date needed only in some cases: never marked optional, and its hint says when.
        self.required_when = required_when
        self.error_messages = {
            "required": f"Enter {enter}",
            "incomplete": f"{subject} must include a %(missing)s",
            "invalid": f"{subject} must be a real date",
            "year": f"Year of {enter} must include 4 numbers",
            **(kwargs.get("error_messages") or {}),
        }

    def prepare_value(self, value):
        return value

    def to_python(self, value) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        if not isinstance(value, list | tuple):
            value = ["", "", ""]
        # Full-width digits, as some keyboards type them, are read as ASCII ones.
        day, month, year = (
            re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(part or "")))[:20]
            for part in value
        )
        typed = {"day": day, "month": month, "year": year}
        missing = [part for part in DATE_PARTS if not typed[part]]
        if len(missing) == 3:
            return None
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"missing": _and(missing), "parts": missing},
            )
        wrong = [
            part
            for part, ok in (
                ("day", bool(_DIGITS.fullmatch(day)) and 1 <= int(day) <= 31),
                ("month", (_month(month) or 0) in range(1, 13)),
            )
            if not ok
        ]
        if wrong:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"parts": wrong}
            )
        if not (_DIGITS.fullmatch(year) and len(year) == 4):
            raise ValidationError(
                self.error_messages["year"], code="year", params={"parts": ["year"]}
            )
        try:
            return datetime.date(int(year), _month(month) or 0, int(day))
        except ValueError:
            # The 31st of a 30-day month, or the 29th of February in a common year.
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"parts": ["day"]}
            ) from None

    def validate(self, value) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True


class PositiveMoneyField(MoneyField):
    """An amount of more than £0, to the penny."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        subject = str(kwargs.get("label") or "Amount")
        self.error_messages["zero"] = f"{subject} must be more than £0"
        self.error_messages["negative"] = f"{subject} must be more than £0"

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and value <= 0:
            raise forms.ValidationError(self.error_messages["zero"], code="zero")


# A named person: their name on one line, their email address, a telephone number. Each is
# optional, and checked by the rules the programme file checks them by (projects.rules).
EMAIL_MESSAGE = rules.EMAIL_MESSAGE
TELEPHONE_MESSAGE = (
    "Enter a telephone number in the correct format, like 01603 222222 or +44 1603 222222"
)


def person_name_field(
    label: str, *, subject: str | None = None, help_text: str = ""
) -> forms.CharField:
    """A person's name: "Enter the finance contact's name on one line, without line breaks".

    ``subject`` names the field in its messages when its label (in a fieldset, "Name") does not.
    """
    subject = subject or label

    def one_line(value: str) -> None:
        if value and not rules.is_single_line(value):
            raise ValidationError(
                f"Enter {the(subject)} on one line, without line breaks", code="line_break"
            )

    return forms.CharField(
        label=label,
        required=False,
        max_length=rules.NAME_MAX_LENGTH,
        help_text=help_text,
        validators=[one_line],
        error_messages={
            "max_length": f"{subject} must be {rules.NAME_MAX_LENGTH} characters or less",
            "null_characters_not_allowed": f"{subject} must not contain the NUL character "
            "(\\u0000)",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def email_field(label: str, *, subject: str | None = None, help_text: str = "") -> forms.EmailField:
    """An email address: "Enter an email address in the correct format, like name@example.com"."""
    subject = subject or label
    return forms.EmailField(
        label=label,
        required=False,
        max_length=rules.EMAIL_MAX_LENGTH,
        help_text=help_text,
        error_messages={
            "invalid": EMAIL_MESSAGE,
            "max_length": f"{subject} must be {rules.EMAIL_MAX_LENGTH} characters or less",
            "null_characters_not_allowed": f"{subject} must not contain the NUL character "
            "(\\u0000)",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def telephone_field(label: str, *, help_text: str = "") -> forms.CharField:
    """A telephone number as people write one: 01603 222222, +44 (0)1603 222222."""

    def telephone(value: str) -> None:
        if value and not rules.is_telephone(value):
            raise ValidationError(TELEPHONE_MESSAGE, code="telephone")

    return forms.CharField(
        label=label,
        required=False,
        max_length=rules.TELEPHONE_MAX_LENGTH,
        help_text=help_text,
        validators=[telephone],
        error_messages={
            "max_length": f"{label} must be {rules.TELEPHONE_MAX_LENGTH} characters or less",
            "null_characters_not_allowed": f"{label} must not contain the NUL character (\\u0000)",
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-20", "autocomplete": "off", "inputmode": "tel"}
        ),
    )
