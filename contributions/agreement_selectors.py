"""Reads of a programme's meetings and the agreements they made, each in a fixed number of queries.

The agreement page sets each council's agreed immediate tranche and cap beside the computed
recommendation of today ("proposed"): agreed beats computed, so the difference is said in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, QuerySet, Sum

from projects.models import Agreement, Invoice, Meeting, Partner, PartnerAgreement, Programme
from projects.money.figures import ZERO
from projects.money.formatting import money
from projects.money.shares import missing_basis
from projects.selectors import programme_figures

from .selectors import partners_of


def long_date(day: date) -> str:
    """Write a date as the papers do: 5 July 2004."""
    return f"{day.day} {day:%B %Y}"


# Meetings


def meetings_for_list(*, programme: Programme) -> QuerySet[Meeting]:
    """Return the programme's meetings by date, each marked with whether it has an agreement."""
    return (
        Meeting.objects.filter(programme=programme)
        .annotate(has_agreement=Exists(Agreement.objects.filter(meeting=OuterRef("pk"))))
        .order_by("date", "pk")
    )


def programme_meeting(*, programme: Programme, slug: str) -> Meeting | None:
    """Return the programme's meeting with this slug, or None when it has no such one."""
    meeting = Meeting.objects.filter(programme=programme, slug=slug).first()
    if meeting is not None:
        meeting.programme = programme  # already fetched: saves a query
    return meeting


def meeting_agreement(meeting: Meeting) -> Agreement | None:
    """Return the meeting's agreement, or None when none is recorded."""
    return Agreement.objects.filter(meeting=meeting).first()


def standing_agreement(*, programme: Programme) -> Agreement | None:
    """Return the agreement that stands: the latest meeting's; of two on one day, the later."""
    return (
        Agreement.objects.select_related("meeting")
        .filter(meeting__programme=programme)
        .order_by("-meeting__date", "-pk")
        .first()
    )


def invoiced_by_partner(*, programme: Programme) -> dict[int, Decimal]:
    """Return the sum of each partner's invoices in the programme, by partner id, in one query."""
    money_field: DecimalField = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        Invoice.objects.filter(call__programme=programme)
        .values("partner_id")
        .annotate(total=Sum("amount", output_field=money_field))
        .order_by()
    )
    return {row["partner_id"]: row["total"] for row in rows}


# The recommendation


@dataclass(frozen=True)
class Recommendation:
    """The computed immediate tranche and cap per partner today, by slug; or why there is none."""

    immediate: dict[str, Decimal]
    cap: dict[str, Decimal]
    problem: str = ""


def recommendation(*, programme: Programme, partners: Iterable[Partner]) -> Recommendation:
    """Return today's computed recommendation; ``partners`` are the partnership's, for the check."""
    problem = missing_basis(programme.apportionment, list(partners))
    if problem:
        return Recommendation(
            immediate={},
            cap={},
            problem=f"The recommendation cannot be worked out: the programme shares its costs "
            f"by {programme.get_apportionment_display().lower()}, but {problem}.",
        )
    figures = programme_figures(programme=programme)
    return Recommendation(
        immediate={p.partner: p.immediate for p in figures.per_partner},
        cap={p.partner: p.cap for p in figures.per_partner},
    )


# The form to record an agreement


@dataclass(frozen=True)
class AgreementFormRow:
    """One partner's row of the form: its name and the figures the form starts with."""

    partner: Partner
    immediate: Decimal | None
    cap: Decimal | None
    invoiced: Decimal


@dataclass(frozen=True)
class AgreementFormData:
    rows: tuple[AgreementFormRow, ...]
    existing: Agreement | None
    recommendation: Recommendation


def agreement_form_data(*, programme: Programme, meeting: Meeting) -> AgreementFormData:
    """Return the rows of the form: each contributing partner and any in the meeting's agreement.

    They start with the agreement already recorded for the meeting, or else with the computed
    recommendation.
    """
    partners = list(partners_of(partnership=programme.partnership))
    existing = meeting_agreement(meeting)
    recorded: dict[int, PartnerAgreement] = {}
    if existing is not None:
        recorded = {part.partner_id: part for part in existing.partners.all()}
    advice = recommendation(programme=programme, partners=partners)
    invoiced = invoiced_by_partner(programme=programme)
    rows = []
    for partner in partners:
        part = recorded.get(partner.pk)
        if not partner.contributes and part is None and partner.pk not in invoiced:
            continue
        rows.append(
            AgreementFormRow(
                partner=partner,
                immediate=part.immediate if part else advice.immediate.get(partner.slug),
                cap=part.cap if part else advice.cap.get(partner.slug),
                invoiced=invoiced.get(partner.pk, ZERO),
            )
        )
    return AgreementFormData(rows=tuple(rows), existing=existing, recommendation=advice)


# The agreement page


def consent_text(part: PartnerAgreement) -> str:
    """Say whether the council's own decision is recorded: "Consent recorded 5 July 2004 (...)"."""
    if part.consent_date is None:
        return "Not recorded"
    text = f"Consent recorded {long_date(part.consent_date)}"
    return f"{text} ({part.consent_reference})" if part.consent_reference else text


def _compared(proposed: Decimal, agreed: Decimal) -> str:
    if proposed > agreed:
        return f"{money(proposed - agreed)} more than agreed"
    if proposed < agreed:
        return f"{money(agreed - proposed)} less than agreed"
    return "as agreed"


def difference_text(
    *, agreed_immediate: Decimal, agreed_cap: Decimal, immediate: Decimal, cap: Decimal
) -> str:
    """Say how today's recommendation differs from what was agreed, in words."""
    if immediate == agreed_immediate and cap == agreed_cap:
        return "The computed recommendation is the same as agreed"
    return (
        f"The computed recommendation is now {money(immediate)} immediately, "
        f"{_compared(immediate, agreed_immediate)}, and up to {money(cap)}, "
        f"{_compared(cap, agreed_cap)}"
    )


@dataclass(frozen=True)
class AgreementRow:
    """One council's part of the agreement beside today's recommendation."""

    partner: Partner
    part: PartnerAgreement | None  # None: a contributing partner the agreement leaves out
    consent: str
    proposed_immediate: Decimal | None
    proposed_cap: Decimal | None
    difference: str

    @property
    def immediate(self) -> Decimal | None:
        return self.part.immediate if self.part else None

    @property
    def cap(self) -> Decimal | None:
        return self.part.cap if self.part else None


@dataclass(frozen=True)
class AgreementPage:
    """Everything the agreement page of a meeting shows."""

    meeting: Meeting
    agreement: Agreement | None
    stands: bool  # the agreement is the latest, the one calls are made under
    standing_meeting: Meeting | None  # the meeting whose agreement stands, if another
    rows: tuple[AgreementRow, ...]
    immediate_total: Decimal
    cap_total: Decimal
    proposed_immediate_total: Decimal | None
    proposed_cap_total: Decimal | None
    problem: str  # why the recommendation cannot be worked out, or ""


def agreement_page(*, programme: Programme, meeting: Meeting) -> AgreementPage:
    """Return the agreement page's data, in a fixed number of queries whatever its size."""
    agreement = meeting_agreement(meeting)
    partners = list(partners_of(partnership=programme.partnership))
    parts: dict[int, PartnerAgreement] = {}
    if agreement is not None:
        parts = {part.partner_id: part for part in agreement.partners.all()}
    standing = standing_agreement(programme=programme)
    advice = (
        recommendation(programme=programme, partners=partners)
        if agreement is not None
        else Recommendation(immediate={}, cap={})
    )
    rows = []
    for partner in partners:
        part = parts.get(partner.pk)
        if part is None and (agreement is None or not partner.contributes):
            continue
        immediate = advice.immediate.get(partner.slug)
        cap = advice.cap.get(partner.slug)
        difference = ""
        if immediate is not None and cap is not None:
            difference = difference_text(
                agreed_immediate=part.immediate if part else ZERO,
                agreed_cap=part.cap if part else ZERO,
                immediate=immediate,
                cap=cap,
            )
        rows.append(
            AgreementRow(
                partner=partner,
                part=part,
                consent=consent_text(part) if part else "Not in the agreement",
                proposed_immediate=immediate,
                proposed_cap=cap,
                difference=difference,
            )
        )
    proposed = [row for row in rows if row.proposed_immediate is not None]
    return AgreementPage(
        meeting=meeting,
        agreement=agreement,
        stands=agreement is not None and standing is not None and standing.pk == agreement.pk,
        standing_meeting=standing.meeting if standing is not None else None,
        rows=tuple(rows),
        immediate_total=sum((part.immediate for part in parts.values()), ZERO),
        cap_total=sum((part.cap for part in parts.values()), ZERO),
        proposed_immediate_total=(
            sum((row.proposed_immediate or ZERO for row in proposed), ZERO) if proposed else None
        ),
        proposed_cap_total=(
            sum((row.proposed_cap or ZERO for row in proposed), ZERO) if proposed else None
        ),
        problem=advice.problem,
    )


def agreement_part(*, meeting: Meeting, partner_slug: str) -> PartnerAgreement | None:
    """Return the partner's part of the meeting's agreement, or None when it has none."""
    part = (
        PartnerAgreement.objects.select_related("partner", "agreement")
        .filter(agreement__meeting=meeting, partner__slug=partner_slug)
        .first()
    )
    if part is not None:
        part.agreement.meeting = meeting  # already fetched: saves a query
    return part
