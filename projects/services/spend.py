"""Writes of spend and forecasts: each refused, with nothing saved, when the rule says no.

Money is spent only on a committed phase (``projects.money.spend``, the rule the programme
file's checks use too). A date outside the programme's period, or a line that repeats one
already recorded (same phase, reference and amount), is saved only once confirmed. A batch of
lines (``spend_record_batch``) follows the same rules, all or nothing. Every write is in the
history with its author.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from norfolk_connect.model_messages import for_people, full_clean_for_people

from ..history import Author, change_reason, record_author
from ..models import Forecast, Phase, Programme, Project, Spend
from ..money.formatting import money
from ..money.spend import spend_refused_message
from ..money.vocabulary import Decision
from .confirmation import ConfirmationNeeded, confirmation_key, day, period_warnings

PENNY = Decimal("0.01")
AMOUNT_REFUSED = "Amount must be more than £0, in pounds and pence"
# The most spend lines recorded at once (an API batch): a month of a council's ledger.
BATCH_MAX = 1_000
BATCH_SIZE = 500


def phase_label(phase: Phase, project: Project) -> str:
    """Name a phase as messages do: Phase 2 of Authentication / Gateway."""
    return f"Phase {phase.number} of {project.name}"


def phase_refused(phase: Phase, project: Project) -> str | None:
    """Say why spend on the phase is refused (it waits for its case, or does not proceed)."""
    return spend_refused_message(
        gated=phase.gated, decision=phase.decision, phase=phase_label(phase, project)
    )


def amount_refused(amount: Decimal) -> bool:
    """Whether an amount of spend is refused: nothing, less, or a fraction of a penny."""
    return not amount.is_finite() or amount <= 0 or amount != amount.quantize(PENNY)


def repeat_warning(
    amount: Decimal, reference: str, phase: Phase, project: Project, recorded: date
) -> str:
    """Warn that a line with this phase, reference and amount is already recorded."""
    named = f"reference {reference}" if reference else "no reference"
    return (
        f"A spend line of {money(amount)} with {named} is already recorded on phase "
        f"{phase.number} of {project.name}, dated {day(recorded)}."
    )


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
    refused = phase_refused(locked, project)
    if refused:
        raise ValidationError({"phase": refused})
    if amount_refused(amount):
        raise ValidationError({"amount": AMOUNT_REFUSED})
    warnings = period_warnings(project.programme, [("date", date)])
    same = (
        Spend.objects.filter(phase=locked, reference=reference, amount=amount)
        .order_by("date", "pk")
        .first()
    )
    if same is not None:
        warnings.append(repeat_warning(amount, reference, locked, project, same.date))
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


@dataclass(frozen=True)
class SpendLine:
    """One line of a batch of spend: its project (by slug), the phase's number and the rest."""

    project: str
    phase: int
    date: date
    amount: Decimal
    supplier: str = ""
    reference: str = ""
    description: str = ""


@transaction.atomic
def spend_record_batch(
    *,
    programme: Programme,
    lines: Sequence[SpendLine],
    confirmed: str = "",
    user: Author,
) -> list[Spend]:
    """Record spend lines all at once or none: the rules of ``spend_record`` for each.

    A refused line refuses the batch, each line's errors named ``lines.<i>.<field>``. A date
    outside the programme's period, or a line repeating one recorded (or one earlier in the
    batch: same phase, reference and amount), is saved only once the batch is confirmed. A
    fixed number of queries whatever the number of lines: the phases (locked), the lines
    recorded on them, and the inserts of the lines and their history in batches.
    """
    if not lines:
        raise ValidationError({"lines": "Send at least one spend line"})
    if len(lines) > BATCH_MAX:
        raise ValidationError({"lines": f"Send at most {BATCH_MAX:,} spend lines at once"})
    # The phases' rows are the lock: their decisions cannot change while spend is recorded.
    phases = {
        (phase.project.slug, phase.number): phase
        for phase in Phase.objects.select_for_update(of=("self",))
        .filter(project__programme=programme)
        .select_related("project")
    }
    projects = {slug for slug, _ in phases}
    errors: dict[str, list[str]] = {}
    spends: list[Spend] = []
    for i, line in enumerate(lines):
        where = f"lines.{i}"
        phase = phases.get((line.project, line.phase))
        if line.project not in projects:
            errors[f"{where}.project"] = ["Select one of the programme's projects"]
        elif phase is None:
            errors[f"{where}.phase"] = ["Select one of the project's phases"]
        elif refused := phase_refused(phase, phase.project):
            errors[f"{where}.phase"] = [refused]
        if amount_refused(line.amount):
            errors.setdefault(f"{where}.amount", []).append(AMOUNT_REFUSED)
        spend = Spend(
            phase=phase,
            date=line.date,
            amount=line.amount,
            supplier=line.supplier,
            reference=line.reference,
            description=line.description,
        )
        # The model's own checks without a query: the phase is one of the programme's.
        try:
            spend.full_clean(exclude=["phase"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in for_people(error, Spend).message_dict.items():
                if field == "amount" and f"{where}.amount" in errors:
                    continue
                errors.setdefault(f"{where}.{field}", []).extend(messages)
        spends.append(spend)
    if errors:
        raise ValidationError(errors)
    warnings = [
        f"Line {i + 1}: {warning}"
        for i, line in enumerate(lines)
        for warning in period_warnings(programme, [("date", line.date)])
    ]
    recorded: dict[tuple[int, str, Decimal], date] = {}
    for phase_id, reference, amount, when in (
        Spend.objects.filter(phase_id__in={spend.phase_id for spend in spends})
        .order_by("-date", "-pk")
        .values_list("phase_id", "reference", "amount", "date")
    ):
        recorded[(phase_id, reference, amount)] = when  # the earliest is kept, as last
    for i, spend in enumerate(spends):
        same = (spend.phase.pk, spend.reference, spend.amount)
        if same in recorded:
            warnings.append(
                f"Line {i + 1}: "
                + repeat_warning(
                    spend.amount, spend.reference, spend.phase, spend.phase.project, recorded[same]
                )
            )
        else:
            recorded[same] = spend.date
    key = confirmation_key([(s.phase.pk, s.date, s.amount, s.reference) for s in spends], warnings)
    if warnings and confirmed != key:
        raise ConfirmationNeeded(warnings, key)
    return bulk_create_with_history(
        spends,
        Spend,
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=change_reason(),
    )


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
