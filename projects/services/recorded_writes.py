"""Writes of many rows at once that the history records, each run as one statement.

An import writes thousands of rows; Django's bulk_update and simple-history's own bulk records
build a statement per row or a CASE per field, which took longer than the change itself. These
run one statement over all the rows and add one historical record per row, with one user and
one date for the whole change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, models, router
from django.db.models.options import Options

from ..history import Author, change_reason


def concrete_field(meta: Options[Any], name: str) -> models.Field:
    """Return the field of this name, which is the model's own, never a reverse relation."""
    field = meta.get_field(name)
    assert isinstance(field, models.Field), f"{meta.label}.{name} is not a field of its own"
    return field


def remove_recorded(model: type[models.Model], rows: list, *, user: Author, when: datetime) -> None:
    """Delete the rows, recording each removal in the history, in bulk."""
    if not rows:
        return
    record_rows(model, rows, kind="-", user=user, when=when)
    pks = [row.pk for row in rows]
    for start in range(0, len(pks), 500):
        doomed = model._default_manager.filter(pk__in=pks[start : start + 500]).order_by()
        doomed._raw_delete(doomed.db)


def update_recorded(
    model: type[models.Model], rows: list, fields: tuple[str, ...], *, user: Author, when: datetime
) -> None:
    """Write the rows' fields, one UPDATE run over all of them, recording each in the history.

    Django's bulk_update builds a CASE over every row for every field, which for thousands of
    rows takes seconds; one statement run with each row's values takes a fraction of that.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [concrete_field(meta, name) for name in fields]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "
        + ", ".join(f"{quote(column.column)} = %s" for column in columns)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    params = []
    for row in rows:
        # A foreign key to a row saved since it was set takes that row's new primary key.
        row._prepare_related_fields_for_save(operation_name="update")
        values = [
            column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns
        ]
        params.append([*values, row.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    record_rows(model, rows, kind="~", user=user, when=when)


def record_rows(
    model: type[models.Model], rows: list, *, kind: str, user: Author, when: datetime
) -> None:
    """Add a historical record of each row as it is now, all with the same user and date.

    What simple-history's bulk_history_create writes, as one INSERT run over all the rows:
    building each record as a model and inserting them with bulk_create took longer than the
    change it records.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    # simple-history adds the history manager to each model it tracks; it ships no types.
    history = model.history.model  # type: ignore[attr-defined]
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    meta = history._meta
    tracked = [(field, meta.get_field(field.name)) for field in history.tracked_fields]
    stamp = {
        "history_date": when,
        "history_change_reason": change_reason(),
        "history_type": kind,
        "history_user": None if user is None else user.pk,
    }
    stamped = [(meta.get_field(name), value) for name, value in stamp.items()]
    columns = [column for _, column in tracked] + [column for column, _ in stamped]
    fixed = [column.get_db_prep_save(value, connection) for column, value in stamped]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "
        f"({', '.join(quote(column.column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    params = [
        [
            column.get_db_prep_save(getattr(row, field.attname), connection)
            for field, column in tracked
        ]
        + fixed
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
