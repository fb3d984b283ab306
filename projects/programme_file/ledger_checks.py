"""The checks across a programme file's records after the meeting, once each is read whole.

A call stays within the agreement, a payment within its invoice, refunds and credits within what
the partner has paid, and spend on phases that are committed: the rules of ``money/ledger.py``
and the services', said at the file's paths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ..money.document import ForecastData, ProgrammeDocument, SpendData
from ..money.formatting import money
from ..money.ledger import latest_agreement
from ..money.spend import spend_refused_because
from ..money.vocabulary import Tranche
from .problems import Problem

ZERO = Decimal("0.00")


def after_the_meeting_problems(document: ProgrammeDocument) -> list[Problem]:
    """Return why the file's agreements, calls, payments, refunds and spend do not hold."""
    return [
        *_call_problems(document),
        *_refund_problems(document),
        *_spend_problems(document),
        *_delivery_problems(document),
    ]


def _call_problems(document: ProgrammeDocument) -> list[Problem]:
    problems: list[Problem] = []
    if not document.calls:
        return problems
    dates = {meeting.slug: meeting.date for meeting in document.meetings}
    agreed_on = sorted(dates[agreement.meeting] for agreement in document.agreements)
    invoiced: dict[str, Decimal] = defaultdict(lambda: ZERO)
    # In the order they were issued: each call is within the agreement that stood on its date,
    # with what the councils had been invoiced before it.
    in_order = sorted(enumerate(document.calls), key=lambda pair: (pair[1].issued, pair[0]))
    for index, call in in_order:
        standing = latest_agreement(
            [a for a in document.agreements if dates[a.meeting] <= call.issued], dates
        )
        caps = {part.partner: part.cap for part in standing.per_partner} if standing else {}
        path = f"calls[{index}]"
        if not agreed_on:
            problems.append(
                Problem(path, "needs an agreement: a call asks for money a meeting agreed")
            )
            continue
        if call.issued < agreed_on[0]:
            problems.append(
                Problem(
                    f"{path}.issued",
                    f"must not be before the meeting that agreed the contributions "
                    f"({agreed_on[0].isoformat()})",
                )
            )
        if call.tranche == Tranche.REVIEW and (len(agreed_on) < 2 or call.issued < agreed_on[1]):
            problems.append(
                Problem(
                    f"{path}.tranche",
                    "the review tranche is called only after a later meeting's agreement "
                    "releases it, and on or after that meeting's date",
                )
            )
        for number, invoice in enumerate(call.invoices):
            invoice_path = f"{path}.invoices[{number}]"
            cap = caps.get(invoice.partner)
            invoiced[invoice.partner] += invoice.amount
            if standing is None:
                pass  # issued before any agreement: said above
            elif cap is None:
                problems.append(
                    Problem(
                        f"{invoice_path}.partner",
                        f"{invoice.partner!r} has no part in the agreement standing on the "
                        "call's date of issue, so it cannot be invoiced",
                    )
                )
            elif invoiced[invoice.partner] > cap:
                problems.append(
                    Problem(
                        f"{invoice_path}.amount",
                        f"would take {invoice.partner!r} to "
                        f"{money(invoiced[invoice.partner])} invoiced, above its agreed cap "
                        f"of {money(cap)} in the agreement standing on the call's date of issue",
                    )
                )
            paid = ZERO
            for order, payment in enumerate(invoice.payments):
                payment_path = f"{invoice_path}.payments[{order}]"
                paid += payment.amount
                if payment.date < call.issued:
                    problems.append(
                        Problem(
                            f"{payment_path}.date",
                            "must not be before the invoice was issued "
                            f"({call.issued.isoformat()})",
                        )
                    )
                if paid > invoice.amount:
                    problems.append(
                        Problem(
                            f"{payment_path}.amount",
                            f"would make the payments {money(paid)}, more than the invoice's "
                            f"{money(invoice.amount)}",
                        )
                    )
    return problems


def _refund_problems(document: ProgrammeDocument) -> list[Problem]:
    problems: list[Problem] = []
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for call in document.calls:
        for invoice in call.invoices:
            paid[invoice.partner] += sum((p.amount for p in invoice.payments), ZERO)
    given_back: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for index, refund in enumerate(document.refunds):
        given_back[refund.partner] += refund.amount
        if given_back[refund.partner] > paid[refund.partner]:
            problems.append(
                Problem(
                    f"refunds[{index}].amount",
                    f"would make {refund.partner!r}'s refunds and credits "
                    f"{money(given_back[refund.partner])}, "
                    f"more than the {money(paid[refund.partner])} it has paid",
                )
            )
    return problems


def _spend_problems(document: ProgrammeDocument) -> list[Problem]:
    problems: list[Problem] = []
    phases = {
        (project.slug, phase.number): phase
        for project in document.projects
        for phase in project.phases
    }
    projects = {project.slug for project in document.projects}
    kept: tuple[tuple[str, Sequence[SpendData | ForecastData]], ...] = (
        ("spend", document.spend),
        ("forecasts", document.forecasts),
    )
    for key, records in kept:
        for index, record in enumerate(records):
            path = f"{key}[{index}]"
            if record.project not in projects:
                problems.append(Problem(f"{path}.project", f"unknown project {record.project!r}"))
                continue
            phase = phases.get((record.project, record.phase))
            if phase is None:
                problems.append(
                    Problem(
                        f"{path}.phase", f"project {record.project!r} has no phase {record.phase}"
                    )
                )
            elif key == "spend" and (
                state := spend_refused_because(gated=phase.gated, decision=phase.decision)
            ):
                problems.append(
                    Problem(
                        f"{path}.phase",
                        f"money is spent only on a committed phase: phase {record.phase} of "
                        f"{record.project!r} {state}",
                    )
                )
    return problems


def _delivery_problems(document: ProgrammeDocument) -> list[Problem]:
    """Return the milestones, status updates and risks that name no project or phase of it, and
    the dates the pages refuse: a milestone reached, or a status set, after today."""
    problems: list[Problem] = []
    today = date.today()  # the partnership's day: Django sets the process's time zone
    for index, milestone in enumerate(document.milestones):
        if milestone.actual is not None and milestone.actual > today:
            problems.append(
                Problem(
                    f"milestones[{index}].actual",
                    "must be today or earlier: a milestone is reached once it is",
                )
            )
    for index, update in enumerate(document.status_updates):
        if update.date > today:
            problems.append(Problem(f"status_updates[{index}].date", "must be today or earlier"))
    phases = {project.slug: {p.number for p in project.phases} for project in document.projects}
    for index, milestone in enumerate(document.milestones):
        path = f"milestones[{index}]"
        if milestone.project not in phases:
            problems.append(Problem(f"{path}.project", f"unknown project {milestone.project!r}"))
        elif milestone.phase is not None and milestone.phase not in phases[milestone.project]:
            problems.append(
                Problem(
                    f"{path}.phase",
                    f"project {milestone.project!r} has no phase {milestone.phase}",
                )
            )
    named: tuple[tuple[str, Sequence[str | None]], ...] = (
        ("status_updates", [update.project for update in document.status_updates]),
        ("risks", [risk.project for risk in document.risks]),
    )
    for key, projects in named:
        for index, project in enumerate(projects):
            if project is not None and project not in phases:
                problems.append(Problem(f"{key}[{index}].project", f"unknown project {project!r}"))
    return problems
