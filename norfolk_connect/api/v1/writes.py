"""Writes: a payment against an invoice, spend lines, a milestone's actual date.

Each goes through the service the browser's form uses, with the same checks, confirmations and
history: the history names the token's owner as the person who made the change, and the token
as how (``projects.history.api_reason``). A write needs a read-and-write token and that its
owner's role allows it today: an editor may make every one; a partner officer may record a
payment against their own council's invoice, and nothing else (``projects.access``).

The version of a record a write changes (its ETag) is read from its history, not from how it is
written out: ``"invoice-<id>-<its latest history id>-<its payments' latest history id>"`` for an
invoice, ``"milestone-<id>-<its latest history id>"`` for a milestone (``record_etag``). A write
answers with it in ``ETag``; sent back as ``If-Match``, a write is refused (412) if the record
changed since, with what changed, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BeforeValidator, ConfigDict

from contributions import calls
from contributions.ledger_selectors import programme_invoice, programme_payments
from projects.access import can_edit, can_record_payment
from projects.history import api_reason, changes_made_through
from projects.models import Invoice, Milestone, Programme
from projects.selectors.delivery import programme_milestone
from projects.selectors.spend import programme_spend
from projects.services.confirmation import ConfirmationNeeded
from projects.services.delivery import milestone_save
from projects.services.spend import BATCH_MAX, SpendLine, spend_record_batch

from ..models import Scope
from . import delivery
from .common import Error, answers, money_text, own_programme
from .delivery import MilestoneOut, SpendOut
from .money import InvoiceOut, PaymentOut
from .versions import Stale, StaleWrite, check_if_match, record_etag

router = Router(tags=["Writes"])

READ_ONLY = "This token reads only: make a read-and-write token to record changes"
ROLE_REFUSED = (
    "The token's owner's role in the partnership may not make this change: a partner officer "
    "records payments against their own council's invoices only"
)
CONFIRM = (
    "Answered 409 when the change needs confirming (a date outside the programme's period, a "
    "line repeating one recorded): nothing is saved, and the answer lists the `warnings` with "
    "a `confirmation` key. Send the same request again with that key as `confirmation` to go "
    "ahead; a different request needs a key of its own."
)
IF_MATCH = (
    "Send `If-Match` with the record's ETag (from the answer to the write that last changed "
    "it) to have the write refused with 412, and what changed since, if someone else changed "
    "it meanwhile. The answer carries the record's new ETag."
)
# The largest primary key the databases keep: a larger one names nothing (404), never a 500.
KEY_MAX = 2**63 - 1
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = r"^-?\d{1,15}(\.\d{1,10})?$"


def _iso_day(value: Any) -> Any:
    """Take a date only as the text ``YYYY-MM-DD``: never a number of seconds."""
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("Enter a date as YYYY-MM-DD, such as 2005-03-31")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


# Permission, confirmation and the history's reason, shared by every write


class NeedsConfirming(Schema):
    """The change needs confirming: send it again with the `confirmation` to go ahead."""

    detail: str = Field(description="What to do, for the developer of the client.")
    warnings: list[str] = Field(description="What is unusual about the change, in words.")
    confirmation: str = Field(
        description="The key to send back as `confirmation` with the same request."
    )


def require_write(request: HttpRequest, allowed: bool) -> None:
    """Refuse (403) a write by a read token, or one the owner's role may not make today."""
    if request.api_token.scope != Scope.READ_WRITE:  # type: ignore[attr-defined]
        raise HttpError(403, READ_ONLY)
    if not allowed:
        raise HttpError(403, ROLE_REFUSED)


def write(request: HttpRequest, change: Callable[[], Any]) -> Status | Any:
    """Make the change in one transaction, its history naming the token; answer 409 or 412
    (nothing saved) when it needs confirming or the record changed since the If-Match."""
    token = request.api_token  # type: ignore[attr-defined]
    try:
        with (
            transaction.atomic(),
            changes_made_through(api_reason(name=token.name, prefix=token.prefix)),
        ):
            return change()
    except ConfirmationNeeded as needed:
        return Status(
            409,
            {
                "detail": "The change needs confirming: nothing was saved. Check the "
                "warnings, then send the same request again with this confirmation",
                "warnings": list(needed.warnings),
                "confirmation": needed.key,
            },
        )
    except StaleWrite as stale:
        return Status(
            412,
            {
                "detail": "The record changed since the version sent as If-Match: nothing was "
                "saved. Read it again, check the changes, then make yours",
                "changes": stale.changes,
            },
        )


CONFIRMATION = Field(
    "",
    max_length=100,
    description="The `confirmation` of a 409 answer to this same request, to go ahead despite "
    "its warnings; empty (the default) the first time.",
)
AMOUNT_IN = (
    'An amount in pounds as a decimal string, such as "1234.50": more than 0, in pounds and '
    "pence (a fraction of a penny is refused)."
)


# Payments


class PaymentIn(Schema):
    """A payment received against an invoice."""

    model_config = ConfigDict(extra="forbid")

    date: Day = Field(description="The day the money was received, `YYYY-MM-DD`.")
    amount: str = Field(pattern=_AMOUNT, description=AMOUNT_IN + " At most what is owed.")
    reference: str = Field("", description="The council's reference for the payment, if any.")
    confirmation: str = CONFIRMATION


class PaymentRecorded(Schema):
    """A payment recorded against an invoice, and the invoice after it."""

    payment: PaymentOut = Field(description="The payment, as recorded against the invoice.")
    invoice: InvoiceOut = Field(
        description="The invoice, with what is paid and owed now, as its own address reads it."
    )


@router.post(
    "/programmes/{slug}/invoices/{invoice}/payments",
    response=answers(
        PaymentRecorded, 201, e403=Error, e409=NeedsConfirming, e412=Stale, e413=Error
    ),
    url_name="payment_record",
    summary="Record a payment against an invoice",
    description=(
        "Records money a council paid against one of its invoices, as the payment form does, "
        "with the same checks: more than 0, in pounds and pence, no more than is owed, dated "
        "on or after the invoice's issue. Needs a read-and-write token of an editor, or of the "
        "council's own partner officer (403 otherwise; 404 for an invoice the programme does "
        "not have). " + CONFIRM + " " + IF_MATCH
    ),
)
def payment_record(
    request: HttpRequest,
    slug: str,
    invoice: Annotated[int, Path(ge=1, le=KEY_MAX, description="The invoice's id.")],
    body: PaymentIn,
    response: HttpResponse,
) -> Any:
    programme = own_programme(request, slug)
    found = programme_invoice(programme=programme, pk=invoice)
    if found is None:
        raise Http404("No such invoice")
    membership = request.api_membership  # type: ignore[attr-defined]
    require_write(request, can_record_payment(membership, partner_id=found.partner_id))

    def change() -> Any:
        Invoice.objects.select_for_update().filter(pk=found.pk).first()
        check_if_match(request, found)
        return calls.payment_record(
            invoice=found,
            date=body.date,
            amount=Decimal(body.amount),
            reference=body.reference,
            confirmed=body.confirmation,
            user=request.api_user,  # type: ignore[attr-defined]
        )

    payment = write(request, change)
    if isinstance(payment, Status):
        return payment
    after = programme_invoice(programme=programme, pk=found.pk)
    assert after is not None
    response["ETag"] = record_etag(after)
    recorded = programme_payments(programme=programme).get(pk=payment.pk)
    return Status(201, {"payment": recorded, "invoice": after})


# Spend


class SpendLineIn(Schema):
    """One spend line: money paid out of the pot for a committed phase."""

    model_config = ConfigDict(extra="forbid")

    project: str = Field(max_length=200, description="The project's slug.")
    phase: int = Field(ge=1, le=999, description="The phase's number in the project.")
    date: Day = Field(description="The day the money was paid, `YYYY-MM-DD`.")
    amount: str = Field(pattern=_AMOUNT, description=AMOUNT_IN)
    supplier: str = Field("", description="Who was paid, if known.")
    reference: str = Field(
        "", description="The ledger's reference (a purchase order, an invoice number), if any."
    )
    description: str = Field("", description="What the money paid for, if said.")


class SpendIn(Schema):
    """Spend lines to record together: all of them, or none."""

    model_config = ConfigDict(extra="forbid")

    lines: list[SpendLineIn] = Field(
        min_length=1, max_length=BATCH_MAX, description=f"The lines, 1 to {BATCH_MAX:,}."
    )
    confirmation: str = CONFIRMATION


class SpendRecorded(Schema):
    """The spend lines recorded, in the order sent."""

    count: int = Field(description="How many lines were recorded.")
    total: str = Field(description='Their total, a decimal string such as "1234.50".')
    lines: list[SpendOut] = Field(description="Each line recorded, in the order sent.")


# The same address as the spend list's: ninja answers one address from one router.
@delivery.router.post(
    "/programmes/{slug}/spend",
    tags=["Writes"],
    response=answers(SpendRecorded, 201, e403=Error, e409=NeedsConfirming, e413=Error),
    url_name="spend_record",
    summary="Record spend lines, all or none",
    description=(
        f"Records 1 to {BATCH_MAX:,} spend lines in one transaction, each by the rules of the "
        "spend form: spend only on a committed phase (one waiting for its business case, or "
        "not proceeding, is refused), amounts more than 0 in pounds and pence. Any line "
        "refused refuses them all, with nothing saved: 422 with each line's errors named "
        "`lines.<index>.<field>` (from 0). Needs a read-and-write token of an editor (403 "
        "otherwise). " + CONFIRM + " The lines add to the programme rather than change a "
        "record: If-Match is not read."
    ),
)
def spend_record(request: HttpRequest, slug: str, body: SpendIn) -> Any:
    programme = own_programme(request, slug)
    require_write(request, can_edit(request.api_membership))  # type: ignore[attr-defined]
    lines = [
        SpendLine(
            project=line.project,
            phase=line.phase,
            date=line.date,
            amount=Decimal(line.amount),
            supplier=line.supplier,
            reference=line.reference,
            description=line.description,
        )
        for line in body.lines
    ]
    recorded = write(
        request,
        lambda: spend_record_batch(
            programme=programme,
            lines=lines,
            confirmed=body.confirmation,
            user=request.api_user,  # type: ignore[attr-defined]
        ),
    )
    if isinstance(recorded, Status):
        return recorded
    total = sum((spend.amount for spend in recorded), Decimal("0.00"))
    lines = programme_spend(programme=programme).filter(pk__in=[spend.pk for spend in recorded])
    return Status(201, {"count": len(recorded), "total": money_text(total), "lines": list(lines)})


# Milestones


class MilestoneIn(Schema):
    """A milestone's actual date: the day it was reached, or null while it is not."""

    model_config = ConfigDict(extra="forbid")

    actual: Day | None = Field(
        description="The day the milestone was reached, `YYYY-MM-DD`, today or earlier; null "
        "to say it is not reached yet."
    )


def _programme_of_milestone(programme: Programme, pk: int) -> Milestone:
    milestone = programme_milestone(programme=programme, pk=pk)
    if milestone is None:
        raise Http404("No such milestone")
    return milestone


# The same address as the milestone's own: ninja answers one address from one router.
@delivery.router.patch(
    "/programmes/{slug}/milestones/{milestone}",
    tags=["Writes"],
    response=answers(MilestoneOut, e403=Error, e412=Stale, e413=Error),
    url_name="milestone_update",
    summary="Set a milestone's actual date",
    description=(
        "Sets (or clears, with null) the day a milestone was reached, as the milestone form "
        "does, keeping its other fields: refused (422) for a day still to come. Needs a "
        "read-and-write token of an editor (403 otherwise; 404 for a milestone the programme "
        "does not have). " + IF_MATCH
    ),
)
def milestone_update(
    request: HttpRequest,
    slug: str,
    milestone: Annotated[int, Path(ge=1, le=KEY_MAX, description="The milestone's id.")],
    body: MilestoneIn,
    response: HttpResponse,
) -> Any:
    programme = own_programme(request, slug)
    found = _programme_of_milestone(programme, milestone)
    require_write(request, can_edit(request.api_membership))  # type: ignore[attr-defined]

    def change() -> Milestone:
        locked = Milestone.objects.select_for_update(of=("self",)).select_related(
            "project", "phase"
        )
        current = locked.get(pk=found.pk)
        check_if_match(request, current)
        return milestone_save(
            project=current.project,
            name=current.name,
            baseline=current.baseline,
            forecast=current.forecast,
            actual=body.actual,
            phase=current.phase,
            milestone=current,
            user=request.api_user,  # type: ignore[attr-defined]
        )

    saved = write(request, change)
    if isinstance(saved, Status):
        return saved
    response["ETag"] = record_etag(saved)
    return programme_milestone(programme=programme, pk=saved.pk)
