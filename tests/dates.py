"""Dates as the service's date inputs send them: a day, a month and a year for each date."""

from __future__ import annotations

import re
from typing import Any

# The forms' date fields, by the name each form gives its date input.
DATE_FIELDS = frozenset(
    {
        "starts",
        "ends",
        "decided_on",
        "meeting_date",
        "pledged_on",
        "invoiced_on",
        "received_on",
        "returned_on",
        "date",
        "consent_date",
    }
)
ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def date_parts(name: str, value: Any) -> dict[str, str]:
    """Return what a person typing this date would send: "2004-09-27" is 27, 9 and 2004.

    A value that is no ISO date is typed into the day, as if typed there by mistake.
    """
    if value is None or value == "":
        return {f"{name}-day": "", f"{name}-month": "", f"{name}-year": ""}
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    if isinstance(value, tuple | list):
        day, month, year = value
        return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}
    match = ISO.fullmatch(str(value))
    if not match:
        return {f"{name}-day": str(value), f"{name}-month": "", f"{name}-year": ""}
    year, month, day = match.groups()
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def as_typed(data: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Return form data with every date field's value split into its date input's parts."""
    typed: dict[str, Any] = {}
    for key, value in data.items():
        if key.removeprefix(prefix) in DATE_FIELDS:
            typed.update(date_parts(key, value))
        else:
            typed[key] = value
    return typed
