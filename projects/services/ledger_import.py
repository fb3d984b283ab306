"""Import spend lines from a council's ledger export: all of them, in one transaction, or none.

The lines were read and planned for the preview (``projects.money.ledger_import``); applying
plans them again under lock, against the programme as it is now. If the plan differs from the
one previewed (a phase decided, a line recorded since), nothing is written and the new plan is
returned to be previewed. A line repeating one recorded is skipped; a refused row refuses the
whole import. Every line written is in the history with its author.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from ..history import Author, change_reason
from ..models import LedgerMapping, Programme, Spend
from ..money.ledger_import import FIELDS, LedgerPlan, LedgerRead, plan_ledger
from ..selectors.ledger_import import ledger_phases, ledger_recorded

BATCH = 500


class LedgerChangedError(Exception):
    """The programme moved on since the preview: here is what the import would do now."""

    def __init__(self, plan: LedgerPlan) -> None:
        super().__init__(
            "The programme has changed since the preview, so nothing was imported. Check the "
            "import again below: it is planned against the programme as it is now."
        )
        self.plan = plan


def plan_fingerprint(plan: LedgerPlan) -> str:
    """A digest of everything the plan says: a plan made later that differs, differs here."""
    digest = hashlib.sha256()
    for planned in plan.to_add:
        line = planned.line
        digest.update(
            repr(
                (
                    line.row,
                    planned.phase.key,
                    line.date.isoformat(),
                    str(line.amount),
                    line.reference,
                    line.supplier,
                    line.description,
                )
            ).encode()
        )
    digest.update(b"|")
    for skipped in plan.duplicates:
        digest.update(repr((skipped.line.row, skipped.reason)).encode())
    for text in ("|", *plan.refused, "|", *plan.warnings):
        digest.update(text.encode())
    return digest.hexdigest()


def ledger_plan(*, programme: Programme, read: LedgerRead, lock: bool = False) -> LedgerPlan:
    """Say what importing the lines read into the programme would do."""
    return plan_ledger(
        read,
        phases=ledger_phases(programme=programme, lock=lock),
        recorded=ledger_recorded(programme=programme),
        starts=programme.starts,
        ends=programme.ends,
    )


@transaction.atomic
def ledger_import(
    *, programme: Programme, read: LedgerRead, expected: str, user: Author
) -> LedgerPlan:
    """Record every line of the plan previewed (its ``plan_fingerprint`` is ``expected``).

    Raises ``LedgerChangedError`` with the new plan if the programme has moved on since, and
    ``ValidationError`` if any row is refused; in either case nothing is written.
    """
    plan = ledger_plan(programme=programme, read=read, lock=True)
    if plan_fingerprint(plan) != expected:
        raise LedgerChangedError(plan)
    if plan.refused:
        raise ValidationError(list(plan.refused))
    if not plan.to_add:
        raise ValidationError("The file holds no spend line that is not already recorded.")
    lines = [
        Spend(
            phase_id=planned.phase.key,
            date=planned.line.date,
            amount=planned.line.amount,
            supplier=planned.line.supplier,
            reference=planned.line.reference,
            description=planned.line.description,
        )
        for planned in plan.to_add
    ]
    bulk_create_with_history(
        lines, Spend, batch_size=BATCH, default_user=user, default_change_reason=change_reason()
    )
    return plan


@transaction.atomic
def ledger_mapping_save(*, programme: Programme, columns: Mapping[str, str]) -> LedgerMapping:
    """Remember which column holds each field, for the programme's next import."""
    kept = {field: columns[field] for field in FIELDS if columns.get(field)}
    mapping, _ = LedgerMapping.objects.update_or_create(
        programme=programme, defaults={"columns": kept}
    )
    return mapping
