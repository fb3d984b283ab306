"""What the lists' filters share: the values a filter takes, refused with 422 when not valid.

A filter names a record by its slug (checked as a slug, so that nothing else reaches the
database), a free text without control characters (PostgreSQL refuses NUL), or an id no larger
than every database's keys.
"""

from __future__ import annotations

from typing import Any

from ninja import Field

from projects import rules

SLUG_PATTERN = rf"^{rules.SLUG.pattern}$"
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
ID_MAX = 2**31 - 1


def slug_filter(description: str) -> Any:
    """An optional filter by a record's slug."""
    return Field(
        None, pattern=SLUG_PATTERN, max_length=rules.SLUG_MAX_LENGTH, description=description
    )


def text_filter(description: str, *, max_length: int = rules.NAME_MAX_LENGTH) -> Any:
    """An optional filter by a text, such as an invoice's number or a supplier's name."""
    return Field(
        None, min_length=1, max_length=max_length, pattern=TEXT_PATTERN, description=description
    )
