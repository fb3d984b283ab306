"""The board report built from a programme's data and its text: pure, no ORM.

Everything the report says with a figure comes from here or from a placeholder, so the HTML
page, the PDF and the issued archive all read the same numbers as the dashboard. The project
table follows the seed's columns and words: "One required, one good", "Supports Norfolk
Ambition", "£7,000 plus £100,000 phase 2 (individual connection costs)", TBC where a cost is not
known, and a total row. It adds what the paper left to colour or to the reader: the decision on
each gated phase in words ("Phase 2: decision pending"), and a note by each total that the paper
as drafted stated differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString

from projects.money.bounds import project_existing_resource, project_extra_bounds
from projects.money.contacts import ContactOfficer, contact_officer_of
from projects.money.document import PhaseData, ProgrammeDocument, ProjectData, ReportTextData
from projects.money.figures import Mismatch, ProgrammeFigures, figures_and_missing_basis
from projects.money.formatting import money
from projects.money.paper_tables import (
    BusinessCase,
    ContributionReview,
    ProgressMoney,
    business_cases,
    contribution_review,
    progress_money,
)
from projects.money.placeholders import contribution_recommendation, fill, placeholder_values
from projects.money.progress_tables import (
    DeliveryTables,
    RiskTables,
    SpendAgainstBudget,
    delivery_on,
    open_risks,
    spend_against_budget,
)
from projects.money.vocabulary import Apportionment, Decision, FundingStatus, Grade, PaperTemplate
from projects.money.wording import capitalise, number_word

from ..charts import GroupedBarChart, StackedBarChart, outcome_chart, partner_share_chart
from ..charts import project_cost_chart as cost_chart
from ..heat_map import HeatMap, build_heat_map
from ..timeline_chart import TimelineChart, TimelineMilestone, TimelineProject, timeline_chart
from .markdown import Budget, NumberedParagraph, render, render_numbered

#: The report's numbered sections in the seed's order, with the seed's headings.
SECTIONS = (
    ("background", "Background/Introduction"),
    ("project_list", "Project list"),
    ("risks_and_benefits", "Risks and Benefits"),
    ("alternative_options", "Alternative Options"),
    ("recommendations", "Recommendations"),
    ("contact_officers", "Contact Officers"),
)
TBC = "TBC"


@dataclass(frozen=True)
class ReportSection:
    number: int
    key: str
    heading: str
    paragraphs: tuple[NumberedParagraph, ...]


@dataclass(frozen=True)
class ProjectRow:
    """One line of the project table, worded as the seed words it."""

    slug: str
    name: str
    external_project: str
    description: str
    outputs: str
    outcomes: str  # "One required, one good"; "" when it claims none
    supports: str  # "Supports Norfolk Ambition"; "" when it does not
    existing: Decimal | None  # None: no secured existing resource (left blank, as the seed)
    extra: str  # "£7,000 plus £100,000 phase 2 (individual connection costs)"
    decisions: str  # "Phase 2: decision pending"; "" when no phase is gated
    extra_min: Decimal
    extra_max: Decimal
    tbc_phases: int


@dataclass(frozen=True)
class TotalNote:
    """A note to a total of the project table that the paper as drafted stated differently."""

    field: str  # "existing_total" or "extra_total", as the mismatch names it
    mark: str  # the reference mark by the total and before the note, such as "*"
    text: str

    @property
    def anchor(self) -> str:
        """Return the note's id in the page; the mark by the total has ``anchor-ref``."""
        return f"report-note-{self.field.replace('_', '-')}"


@dataclass(frozen=True)
class PartnerContribution:
    """A partner's recommended tranche and cap, listed when the partners' shares differ."""

    name: str
    immediate: Decimal
    cap: Decimal


@dataclass(frozen=True)
class BoardReport:
    """Everything the board report shows, with every figure worked out."""

    programme_slug: str
    programme_name: str
    partnership_name: str
    meeting: str
    item_number: str
    title: str
    report_by: str
    summary: SafeString
    sections: tuple[ReportSection, ...]
    projects: tuple[ProjectRow, ...]
    existing_total: Decimal
    extra_total: Decimal  # the maximum, as the seed's total
    extra_min: Decimal
    tbc_phases: int
    table_note: str
    recommendation: str  # the recommended contribution, as {contribution_recommendation}
    partner_contributions: tuple[PartnerContribution, ...]  # empty when all are the same
    figures: ProgrammeFigures
    figures_problem: str  # why the partners' shares cannot be worked out, or ""
    mismatches: tuple[str, ...]  # stated figures that differ from the computed ones, in words
    total_notes: tuple[TotalNote, ...]  # the same differences, as notes to the table's totals
    include_charts: bool  # the facilitator's choice: the charts appendix follows the table
    cost_chart: StackedBarChart | None
    partner_chart: GroupedBarChart | None
    outcome_chart: StackedBarChart | None
    date: date
    issued: bool  # True when produced for issue to a meeting on ``date``
    text: ReportTextData  # the words as written, placeholders and all
    placeholder_values: dict[str, str]  # what each placeholder stands for in this report
    partner_names: tuple[tuple[str, str], ...]  # (slug, name) of every partner, in order
    # The paper's kind, and the tables of its kind after the numbered sections: the autumn
    # review's business cases and councils' contributions, a progress report's money. None
    # for a kind without them (the medium term workload paper).
    template: str = PaperTemplate.WORKLOAD
    business_cases: tuple[BusinessCase, ...] | None = None
    contribution_review: ContributionReview | None = None
    progress_money: ProgressMoney | None = None
    # A progress report's finance, delivery and risks (projects.money.progress_tables).
    progress_spend: SpendAgainstBudget | None = None
    progress_delivery: DeliveryTables | None = None
    progress_risks: RiskTables | None = None
    progress_timeline: TimelineChart | None = None
    progress_heat_map: HeatMap | None = None
    # The partnership's contact officer: the paper's last line, in its "Contact Officers"
    # section (the seed's section 6), added when the words have no such section. None when
    # the partnership names none.
    contact: ContactOfficer | None = None

    @property
    def charts(self) -> tuple[StackedBarChart | GroupedBarChart, ...]:
        """Return the dashboard's charts the report includes: those the data allows, if any."""
        if not self.include_charts:
            return ()
        charts = (self.cost_chart, self.partner_chart, self.outcome_chart)
        return tuple(chart for chart in charts if chart is not None)

    @property
    def existing_note(self) -> TotalNote | None:
        """Return the note to the existing resource total, if the paper stated it otherwise."""
        return next((n for n in self.total_notes if n.field == "existing_total"), None)

    @property
    def extra_note(self) -> TotalNote | None:
        """Return the note to the extra cost total, if the paper stated it otherwise."""
        return next((n for n in self.total_notes if n.field == "extra_total"), None)

    @property
    def date_text(self) -> str:
        """Return the date as the report's heading and footer show it."""
        day = f"{self.date.day} {self.date:%B %Y}"
        return day if self.issued else f"Draft of {day}"


def default_report_text(programme_name: str) -> ReportTextData:
    """Return the words of a programme's report before its facilitator has written any."""
    return ReportTextData(
        title=programme_name,
        summary="This report recommends the programme's projects and the contributions the "
        "partners will need to make to achieve them.",
        project_list="Attached is a summary of the {projects} projects suggested to be carried "
        "out between now and the end of {programme_ends}, with what each would achieve and "
        "its estimated cost: what is already funded from existing resources and what extra "
        "funding is needed.",
        recommendations="The partners are recommended to agree:\n\n"
        "- The list of projects to be carried out as suggested\n"
        "- {contribution_recommendation}",
    )


def default_paper_text(programme_name: str, template: str) -> ReportTextData:
    """Return a new paper's first words, by its kind: the facilitator writes the rest.

    The medium term workload paper recommends the programme and the contributions; the autumn
    review reports the business cases and what the partners are asked for now; a progress
    report says how the money and the work have gone since the last meeting.
    """
    if template == "autumn_review":
        return ReportTextData(
            title=f"{programme_name}: autumn review",
            summary="This report reviews the business cases for the phases that waited on "
            "them, and recommends which proceed and what the partners are asked for now.",
            # The agreed figures are the agreement's, set out with each council's contribution
            # below: the placeholders give the recommendation worked out now, not what was agreed.
            background="The partners agreed their contributions with part made available "
            "immediately and the rest subject to this review. What each council agreed, has been "
            "invoiced and has paid, and the cap it needs now, follow the recommendations.",
            project_list="Attached is the summary of the {projects} projects as they now stand, "
            "with the decision on each phase that waited on a business case.",
            recommendations="The partners are recommended to agree:\n\n"
            "- The decisions on the business cases as set out\n"
            "- {contribution_recommendation}",
        )
    if template == "progress":
        return ReportTextData(
            title=f"{programme_name}: progress report",
            summary="This report sets out the programme's progress since the last meeting: the "
            "money asked for, received and spent, and the work done.",
            background="The partners have pledged {pledged} and {received} has been received.",
            project_list="Attached is the summary of the {projects} projects as they now stand.",
            recommendations="The partners are recommended to note the report.",
        )
    return default_report_text(programme_name)


def report_figures(
    document: ProgrammeDocument, as_of: date | None = None
) -> tuple[ProgrammeFigures, str]:
    """Return the figures, and why the partners' shares cannot be worked out, if they cannot.

    As on the dashboard, a programme shared by population or weights where a partner lacks one
    still reports all the money that does not depend on the shares.
    """
    figures, problem = figures_and_missing_basis(document, as_of)
    if not problem:
        return figures, ""
    method = Apportionment(document.programme.apportionment).label.lower()
    return figures, (
        f"The programme shares its costs by {method}, but {problem}, so the partners' shares "
        "cannot be worked out."
    )


def outcomes_phrase(grades: Iterable[str]) -> str:
    """Return a project's outcome claims as the seed words them: "Three required, one good"."""
    grades = list(grades)
    counted = [(grade, grades.count(grade)) for grade in Grade]
    words = [f"{number_word(count)} {grade.label.lower()}" for grade, count in counted if count]
    return capitalise(", ".join(words))


def supports_phrase(supports: bool, strategy: str) -> str:
    """Return "Supports Norfolk Ambition" for a project that supports the strategy, else ""."""
    if not supports:
        return ""
    return f"Supports {strategy}" if strategy else "Supports the partnership's strategy"


def extra_cost_phrase(phases: Iterable[PhaseData]) -> str:
    """Return a project's extra cost as the seed writes it, phase by phase.

    "£7,000 plus £100,000 phase 2 (individual connection costs)"; a cost not yet known is TBC;
    a phase that does not proceed is named as such and costs nothing.
    """
    ordered = sorted(phases, key=lambda phase: phase.number)
    going = [phase for phase in ordered if phase.decision != Decision.NOT_PROCEEDING]
    stopped = [phase for phase in ordered if phase.decision == Decision.NOT_PROCEEDING]
    words = []
    for index, phase in enumerate(going):
        note = f" ({phase.note})" if phase.note else ""
        amount = TBC if phase.extra_cost is None else money(phase.extra_cost)
        if index == 0:
            label = "" if phase.number == 1 else f" phase {phase.number}"
            words.append(f"{amount}{label}{note}")
        elif phase.extra_cost is None:
            words.append(f"plus phase {phase.number}{note}, cost {TBC}")
        else:
            words.append(f"plus {amount} phase {phase.number}{note}")
    text = " ".join(words)
    if stopped:
        numbers = [str(phase.number) for phase in stopped]
        plural = "s" if len(numbers) > 1 else ""
        ending = f"phase{plural} {' and '.join(numbers)} not proceeding"
        text = f"{text}; {ending}" if text else capitalise(ending)
    return text


def decisions_phrase(phases: Iterable[PhaseData]) -> str:
    """Return the decision on each gated phase still in play: "Phase 2: decision pending".

    In the decisions' own words (``Decision``), so that approved and pending phases are told
    apart in words, not by colour or by reading the minimum and maximum. A phase that does not
    proceed is already named so in the extra cost's words, and one that is not gated needs no
    decision: its cost is committed.
    """
    gated = sorted(
        (p for p in phases if p.gated and p.decision != Decision.NOT_PROCEEDING),
        key=lambda phase: phase.number,
    )
    words = [f"phase {phase.number}: {Decision(phase.decision).label.lower()}" for phase in gated]
    return capitalise("; ".join(words))


def project_row(project: ProjectData, *, strategy: str) -> ProjectRow:
    """Return one line of the project table."""
    bounds = project_extra_bounds(project.phases)
    secured = any(line.status == FundingStatus.SECURED for line in project.funding)
    return ProjectRow(
        slug=project.slug,
        name=project.name,
        external_project=project.external_project,
        description=project.description,
        outputs=project.outputs,
        outcomes=outcomes_phrase(claim.grade for claim in project.outcome_claims),
        supports=supports_phrase(project.supports_strategy, strategy),
        existing=project_existing_resource(project.funding) if secured else None,
        extra=extra_cost_phrase(project.phases),
        decisions=decisions_phrase(project.phases),
        extra_min=bounds.minimum,
        extra_max=bounds.maximum,
        tbc_phases=bounds.tbc_phases,
    )


def table_note(figures: ProgrammeFigures) -> str:
    """Say what the table's extra cost total is, and what it leaves out."""
    sentences = []
    if figures.extra_min != figures.extra_max:
        sentences.append(
            f"The extra cost total of {money(figures.extra_max)} is the maximum, needed if "
            "every business case awaiting a decision is approved; the minimum, for the phases "
            f"needing no business case and those approved, is {money(figures.extra_min)}."
        )
    if figures.tbc_phases:
        count = figures.tbc_phases
        sentences.append(
            f"{capitalise(number_word(count))} phase{'s' if count != 1 else ''} "
            f"{'have' if count != 1 else 'has'} a cost still to be confirmed (TBC), left out "
            "of the totals."
        )
    return " ".join(sentences)


MISMATCH_LABELS = {
    "existing_total": "existing resource total",
    "extra_total": "extra cost total",
}


def mismatch_notes(figures: ProgrammeFigures) -> tuple[str, ...]:
    """Say, for the facilitator, each stated total that the lines do not add up to."""
    return tuple(
        f"The paper's {MISMATCH_LABELS[m.field]} was {money(m.stated)}, but the lines add up "
        f"to {money(m.computed)}: the report shows {money(m.computed)}."
        for m in figures.mismatches
    )


#: The reference marks of the notes to the table's totals, by the mismatch's field.
NOTE_MARKS = {"existing_total": "*", "extra_total": "\u2020"}  # an asterisk, a dagger


def stated_total_note(mismatch: Mismatch) -> TotalNote:
    """Return the note, for every reader, that the paper as drafted gave a total otherwise.

    In the words of the facilitator's warning: the note sits by the total it concerns, which
    for the extra cost is the maximum the table shows.
    """
    return TotalNote(
        field=mismatch.field,
        mark=NOTE_MARKS[mismatch.field],
        text=f"The paper as drafted gave {money(mismatch.stated)} for the "
        f"{MISMATCH_LABELS[mismatch.field]}; its lines "
        f"add up to {money(mismatch.computed)}.",
    )


def partner_contributions(
    document: ProgrammeDocument, figures: ProgrammeFigures
) -> tuple[PartnerContribution, ...]:
    """Return each partner's tranche and cap when they differ between partners, else nothing."""
    positions = figures.per_partner
    if len({(p.immediate, p.cap) for p in positions}) <= 1:
        return ()
    names = {partner.slug: partner.name for partner in document.partners}
    order = {partner.slug: index for index, partner in enumerate(document.partners)}
    return tuple(
        PartnerContribution(name=names[p.partner], immediate=p.immediate, cap=p.cap)
        for p in sorted(positions, key=lambda p: order[p.partner])
    )


def board_report_from_document(
    document: ProgrammeDocument,
    *,
    on: date,
    issued: bool = False,
    template: str = PaperTemplate.WORKLOAD,
) -> BoardReport:
    """Return the board report of the programme the document describes, dated ``on``.

    ``template`` is the paper's kind. The papers after the meeting (the autumn review, a
    progress report) read the money on their date, and add their own tables; the medium term
    workload paper is as it always was.
    """
    text = document.report or default_report_text(document.programme.name)
    workload = template == PaperTemplate.WORKLOAD
    progress = template == PaperTemplate.PROGRESS
    risks = open_risks(document, on) if progress else None
    figures, problem = report_figures(document, None if workload else on)
    values = placeholder_values(document, figures)
    strategy = document.partnership.strategy
    budget = Budget()  # one for all the report's text, so that a page never waits on it long
    sections = []
    for key, heading in SECTIONS:
        source = getattr(text, key)
        if not source.strip():
            continue  # an empty section is left out and the rest numbered on
        number = len(sections) + 1
        sections.append(
            ReportSection(
                number=number,
                key=key,
                heading=heading,
                paragraphs=tuple(render_numbered(source, values, section=number, budget=budget)),
            )
        )
    contact = contact_officer_of(document.partnership)
    if contact is not None and any(
        section.key == "contact_officers"
        and any(escape(contact.name) in paragraph.html for paragraph in section.paragraphs)
        for section in sections
    ):
        # The paper's own words already name the contact officer (the seed's "Further
        # information can be obtained from Tim Anderson ..."): the line would say it twice.
        contact = None
    if contact is not None and not any(s.key == "contact_officers" for s in sections):
        heading = dict(SECTIONS)["contact_officers"]
        sections.append(ReportSection(len(sections) + 1, "contact_officers", heading, ()))
    names = {partner.slug: partner.name for partner in document.partners}
    return BoardReport(
        programme_slug=document.programme.slug,
        programme_name=document.programme.name,
        partnership_name=document.partnership.name,
        meeting=fill(text.meeting, values),
        item_number=fill(text.item_number, values),
        title=fill(text.title, values) or document.programme.name,
        report_by=fill(text.report_by, values),
        summary=render(text.summary, values, budget=budget),
        sections=tuple(sections),
        projects=tuple(project_row(project, strategy=strategy) for project in document.projects),
        existing_total=figures.existing_total,
        extra_total=figures.extra_max,
        extra_min=figures.extra_min,
        tbc_phases=figures.tbc_phases,
        table_note=table_note(figures),
        recommendation=contribution_recommendation(document, figures),
        partner_contributions=partner_contributions(document, figures),
        figures=figures,
        figures_problem=problem,
        mismatches=mismatch_notes(figures),
        total_notes=tuple(stated_total_note(m) for m in figures.mismatches),
        include_charts=text.include_charts,
        # Drawn only for a paper that includes them.
        cost_chart=cost_chart(document) if text.include_charts else None,
        partner_chart=partner_share_chart(
            figures, names=names, order=[partner.slug for partner in document.partners]
        )
        if text.include_charts
        else None,
        outcome_chart=outcome_chart(document, strategy=strategy) if text.include_charts else None,
        date=on,
        issued=issued,
        text=text,
        placeholder_values=values,
        partner_names=tuple(names.items()),
        template=template,
        business_cases=business_cases(document)
        if template == PaperTemplate.AUTUMN_REVIEW
        else None,
        contribution_review=contribution_review(document, figures, problem=problem)
        if template == PaperTemplate.AUTUMN_REVIEW
        else None,
        progress_money=progress_money(document, figures, problem=problem)
        if template == PaperTemplate.PROGRESS
        else None,
        progress_spend=spend_against_budget(document) if progress else None,
        progress_delivery=delivery_on(document, on) if progress else None,
        progress_risks=risks,
        progress_timeline=_timeline(document, on) if progress else None,
        # The open risks' heat map, beside its table of counts; none without open risks.
        progress_heat_map=build_heat_map(risks.grid, chart_id="report-heat-map")
        if risks is not None and risks.rows
        else None,
        contact=contact,
    )


def _timeline(document: ProgrammeDocument, on: date) -> TimelineChart | None:
    """Return the timeline of the projects' milestones on the paper's date; None without any."""
    statuses = {row.slug: row.status for row in delivery_on(document, on).statuses}
    milestones: dict[str, list[TimelineMilestone]] = {}
    for item in document.milestones:
        milestones.setdefault(item.project, []).append(
            TimelineMilestone(item.name, item.baseline, item.forecast, item.actual)
        )
    return timeline_chart(
        [
            TimelineProject(
                project.name, statuses.get(project.slug), tuple(milestones[project.slug])
            )
            for project in document.projects
            if project.slug in milestones
        ],
        as_of=on,
        id="report-timeline",
    )
