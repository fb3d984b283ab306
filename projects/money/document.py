"""A whole programme as plain, immutable data: what the programme file holds and the maths reads.

The programme file (``partnership-programme/2``, or ``/1`` without the records after the
meeting) parses into these classes, the database is read
into them for export and figures, and the money rules are computed from them without the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..rules import (
    DECISION_NUMBER_MAX,
    DECISION_NUMBER_MIN,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHASE_NUMBER_MAX,
    PHASE_NUMBER_MIN,
    POPULATION_MAX,
    RISK_REFERENCE_MAX_LENGTH,
    SCORE_MAX,
    SCORE_MIN,
    TELEPHONE_MAX_LENGTH,
)
from .schema import Entity, FieldSpec, Kind
from .vocabulary import (
    Apportionment,
    Borne,
    ContributionStatus,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    PaperTemplate,
    ProjectStatus,
    Rag,
    RefundKind,
    Resolution,
    RiskStatus,
    Tranche,
)

FORMAT = "partnership-programme/2"
# The format before the records after the meeting: it still loads, with its figures.
FORMAT_1 = "partnership-programme/1"
FORMATS = (FORMAT_1, FORMAT)
# The longest invoice number, payment reference or supplier the file takes.
REFERENCE_MAX_LENGTH = 100


@dataclass(frozen=True)
class PartnershipData:
    slug: str
    name: str
    strategy: str = ""
    # The contact officer the papers name (the partnership facilitator): each optional.
    contact_name: str = ""
    contact_email: str = ""
    contact_telephone: str = ""


def _person(key: str, label: str) -> FieldSpec:
    """A named person's name: optional, written only when recorded, not in the workbook."""
    return FieldSpec(
        key,
        label,
        Kind.PERSON,
        max_length=NAME_MAX_LENGTH,
        sparse=True,
        in_workbook=False,
    )


def _email(key: str, label: str) -> FieldSpec:
    return FieldSpec(
        key, label, Kind.EMAIL, max_length=EMAIL_MAX_LENGTH, sparse=True, in_workbook=False
    )


PARTNERSHIP = Entity(
    PartnershipData,
    (
        FieldSpec("slug", "Slug", Kind.SLUG),
        FieldSpec("name", "Partnership name", Kind.NAME),
        FieldSpec("strategy", "Strategy", Kind.TEXT, max_length=NAME_MAX_LENGTH),
        _person("contact_name", "Contact officer"),
        _email("contact_email", "Contact officer's email"),
        FieldSpec(
            "contact_telephone",
            "Contact officer's telephone",
            Kind.TELEPHONE,
            max_length=TELEPHONE_MAX_LENGTH,
            sparse=True,
            in_workbook=False,
        ),
    ),
    identity=("slug",),
    model="projects.Partnership",
)


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


# The file holds the stated totals in an object of their own, "stated": the parser and the
# dumper place them there.
PROGRAMME = Entity(
    ProgrammeData,
    (
        FieldSpec("slug", "Slug", Kind.SLUG),
        FieldSpec("name", "Name", Kind.NAME),
        FieldSpec("starts", "Starts", Kind.DATE),
        FieldSpec("ends", "Ends", Kind.DATE),
        FieldSpec("financial_years", "Financial years", Kind.FINANCIAL_YEARS),
        FieldSpec("apportionment", "Apportionment", Kind.CHOICE, Apportionment, required=True),
        FieldSpec("rounding_step", "Rounding step", Kind.OPTIONAL_AMOUNT),
        FieldSpec("stated_existing_total", "Stated existing resource total", Kind.OPTIONAL_AMOUNT),
        FieldSpec("stated_extra_total", "Stated extra cost total", Kind.OPTIONAL_AMOUNT),
    ),
    identity=("slug",),
    model="projects.Programme",
)


@dataclass(frozen=True)
class PartnerData:
    slug: str
    name: str
    contributes: bool = True
    population: int | None = None
    weight: Decimal | None = None
    ieg_grant: Decimal | None = None  # its Implementing Electronic Government grant, if recorded
    # The council's officer for the partnership's work, and its finance contact (invoices).
    lead_officer_name: str = ""
    lead_officer_email: str = ""
    finance_contact_name: str = ""
    finance_contact_email: str = ""


PARTNER = Entity(
    PartnerData,
    (
        FieldSpec("slug", "Slug", Kind.SLUG, width=24),
        FieldSpec("name", "Name", Kind.NAME, width=44),
        FieldSpec("contributes", "Contributes", Kind.YES_NO, width=12),
        FieldSpec(
            "population", "Population", Kind.WHOLE, width=12, minimum=0, maximum=POPULATION_MAX
        ),
        FieldSpec("weight", "Weight", Kind.WEIGHT, width=10),
        FieldSpec("ieg_grant", "IEG grant", Kind.OPTIONAL_AMOUNT, width=16, sparse=True),
        _person("lead_officer_name", "Lead officer"),
        _email("lead_officer_email", "Lead officer's email"),
        _person("finance_contact_name", "Finance contact"),
        _email("finance_contact_email", "Finance contact's email"),
    ),
    identity=("slug",),
    model="contributions.Partner",
)


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


# decided_on and decision_note are edited with the decision, not in the project's rows.
PHASE = Entity(
    PhaseData,
    (
        FieldSpec(
            "number",
            "Number",
            Kind.WHOLE,
            width=9,
            minimum=PHASE_NUMBER_MIN,
            maximum=PHASE_NUMBER_MAX,
        ),
        FieldSpec("name", "Name", Kind.NAME, width=32),
        FieldSpec("extra_cost", "Extra cost", Kind.COST, width=16, total=True),
        FieldSpec("gated", "Gated", Kind.YES_NO, width=9),
        FieldSpec("decision", "Decision", Kind.CHOICE, Decision, width=18),
        FieldSpec("borne", "Cost borne", Kind.CHOICE, Borne, heading="Borne", width=26),
        FieldSpec("note", "Note", Kind.TEXT, width=40),
        FieldSpec("decided_on", "Decided on", Kind.DATE, width=12, sparse=True, edited=False),
        FieldSpec("decision_note", "Decision note", Kind.TEXT, width=30, sparse=True, edited=False),
    ),
    identity=("number",),
    model="projects.Phase",
)


@dataclass(frozen=True)
class FundingData:
    source: str
    amount: Decimal
    kind: FundingKind = FundingKind.LOCAL
    status: FundingStatus = FundingStatus.SECURED
    note: str = ""


FUNDING = Entity(
    FundingData,
    (
        FieldSpec("source", "Source", Kind.NAME, width=36),
        FieldSpec("kind", "Kind", Kind.CHOICE, FundingKind, width=10),
        FieldSpec("amount", "Amount", Kind.AMOUNT, width=16, total=True),
        FieldSpec("status", "Status", Kind.CHOICE, FundingStatus, width=12),
        FieldSpec("note", "Note", Kind.TEXT, width=40),
    ),
    model="projects.FundingLine",
)


@dataclass(frozen=True)
class OutcomeClaimData:
    grade: Grade
    code: str | None = None


OUTCOME_CLAIM = Entity(
    OutcomeClaimData,
    (
        FieldSpec("grade", "Grade", Kind.CHOICE, Grade, width=12),
        FieldSpec("code", "Code", Kind.CODE, width=14),
    ),
    model="projects.OutcomeClaim",
)


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
    lead_name: str = ""  # the officer who leads the project's work
    lead_email: str = ""
    outcome_claims: tuple[OutcomeClaimData, ...] = ()
    funding: tuple[FundingData, ...] = ()
    phases: tuple[PhaseData, ...] = ()


# A project's outcome claims, funding lines and phases are entities of their own.
PROJECT = Entity(
    ProjectData,
    (
        FieldSpec("slug", "Slug", Kind.SLUG, width=22),
        FieldSpec("name", "Name", Kind.NAME, heading="Project", width=32),
        FieldSpec("description", "Description", Kind.TEXT, width=50),
        FieldSpec("outputs", "Outputs", Kind.TEXT, width=40),
        FieldSpec(
            "external_project",
            "External project",
            Kind.TEXT,
            width=30,
            max_length=NAME_MAX_LENGTH,
        ),
        # The workbook's heading names the partnership's strategy.
        FieldSpec("supports_strategy", "Supports the strategy", Kind.YES_NO, width=14),
        FieldSpec("lead_partner", "Lead partner", Kind.SLUG, width=22),
        FieldSpec("status", "Status", Kind.CHOICE, ProjectStatus, width=12),
        _person("lead_name", "Project lead"),
        _email("lead_email", "Project lead's email"),
    ),
    identity=("slug",),
    model="projects.Project",
)


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


CONTRIBUTION = Entity(
    ContributionData,
    (
        FieldSpec("partner", "Partner", Kind.SLUG, width=24),
        FieldSpec("financial_year", "Financial year", Kind.FINANCIAL_YEAR, width=14),
        FieldSpec("tranche", "Tranche", Kind.CHOICE, Tranche, width=18),
        FieldSpec("amount", "Amount", Kind.AMOUNT, width=16, total=True),
        FieldSpec("status", "Status", Kind.CHOICE, ContributionStatus, width=12),
        FieldSpec("pledged_on", "Pledged on", Kind.DATE, width=12, sparse=True),
        FieldSpec("invoiced_on", "Invoiced on", Kind.DATE, width=12, sparse=True),
        FieldSpec("received_on", "Received on", Kind.DATE, width=12, sparse=True),
        FieldSpec("returned_on", "Returned on", Kind.DATE, width=12, sparse=True),
        FieldSpec("note", "Note", Kind.TEXT, width=30, sparse=True),
    ),
    identity=("partner", "financial_year", "tranche"),
    model="contributions.Contribution",
)


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
    # Whether the paper ends with the charts appendix; without it, the paper as the board knows
    # it. Files from before the choice leave it out, and get the paper without charts.
    include_charts: bool = False


REPORT_TEXT_FIELDS = tuple(ReportTextData.__dataclass_fields__)
REPORT_TEXT = Entity(
    ReportTextData,
    (
        FieldSpec("meeting", "Meeting", Kind.TEXT, max_length=NAME_MAX_LENGTH),
        FieldSpec("item_number", "Item number", Kind.TEXT, max_length=NAME_MAX_LENGTH),
        FieldSpec("title", "Title", Kind.TEXT, max_length=NAME_MAX_LENGTH),
        FieldSpec("report_by", "Report by", Kind.TEXT, max_length=NAME_MAX_LENGTH),
        FieldSpec("summary", "Summary", Kind.MARKDOWN),
        FieldSpec("background", "Background", Kind.MARKDOWN),
        FieldSpec("project_list", "Project list", Kind.MARKDOWN),
        FieldSpec("risks_and_benefits", "Risks and benefits", Kind.MARKDOWN),
        FieldSpec("alternative_options", "Alternative options", Kind.MARKDOWN),
        FieldSpec("recommendations", "Recommendations", Kind.MARKDOWN),
        FieldSpec("contact_officers", "Contact officers", Kind.MARKDOWN),
        FieldSpec("include_charts", "Charts appendix", Kind.YES_NO),
    ),
    model="reports.ReportText",
)
#: The report's words: every field of its text but the choices about its layout.
REPORT_WORDS = tuple(
    spec.key for spec in REPORT_TEXT.fields if spec.kind in (Kind.TEXT, Kind.MARKDOWN)
)
# The longest any of the report's one-line fields and texts may be.
REPORT_LINE_MAX_LENGTH = 200
REPORT_TEXT_MAX_LENGTH = 20_000


# After the meeting: meetings, the agreement, calls of invoices and their payments, refunds and
# credits, spend and forecasts (``partnership-programme/2``).


@dataclass(frozen=True)
class MeetingData:
    """A dated meeting of a body, for which papers are issued and at which decisions are made."""

    slug: str
    body: str
    date: date
    note: str = ""


MEETING = Entity(
    MeetingData,
    (
        FieldSpec("slug", "Slug", Kind.SLUG, width=28),
        FieldSpec("body", "Body", Kind.NAME, width=32),
        FieldSpec("date", "Date", Kind.DATE, width=12, required=True),
        FieldSpec("note", "Note", Kind.TEXT, width=40),
    ),
    identity=("slug",),
    model="projects.Meeting",
)


@dataclass(frozen=True)
class PartnerAgreementData:
    """One partner's part of an agreement: its immediate tranche, its cap, and its consent."""

    partner: str  # the partner's slug
    immediate: Decimal
    cap: Decimal
    # The council's own decision to pay its share, once recorded; the file holds the two in
    # one object, "consent", null until then.
    consent_date: date | None = None
    consent_reference: str = ""


PARTNER_AGREEMENT = Entity(
    PartnerAgreementData,
    (
        FieldSpec("partner", "Partner", Kind.SLUG, width=24),
        FieldSpec("immediate", "Agreed immediate tranche", Kind.AMOUNT, width=16, total=True),
        FieldSpec("cap", "Agreed cap", Kind.AMOUNT, width=16, total=True),
        FieldSpec("consent_date", "Consent date", Kind.DATE, width=12),
        FieldSpec(
            "consent_reference",
            "Consent reference",
            Kind.TEXT,
            width=30,
            max_length=NAME_MAX_LENGTH,
        ),
    ),
    identity=("partner",),
    model="contributions.PartnerAgreement",
)


@dataclass(frozen=True)
class AgreementData:
    """The contributions a meeting agreed, per partner."""

    meeting: str  # the meeting's slug
    per_partner: tuple[PartnerAgreementData, ...] = ()


AGREEMENT = Entity(
    AgreementData,
    (FieldSpec("meeting", "Meeting", Kind.SLUG, width=28),),
    identity=("meeting",),
    model="contributions.Agreement",
)


@dataclass(frozen=True)
class PaymentData:
    """Money received against an invoice."""

    date: date
    amount: Decimal
    reference: str = ""


PAYMENT = Entity(
    PaymentData,
    (
        FieldSpec("date", "Date", Kind.DATE, width=12, required=True),
        FieldSpec("amount", "Amount", Kind.AMOUNT, width=16, total=True),
        FieldSpec("reference", "Reference", Kind.TEXT, width=24, max_length=REFERENCE_MAX_LENGTH),
    ),
    model="contributions.Payment",
)


@dataclass(frozen=True)
class InvoiceData:
    """One partner's part of a call."""

    number: str
    partner: str
    amount: Decimal
    payments: tuple[PaymentData, ...] = ()


INVOICE = Entity(
    InvoiceData,
    (
        FieldSpec("number", "Number", Kind.NAME, width=14, max_length=REFERENCE_MAX_LENGTH),
        FieldSpec("partner", "Partner", Kind.SLUG, width=24),
        FieldSpec("amount", "Amount", Kind.AMOUNT, width=16, total=True),
    ),
    identity=("number",),
    model="contributions.Invoice",
)


@dataclass(frozen=True)
class CallData:
    """A request for one tranche from every contributing partner: an invoice each."""

    slug: str
    tranche: Tranche
    financial_year: str
    issued: date
    due: date
    invoices: tuple[InvoiceData, ...] = ()


CALL = Entity(
    CallData,
    (
        FieldSpec("slug", "Slug", Kind.SLUG, width=24),
        FieldSpec("tranche", "Tranche", Kind.CHOICE, Tranche, width=18, required=True),
        FieldSpec("financial_year", "Financial year", Kind.FINANCIAL_YEAR, width=14),
        FieldSpec("issued", "Issued", Kind.DATE, width=12, required=True),
        FieldSpec("due", "Due", Kind.DATE, width=12, required=True),
    ),
    identity=("slug",),
    model="contributions.Call",
)


@dataclass(frozen=True)
class RefundData:
    """Money given back to a partner (a refund) or set against its next invoice (a credit)."""

    partner: str
    date: date
    amount: Decimal
    kind: RefundKind = RefundKind.REFUND
    reason: str = ""


REFUND = Entity(
    RefundData,
    (
        FieldSpec("partner", "Partner", Kind.SLUG, width=24),
        FieldSpec("date", "Date", Kind.DATE, width=12, required=True),
        FieldSpec("amount", "Amount", Kind.AMOUNT, width=16, total=True),
        FieldSpec("kind", "Kind", Kind.CHOICE, RefundKind, width=10),
        FieldSpec("reason", "Reason", Kind.TEXT, width=40, max_length=NAME_MAX_LENGTH),
    ),
    model="contributions.Refund",
)


@dataclass(frozen=True)
class SpendData:
    """Money paid out of the pot for a committed phase; its financial year is its date's."""

    project: str  # the project's slug
    phase: int  # the phase's number
    date: date
    amount: Decimal
    supplier: str = ""
    reference: str = ""
    description: str = ""


# The phase a row of spend or a forecast is for, by its number in its project.
PHASE_OF_A_PROJECT = FieldSpec(
    "phase", "Phase", Kind.WHOLE, width=9, minimum=PHASE_NUMBER_MIN, maximum=PHASE_NUMBER_MAX
)
# A row of spend or a forecast belongs to a phase: the file names it by its project's slug and
# its number, the database by the phase alone.
SPEND = Entity(
    SpendData,
    (
        FieldSpec("project", "Project", Kind.SLUG, width=22, model="phase"),
        PHASE_OF_A_PROJECT,
        FieldSpec("date", "Date", Kind.DATE, width=12, required=True),
        FieldSpec("amount", "Amount", Kind.AMOUNT, width=16, total=True),
        FieldSpec("supplier", "Supplier", Kind.TEXT, width=30, max_length=NAME_MAX_LENGTH),
        FieldSpec("reference", "Reference", Kind.TEXT, width=24, max_length=REFERENCE_MAX_LENGTH),
        FieldSpec("description", "Description", Kind.TEXT, width=40, sparse=True),
    ),
    model="projects.Spend",
)


@dataclass(frozen=True)
class ForecastData:
    """The expected spend on a phase in a financial year, beyond what is spent."""

    project: str  # the project's slug
    phase: int  # the phase's number
    financial_year: str
    amount: Decimal


FORECAST = Entity(
    ForecastData,
    (
        FieldSpec("project", "Project", Kind.SLUG, width=22, model="phase"),
        PHASE_OF_A_PROJECT,
        FieldSpec("financial_year", "Financial year", Kind.FINANCIAL_YEAR, width=14),
        FieldSpec("amount", "Amount", Kind.AMOUNT, width=16, total=True),
    ),
    identity=("project", "phase", "financial_year"),
    model="projects.Forecast",
)


# Delivery: milestones, each project's status over time and the risk register
# (``partnership-programme/2``).


@dataclass(frozen=True)
class MilestoneData:
    """A dated point of a project, or of one of its phases: planned, expected and reached."""

    project: str  # the project's slug
    name: str
    baseline: date
    phase: int | None = None  # the phase's number; None for the project as a whole
    forecast: date | None = None
    actual: date | None = None


MILESTONE = Entity(
    MilestoneData,
    (
        FieldSpec("project", "Project", Kind.SLUG, width=22),
        FieldSpec(
            "phase",
            "Phase",
            Kind.WHOLE,
            width=9,
            minimum=PHASE_NUMBER_MIN,
            maximum=PHASE_NUMBER_MAX,
        ),
        FieldSpec("name", "Milestone", Kind.NAME, width=36),
        FieldSpec("baseline", "Baseline date", Kind.DATE, width=14, required=True),
        FieldSpec("forecast", "Forecast date", Kind.DATE, width=14),
        FieldSpec("actual", "Actual date", Kind.DATE, width=14),
    ),
    model="projects.Milestone",
)


@dataclass(frozen=True)
class StatusUpdateData:
    """A project's red, amber or green status as set on a day, with the reason."""

    project: str  # the project's slug
    date: date
    status: Rag
    reason: str


STATUS_UPDATE = Entity(
    StatusUpdateData,
    (
        FieldSpec("project", "Project", Kind.SLUG, width=22),
        FieldSpec("date", "Date set", Kind.DATE, width=12, required=True),
        FieldSpec("status", "Status", Kind.CHOICE, Rag, width=10),
        FieldSpec("reason", "Reason", Kind.NAME, width=50),
    ),
    model="projects.StatusUpdate",
)


@dataclass(frozen=True)
class RiskData:
    """A risk to the programme, or to one of its projects, scored 1 to 5 on two counts."""

    reference: str
    description: str
    likelihood: int
    impact: int
    project: str | None = None  # the project's slug; None for the programme as a whole
    owner: str = ""
    mitigation: str = ""
    status: RiskStatus = RiskStatus.OPEN
    next_review: date | None = None


def _score(key: str, label: str) -> FieldSpec:
    return FieldSpec(key, label, Kind.WHOLE, width=11, minimum=SCORE_MIN, maximum=SCORE_MAX)


RISK = Entity(
    RiskData,
    (
        FieldSpec(
            "reference", "Reference", Kind.NAME, width=11, max_length=RISK_REFERENCE_MAX_LENGTH
        ),
        FieldSpec("project", "Project", Kind.SLUG, width=22),
        FieldSpec("description", "Description", Kind.NAME, width=50),
        _score("likelihood", "Likelihood"),
        _score("impact", "Impact"),
        FieldSpec("owner", "Owner", Kind.TEXT, width=24, max_length=NAME_MAX_LENGTH),
        FieldSpec("mitigation", "Mitigation", Kind.TEXT, width=50),
        FieldSpec("status", "Status", Kind.CHOICE, RiskStatus, width=10),
        FieldSpec("next_review", "Next review", Kind.DATE, width=14),
    ),
    identity=("reference",),
    model="projects.Risk",
)


# Papers: every paper of the programme with the decisions made on it (``partnership-programme/2``).


@dataclass(frozen=True)
class DecisionData:
    """What a meeting resolved on one recommendation of a paper, in the words the board read."""

    number: int  # the recommendation's number in the paper, from 1
    recommendation: str
    resolution: Resolution
    note: str = ""


DECISION = Entity(
    DecisionData,
    (
        FieldSpec(
            "number",
            "Number",
            Kind.WHOLE,
            width=9,
            minimum=DECISION_NUMBER_MIN,
            maximum=DECISION_NUMBER_MAX,
        ),
        FieldSpec("recommendation", "Recommendation", Kind.MARKDOWN, model="text"),
        FieldSpec("resolution", "Decision", Kind.CHOICE, Resolution, required=True),
        FieldSpec("note", "Note", Kind.TEXT),
    ),
    identity=("number",),
    model="reports.BoardDecision",
)


@dataclass(frozen=True)
class PaperData:
    """One paper of the programme: its kind, the meeting it is for, its words and decisions."""

    slug: str
    kind: PaperTemplate
    text: ReportTextData
    for_meeting: str | None = None  # a meeting's slug
    decisions: tuple[DecisionData, ...] = ()


# A paper's words are an object of their own in the file, "text", with the report's keys.
PAPER = Entity(
    PaperData,
    (
        FieldSpec("slug", "Slug", Kind.SLUG, width=28),
        FieldSpec("kind", "Kind of paper", Kind.CHOICE, PaperTemplate, model="template"),
        FieldSpec("for_meeting", "For the meeting", Kind.SLUG, width=28),
    ),
    identity=("slug",),
    model="reports.ReportText",
)


# Every entity a programme file holds.
ENTITIES = (
    PARTNERSHIP,
    PROGRAMME,
    PARTNER,
    PROJECT,
    PHASE,
    FUNDING,
    OUTCOME_CLAIM,
    CONTRIBUTION,
    REPORT_TEXT,
    MEETING,
    AGREEMENT,
    PARTNER_AGREEMENT,
    CALL,
    INVOICE,
    PAYMENT,
    REFUND,
    SPEND,
    FORECAST,
    MILESTONE,
    STATUS_UPDATE,
    RISK,
    PAPER,
    DECISION,
)


@dataclass(frozen=True)
class ProgrammeDocument:
    partnership: PartnershipData
    programme: ProgrammeData
    partners: tuple[PartnerData, ...] = ()
    projects: tuple[ProjectData, ...] = ()
    contributions: tuple[ContributionData, ...] = field(default=())
    # Optional in the file: None when it has no report text (a load then keeps the one stored).
    # When the file gives ``papers``, the newest paper's words: the paper being prepared.
    report: ReportTextData | None = None
    # After the meeting (format 2; a format 1 file has none).
    meetings: tuple[MeetingData, ...] = ()
    agreements: tuple[AgreementData, ...] = ()
    calls: tuple[CallData, ...] = ()
    refunds: tuple[RefundData, ...] = ()
    spend: tuple[SpendData, ...] = ()
    forecasts: tuple[ForecastData, ...] = ()
    milestones: tuple[MilestoneData, ...] = ()
    status_updates: tuple[StatusUpdateData, ...] = ()
    risks: tuple[RiskData, ...] = ()
    # Every paper, oldest first, when the file gives them (format 2): a load then makes the
    # programme's papers these. Empty when the file gives at most the paper being prepared's
    # words, as ``report``: the export writes only those when they say all there is of the
    # papers, so that the files of programmes with one plain paper stay as they were.
    papers: tuple[PaperData, ...] = ()
