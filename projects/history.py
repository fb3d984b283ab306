"""Change history and refused concurrent edits: who changed which field from what to what.

Every model a person edits keeps its history with django-simple-history. Rows a person edits
as a whole (a project with its phases, funding lines and outcome claims; a partner; a
contribution) carry a ``version`` that every save moves on by one. A save made from an older
version is refused, and the refusal lists what changed in between, read from the history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db import models

from .money.document import ENTITIES
from .money.formatting import money
from .money.schema import empty_shown_as_tbc

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who makes a change, as the history records it: the signed-in user, or None for a change the
# site makes itself (loading a programme from a command).
Author: TypeAlias = "User | None"

# How a change was made, when not in the browser: the change reason of every history row written
# inside ``changes_made_through`` (django-simple-history's ``history_change_reason``).
_THROUGH: ContextVar[str | None] = ContextVar("changes_made_through", default=None)
REASON_MAX_LENGTH = 100  # simple-history's column
_API_REASON = re.compile(r'^API token "(?P<name>.*)" \((?P<prefix>ncp_[0-9a-f]+)\)$', re.DOTALL)

HIDDEN_FIELDS = {"id", "version", "position", "project", "programme", "partnership"}
# Fields whose empty value is a cost to be confirmed, as the declarations say.
_SHOWN_AS_TBC = empty_shown_as_tbc(ENTITIES)


@dataclass(frozen=True)
class FieldChange:
    """One field of one row, from one value to another, shown as a person would read it."""

    row: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One save of one row: when, by whom, what kind of change, and the fields it changed."""

    when: datetime
    who: str
    action: str
    row: str
    changes: tuple[FieldChange, ...]


def api_reason(*, name: str, prefix: str) -> str:
    """The change reason of a write made with an API token: ``API token "Ledger" (ncp_ab12cd34)``.

    The token's name is shortened to fit the history's column; its prefix is always kept.
    """
    fixed = f'API token "" (ncp_{prefix})'
    room = REASON_MAX_LENGTH - len(fixed)
    shown = name if len(name) <= room else name[: room - 1] + "…"
    return f'API token "{shown}" (ncp_{prefix})'


def person_name(user: Any) -> str:
    """Name a person as every page names them: their full name where it is known, else their
    username."""
    return user.get_full_name() or user.get_username()


def who_made(user: Any, reason: str | None) -> str:
    """Name who made a change (``person_name``), and how when not in the browser: "Jane Smith,
    through the API (token Ledger)". A change with no user (a command, a migration) was made by
    "(system)"."""
    name = person_name(user) if user is not None else "(system)"
    found = _API_REASON.match(reason or "")
    if found is None:
        return name
    return f"{name}, through the API (token {found['name']})"


@contextmanager
def changes_made_through(reason: str) -> Iterator[None]:
    """Record ``reason`` (see ``api_reason``) on every history row the services write inside."""
    token = _THROUGH.set(reason[:REASON_MAX_LENGTH])
    try:
        yield
    finally:
        _THROUGH.reset(token)


def change_reason() -> str | None:
    """The change reason of the history rows written now: None in the browser."""
    return _THROUGH.get()


class ConcurrentEditError(Exception):
    """Someone else saved the row after this copy of it was read; nothing was written."""

    def __init__(self, *, what: str, changes: list[FieldChange]) -> None:
        self.what = what
        self.changes = changes
        super().__init__(
            f"{what} was changed by someone else while you were editing it. Nothing you entered "
            "has been saved: check their changes below, then make yours again."
        )


# For each model that foreign keys point to, the name of each row by its primary key.
RelatedNames = dict[type[models.Model], dict[Any, str]]


def related_names(values: Iterable[tuple[models.Field, Any]]) -> RelatedNames:
    """Name the rows the foreign-key values among these point to, one query per model."""
    wanted: dict[type[models.Model], set] = {}
    for field, value in values:
        if isinstance(field, models.ForeignKey) and value not in (None, ""):
            wanted.setdefault(field.related_model, set()).add(value)
    return {
        model: {pk: str(row) for pk, row in model._default_manager.in_bulk(pks).items()}
        for model, pks in wanted.items()
    }


def display_value(field: models.Field, value, names: RelatedNames | None = None) -> str:
    """Show a stored value as the screens do: choices by label, money as £, empty as a dash.

    A foreign key is shown by the name of the row it points to, from ``names`` when given
    (see ``related_names``), otherwise read from the database.
    """
    if value is None or value == "":
        return "TBC" if (field.model._meta.label, field.name) in _SHOWN_AS_TBC else "-"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.DecimalField) and field.decimal_places == 2:
        return money(Decimal(value))
    if isinstance(field, models.ForeignKey):
        if names is None:
            names = related_names([(field, value)])
        name = names.get(field.related_model, {}).get(value)
        return name if name is not None else f"(removed #{value})"
    return str(value)


def _field_changes(record, previous) -> list[tuple[models.Field, Any, Any]]:
    """Return each field that differs between a historical record and the one before it."""
    if previous is None:
        return []
    model = record.instance_type
    delta = record.diff_against(previous, excluded_fields=list(HIDDEN_FIELDS))
    return [
        (model._meta.get_field(change.field), change.old, change.new) for change in delta.changes
    ]


def _shown(
    changes: list[tuple[models.Field, Any, Any]], row: str, names: RelatedNames
) -> tuple[FieldChange, ...]:
    """Show a row's field changes as a person reads them."""
    return tuple(
        FieldChange(
            row=row,
            field=str(field.verbose_name).capitalize(),
            old=display_value(field, old, names),
            new=display_value(field, new, names),
        )
        for field, old, new in changes
    )


def _names_for(changes: Iterable[list[tuple[models.Field, Any, Any]]]) -> RelatedNames:
    """Name the rows that the old and new values of these field changes point to."""
    return related_names(
        (field, value) for fields in changes for field, old, new in fields for value in (old, new)
    )


ACTIONS = {"+": "Added", "~": "Changed", "-": "Removed"}


def history_entries(
    records, label=str, *, after: Mapping[type[models.Model], int] | None = None
) -> list[HistoryEntry]:
    """Turn historical records (of any edited models) into entries, newest first.

    ``records`` is an iterable of historical records; each is compared with the record before
    it for the same row, which must be among ``records`` too (pass a row's whole history).
    With ``after``, only the records of each model whose history id is greater than its value
    there are entries: what changed since that version (the others are read to compare).
    """
    by_row: dict[tuple[type, int], list] = {}
    for record in records:
        by_row.setdefault((record.instance_type, record.id), []).append(record)
    # Each record with the fields it changed; the rows foreign keys point to are named after,
    # all at once, so that a long history costs no more queries than a short one.
    changed = []
    for rows in by_row.values():
        rows.sort(key=lambda record: (record.history_date, record.history_id))
        previous = None
        for record in rows:
            fields = _field_changes(record, previous) if record.history_type == "~" else []
            changed.append((record, fields))
            previous = record
    names = _names_for(fields for _, fields in changed)
    entries = []
    if after is not None:
        changed = [
            (record, fields)
            for record, fields in changed
            if record.history_id > after.get(record.instance_type, 0)
        ]
    for record, fields in changed:
        row = label(record)
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=who_made(record.history_user, record.history_change_reason),
                action=ACTIONS[record.history_type],
                row=row,
                changes=_shown(fields, row, names),
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def claim_version(instance: models.Model, expected_version: int, *, what: str, changes) -> None:
    """Move the row on to the next version, or refuse if it is no longer at expected_version.

    One conditional UPDATE does the check and the claim together, so two saves racing on
    SQLite or PostgreSQL cannot both win. ``changes`` is called only on refusal, to say what the
    other person changed.
    """
    claimed = (
        type(instance)
        .objects.filter(pk=instance.pk, version=expected_version)
        .update(version=expected_version + 1)
    )
    if not claimed:
        raise ConcurrentEditError(what=what, changes=changes())
    instance.version = expected_version + 1


def changes_since_version(instance: models.Model, version: int, *, row: str) -> list[FieldChange]:
    """Return the fields of a row that changed after the given version of it was saved."""
    history = instance.history.order_by("history_date", "history_id")
    start = history.filter(version=version).last()
    latest = history.last()
    if start is None or latest is None or start.pk == latest.pk:
        return []
    fields = _field_changes(latest, start)
    return list(_shown(fields, row, _names_for([fields])))


def record_author(instance: models.Model, user: Author, when: datetime | None = None) -> None:
    """Make the instance's next history row say who changed it, and when if ``when`` is given.

    Without ``when`` the row records the time of the save.
    """
    # django-simple-history reads these two attributes when it writes the row; they are not
    # declared on the models, so the type stubs cannot know them.
    instance._history_user = user  # type: ignore[attr-defined]
    reason = change_reason()
    if reason is not None:
        instance._change_reason = reason  # type: ignore[attr-defined]
    if when is not None:
        instance._history_date = when  # type: ignore[attr-defined]
