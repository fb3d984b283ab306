"""Changes saved only once the person confirms what the service warns about.

A service raises ``ConfirmationNeeded`` with its warnings and a key digesting them; the form
comes back with the entries kept and the key hidden in it, and saving again with that key goes
ahead. A change to the entries changes the key, and so asks again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..models import Programme


class ConfirmationNeeded(Exception):
    """The change may be saved, but only once the person confirms these warnings."""

    def __init__(self, warnings: Sequence[str], key: str, plan: Any = None) -> None:
        self.warnings = tuple(warnings)
        self.key = key
        self.plan = plan  # what the change will create, shown to be checked (a call's invoices)
        super().__init__(" ".join(self.warnings))


def confirmation_key(*parts: object) -> str:
    """Return a short digest of what the person is asked to confirm."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def day(value: date) -> str:
    """Write a date as the pages do: 5 November 2004."""
    return f"{value.day} {value:%B %Y}"


def period_warnings(programme: Programme, dates: Sequence[tuple[str, date]]) -> list[str]:
    """Say which dates fall outside the programme's period, each named as the form names it."""
    warnings = []
    for name, value in dates:
        if programme.starts and value < programme.starts:
            warnings.append(
                f"The {name}, {day(value)}, is before the programme starts on "
                f"{day(programme.starts)}."
            )
        elif programme.ends and value > programme.ends:
            warnings.append(
                f"The {name}, {day(value)}, is after the programme ends on {day(programme.ends)}."
            )
    return warnings
