"""The programme's events that people are told of by email, and who is told.

Each event writes its emails through ``norfolk_connect.notifications.services.queue_email``
(kept, one per recipient, and sent by the background worker once the event's transaction has
committed); the rules of who is told are pure (``norfolk_connect.notifications.rules``), as are
those of what is overdue or falling due (``projects.money.notices``). Each event has a key, so
that finding it again (``manage.py send_reminders`` run twice a day) sends nothing more:

- a paper issued (``paper-issued:<issue>``): the partnership's chief executives, with a link;
- an invoice issued (``invoice-issued:<invoice>``) and overdue (``invoice-overdue:<invoice>``):
  the council's finance contact; none recorded, with the reason, when it has no email;
- a business case decided (``phase-decided:<phase>:<decision>:<date>``), a milestone falling
  due (``milestone-due:<milestone>:<expected>``), a risk past its review
  (``risk-review:<risk>:<next review>``): the facilitators and the contact officer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse

from norfolk_connect.notifications import rules
from norfolk_connect.notifications.mail import absolute_url
from norfolk_connect.notifications.services import queue_email

from .models import (
    Call,
    Invoice,
    Membership,
    Milestone,
    Partner,
    Partnership,
    Phase,
    Programme,
    Risk,
)
from .money.delivery import past_review
from .money.notices import FALLING_DUE_DAYS, falling_due, overdue_invoices
from .money.vocabulary import Decision, RiskStatus
from .selectors.after_the_meeting import after_the_meeting


def members_of(partnership_id: int) -> list[rules.Member]:
    """Return the partnership's active members who have an email address."""
    rows = (
        Membership.objects.filter(partnership_id=partnership_id, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email", "pk")
        .values_list("user_id", "user__email", "role")
    )
    return [rules.Member(user_id, email, role) for user_id, email, role in rows]


def _facilitators(partnership: Partnership) -> list[rules.Recipient]:
    return rules.facilitator_recipients(members_of(partnership.pk), partnership.contact_email)


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


# Events as they happen, called by the services that make them


def paper_issued(*, programme: Programme, issue_pk: int, title: str, meeting_date: date) -> None:
    """A paper issued to a meeting: its chief executives are told, with a link to its PDF."""
    partnership = programme.partnership
    link = absolute_url(
        reverse("report:issued_pdf", kwargs={"slug": programme.slug, "pk": issue_pk})
    )
    queue_email(
        kind=rules.PAPER_ISSUED,
        key=f"paper-issued:{issue_pk}",
        recipients=rules.paper_recipients(members_of(partnership.pk)),
        subject=f"Paper issued: {title}",
        summary=f"{title}, for the meeting on {meeting_date:%-d %B %Y}",
        link=link,
        context={
            "title": title,
            "meeting_date": meeting_date,
            "programme_name": programme.name,
            "partnership_name": partnership.name,
            "link": link,
        },
        nobody=f"{partnership.name} has no chief executive with an email address",
    )


def _invoice_context(invoice: Invoice, call: Call, partner: Partner) -> dict:
    programme = call.programme
    partnership = programme.partnership
    return {
        "number": invoice.number,
        "amount": _pounds(invoice.amount),
        "issued": call.issued,
        "due": call.due,
        "tranche": call.get_tranche_display().lower() + " tranche",
        "partner_name": partner.name,
        "finance_name": partner.finance_contact_name,
        "programme_name": programme.name,
        "partnership_name": partnership.name,
        "contact_name": partnership.contact_name,
        "contact_email": partnership.contact_email,
    }


def invoices_issued(*, call: Call) -> None:
    """A call raised: each council's finance contact is told of its invoice."""
    invoices = Invoice.objects.filter(call=call).select_related(
        "partner", "call__programme__partnership"
    )
    for invoice in invoices:
        partner = invoice.partner
        queue_email(
            kind=rules.INVOICE_ISSUED,
            key=f"invoice-issued:{invoice.pk}",
            recipients=rules.finance_recipients(partner.finance_contact_email),
            subject=f"Invoice {invoice.number} from {call.programme.partnership.name}",
            summary=f"{_pounds(invoice.amount)} due on {call.due:%-d %B %Y}",
            context=_invoice_context(invoice, call, partner),
            nobody=f"{partner.name} has no finance contact's email",
        )


def phase_decided(*, phase: Phase) -> None:
    """A gated phase's business case decided: the facilitators and contact officer are told."""
    if not phase.gated or phase.decision == Decision.PENDING or phase.decided_on is None:
        return
    project = phase.project
    programme = project.programme
    decision = Decision(phase.decision).label
    link = absolute_url(
        reverse("projects:project_detail", kwargs={"slug": programme.slug, "project": project.slug})
    )
    queue_email(
        kind=rules.PHASE_DECIDED,
        key=f"phase-decided:{phase.pk}:{phase.decision}:{phase.decided_on.isoformat()}",
        recipients=_facilitators(programme.partnership),
        subject=f"Business case decided: {project.name}, phase {phase.number}: {decision}",
        summary=f"Decided on {phase.decided_on:%-d %B %Y}",
        link=link,
        context={
            "project_name": project.name,
            "phase_number": phase.number,
            "phase_name": phase.name,
            "decision": decision,
            "decided_on": phase.decided_on,
            "note": phase.decision_note,
            "programme_name": programme.name,
            "link": link,
        },
    )


# Reminders, found by `manage.py send_reminders`


@dataclass
class Found:
    """How many events of each kind the reminders found (their emails sent once each)."""

    overdue: int = 0
    milestones: int = 0
    risks: int = 0


def reminders(*, today: date) -> Found:
    """Find the overdue invoices, the milestones falling due and the risks past review."""
    found = Found()
    for programme in Programme.objects.filter(calls__due__lt=today).distinct():
        found.overdue += _overdue(programme, today)
    found.milestones = _milestones(today)
    found.risks = _risks(today)
    return found


def _overdue(programme: Programme, today: date) -> int:
    partners = {
        partner.slug: partner
        for partner in Partner.objects.filter(partnership_id=programme.partnership_id)
    }
    records = after_the_meeting(
        programme=programme, slug_of={p.pk: slug for slug, p in partners.items()}
    )
    numbers = {
        invoice.number: invoice
        for invoice in Invoice.objects.filter(call__programme=programme).select_related(
            "call__programme__partnership", "partner"
        )
    }
    count = 0
    for slug, partner in partners.items():
        for found in overdue_invoices(
            slug, calls=records.calls, refunds=records.refunds, as_of=today
        ):
            invoice = numbers[found.invoice.number]
            context = {
                **_invoice_context(invoice, invoice.call, partner),
                "owed": _pounds(found.owed),
                "overdue": _pounds(found.overdue),
            }
            queue_email(
                kind=rules.INVOICE_OVERDUE,
                key=f"invoice-overdue:{invoice.pk}",
                recipients=rules.finance_recipients(partner.finance_contact_email),
                subject=f"Invoice {invoice.number} is overdue: {_pounds(found.owed)} to pay",
                summary=f"Due on {invoice.call.due:%-d %B %Y}",
                context=context,
                nobody=f"{partner.name} has no finance contact's email",
            )
            count += 1
    return count


def _milestones(today: date) -> int:
    """Milestones not reached, not late and expected within the week: a reminder each."""
    candidates = (
        Milestone.objects.filter(actual__isnull=True, baseline__gte=today)
        .annotate(expected_on=Coalesce(F("forecast"), F("baseline")))
        .filter(expected_on__lte=today + timedelta(days=FALLING_DUE_DAYS))
        .select_related("project__programme__partnership")
    )
    count = 0
    for milestone in candidates:
        expected = falling_due(
            milestone.baseline, milestone.forecast, milestone.actual, as_of=today
        )
        if expected is None:
            continue
        project = milestone.project
        programme = project.programme
        link = absolute_url(
            reverse(
                "projects:project_detail",
                kwargs={"slug": programme.slug, "project": project.slug},
            )
        )
        queue_email(
            kind=rules.MILESTONE_DUE,
            key=f"milestone-due:{milestone.pk}:{expected.isoformat()}",
            recipients=_facilitators(programme.partnership),
            subject=f"Milestone due on {expected:%-d %B %Y}: {milestone.name}",
            summary=f"{project.name}, {programme.name}",
            link=link,
            context={
                "milestone_name": milestone.name,
                "project_name": project.name,
                "programme_name": programme.name,
                "expected": expected,
                "days": (expected - today).days,
                "link": link,
            },
        )
        count += 1
    return count


def _risks(today: date) -> int:
    """Open risks whose next review date has passed: a reminder each, per review date."""
    candidates = Risk.objects.filter(status=RiskStatus.OPEN, next_review__lt=today).select_related(
        "programme__partnership"
    )
    count = 0
    for risk in candidates:
        if not past_review(status=risk.status, next_review=risk.next_review, as_of=today):
            continue
        assert risk.next_review is not None  # past_review says so
        programme = risk.programme
        link = absolute_url(reverse("reports:risk_register", kwargs={"slug": programme.slug}))
        description = rules.one_line(risk.description)
        queue_email(
            kind=rules.RISK_REVIEW,
            key=f"risk-review:{risk.pk}:{risk.next_review.isoformat()}",
            recipients=_facilitators(programme.partnership),
            subject=f"Risk {risk.reference} is past its review date",
            summary=description[:200],
            link=link,
            context={
                "reference": risk.reference,
                "description": risk.description,
                "owner": risk.owner,
                "next_review": risk.next_review,
                "programme_name": programme.name,
                "link": link,
            },
        )
        count += 1
    return count
