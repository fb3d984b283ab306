"""Reads of a programme's records after the meeting, as the programme file's plain data.

Meetings, agreements with each partner's part, calls with their invoices and payments, refunds
and credits, spend and forecasts: read in a fixed number of queries whatever their number, in
the order they were recorded, which is the programme file's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

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


def has_records(programme: Programme) -> bool:
    """Return whether the programme holds any record after the meeting, in one query.

    Every other record needs a meeting (an agreement is a meeting's, a call needs an agreement,
    a refund a payment) except spend, forecasts and the delivery records.
    """
    return (
        Programme.objects.filter(pk=programme.pk)
        .filter(
            Exists(Meeting.objects.filter(programme=OuterRef("pk")))
            | Exists(Spend.objects.filter(phase__project__programme=OuterRef("pk")))
            | Exists(Forecast.objects.filter(phase__project__programme=OuterRef("pk")))
            | Exists(Milestone.objects.filter(project__programme=OuterRef("pk")))
            | Exists(StatusUpdate.objects.filter(project__programme=OuterRef("pk")))
            | Exists(Risk.objects.filter(programme=OuterRef("pk")))
        )
        .exists()
    )


def after_the_meeting(*, programme: Programme, slug_of: dict[int, str]) -> AfterTheMeeting:
    """Return the programme's records after the meeting; ``slug_of`` names partners by pk.

    One query for a programme that has none yet; thirteen for one that has.
    """
    if programme.pk is None or not has_records(programme):
        return AfterTheMeeting()
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
    spend = _rows(
        Spend.objects.filter(phase__project__programme=programme),
        "phase__project__slug",
        "phase__number",
        "date",
        "amount",
        "supplier",
        "reference",
        "description",
    )
    forecasts = _rows(
        Forecast.objects.filter(phase__project__programme=programme),
        "phase__project__slug",
        "phase__number",
        "financial_year",
        "amount",
    )
    milestones = _rows(
        Milestone.objects.filter(project__programme=programme),
        "project__slug",
        "phase__number",
        "name",
        "baseline",
        "forecast",
        "actual",
    )
    status_updates = _rows(
        StatusUpdate.objects.filter(project__programme=programme),
        "project__slug",
        "date",
        "status",
        "reason",
    )
    risks = _rows(
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
    return AfterTheMeeting(
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
        spend=tuple(
            SpendData(
                project=row["phase__project__slug"],
                phase=row["phase__number"],
                date=row["date"],
                amount=row["amount"],
                supplier=row["supplier"],
                reference=row["reference"],
                description=row["description"],
            )
            for row in spend
        ),
        forecasts=tuple(
            ForecastData(
                project=row["phase__project__slug"],
                phase=row["phase__number"],
                financial_year=row["financial_year"],
                amount=row["amount"],
            )
            for row in forecasts
        ),
        milestones=tuple(
            MilestoneData(
                project=row["project__slug"],
                phase=row["phase__number"],
                name=row["name"],
                baseline=row["baseline"],
                forecast=row["forecast"],
                actual=row["actual"],
            )
            for row in milestones
        ),
        status_updates=tuple(
            StatusUpdateData(
                project=row["project__slug"],
                date=row["date"],
                status=Rag(row["status"]),
                reason=row["reason"],
            )
            for row in status_updates
        ),
        risks=tuple(
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
            for row in risks
        ),
    )
