"""Django validators and fields made from the rules in projects.rules, for models and forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.text import slugify

from . import rules


def validate_slug(value: str) -> None:
    """Refuse a slug the programme file cannot hold, such as Bad_Slug, -lead or a--b."""
    if not isinstance(value, str) or not rules.SLUG.fullmatch(value):
        raise ValidationError(rules.SLUG_MESSAGE, code="invalid")


def validate_programme_slug(value: str) -> None:
    """Refuse a programme slug that is one of the words the pages use, such as new."""
    if value in rules.PROGRAMME_RESERVED_SLUGS:
        raise ValidationError(rules.reserved_message(value), code="reserved")


def validate_project_slug(value: str) -> None:
    """Refuse a project slug that is one of the words the pages use, such as new or rows."""
    if value in rules.PROJECT_RESERVED_SLUGS:
        raise ValidationError(rules.reserved_message(value), code="reserved")


def validate_financial_year(value: str) -> None:
    """Refuse anything but a financial year such as 2004/05, in ASCII digits."""
    if not isinstance(value, str) or not rules.is_financial_year(value):
        raise ValidationError(rules.FINANCIAL_YEAR_MESSAGE, code="invalid")


def validate_financial_years(value: Any) -> None:
    """Refuse a list of financial years with one that is not a year, or one given twice."""
    if not isinstance(value, list):
        raise ValidationError("Enter the financial years as a list.", code="invalid")
    for year in value:
        if not isinstance(year, str) or not rules.is_financial_year(year):
            shown = str(year)[:20]
            raise ValidationError(
                f"Enter financial years like {rules.FINANCIAL_YEAR_EXAMPLE}; “{shown}” is not one.",
                code="invalid",
            )
    if len(set(value)) != len(value):
        raise ValidationError("Enter each financial year once.", code="duplicate")


def validate_not_blank(value: str) -> None:
    """Refuse text of only spaces: the programme file needs a name to say something."""
    if isinstance(value, str) and value and rules.is_blank(value):
        raise ValidationError(rules.BLANK_MESSAGE, code="only_spaces")


def validate_no_nul(value: str) -> None:
    """Refuse text with the NUL character, which PostgreSQL cannot store."""
    if isinstance(value, str) and rules.has_nul(value):
        raise ValidationError(rules.NUL_MESSAGE, code="null_characters_not_allowed")


def validate_single_line(value: str) -> None:
    """Refuse a name with a line break: it would break an email header or a paper's line."""
    if isinstance(value, str) and not rules.is_single_line(value):
        raise ValidationError(rules.SINGLE_LINE_MESSAGE, code="line_break")


_EMAIL = EmailValidator(message=rules.EMAIL_MESSAGE)


def is_email_address(value: str) -> bool:
    """Whether the text is an email address as Django's EmailField (the forms') takes it."""
    try:
        _EMAIL(value)
    except ValidationError:
        return False
    return True


def validate_telephone(value: str) -> None:
    """Refuse a telephone number that is not digits, spaces, brackets and hyphens."""
    if isinstance(value, str) and value and not rules.is_telephone(value):
        raise ValidationError(rules.TELEPHONE_MESSAGE, code="telephone")


class SlugFormField(forms.CharField):
    """A slug typed in a form, checked by the programme file's rule."""

    default_validators = [validate_slug]

    def __init__(self, *, allow_unicode: bool = False, **kwargs) -> None:
        # allow_unicode comes from the model's SlugField; the rule never allows it.
        kwargs.setdefault("max_length", rules.SLUG_MAX_LENGTH)
        super().__init__(**kwargs)
        self.error_messages = {
            **self.error_messages,
            "required": "Enter a slug",
            "invalid": f"Slug must be like {rules.SLUG_EXAMPLE}: {rules.SLUG_RULE}",
            "max_length": f"Slug must be {rules.SLUG_MAX_LENGTH} characters or less",
            "null_characters_not_allowed": f"Slug must be like {rules.SLUG_EXAMPLE}",
            **(kwargs.get("error_messages") or {}),
        }


def slug_from_name(
    name: str,
    *,
    taken: Callable[[str], bool],
    reserved: frozenset[str] = frozenset(),
    fallback: str = "item",
) -> str:
    """Return a slug made from a name, kept to the slug rule and not taken or reserved.

    "Norfolk Connect 2006" gives norfolk-connect-2006; if that is taken, norfolk-connect-2006-2,
    then -3 and so on. Accents are dropped (Café → cafe), anything else that is not a letter or
    digit separates words, and a name with no letter or digit at all gives the fallback.
    """
    words = re.findall(r"[a-z0-9]+", slugify(name).replace("_", "-"))
    base = "-".join(words)[: rules.SLUG_MAX_LENGTH].strip("-") or fallback
    candidate, number = base, 1
    while candidate in reserved or taken(candidate):
        number += 1
        suffix = f"-{number}"
        candidate = base[: rules.SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate
