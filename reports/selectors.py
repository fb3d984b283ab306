"""Reads for reporting: a programme's figures and its dashboard from the database."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from contributions.agreed import AgreedMoney, agreed_money
from contributions.selectors import (
    PositionRow,
    PositionTotals,
    position_rows,
    position_totals,
)
from projects.models import Partner, Programme
from projects.money.document import ProgrammeDocument
from projects.money.figures import ZERO, ProgrammeFigures, figures_and_missing_basis
from projects.money.status import NOT_PROCEEDING, shown_status
from projects.money.vocabulary import (
    Apportionment,
    ContributionStatus,
    Decision,
    Grade,
    ProjectStatus,
    Tranche,
)
from projects.selectors import programme_document
from projects.selectors.to_do import AwaitingPhase, awaiting_decision

from .charts import (
    GroupedBarChart,
    StackedBarChart,
    outcome_chart,
    partner_share_chart,
    project_cost_chart,
)
from .models import RenderState, ReportRender, StatementRender
from .report.content import BoardReport
from .report.selectors import report_fingerprint
from .report.size import made_in_background, report_pdf_work, statement_pdf_work
from .report.statements import PartnerStatement

# The dashboard: everything it shows, read in the same fixed number of queries as the figures.


@dataclass(frozen=True)
class Gap:
    """A funding gap as shown: the money still to find, or the headroom when pledges exceed it."""

    amount: Decimal  # never negative
    headroom: bool

    @classmethod
    def of(cls, gap: Decimal) -> Gap:
        """Return the gap of the figures (needed minus pledged, negative is headroom) as shown."""
        return cls(amount=abs(gap), headroom=gap < 0)


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class OutcomeRow:
    """The outcome claims of one grade, split by whether the project supports the strategy."""

    grade: str
    supporting: int
    other: int

    @property
    def total(self) -> int:
        return self.supporting + self.other


@dataclass(frozen=True)
class UnpaidContribution:
    """A contribution pledged or invoiced and not yet received."""

    partner: str  # the partner's name
    financial_year: str
    tranche: str
    amount: Decimal
    status: str


@dataclass(frozen=True)
class ReconciliationRow:
    """A figure typed from the paper against the one computed from the lines."""

    label: str
    stated: Decimal
    computed: Decimal
    difference: Decimal | None  # computed minus stated; None when they match

    @property
    def size(self) -> Decimal | None:
        """Return how far apart the two figures are, whichever is higher."""
        return None if self.difference is None else abs(self.difference)


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows; every amount comes from ``compute_figures``."""

    figures: ProgrammeFigures
    figures_problem: str  # why the partners' shares cannot be worked out, or ""
    strategy: str
    total_cost: Decimal  # existing resource plus the extra cost's maximum
    gap_min: Gap
    gap_max: Gap
    partners: tuple[PositionRow, ...]
    partner_totals: PositionTotals | None
    project_statuses: tuple[Count, ...]
    phase_decisions: tuple[Count, ...]
    outcomes: tuple[OutcomeRow, ...]
    outcome_totals: OutcomeRow
    awaiting_decision: tuple[AwaitingPhase, ...]  # the first AWAITING_SHOWN, in board order
    awaiting_count: int  # all the phases awaiting a decision
    contributions: int  # recorded for the programme, whatever their status
    unpaid: tuple[UnpaidContribution, ...]
    unpaid_total: Decimal
    reconciliation: tuple[ReconciliationRow, ...]
    cost_chart: StackedBarChart | None
    partner_chart: GroupedBarChart | None
    outcome_chart: StackedBarChart | None
    agreed: AgreedMoney | None = None  # what the board agreed and the money since, once it has


PHASE_DECISIONS = (
    ("No business case needed", lambda p: not p.gated and p.decision != Decision.NOT_PROCEEDING),
    ("Business case approved", lambda p: p.gated and p.decision == Decision.APPROVED),
    ("Awaiting a business-case decision", lambda p: p.gated and p.decision == Decision.PENDING),
    ("Not proceeding", lambda p: p.decision == Decision.NOT_PROCEEDING),
)
# Past this many, the dashboard lists the first and links to the projects table's filter.
AWAITING_SHOWN = 50
UNPAID_STATUSES = (ContributionStatus.PLEDGED, ContributionStatus.INVOICED)
TRANCHE_ORDER = {tranche.value: index for index, tranche in enumerate(Tranche)}


def _figures(document: ProgrammeDocument, as_of: date | None) -> tuple[ProgrammeFigures, str]:
    """Return the figures, and why the partners' shares cannot be worked out, if they cannot.

    A programme apportioned by population or weights where a partner lacks one still shows all
    the money that does not depend on the shares: the partners are then left out of the sums.
    """
    figures, problem = figures_and_missing_basis(document, as_of)
    if not problem:
        return figures, ""
    method = Apportionment(document.programme.apportionment).label.lower()
    return figures, (
        f"The programme shares its costs by {method}, but {problem}: give them one, or change "
        "the programme's apportionment method."
    )


def _reconciliation(figures: ProgrammeFigures) -> tuple[ReconciliationRow, ...]:
    mismatches = {mismatch.field: mismatch for mismatch in figures.mismatches}
    pairs = (
        ("existing_total", "Existing resource total", figures.existing_stated,
         figures.existing_total),
        ("extra_total", "Extra cost total (against the maximum)", figures.extra_stated,
         figures.extra_max),
    )  # fmt: skip
    return tuple(
        ReconciliationRow(
            label=label,
            stated=stated,
            computed=computed,
            difference=mismatches[field].difference if field in mismatches else None,
        )
        for field, label, stated, computed in pairs
        if stated is not None
    )


def project_statuses(document: ProgrammeDocument) -> tuple[Count, ...]:
    """Count the projects by the status their pages show (``projects.money.status``).

    Each status that can be set has its row; "Not proceeding", worked out from the phases of a
    project left at "Proposed", has one only when a project shows it.
    """
    shown = Counter(
        shown_status(
            project.status,
            phases=len(project.phases),
            stopped=sum(1 for phase in project.phases if phase.decision == Decision.NOT_PROCEEDING),
        ).label
        for project in document.projects
    )
    rows = [Count(label=status.label, count=shown[status.label]) for status in ProjectStatus]
    if shown[NOT_PROCEEDING]:
        rows.append(Count(label=NOT_PROCEEDING, count=shown[NOT_PROCEEDING]))
    return tuple(rows)


def dashboard_from_document(
    document: ProgrammeDocument, *, own_partner: str | None = None, as_of: date | None = None
) -> Dashboard:
    """Return the dashboard of the programme the document describes; pure, no ORM.

    ``as_of`` is the day on which what is overdue is worked out, today when not given.
    """
    figures, problem = _figures(document, as_of)
    names = {partner.slug: partner.name for partner in document.partners}
    order = {partner.slug: index for index, partner in enumerate(document.partners)}
    partners = position_rows(figures, document.partners, own_partner=own_partner)
    phases = [phase for project in document.projects for phase in project.phases]
    outcomes = tuple(
        OutcomeRow(
            grade=grade.label,
            supporting=sum(
                1
                for project in document.projects
                if project.supports_strategy
                for claim in project.outcome_claims
                if claim.grade == grade
            ),
            other=sum(
                1
                for project in document.projects
                if not project.supports_strategy
                for claim in project.outcome_claims
                if claim.grade == grade
            ),
        )
        for grade in Grade
    )
    awaiting = awaiting_decision(document)
    unpaid = sorted(
        (c for c in document.contributions if c.status in UNPAID_STATUSES),
        key=lambda c: (
            c.financial_year,
            order.get(c.partner, len(order)),
            TRANCHE_ORDER[c.tranche],
        ),
    )
    return Dashboard(
        figures=figures,
        figures_problem=problem,
        strategy=document.partnership.strategy,
        total_cost=figures.existing_total + figures.extra_max,
        gap_min=Gap.of(figures.gap_min),
        gap_max=Gap.of(figures.gap_max),
        partners=partners,
        partner_totals=position_totals(partners),
        project_statuses=project_statuses(document),
        phase_decisions=tuple(
            Count(label=label, count=sum(1 for phase in phases if test(phase)))
            for label, test in PHASE_DECISIONS
        ),
        outcomes=outcomes,
        outcome_totals=OutcomeRow(
            grade="All grades",
            supporting=sum(row.supporting for row in outcomes),
            other=sum(row.other for row in outcomes),
        ),
        awaiting_decision=tuple(awaiting[:AWAITING_SHOWN]),
        awaiting_count=len(awaiting),
        contributions=len(document.contributions),
        unpaid=tuple(
            UnpaidContribution(
                partner=names.get(c.partner, c.partner),
                financial_year=c.financial_year,
                tranche=Tranche(c.tranche).label,
                amount=c.amount,
                status=ContributionStatus(c.status).label,
            )
            for c in unpaid
        ),
        unpaid_total=sum((c.amount for c in unpaid), ZERO),
        reconciliation=_reconciliation(figures),
        cost_chart=project_cost_chart(document),
        partner_chart=partner_share_chart(
            figures, names=names, order=list(order), own_partner=own_partner
        ),
        outcome_chart=outcome_chart(document, strategy=document.partnership.strategy),
        agreed=agreed_money(document, figures, own_partner=own_partner),
    )


def programme_dashboard(*, programme: Programme, own_partner: str | None = None) -> Dashboard:
    """Return the programme's dashboard, in a fixed number of queries whatever its size.

    ``own_partner`` is the slug of the reader's council, marked on the partners' figures.
    """
    return dashboard_from_document(
        programme_document(programme=programme, spend_summed=True),
        own_partner=own_partner,
        as_of=timezone.localdate(),
    )


# Board report PDFs prepared by the background worker (reports.tasks).

# A render still waiting or running after this long is taken to be lost (its worker stopped):
# it is not handed out again, and a new request queues a fresh one.
RENDER_STALE_AFTER = timedelta(minutes=30)


def report_renders_in_background(report: BoardReport) -> bool:
    """Return whether the report is large enough that the worker makes its PDF.

    Large by its estimated work (``PDF_BACKGROUND_WORK``), or by its number of projects alone
    (``REPORT_BACKGROUND_PROJECTS``, kept for the installations that set it).
    """
    return len(report.projects) > settings.REPORT_BACKGROUND_PROJECTS or made_in_background(
        report_pdf_work(report), threshold=settings.PDF_BACKGROUND_WORK
    )


def report_render_fingerprint(report: BoardReport) -> str:
    """Return the fingerprint of the report's PDF: what the report says, its date, and whether
    it is the one issued to a meeting (dated the meeting) or a draft ("Draft of" its date)."""
    return _render_fingerprint(report_fingerprint(report), report.date, issued=report.issued)


def _render_fingerprint(snapshot_fingerprint: str, on: date, *, issued: bool) -> str:
    # A draft's fingerprint is the report's and its date alone, as before issued PDFs were
    # prepared in the background, so drafts made then are still found.
    marker = " issued" if issued else ""
    return hashlib.sha256(f"{snapshot_fingerprint} {on:%Y-%m-%d}{marker}".encode()).hexdigest()


def report_render(*, programme: Programme, pk: UUID) -> ReportRender | None:
    """Return the programme's render with this id, without its PDF's bytes, or None."""
    return (
        ReportRender.objects.filter(programme=programme, pk=pk)
        .select_related("requested_by", "paper")
        .defer("pdf")
        .first()
    )


def report_render_with_pdf(*, programme: Programme, pk: UUID) -> ReportRender | None:
    """Return the programme's render with this id, PDF and all, or None."""
    return ReportRender.objects.filter(programme=programme, pk=pk).first()


def report_render_to_run(*, pk: UUID | str) -> ReportRender | None:
    """Return a render for the worker to run, with its programme, or None if it has gone."""
    return (
        ReportRender.objects.select_related("programme", "paper").defer("pdf").filter(pk=pk).first()
    )


def reusable_report_render(*, programme: Programme, fingerprint: str) -> ReportRender | None:
    """Return a render of the report as it stands now, ready or on its way, or None.

    A ready one is preferred; one waiting or running counts only while it is not stale.
    """
    renders = ReportRender.objects.filter(programme=programme, fingerprint=fingerprint).defer("pdf")
    ready = renders.filter(state=RenderState.READY).order_by("-finished").first()
    if ready is not None:
        return ready
    return (
        renders.filter(
            state__in=[RenderState.QUEUED, RenderState.RUNNING],
            created__gte=timezone.now() - RENDER_STALE_AFTER,
        )
        .order_by("-created")
        .first()
    )


# Issuing a large report: its PDF is prepared for the meeting by the worker beforehand, and
# issuing takes those bytes rather than laying the pages out again in the request.


def issue_render_with_pdf(*, programme: Programme, fingerprint: str) -> ReportRender | None:
    """Return the newest ready render of the issued report with this fingerprint, PDF and all.

    ``fingerprint`` is ``report_render_fingerprint`` of the report as issued (dated the meeting).
    """
    return (
        ReportRender.objects.filter(
            programme=programme, fingerprint=fingerprint, state=RenderState.READY
        )
        .order_by("-finished")
        .first()
    )


def issue_render_prepared(*, programme: Programme, report: BoardReport) -> ReportRender | None:
    """Return the newest render of the report, as it stands, prepared for issue to a meeting.

    A ready one is preferred, then one waiting or running (while not stale); whichever meeting
    it is for, given by its ``report_date``. None when the report changed since, or there is none.
    """
    snapshot = report_fingerprint(report)
    renders = (
        ReportRender.objects.filter(programme=programme, report_date__isnull=False)
        .filter(
            Q(state=RenderState.READY)
            | Q(
                state__in=[RenderState.QUEUED, RenderState.RUNNING],
                created__gte=timezone.now() - RENDER_STALE_AFTER,
            )
        )
        .defer("pdf")
        .order_by("-created")
    )
    matching = [
        render
        for render in renders
        # Every render here has its report_date (the query asks for one).
        if render.report_date is not None
        and render.fingerprint == _render_fingerprint(snapshot, render.report_date, issued=True)
    ]
    ready = [render for render in matching if render.state == RenderState.READY]
    return max(ready, key=_finished_at) if ready else next(iter(matching), None)


def _finished_at(render: ReportRender) -> datetime:
    # A render is marked ready together with its finishing time (reports.renders).
    assert render.finished is not None
    return render.finished


# Partner statements: a large one's PDF is prepared by the worker as a large report's is.


def statement_renders_in_background(statement: PartnerStatement) -> bool:
    """Return whether the statement is large enough that the worker makes its PDF."""
    return made_in_background(statement_pdf_work(statement), threshold=settings.PDF_BACKGROUND_WORK)


def statement_render(*, programme: Programme, partner: Partner, pk: UUID) -> StatementRender | None:
    """Return the partner's statement render with this id, without its PDF's bytes, or None."""
    return (
        StatementRender.objects.filter(programme=programme, partner=partner, pk=pk)
        .select_related("requested_by")
        .defer("pdf")
        .first()
    )


def statement_render_with_pdf(
    *, programme: Programme, partner: Partner, pk: UUID
) -> StatementRender | None:
    """Return the partner's statement render with this id, PDF and all, or None."""
    return StatementRender.objects.filter(programme=programme, partner=partner, pk=pk).first()


def statement_render_to_run(*, pk: UUID | str) -> StatementRender | None:
    """Return a statement render for the worker to run, or None if it has gone."""
    return (
        StatementRender.objects.select_related("programme", "partner")
        .defer("pdf")
        .filter(pk=pk)
        .first()
    )


def reusable_statement_render(
    *, programme: Programme, partner: Partner, fingerprint: str
) -> StatementRender | None:
    """Return a render of the statement as it stands now, ready or on its way, or None."""
    renders = StatementRender.objects.filter(
        programme=programme, partner=partner, fingerprint=fingerprint
    ).defer("pdf")
    ready = renders.filter(state=RenderState.READY).order_by("-finished").first()
    if ready is not None:
        return ready
    return (
        renders.filter(
            state__in=[RenderState.QUEUED, RenderState.RUNNING],
            created__gte=timezone.now() - RENDER_STALE_AFTER,
        )
        .order_by("-created")
        .first()
    )
