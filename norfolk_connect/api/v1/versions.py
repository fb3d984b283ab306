"""The versions of the records a write changes, read from their history, and the check of a
write's If-Match against them.

A record's version is ``invoice-<id>-<its latest history id>-<its payments' latest history id>``
for an invoice (a payment recorded or removed moves it on) and ``milestone-<id>-<its latest
history id>`` for a milestone. A write answers with the version as its ``ETag``; the record's
own GET answers ``<version>.<digest of the body>``, so that If-None-Match sees any change to
what is read (an invoice falls overdue with the date) while If-Match compares the version only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Max, Model
from django.http import HttpRequest
from ninja import Field, Schema

from projects.history import history_entries
from projects.models import Invoice, Milestone, Payment
from projects.money.formatting import money


def _latest(model: Any, **match: Any) -> int:
    """The id of the latest history row of the rows matching, or 0 when there is none."""
    return model.history.filter(**match).aggregate(latest=Max("history_id"))["latest"] or 0


def record_version(record: Invoice | Milestone) -> str:
    """A record's version, read from its history (two queries for an invoice, one otherwise).

    An invoice's version moves on with a change to it or to its payments (one recorded or
    removed); a milestone's with any change to it.
    """
    if isinstance(record, Invoice):
        own = _latest(Invoice, id=record.pk)
        payments = _latest(Payment, invoice_id=record.pk)
        return f"invoice-{record.pk}-{own}-{payments}"
    return f"milestone-{record.pk}-{_latest(Milestone, id=record.pk)}"


def record_etag(record: Invoice | Milestone) -> str:
    """The ETag of a write's answer: the record's version, quoted."""
    return f'"{record_version(record)}"'


# A version, with the digest of a GET's body after a full stop when it came from one.
_VERSION = re.compile(r'^(?:W/)?"((invoice|milestone)-(\d+)-(\d+)(?:-(\d+))?)(?:\.[0-9a-f]+)?"$')


def _sent_versions(request: HttpRequest) -> list[re.Match[str]]:
    """The record versions the request's If-Match names, from a write's or a GET's ETag."""
    header = request.headers.get("If-Match", "")
    return [found for part in header.split(",") if (found := _VERSION.match(part.strip()))]


def _sent_version(request: HttpRequest, record: Model) -> dict[type, int] | None:
    """The history ids the request's If-Match names for this record, by model; None if none."""
    kind = "invoice" if isinstance(record, Invoice) else "milestone"
    for found in _sent_versions(request):
        if found[2] == kind and int(found[3]) == record.pk:
            if kind == "invoice":
                return {Invoice: int(found[4]), Payment: int(found[5] or 0)}
            return {Milestone: int(found[4])}
    return None


def _row_label(record: Any) -> str:
    if record.instance_type is Payment:
        return f"Payment of {money(record.amount)} dated {record.date.day} {record.date:%B %Y}"
    if record.instance_type is Invoice:
        return f"Invoice {record.number}"
    return f"Milestone: {record.name}"


class FieldChanged(Schema):
    """One field of a record, from one value to another, as the pages show it."""

    field: str = Field(description="The field's name, as the pages label it.")
    old: str = Field(description="Its value before, as the pages show it.")
    new: str = Field(description="Its value after, as the pages show it.")


class Change(Schema):
    """One change to the record, or to its payments, made after the version sent."""

    when: dt.datetime = Field(description="When it was made.")
    who: str = Field(
        description="Who made it (their full name, else their username), and how when not in "
        "the browser: `Jane Smith, through the API "
        "(token Ledger)`."
    )
    action: str = Field(description="Added, Changed or Removed.")
    row: str = Field(description="What was changed: the invoice, one of its payments, a milestone.")
    fields: list[FieldChanged] = Field(
        description="The fields changed; empty when added or removed."
    )


class Stale(Schema):
    """The record changed since the version sent as If-Match; nothing was changed."""

    detail: str = Field(description="What went wrong, for the developer of the client.")
    changes: list[Change] = Field(
        description="What changed since the version sent, newest first; empty when the "
        "If-Match names no version of this record."
    )


class StaleWrite(Exception):
    """The request's If-Match names another version of the record than its current one."""

    def __init__(self, changes: list[dict[str, Any]]) -> None:
        super().__init__("The record changed since you read it")
        self.changes = changes


def check_if_match(request: HttpRequest, record: Invoice | Milestone) -> None:
    """Refuse (StaleWrite) a write whose If-Match is not the record's current ETag.

    Called with the record's row locked, so that no other write comes in between. No If-Match,
    or ``*``, always goes ahead: the check is the client's to ask for.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return
    current = record_version(record)
    if current in {found[1] for found in _sent_versions(request)}:
        return
    since = _sent_version(request, record)
    if since is None:
        raise StaleWrite([])
    if isinstance(record, Invoice):
        records = [
            *Invoice.history.filter(id=record.pk).select_related("history_user"),
            *Payment.history.filter(invoice_id=record.pk).select_related("history_user"),
        ]
    else:
        records = list(Milestone.history.filter(id=record.pk).select_related("history_user"))
    entries = history_entries(records, label=_row_label, after=since)
    raise StaleWrite(
        [
            {
                "when": entry.when,
                "who": entry.who,
                "action": entry.action,
                "row": entry.row,
                "fields": [
                    {"field": change.field, "old": change.old, "new": change.new}
                    for change in entry.changes
                ],
            }
            for entry in entries
        ]
    )
