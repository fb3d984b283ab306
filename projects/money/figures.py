"""The headline figures of a programme, computed from its plain data, and their JSON form.

``compute_figures`` is pure: the command, the dashboard and the board report all read the same
``ProgrammeFigures``, and ``figures_as_json`` gives the object that docs/design.md (section 6,
"The figures object") fixes for ``programme_figures SLUG --json``. ``FIGURES`` declares that
object's keys once, with each figure's kind and labels, for every list of the figures to read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from . import delivery
from .bounds import programme_extra_bounds, project_existing_resource
from .document import ProgrammeDocument
from .ledger import LedgerTotals, PartnerLedger, ledger_totals, partner_ledgers
from .shares import (
    PLEDGED_STATUSES,
    PartnerPosition,
    funding_gap,
    missing_basis,
    partner_positions,
)
from .vocabulary import ContributionStatus, Grade

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Mismatch:
    """A figure typed from paper that differs from the one computed from the lines."""

    field: str  # "existing_total" or "extra_total"
    stated: Decimal
    computed: Decimal

    @property
    def difference(self) -> Decimal:
        """Return how far the computed figure is above the stated one."""
        return self.computed - self.stated


@dataclass(frozen=True)
class OutcomeCounts:
    """The number of priority outcome claims of each grade."""

    required: int = 0
    good: int = 0
    excellent: int = 0


@dataclass(frozen=True)
class ProgrammeFigures:
    """Everything the programme's money adds up to, as docs/design.md's figures object."""

    programme: str  # the programme's slug
    projects: int
    partners: int  # contributing partners only
    existing_total: Decimal
    existing_stated: Decimal | None
    extra_min: Decimal
    extra_max: Decimal
    extra_stated: Decimal | None
    # The largest over the contributing partners; None when no partner contributes.
    share_min: Decimal | None
    share_max: Decimal | None
    immediate_per_partner: Decimal | None
    cap_per_partner: Decimal | None
    pledged: Decimal
    received: Decimal
    gap_min: Decimal
    gap_max: Decimal
    outcomes: OutcomeCounts
    projects_supporting_strategy: int
    tbc_phases: int
    mismatches: tuple[Mismatch, ...]
    per_partner: tuple[PartnerPosition, ...]
    # After the meeting: each contributing partner's ledger (in the order of per_partner), the
    # sums over them, and the pot. Before an agreement the ledgers are empty of money.
    ledgers: tuple[PartnerLedger, ...] = ()
    ledger: LedgerTotals | None = None
    spent: Decimal = ZERO
    forecast_outturn: Decimal = ZERO
    as_of: date | None = None
    # Delivery on the as-of day: projects by their latest status, milestones late, open risks.
    projects_by_status: tuple[tuple[str, int], ...] = ()
    late_milestones: int = 0
    open_risks_by_score: tuple[tuple[int, int], ...] = ()

    @property
    def pot_balance(self) -> Decimal:
        """Return the pooled money: paid, less spend and refunds."""
        return self.paid - self.spent - self.refunded

    def __getattr__(self, name: str) -> Any:
        # The programme's ledger totals read as figures of their own: figures.owed and so on.
        if name in _LEDGER_TOTALS and self.ledger is not None:
            return getattr(self.ledger, name)
        raise AttributeError(name)


def _largest(amounts: list[Decimal]) -> Decimal | None:
    """Return the largest amount, or None when there is none."""
    return max(amounts) if amounts else None


def _mismatches(
    *,
    existing_stated: Decimal | None,
    existing_total: Decimal,
    extra_stated: Decimal | None,
    extra_max: Decimal,
) -> tuple[Mismatch, ...]:
    """Return the stated totals that differ from the computed ones."""
    # The paper's extra total is what the partners might be asked for: the maximum.
    pairs = (
        ("existing_total", existing_stated, existing_total),
        ("extra_total", extra_stated, extra_max),
    )
    return tuple(
        Mismatch(field=field, stated=stated, computed=computed)
        for field, stated, computed in pairs
        if stated is not None and stated != computed
    )


def compute_figures(document: ProgrammeDocument, as_of: date | None = None) -> ProgrammeFigures:
    """Return the figures of the programme the document describes, on the day ``as_of``.

    The day only affects what is overdue; it is today when not given.
    """
    as_of = as_of or date.today()
    programme = document.programme
    bounds = programme_extra_bounds(document.projects)
    existing_total = sum(
        (project_existing_resource(project.funding) for project in document.projects), ZERO
    )
    positions = tuple(
        partner_positions(
            partners=document.partners,
            method=programme.apportionment,
            rounding_step=programme.rounding_step,
            shared_min=bounds.shared_min,
            individual_min=bounds.individual_min,
            shared_max=bounds.shared_max,
            individual_max=bounds.individual_max,
            contributions=document.contributions,
        )
    )
    # All money pledged counts against the gap, whichever partner's ledger it sits in.
    pledged = sum((c.amount for c in document.contributions if c.status in PLEDGED_STATUSES), ZERO)
    received = sum(
        (c.amount for c in document.contributions if c.status == ContributionStatus.RECEIVED),
        ZERO,
    )
    meeting_dates = {meeting.slug: meeting.date for meeting in document.meetings}
    ledgers = tuple(
        partner_ledgers(
            [position.partner for position in positions],
            agreements=document.agreements,
            meeting_dates=meeting_dates,
            calls=document.calls,
            refunds=document.refunds,
            shares_max={position.partner: position.share_max for position in positions},
            as_of=as_of,
        )
    )
    totals = ledger_totals(ledgers, agreements=document.agreements, meeting_dates=meeting_dates)
    if totals.agreement is not None:
        # Agreed beats computed: the agreement is what the partners pledged, and what they
        # paid less what was refunded is what was received.
        positions = tuple(
            replace(
                position,
                pledged=ledger.agreed_cap or ZERO,
                received=ledger.paid - ledger.refunded,
                outstanding=(ledger.agreed_cap or ZERO) - (ledger.paid - ledger.refunded),
            )
            for position, ledger in zip(positions, ledgers, strict=True)
        )
        pledged = totals.agreement.cap_total
        received = totals.paid - totals.refunded
    spent = sum((item.amount for item in document.spend), ZERO)
    grades = Counter(
        claim.grade for project in document.projects for claim in project.outcome_claims
    )
    return ProgrammeFigures(
        programme=programme.slug,
        projects=len(document.projects),
        partners=sum(1 for partner in document.partners if partner.contributes),
        existing_total=existing_total,
        existing_stated=programme.stated_existing_total,
        extra_min=bounds.minimum,
        extra_max=bounds.maximum,
        extra_stated=programme.stated_extra_total,
        share_min=_largest([p.share_min for p in positions]),
        share_max=_largest([p.share_max for p in positions]),
        immediate_per_partner=_largest([p.immediate for p in positions]),
        cap_per_partner=_largest([p.cap for p in positions]),
        pledged=pledged,
        received=received,
        gap_min=funding_gap(bounds.minimum, pledged),
        gap_max=funding_gap(bounds.maximum, pledged),
        outcomes=OutcomeCounts(
            required=grades[Grade.REQUIRED],
            good=grades[Grade.GOOD],
            excellent=grades[Grade.EXCELLENT],
        ),
        projects_supporting_strategy=sum(
            1 for project in document.projects if project.supports_strategy
        ),
        tbc_phases=bounds.tbc_phases,
        mismatches=_mismatches(
            existing_stated=programme.stated_existing_total,
            existing_total=existing_total,
            extra_stated=programme.stated_extra_total,
            extra_max=bounds.maximum,
        ),
        per_partner=positions,
        ledgers=ledgers,
        ledger=totals,
        spent=spent,
        forecast_outturn=spent + sum((item.amount for item in document.forecasts), ZERO),
        as_of=as_of,
        **_delivery(document, as_of),
    )


def _delivery(document: ProgrammeDocument, as_of: date) -> dict[str, Any]:
    """Return the delivery figures: projects by status, late milestones, open risks by score."""
    latest = delivery.latest_updates(document.status_updates)
    return {
        "projects_by_status": tuple(
            delivery.projects_by_status(
                update.status if (update := latest.get(project.slug)) else None
                for project in document.projects
            ).items()
        ),
        "late_milestones": sum(
            1
            for item in document.milestones
            if delivery.milestone_dates(item.baseline, item.forecast, item.actual, as_of=as_of).late
        ),
        "open_risks_by_score": tuple(
            (row["score"], row["count"])
            for row in delivery.open_risks_by_score(
                (risk.status, risk.likelihood, risk.impact) for risk in document.risks
            )
        ),
    }


def figures_and_missing_basis(
    document: ProgrammeDocument, as_of: date | None = None
) -> tuple[ProgrammeFigures, str]:
    """Return the figures, and why the partners' shares cannot be worked out ("" when they can).

    A programme shared by population or weights where a partner lacks one still has all the
    money that does not depend on the shares: its partners are then left out of the sums. The
    dashboard, the board report and the project pages all show the figures this way.
    """
    problem = missing_basis(document.programme.apportionment, document.partners)
    if not problem:
        return compute_figures(document, as_of), ""
    without_shares = replace(
        document, partners=tuple(replace(p, contributes=False) for p in document.partners)
    )
    return compute_figures(without_shares, as_of), problem


def _money(amount: Decimal | None) -> str | None:
    """Return an amount as a string with exactly two decimals, or None when absent."""
    if amount is None:
        return None
    amount = amount.quantize(PENNY)
    # A zero that picked up a minus sign along the way is still plain zero.
    return f"{abs(amount) if amount.is_zero() else amount:f}"


def _outcomes_json(figures: ProgrammeFigures) -> dict[str, int]:
    return {figure.key: getattr(figures.outcomes, figure.key) for figure in OUTCOME_FIGURES}


def _mismatches_json(figures: ProgrammeFigures) -> list[dict[str, str | None]]:
    return [
        {
            "field": mismatch.field,
            "stated": _money(mismatch.stated),
            "computed": _money(mismatch.computed),
        }
        for mismatch in figures.mismatches
    ]


def _per_partner_json(figures: ProgrammeFigures) -> list[dict[str, str | None]]:
    return [
        {"partner": position.partner, **partner_amounts(figures, index)}
        for index, position in enumerate(figures.per_partner)
    ]


def partner_values(figures: ProgrammeFigures, index: int) -> dict[str, Decimal | None]:
    """Return the amounts of ``per_partner[index]`` by key: its position, then its ledger."""
    position = figures.per_partner[index]
    ledger = figures.ledgers[index] if figures.ledgers else None
    return {
        figure.key: (
            (getattr(ledger, figure.key) if ledger else None)
            if figure.key in _LEDGER_PARTNER
            else getattr(position, figure.key)
        )
        for figure in PARTNER_FIGURES
    }


def partner_amounts(figures: ProgrammeFigures, index: int) -> dict[str, str | None]:
    """Return the amounts of the figures object's ``per_partner[index]``, by key, as written."""
    return {key: _money(value) for key, value in partner_values(figures, index).items()}


def _agreement_json(figures: ProgrammeFigures) -> dict[str, str | None] | None:
    summary = figures.ledger.agreement if figures.ledger else None
    if summary is None:
        return None
    return {
        "meeting": summary.meeting,
        "date": summary.date.isoformat(),
        "immediate_total": _money(summary.immediate_total),
        "cap_total": _money(summary.cap_total),
    }


class Kind(StrEnum):
    """What a figure is, which fixes how it is written in JSON and shown."""

    MONEY = "money"  # JSON: a string with exactly two decimals, or null
    COUNT = "count"  # JSON: an int
    TEXT = "text"  # JSON: the string as it is
    OTHER = "other"  # an object or a list, written by the figure's own ``to_json``


@dataclass(frozen=True)
class Figure:
    """One entry of the figures object: its JSON key, its kind and what it is called.

    ``label`` is the figure's name in the report's list of changes. The readable table of
    ``programme_figures`` and the workbook's Figures sheet name some figures their own way,
    kept as they have always been; empty means ``label``. A sheet label may name the
    partnership's ``{strategy}``.
    """

    key: str
    kind: Kind
    label: str = ""
    table_label: str = ""
    sheet_label: str = ""
    to_json: Callable[[ProgrammeFigures], Any] | None = None

    def as_json(self, figures: ProgrammeFigures) -> Any:
        """Return the figure's value as the figures object writes it."""
        if self.to_json is not None:
            return self.to_json(figures)
        value = getattr(figures, self.key)
        return _money(value) if self.kind == Kind.MONEY else value

    @property
    def in_table(self) -> str:
        """Return the figure's label in the readable table of ``programme_figures``."""
        return self.table_label or self.label

    def in_sheet(self, *, strategy: str) -> str:
        """Return the figure's label on the workbook's Figures sheet."""
        return (self.sheet_label or self.label).format(strategy=strategy)


_M, _C = Kind.MONEY, Kind.COUNT
_STATED = "  stated on the paper"
_HEADROOM = " (negative: headroom)"

#: Every key of the figures object (docs/design.md, section 6), in the object's order. The
#: JSON, the readable table, the workbook's Figures sheet and the report's list of changes
#: all read the amounts and counts from here, and the outcomes and the partners' amounts from
#: ``OUTCOME_FIGURES`` and ``PARTNER_FIGURES`` below.
FIGURES: tuple[Figure, ...] = (
    Figure("programme", Kind.TEXT, "Programme"),
    Figure("projects", _C, "Projects"),
    Figure("partners", _C, "Contributing partners"),
    Figure("existing_total", _M, "Existing resource total", "Existing resource",
           "Existing resource"),
    Figure("existing_stated", _M, "Existing resource total as stated on the paper", _STATED,
           "Existing resource as stated on the paper"),
    Figure("extra_min", _M, "Extra cost, minimum",
           sheet_label="Extra cost, minimum: phases certain to go ahead"),
    Figure("extra_max", _M, "Extra cost, maximum",
           sheet_label="Extra cost, maximum: all phases that may proceed"),
    Figure("extra_stated", _M, "Extra cost total as stated on the paper", _STATED,
           "Extra cost as stated on the paper"),
    Figure("share_min", _M, "Largest share of the minimum", "Share of the minimum (largest)"),
    Figure("share_max", _M, "Largest share of the maximum", "Share of the maximum (largest)"),
    Figure("immediate_per_partner", _M, "Immediate tranche per partner"),
    Figure("cap_per_partner", _M, "Cap per partner"),
    Figure("pledged", _M, "Pledged"),
    Figure("received", _M, "Received"),
    Figure("gap_min", _M, "Gap against the minimum" + _HEADROOM,
           "Gap for the minimum" + _HEADROOM, "Funding gap, minimum" + _HEADROOM),
    Figure("gap_max", _M, "Gap against the maximum" + _HEADROOM,
           "Gap for the maximum" + _HEADROOM, "Funding gap, maximum" + _HEADROOM),
    Figure("outcomes", Kind.OTHER, "Outcome claims", to_json=_outcomes_json),
    Figure("projects_supporting_strategy", _C, "Projects supporting the strategy",
           sheet_label="Projects supporting {strategy}"),
    Figure("tbc_phases", _C, "Phases of cost to be confirmed",
           "Phases whose cost is to be confirmed",
           "Phases whose cost is to be confirmed (left out of the sums)"),
    Figure("mismatches", Kind.OTHER, "Stated totals that differ", to_json=_mismatches_json),
    Figure("per_partner", Kind.OTHER, "Per partner", to_json=_per_partner_json),
    # After the meeting.
    Figure("agreement", Kind.OTHER, "Agreement", to_json=_agreement_json),
    Figure("invoiced", _M, "Invoiced"),
    Figure("paid", _M, "Paid"),
    Figure("refunded", _M, "Refunded"),
    Figure("credited", _M, "Credited"),
    Figure("owed", _M, "Owed" + " (negative: in credit)"),
    Figure("overdue", _M, "Overdue"),
    Figure("uncalled", _M, "Agreed but not yet called", "Uncalled"),
    Figure("surplus", _M, "Surplus to give back"),
    Figure("spent", _M, "Spent"),
    Figure("forecast_outturn", _M, "Forecast outturn"),
    Figure("pot_balance", _M, "Pot balance"),
)  # fmt: skip


def _open_risks_json(figures: ProgrammeFigures) -> list[dict[str, int]]:
    return [{"score": score, "count": count} for score, count in figures.open_risks_by_score]


#: The delivery figures (docs/design.md, section 9.8) after the money, in the object's order:
#: in the figures object, not in an issued report's snapshot of its money.
DELIVERY_FIGURES: tuple[Figure, ...] = (
    Figure("projects_by_status", Kind.OTHER, "Projects by status",
           to_json=lambda figures: dict(figures.projects_by_status)),
    Figure("late_milestones", _C, "Late milestones"),
    Figure("open_risks_by_score", Kind.OTHER, "Open risks by score", to_json=_open_risks_json),
)  # fmt: skip


#: The counts of the figures object's ``outcomes``, one a grade, in the object's order. Their
#: label names them in the report's list of changes, their sheet label on the Figures sheet;
#: the readable table shows them on one line, by key.
OUTCOME_FIGURES: tuple[Figure, ...] = (
    Figure("required", _C, "Required outcome claims",
           sheet_label="Outcome claims graded Required"),
    Figure("good", _C, "Good outcome claims", sheet_label="Outcome claims graded Good"),
    Figure("excellent", _C, "Excellent outcome claims",
           sheet_label="Outcome claims graded Excellent"),
)  # fmt: skip

#: The amounts of each object of ``per_partner`` after its ``partner`` slug, in the object's
#: order. The label follows the partner's name in the report's list of changes; the table
#: label heads the readable table's column, the sheet label the Partner shares sheet's.
PARTNER_FIGURES: tuple[Figure, ...] = (
    Figure("share_min", _M, "share of the minimum", "Share min", "Share of the minimum"),
    Figure("share_max", _M, "share of the maximum", "Share max", "Share of the maximum"),
    Figure("immediate", _M, "immediate tranche", "Immediate", "Immediate tranche"),
    Figure("cap", _M, "cap", "Cap", "Cap"),
    Figure("pledged", _M, "pledged", "Pledged", "Pledged"),
    Figure("received", _M, "received", "Received", "Received"),
    Figure("outstanding", _M, "outstanding", "Outstanding", "Outstanding"),
    Figure("agreed_immediate", _M, "agreed immediate tranche", "Agreed now", "Agreed immediate"),
    Figure("agreed_cap", _M, "agreed cap", "Agreed cap", "Agreed cap"),
    Figure("invoiced", _M, "invoiced", "Invoiced", "Invoiced"),
    Figure("paid", _M, "paid", "Paid", "Paid"),
    Figure("refunded", _M, "refunded", "Refunded", "Refunded"),
    Figure("credited", _M, "credited", "Credited", "Credited"),
    Figure("owed", _M, "owed", "Owed", "Owed"),
    Figure("overdue", _M, "overdue", "Overdue", "Overdue"),
    Figure("uncalled", _M, "uncalled", "Uncalled", "Uncalled"),
    Figure("surplus", _M, "surplus", "Surplus", "Surplus"),
)
# The amounts of a partner's ledger after the meeting, and the programme's sums of them.
LEDGER_PARTNER_KEYS = _LEDGER_PARTNER = frozenset(
    {
        "agreed_immediate",
        "agreed_cap",
        "invoiced",
        "paid",
        "refunded",
        "credited",
        "owed",
        "overdue",
        "uncalled",
        "surplus",
    }
)
_LEDGER_TOTALS = frozenset(
    {"invoiced", "paid", "refunded", "credited", "owed", "overdue", "uncalled", "surplus"}
)

#: The stated totals a ``Mismatch`` may name, by its ``field``, as the Figures sheet calls them.
STATED_TOTALS: tuple[Figure, ...] = (
    Figure("existing_total", _M, "Existing resource total"),
    Figure("extra_total", _M, "Extra cost total (against the maximum)"),
)


def headline_figures() -> tuple[Figure, ...]:
    """Return the amounts and counts, one line each wherever the figures are listed."""
    return tuple(figure for figure in FIGURES if figure.kind in (Kind.MONEY, Kind.COUNT))


def figures_as_json(figures: ProgrammeFigures, *, delivery: bool = True) -> dict[str, Any]:
    """Return the figures as the JSON object docs/design.md (section 6) specifies.

    ``delivery=False`` leaves out the delivery counts: an issued report's figures are the
    money, and its snapshot keeps the keys it had.
    """
    listed = FIGURES + DELIVERY_FIGURES if delivery else FIGURES
    return {figure.key: figure.as_json(figures) for figure in listed}
