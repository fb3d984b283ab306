"""Writes of a programme's records after the meeting, for a load and an import.

The programme file holds them whole: meetings with their agreements, calls with their invoices
and payments, refunds, spend and forecasts. An import that leaves them as they are (a workbook
import carries them over unchanged) writes none of them; one that changes them replaces them
whole, each removal and addition in the history, in the same transaction as the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from projects.models import (
    Agreement,
    Call,
    Forecast,
    Invoice,
    Meeting,
    Milestone,
    Partner,
    PartnerAgreement,
    Payment,
    Phase,
    Programme,
    Project,
    Refund,
    ReportText,
    Risk,
    Spend,
    StatusUpdate,
)

from ..history import Author
from ..money.document import CALL, INVOICE, MEETING, PARTNER_AGREEMENT, PAYMENT, REFUND
from ..selectors.after_the_meeting import AfterTheMeeting
from .recorded_writes import remove_recorded

_M = TypeVar("_M", bound=Model)

# Removed children first, so that nothing protected is left pointing at a removed row.
_REMOVAL_ORDER = (
    Payment,
    Invoice,
    Call,
    PartnerAgreement,
    Agreement,
    Meeting,
    Refund,
    Spend,
    Forecast,
    Milestone,
    StatusUpdate,
    Risk,
)


def paper_meetings(*, programme: Programme) -> dict[int, str]:
    """Return the slug of the meeting each of the programme's papers is for, by the paper's id.

    Meetings are replaced whole by a load; a paper keeps its meeting by the meeting's slug.
    """
    return dict(
        ReportText.objects.filter(programme=programme, for_meeting__isnull=False).values_list(
            "pk", "for_meeting__slug"
        )
    )


def relink_papers(*, programme: Programme, links: dict[int, str]) -> None:
    """Point each paper at its meeting again, found by slug; a meeting now gone leaves none.

    One query for the meetings and one for each meeting the papers are for.
    """
    if not links:
        return
    meetings = dict(Meeting.objects.filter(programme=programme).values_list("slug", "pk"))
    papers_of: dict[int | None, list[int]] = {}
    for paper_pk, slug in links.items():
        papers_of.setdefault(meetings.get(slug), []).append(paper_pk)
    for meeting_pk, paper_pks in papers_of.items():
        ReportText.objects.filter(pk__in=paper_pks).update(for_meeting_id=meeting_pk)


def remove_after_the_meeting(*, programme: Programme, user: Author, when: datetime) -> None:
    """Remove every record after the meeting of the programme, each in the history."""
    scopes: dict[type[Model], dict[str, Any]] = {
        Payment: {"invoice__call__programme": programme},
        Invoice: {"call__programme": programme},
        Call: {"programme": programme},
        PartnerAgreement: {"agreement__meeting__programme": programme},
        Agreement: {"meeting__programme": programme},
        Meeting: {"programme": programme},
        Refund: {"programme": programme},
        Spend: {"phase__project__programme": programme},
        Forecast: {"phase__project__programme": programme},
        Milestone: {"project__programme": programme},
        StatusUpdate: {"project__programme": programme},
        Risk: {"programme": programme},
    }
    for model in _REMOVAL_ORDER:
        rows = list(model._default_manager.filter(**scopes[model]))
        remove_recorded(model, rows, user=user, when=when)


def write_after_the_meeting(
    *,
    programme: Programme,
    records: AfterTheMeeting,
    partners: dict[str, Partner],
    user: Author,
    when: datetime,
) -> None:
    """Add the records to a programme that holds none, each in the history."""

    def create(model: type[_M], rows: list[_M]) -> list[_M]:
        if not rows:
            return []
        return bulk_create_with_history(rows, model, default_user=user, default_date=when)

    meetings = create(
        Meeting,
        [Meeting(programme=programme, **MEETING.stored(item)) for item in records.meetings],
    )
    meeting_of = {meeting.slug: meeting for meeting in meetings}
    agreements = create(
        Agreement,
        [Agreement(meeting=meeting_of[item.meeting]) for item in records.agreements],
    )
    create(
        PartnerAgreement,
        [
            PartnerAgreement(
                agreement=agreement,
                partner=partners[part.partner],
                **PARTNER_AGREEMENT.stored(part, leave_out=("partner",)),
            )
            for agreement, item in zip(agreements, records.agreements, strict=True)
            for part in item.per_partner
        ],
    )
    calls = create(
        Call,
        [Call(programme=programme, **CALL.stored(item)) for item in records.calls],
    )
    invoices = create(
        Invoice,
        [
            Invoice(
                call=call,
                partnership_id=programme.partnership_id,
                partner=partners[invoice.partner],
                **INVOICE.stored(invoice, leave_out=("partner",)),
            )
            for call, item in zip(calls, records.calls, strict=True)
            for invoice in item.invoices
        ],
    )
    in_order = [invoice for item in records.calls for invoice in item.invoices]
    create(
        Payment,
        [
            Payment(invoice=invoice, **PAYMENT.stored(payment))
            for invoice, item in zip(invoices, in_order, strict=True)
            for payment in item.payments
        ],
    )
    create(
        Refund,
        [
            Refund(
                programme=programme,
                partner=partners[item.partner],
                **REFUND.stored(item, leave_out=("partner",)),
            )
            for item in records.refunds
        ],
    )
    if records.spend or records.forecasts:
        phases = {
            (phase.project.slug, phase.number): phase
            for phase in Phase.objects.filter(project__programme=programme).select_related(
                "project"
            )
        }
        create(
            Spend,
            [
                Spend(
                    phase=phases[(item.project, item.phase)],
                    date=item.date,
                    amount=item.amount,
                    supplier=item.supplier,
                    reference=item.reference,
                    description=item.description,
                )
                for item in records.spend
            ],
        )
        create(
            Forecast,
            [
                Forecast(
                    phase=phases[(item.project, item.phase)],
                    financial_year=item.financial_year,
                    amount=item.amount,
                )
                for item in records.forecasts
            ],
        )
    _write_delivery(programme=programme, records=records, create=create)


def _write_delivery(*, programme: Programme, records: AfterTheMeeting, create: Any) -> None:
    """Add the milestones, status updates and risks, naming projects and phases by slug."""
    if not (records.milestones or records.status_updates or records.risks):
        return
    projects = {project.slug: project for project in Project.objects.filter(programme=programme)}
    phases = {
        (phase.project_id, phase.number): phase
        for phase in Phase.objects.filter(project__programme=programme)
    }
    create(
        Milestone,
        [
            Milestone(
                project=projects[item.project],
                phase=(
                    None if item.phase is None else phases[(projects[item.project].pk, item.phase)]
                ),
                name=item.name,
                baseline=item.baseline,
                forecast=item.forecast,
                actual=item.actual,
            )
            for item in records.milestones
        ],
    )
    create(
        StatusUpdate,
        [
            StatusUpdate(
                project=projects[item.project],
                date=item.date,
                status=item.status,
                reason=item.reason,
            )
            for item in records.status_updates
        ],
    )
    create(
        Risk,
        [
            Risk(
                programme=programme,
                project=None if item.project is None else projects[item.project],
                reference=item.reference,
                description=item.description,
                likelihood=item.likelihood,
                impact=item.impact,
                owner=item.owner,
                mitigation=item.mitigation,
                status=item.status,
                next_review=item.next_review,
            )
            for item in records.risks
        ],
    )
