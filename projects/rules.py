"""The rules a programme's values keep, declared once for the file, the models and the forms.

Every way in (the programme file, the web forms, the admin, the services' ``full_clean()``)
checks values with these, so that whatever one of them accepts the programme file can hold:
a backup then always restores. Pure Python, importing no app and no Django.
"""

from __future__ import annotations

import re
import unicodedata

# Bounds follow the database columns, so that a value that passes can also be stored.
SLUG_MAX_LENGTH = 50
NAME_MAX_LENGTH = 200
CODE_MAX_LENGTH = 50
AMOUNT_MAX_WHOLE_DIGITS = 12  # DecimalField(max_digits=14, decimal_places=2)
AMOUNT_DECIMAL_PLACES = 2
WEIGHT_MAX_WHOLE_DIGITS = 5  # DecimalField(max_digits=9, decimal_places=4)
WEIGHT_DECIMAL_PLACES = 4
POPULATION_MAX = 2_147_483_647  # PositiveIntegerField
PHASE_NUMBER_MIN = 1
PHASE_NUMBER_MAX = 32_767  # PositiveSmallIntegerField
# A risk's likelihood and impact, and the longest reference a risk register gives one.
SCORE_MIN = 1
SCORE_MAX = 5
RISK_REFERENCE_MAX_LENGTH = 20
# A named person's email address (Django's EmailField) and telephone number.
EMAIL_MAX_LENGTH = 254
TELEPHONE_MAX_LENGTH = 30
DECISION_NUMBER_MIN = 1  # a paper's recommendations are numbered from 1
DECISION_NUMBER_MAX = 32_767  # PositiveSmallIntegerField

#: A contribution's status that needs a date: the date's field and the words asking for it. The
#: contribution form checks it with the rest of what a person entered, the service again.
STATUS_NEEDS_DATE = {
    "received": ("received_on", "Enter the date received, because the status is received"),
    "returned": ("returned_on", "Enter the date returned, because the status is returned"),
}

# ASCII only, spelled out: Python's \d and str.isdigit() also take other scripts' digits.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FINANCIAL_YEAR = re.compile(r"([0-9]{4})/([0-9]{2})")

# Words the pages use in a programme's or a project's place (programmes/new/, projects/new/,
# projects/rows/...): one of them as a slug would make its pages unreachable.
PROGRAMME_RESERVED_SLUGS = frozenset({"new"})
PROJECT_RESERVED_SLUGS = frozenset({"new", "rows"})
PAPER_RESERVED_SLUGS = frozenset({"new"})  # /papers/new/ adds a paper

SLUG_EXAMPLE = "norfolk-connect"
SLUG_RULE = "lower-case letters and digits, words joined by single hyphens"
SLUG_MESSAGE = f"Enter a slug such as {SLUG_EXAMPLE}: {SLUG_RULE}."
FINANCIAL_YEAR_EXAMPLE = "2004/05"
FINANCIAL_YEAR_MESSAGE = (
    f"Enter a financial year such as {FINANCIAL_YEAR_EXAMPLE}: four digits, a slash, then the "
    "last two digits of the next year."
)
BLANK_MESSAGE = "Enter some text, not only spaces."
# A person's name goes into an email's To header and a paper's contact line: one line only.
SINGLE_LINE_MESSAGE = "Enter the name on one line, without line breaks"
# Digits, spaces and the marks a UK or international number is written with: 01603 222222,
# +44 (0)1603 222222, 01603 222222 ext. 123.
TELEPHONE = re.compile(r"\+?[0-9][0-9 ()\-]*(?: ?(?:ext\.?|x) ?[0-9]+)?")
TELEPHONE_EXAMPLE = "01603 222222"
TELEPHONE_RULE = "digits, spaces, brackets and hyphens, at least 6 digits"
TELEPHONE_MESSAGE = (
    "Enter a telephone number such as 01603 222222 or +44 1603 222222: digits, spaces, "
    "brackets and hyphens"
)
EMAIL_EXAMPLE = "name@example.com"
# GOV.UK's words for an email address that is not one.
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
NUL_MESSAGE = "Remove the NUL character (\\u0000) from the text."


def is_slug(value: str) -> bool:
    """Return whether the value is a slug: lower-case ASCII words joined by single hyphens."""
    return bool(SLUG.fullmatch(value)) and len(value) <= SLUG_MAX_LENGTH


def reserved_message(slug: str) -> str:
    """Say that a slug is one of the words the pages use, and what to do."""
    return f"“{slug}” is a reserved word; choose another slug."


def is_financial_year(value: str) -> bool:
    """Return whether the value is a financial year such as 2004/05, in ASCII digits."""
    match = FINANCIAL_YEAR.fullmatch(value)
    return match is not None and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def is_single_line(value: str) -> bool:
    """Whether the text has no line break of any kind (a header cannot hold one)."""
    return len(value.splitlines()) <= 1 and "\n" not in value and "\r" not in value


def is_telephone(value: str) -> bool:
    """Whether the text is a telephone number as people write one."""
    return TELEPHONE.fullmatch(value) is not None and sum(c.isdigit() for c in value) >= 6


def is_blank(value: str) -> bool:
    """Return whether the text is empty or only spaces."""
    return not value.strip()


def has_nul(value: str) -> bool:
    """Return whether the text holds the NUL character, which PostgreSQL cannot store."""
    return "\x00" in value


def normalise_financial_year(value: str) -> str:
    """Return the year with compatibility characters (full-width digits, say) made ASCII."""
    return unicodedata.normalize("NFKC", value).strip()
