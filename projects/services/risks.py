"""Writes of the risk register: add or change a risk, and remove one recorded in error.

Each is refused whole, with nothing saved, when what it is given is wrong: a reference is
needed and names one risk of the programme; likelihood and impact are whole numbers from 1 to
5; a risk's project is one of the programme's. A risk is closed by changing its status, so a
closed risk keeps its record. Every write is in the history with its author.

A change is made from a copy of the risk read earlier: the form carries the id of the risk's
latest history row as it was then (``seen``). If someone else has saved the risk since, the
change is refused rather than silently overwriting theirs.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from norfolk_connect.model_messages import full_clean_for_people

from ..history import Author, record_author
from ..models import Programme, Project, Risk
from ..money.delivery import SCORES
from ..money.vocabulary import RiskStatus

SCORE_MESSAGE = "{} must be a whole number from 1 to 5"
CHANGED_SINCE = (
    "Someone else changed this risk after you opened it, so your changes were not saved. "
    "Open the risk again to see theirs, then make yours"
)


def latest_change(risk: Risk) -> int | None:
    """Return the id of the risk's latest history row: it moves on with every save."""
    return risk.history.order_by("-history_id").values_list("history_id", flat=True).first()


def _score(value: object, subject: str, errors: dict[str, str], field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        errors[field] = SCORE_MESSAGE.format(subject)


@transaction.atomic
def risk_save(
    *,
    programme: Programme,
    risk: Risk | None = None,
    reference: str,
    description: str,
    likelihood: int,
    impact: int,
    project: Project | None = None,
    owner: str = "",
    mitigation: str = "",
    status: str = RiskStatus.OPEN,
    next_review: date | None = None,
    seen: int | None = None,
    user: Author,
) -> Risk:
    """Add a risk to the programme's register, or change ``risk``; return the risk saved."""
    if risk is not None:
        locked = Risk.objects.select_for_update().filter(pk=risk.pk, programme=programme).first()
        if locked is None:
            raise ValidationError("The risk is no longer in the register: it has been removed")
        if seen != latest_change(locked):
            raise ValidationError(CHANGED_SINCE)
        risk = locked
    reference = (reference or "").strip()
    errors: dict[str, str] = {}
    if not reference:
        errors["reference"] = "Enter the risk's reference"
    elif (
        Risk.objects.filter(programme=programme, reference=reference)
        .exclude(pk__in=[risk.pk] if risk is not None else [])
        .exists()
    ):
        errors["reference"] = f"The programme already has a risk with reference {reference}"
    if not (description or "").strip():
        errors["description"] = "Enter the risk's description"
    _score(likelihood, "Likelihood", errors, "likelihood")
    _score(impact, "Impact", errors, "impact")
    if project is not None and project.programme_id != programme.pk:
        errors["project"] = "Select one of the programme's projects, or the programme as a whole"
    if status not in RiskStatus.values:
        errors["status"] = "Select whether the risk is open or closed"
    if errors:
        raise ValidationError(errors)
    if risk is None:
        risk = Risk(programme=programme)
    risk.reference = reference
    risk.description = description.strip()
    risk.likelihood = likelihood
    risk.impact = impact
    risk.project = project
    risk.owner = (owner or "").strip()
    risk.mitigation = (mitigation or "").strip()
    risk.status = status
    risk.next_review = next_review
    full_clean_for_people(risk)
    record_author(risk, user)
    risk.save()
    return risk


@transaction.atomic
def risk_delete(*, risk: Risk, user: Author) -> None:
    """Remove a risk recorded in error; its history is kept. Close a real risk instead."""
    record_author(risk, user)
    risk.delete()
