"""Writes of spend and forecasts: each refused, with nothing saved, when the rule says no.

Money is spent only on a committed phase (``projects.money.spend``, the rule the programme
file's checks use too). A date outside the programme's period, or a line that repeats one
already recorded (same phase, reference and amount), is saved only once confirmed. Every write
is in the history with its author.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from norfolk_connect.model_messages import full_clean_for_people

from ..history import Author, record_author
from ..models import Forecast, Phase, Project, Spend
from ..money.formatting import money
from ..money.spend import spend_refused_message
from ..money.vocabulary import Decision
from .confirmation import ConfirmationNeeded, confirmation_key, day, period_warnings

PENNY = Decimal("0.01")


def phase_label(phase: Phase, project: Project) -> str:
    """Name a phase as messages do: Phase 2 of Authentication / Gateway."""
    return f"Phase {phase.number} of {project.name}"


@transaction.atomic
def spend_record(
    *,
    project: Project,
    phase: Phase,
    date: date,
    amount: Decimal,
    supplier: str = "",
    reference: str = "",
    description: str = "",
    confirmed: str = "",
    user: Author,
) -> Spend:
    """Record money paid out of the pot for one of the project's committed phases."""
    # The phase's row is the lock: its decision cannot change while the spend is recorded.
    locked = Phase.objects.select_for_update().filter(pk=phase.pk, project=project).first()
    if locked is None:
        raise ValidationError({"phase": "Select one of the project's phases"})
    refused = spend_refused_message(
        gated=locked.gated, decision=locked.decision, phase=phase_label(locked, project)
    )
    if refused:
        raise ValidationError({"phase": refused})
    if amount <= 0 or amount != amount.quantize(PENNY):
        raise ValidationError({"amount": "Amount must be more than £0, in pounds and pence"})
    warnings = period_warnings(project.programme, [("date", date)])
    same = (
        Spend.objects.filter(phase=locked, reference=reference, amount=amount)
        .order_by("date", "pk")
        .first()
    )
    if same is not None:
        named = f"reference {reference}" if reference else "no reference"
        warnings.append(
            f"A spend line of {money(amount)} with {named} is already recorded on phase "
            f"{locked.number} of {project.name}, dated {day(same.date)}."
        )
    key = confirmation_key(locked.pk, date, amount, reference, warnings)
    if warnings and confirmed != key:
        raise ConfirmationNeeded(warnings, key)
    spend = Spend(
        phase=locked,
        date=date,
        amount=amount,
        supplier=supplier,
        reference=reference,
        description=description,
    )
    full_clean_for_people(spend)
    record_author(spend, user)
    spend.save()
    return spend


@transaction.atomic
def spend_delete(*, spend: Spend, user: Author) -> None:
    """Remove a spend line recorded in error; its history is kept."""
    record_author(spend, user)
    spend.delete()


@transaction.atomic
def forecasts_set(
    *,
    project: Project,
    amounts: Mapping[tuple[int, str], Decimal | None],
    user: Author,
) -> int:
    """Set the forecast per phase (by pk) and financial year; ``None`` removes it.

    Refused whole when it sets an amount on a phase that does not proceed, or names a phase
    of another project or a year outside the programme's. Returns how many forecasts changed.
    """
    phases = {
        phase.pk: phase for phase in Phase.objects.select_for_update().filter(project=project)
    }
    years = set(project.programme.financial_years)
    errors: list[str] = []
    for (pk, year), amount in amounts.items():
        phase = phases.get(pk)
        if phase is None or year not in years:
            errors.append("Enter forecasts only for the project's phases and the programme's years")
        elif amount is not None and amount < 0:
            errors.append(f"The forecast for {year} must be £0 or more")
        elif amount is not None and phase.decision == Decision.NOT_PROCEEDING:
            errors.append(
                f"{phase_label(phase, project)} does not proceed: a forecast on it is refused."
            )
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    current = {
        (item.phase_id, item.financial_year): item
        for item in Forecast.objects.filter(phase__project=project)
    }
    changed = 0
    for (pk, year), amount in amounts.items():
        existing = current.get((pk, year))
        if amount is None:
            if existing is not None:
                record_author(existing, user)
                existing.delete()
                changed += 1
        elif existing is None:
            forecast = Forecast(phase=phases[pk], financial_year=year, amount=amount)
            full_clean_for_people(forecast)
            record_author(forecast, user)
            forecast.save()
            changed += 1
        elif existing.amount != amount:
            existing.amount = amount
            full_clean_for_people(existing)
            record_author(existing, user)
            existing.save()
            changed += 1
    return changed
