"""Reads of a programme's records after the meeting, as the programme file's plain data.

Meetings, agreements with each partner's part, calls with their invoices and payments, refunds
and credits, spend and forecasts: read in a fixed number of queries whatever their number, in
the order they were recorded, which is the programme file's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, DateField, Exists, F, OuterRef, QuerySet, Sum, Value, When

from projects.models import (
    Agreement,
    Call,
    Forecast,
    Invoice,
    Meeting,
    Milestone,
    PartnerAgreement,
    Payment,
    Programme,
    Refund,
    Risk,
    Spend,
    StatusUpdate,
)

from ..money.document import (
    CALL,
    INVOICE,
    MEETING,
    PARTNER_AGREEMENT,
    PAYMENT,
    REFUND,
    AgreementData,
    CallData,
    ForecastData,
    MeetingData,
    MilestoneData,
    ProgrammeDocument,
    RefundData,
    RiskData,
    SpendData,
    StatusUpdateData,
)
from ..money.schema import Entity
from ..money.vocabulary import Rag, RiskStatus


@dataclass(frozen=True)
class AfterTheMeeting:
    """A programme's records after the meeting, as ``ProgrammeDocument`` holds them."""

    meetings: tuple[MeetingData, ...] = ()
    agreements: tuple[AgreementData, ...] = ()
    calls: tuple[CallData, ...] = ()
    refunds: tuple[RefundData, ...] = ()
    spend: tuple[SpendData, ...] = ()
    forecasts: tuple[ForecastData, ...] = ()
    milestones: tuple[MilestoneData, ...] = ()
    status_updates: tuple[StatusUpdateData, ...] = ()
    risks: tuple[RiskData, ...] = ()

    @classmethod
    def of(cls, document: ProgrammeDocument) -> AfterTheMeeting:
        """Return the document's records after the meeting."""
        return cls(**{name: getattr(document, name) for name in cls.__dataclass_fields__})

    def as_keys(self) -> dict[str, tuple]:
        """Return the records by the document's keys."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _stored(entity: Entity) -> tuple[str, ...]:
    return tuple(spec.attribute for spec in entity.fields)


def _rows(queryset: QuerySet[Any], *fields: str) -> list[dict[str, Any]]:
    return list(queryset.order_by("pk").values(*fields))


def _grouped(rows: list[dict[str, Any]], key: str) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.pop(key), []).append(row)
    return grouped


def held_kinds(programme: Programme) -> dict[str, bool]:
    """Return which kinds of record after the meeting the programme holds, in one query.

    Every other record needs a meeting (an agreement is a meeting's, a call needs an agreement,
    a refund a payment) except spend, forecasts and the delivery records, each of its own.
    """
    found = (
        Programme.objects.filter(pk=programme.pk)
        .values(
            has_meetings=Exists(Meeting.objects.filter(programme=OuterRef("pk"))),
            has_spend=Exists(Spend.objects.filter(phase__project__programme=OuterRef("pk"))),
            has_forecasts=Exists(Forecast.objects.filter(phase__project__programme=OuterRef("pk"))),
            has_milestones=Exists(Milestone.objects.filter(project__programme=OuterRef("pk"))),
            has_status_updates=Exists(
                StatusUpdate.objects.filter(project__programme=OuterRef("pk"))
            ),
            has_risks=Exists(Risk.objects.filter(programme=OuterRef("pk"))),
        )
        .first()
    )
    return {key.removeprefix("has_"): bool(value) for key, value in (found or {}).items()}


def after_the_meeting(
    *, programme: Programme, slug_of: dict[int, str], spend_summed: bool = False
) -> AfterTheMeeting:
    """Return the programme's records after the meeting; ``slug_of`` names partners by pk.

    ``spend_summed`` reads the spend summed by the database, a line per phase and financial
    year of the programme (dated the year's first day; a line outside its years stays a line per
    day), with no supplier or reference: what the figures, the pot and the pages' sums need,
    not what the programme file writes. With 50,000 spend lines it reads a few thousand rows.

    One query to find which kinds the programme holds, then only those kinds are read: seven
    for the meetings with their agreements, calls, invoices, payments and refunds, and one each
    for spend, forecasts, milestones, status updates and risks. However many there are of each.
    """
    held = held_kinds(programme) if programme.pk is not None else {}
    if not any(held.values()):
        return AfterTheMeeting()
    reads = {**_READS, "spend": _spend_summed if spend_summed else _spend}
    records: dict[str, tuple] = {key: reads[key](programme) for key in reads if held[key]}
    if held["meetings"]:
        records.update(_meeting_records(programme, slug_of))
    return AfterTheMeeting(**records)


def _meeting_records(programme: Programme, slug_of: dict[int, str]) -> dict[str, tuple]:
    """Return the meetings, agreements, calls with invoices and payments, and refunds."""
    meetings = _rows(Meeting.objects.filter(programme=programme), *_stored(MEETING))
    agreements = _rows(
        Agreement.objects.filter(meeting__programme=programme), "pk", "meeting__slug"
    )
    parts = _grouped(
        _rows(
            PartnerAgreement.objects.filter(agreement__meeting__programme=programme),
            "agreement_id",
            *_stored(PARTNER_AGREEMENT),
        ),
        "agreement_id",
    )
    calls = _rows(Call.objects.filter(programme=programme), "pk", *_stored(CALL))
    invoices = _grouped(
        _rows(
            Invoice.objects.filter(call__programme=programme), "pk", "call_id", *_stored(INVOICE)
        ),
        "call_id",
    )
    payments = _grouped(
        _rows(
            Payment.objects.filter(invoice__call__programme=programme),
            "invoice_id",
            *_stored(PAYMENT),
        ),
        "invoice_id",
    )
    refunds = _rows(Refund.objects.filter(programme=programme), *_stored(REFUND))
    return dict(
        meetings=tuple(MEETING.read(row) for row in meetings),
        agreements=tuple(
            AgreementData(
                meeting=row["meeting__slug"],
                per_partner=tuple(
                    PARTNER_AGREEMENT.read(part, partner=slug_of[part["partner"]])
                    for part in parts.get(row["pk"], ())
                ),
            )
            for row in agreements
        ),
        calls=tuple(
            CALL.read(
                call,
                invoices=tuple(
                    INVOICE.read(
                        invoice,
                        partner=slug_of[invoice["partner"]],
                        payments=tuple(
                            PAYMENT.read(payment) for payment in payments.get(invoice["pk"], ())
                        ),
                    )
                    for invoice in invoices.get(call["pk"], ())
                ),
            )
            for call in calls
        ),
        refunds=tuple(REFUND.read(row, partner=slug_of[row["partner"]]) for row in refunds),
    )


def _spend(programme: Programme) -> tuple[SpendData, ...]:
    rows = _rows(
        Spend.objects.filter(phase__project__programme=programme),
        "phase__project__slug",
        "phase__number",
        "date",
        "amount",
        "supplier",
        "reference",
        "description",
    )
    return tuple(
        SpendData(
            project=row["phase__project__slug"],
            phase=row["phase__number"],
            date=row["date"],
            amount=row["amount"],
            supplier=row["supplier"],
            reference=row["reference"],
            description=row["description"],
        )
        for row in rows
    )


def _year_starts(programme: Programme) -> list[date]:
    """Return the first day of each of the programme's financial years, such as 1 April 2004."""
    return [date(int(year[:4]), 4, 1) for year in programme.financial_years or ()]


def _spend_summed(programme: Programme) -> tuple[SpendData, ...]:
    day = Case(
        *(
            When(date__gte=start, date__lt=date(start.year + 1, 4, 1), then=Value(start))
            for start in _year_starts(programme)
        ),
        default=F("date"),
        output_field=DateField(),
    )
    rows = (
        Spend.objects.filter(phase__project__programme=programme)
        .order_by()
        .values("phase__project__slug", "phase__number", day=day)
        .annotate(total=Sum("amount"))
        .order_by("phase__project__slug", "phase__number", "day")
    )
    return tuple(
        SpendData(
            project=row["phase__project__slug"],
            phase=row["phase__number"],
            date=row["day"],
            amount=row["total"],
        )
        for row in rows
    )


def _forecasts(programme: Programme) -> tuple[ForecastData, ...]:
    rows = _rows(
        Forecast.objects.filter(phase__project__programme=programme),
        "phase__project__slug",
        "phase__number",
        "financial_year",
        "amount",
    )
    return tuple(
        ForecastData(
            project=row["phase__project__slug"],
            phase=row["phase__number"],
            financial_year=row["financial_year"],
            amount=row["amount"],
        )
        for row in rows
    )


def _milestones(programme: Programme) -> tuple[MilestoneData, ...]:
    rows = _rows(
        Milestone.objects.filter(project__programme=programme),
        "project__slug",
        "phase__number",
        "name",
        "baseline",
        "forecast",
        "actual",
    )
    return tuple(
        MilestoneData(
            project=row["project__slug"],
            phase=row["phase__number"],
            name=row["name"],
            baseline=row["baseline"],
            forecast=row["forecast"],
            actual=row["actual"],
        )
        for row in rows
    )


def _status_updates(programme: Programme) -> tuple[StatusUpdateData, ...]:
    rows = _rows(
        StatusUpdate.objects.filter(project__programme=programme),
        "project__slug",
        "date",
        "status",
        "reason",
    )
    return tuple(
        StatusUpdateData(
            project=row["project__slug"],
            date=row["date"],
            status=Rag(row["status"]),
            reason=row["reason"],
        )
        for row in rows
    )


def _risks(programme: Programme) -> tuple[RiskData, ...]:
    rows = _rows(
        Risk.objects.filter(programme=programme),
        "reference",
        "project__slug",
        "description",
        "likelihood",
        "impact",
        "owner",
        "mitigation",
        "status",
        "next_review",
    )
    return tuple(
        RiskData(
            reference=row["reference"],
            project=row["project__slug"],
            description=row["description"],
            likelihood=row["likelihood"],
            impact=row["impact"],
            owner=row["owner"],
            mitigation=row["mitigation"],
            status=RiskStatus(row["status"]),
            next_review=row["next_review"],
        )
        for row in rows
    )


# The kinds read with a query each, by the document's key.
_READS: dict[str, Callable[[Programme], tuple]] = {
    "spend": _spend,
    "forecasts": _forecasts,
    "milestones": _milestones,
    "status_updates": _status_updates,
    "risks": _risks,
}
