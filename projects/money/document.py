"""A whole programme as plain, immutable data: what the programme file holds and the maths reads.

The programme file (``partnership-programme/1``) parses into these classes, the database is read
into them for export and figures, and the money rules are computed from them without the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .vocabulary import (
    Apportionment,
    Borne,
    ContributionStatus,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    ProjectStatus,
    Tranche,
)

FORMAT = "partnership-programme/1"


@dataclass(frozen=True)
class PartnershipData:
    slug: str
    name: str
    strategy: str = ""


@dataclass(frozen=True)
class ProgrammeData:
    slug: str
    name: str
    financial_years: tuple[str, ...]
    apportionment: Apportionment = Apportionment.EQUAL
    starts: date | None = None
    ends: date | None = None
    rounding_step: Decimal | None = None
    stated_existing_total: Decimal | None = None
    stated_extra_total: Decimal | None = None


@dataclass(frozen=True)
class PartnerData:
    slug: str
    name: str
    contributes: bool = True
    population: int | None = None
    weight: Decimal | None = None
    ieg_grant: Decimal | None = None  # its Implementing Electronic Government grant, if recorded


@dataclass(frozen=True)
class PhaseData:
    number: int
    name: str
    extra_cost: Decimal | None  # None: cost to be confirmed (TBC)
    gated: bool = False
    decision: Decision = Decision.PENDING
    borne: Borne = Borne.SHARED
    note: str = ""
    decided_on: date | None = None
    decision_note: str = ""


@dataclass(frozen=True)
class FundingData:
    source: str
    amount: Decimal
    kind: FundingKind = FundingKind.LOCAL
    status: FundingStatus = FundingStatus.SECURED
    note: str = ""


@dataclass(frozen=True)
class OutcomeClaimData:
    grade: Grade
    code: str | None = None


@dataclass(frozen=True)
class ProjectData:
    slug: str
    name: str
    description: str = ""
    outputs: str = ""
    external_project: str = ""
    supports_strategy: bool = False
    lead_partner: str | None = None  # a partner slug
    status: ProjectStatus = ProjectStatus.PROPOSED
    outcome_claims: tuple[OutcomeClaimData, ...] = ()
    funding: tuple[FundingData, ...] = ()
    phases: tuple[PhaseData, ...] = ()


@dataclass(frozen=True)
class ContributionData:
    partner: str  # a partner slug
    financial_year: str
    tranche: Tranche
    amount: Decimal
    status: ContributionStatus = ContributionStatus.PLEDGED
    pledged_on: date | None = None
    invoiced_on: date | None = None
    received_on: date | None = None
    returned_on: date | None = None
    note: str = ""


@dataclass(frozen=True)
class ReportTextData:
    """The board report's own words: its heading, summary and numbered sections.

    Plain text or Markdown with figure placeholders such as ``{cap_per_partner}``, which the
    report fills from the programme's figures.
    """

    meeting: str = ""
    item_number: str = ""
    title: str = ""
    report_by: str = ""
    summary: str = ""
    background: str = ""
    project_list: str = ""
    risks_and_benefits: str = ""
    alternative_options: str = ""
    recommendations: str = ""
    contact_officers: str = ""


REPORT_TEXT_FIELDS = tuple(ReportTextData.__dataclass_fields__)
# The longest any of the report's one-line fields and texts may be.
REPORT_LINE_MAX_LENGTH = 200
REPORT_TEXT_MAX_LENGTH = 20_000


@dataclass(frozen=True)
class ProgrammeDocument:
    partnership: PartnershipData
    programme: ProgrammeData
    partners: tuple[PartnerData, ...] = ()
    projects: tuple[ProjectData, ...] = ()
    contributions: tuple[ContributionData, ...] = field(default=())
    # Optional in the file: None when it has no report text (a load then keeps the one stored).
    report: ReportTextData | None = None
