"""Matching a programme file's rows with a programme's stored ones: what an import would write.

``programme_import_plan`` works out, and checks, the rows that updating a programme in place to
a document adds, changes and removes, writing nothing. A row is matched by its key (a project
by its slug, a phase by its number, a contribution by its partner, year and tranche; funding
lines and outcome claims as the import's preview pairs them), so that a row the document keeps
is changed where it is and its history goes on. ``loading.programme_import_write`` writes it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

from norfolk_connect.model_messages import full_clean_for_people
from projects.models import BoardDecision, Contribution, Invoice, Partner, ReportText

from ..models import FundingLine, Membership, OutcomeClaim, Partnership, Phase, Programme, Project
from ..money.document import (
    CONTRIBUTION,
    DECISION,
    FUNDING,
    OUTCOME_CLAIM,
    PARTNER,
    PARTNERSHIP,
    PHASE,
    PROGRAMME,
    PROJECT,
    REPORT_TEXT_FIELDS,
    FundingData,
    PaperData,
    ProgrammeData,
    ProgrammeDocument,
    ProjectData,
)
from ..money.schema import Entity
from ..programme_file.problems import Problem
from ..selectors.after_the_meeting import AfterTheMeeting, after_the_meeting
from ..selectors.programmes import report_paper_slug
from .after_the_meeting import paper_meetings
from .recorded_writes import concrete_field


class ProgrammeLoadError(Exception):
    """The programme cannot be loaded; nothing was written. Each problem names its place."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def check_row(
    instance: models.Model,
    place: str,
    exclude: list[str] | None = None,
    keys: dict[str, str] | None = None,
) -> None:
    """Validate one instance's fields, naming the place in the document on failure.

    ``keys`` names the document's key of a field that the model calls otherwise.
    """
    try:
        # Uniqueness and constraints are enforced by the database inside the transaction;
        # checking them here too would cost a query per row.
        full_clean_for_people(
            instance, exclude=exclude, validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        named = keys or {}
        raise ProgrammeLoadError(
            [
                Problem(place if key == "__all__" else f"{place}.{named.get(key, key)}", message)
                for key, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error


def _partners_in_use(leaving: list[Partner], programme: Programme) -> list[Problem]:
    """Say which of the partners left out of the document are still used elsewhere."""
    problems: list[Problem] = []
    others = ~Q(programme=programme)
    for partner in leaving:
        users = Membership.objects.filter(partner=partner).count()
        used_by = sorted(
            set(partner.contributions.filter(others).values_list("programme__slug", flat=True))
            | set(partner.led_projects.filter(others).values_list("programme__slug", flat=True))
            | set(
                partner.agreements.exclude(agreement__meeting__programme=programme).values_list(
                    "agreement__meeting__programme__slug", flat=True
                )
            )
            | set(
                partner.invoices.exclude(call__programme=programme).values_list(
                    "call__programme__slug", flat=True
                )
            )
            | set(partner.refunds.filter(others).values_list("programme__slug", flat=True))
        )
        if used_by:
            problems.append(
                Problem(
                    "partners",
                    f"'{partner.slug}' is left out, but programme "
                    f"'{', '.join(used_by)}' of the partnership still uses it; include it",
                )
            )
        if users:
            problems.append(
                Problem(
                    "partners",
                    f"'{partner.slug}' is left out, but {users} user(s) belong to it; "
                    "include it or move them first",
                )
            )
    return problems


@dataclass
class _Rows:
    """The rows of one model that an update adds, changes and removes."""

    model: type[models.Model]
    fields: tuple[str, ...]  # the fields an update may change
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    def plan(
        self,
        row: models.Model | None,
        values: dict[str, Any],
        *,
        new: dict[str, Any],
        place: str,
        exclude: list[str],
    ) -> models.Model:
        """Plan one row the document holds: a new one (with ``new``'s keys) if there is none,
        else the stored one changed where it differs. What is written is checked; returns it."""
        if row is None:
            row = self.model(**new, **values)
            self.added.append(row)
        elif _assign(row, values):
            self.changed.append(row)
        else:
            return row
        check_row(row, place, exclude=exclude)
        return row


def _changeable(entity: Entity) -> tuple[str, ...]:
    """Name the model attributes an update may change: all but those that identify the row."""
    return tuple(spec.attribute for spec in entity.shown)


PROJECT_FIELDS = (*_changeable(PROJECT), "position", "version")
PHASE_FIELDS = _changeable(PHASE)
FUNDING_FIELDS = (*_changeable(FUNDING), "position")
CLAIM_FIELDS = (*_changeable(OUTCOME_CLAIM), "position")
CONTRIBUTION_FIELDS = _changeable(CONTRIBUTION)


@dataclass
class ImportPlan:
    """What updating a programme in place to a document would write, worked out and checked.

    Made by ``programme_import_plan`` without writing anything; ``programme_import_write``
    writes it. Rows are matched by their key (a project by its slug, a phase by its number, a
    contribution by its partner, year and tranche; funding lines and outcome claims as the
    import's preview pairs them), so that a row the document keeps is changed where it is and
    its history goes on. Only the rows added or changed are written, and only those need
    validating: a row the document leaves as it is was valid when it was stored.
    """

    partnership: Partnership
    programme: Programme
    settings_changed: bool
    partners: dict[str, Partner]
    partners_saved: list[Partner]
    partners_leaving: list[Partner]
    projects: _Rows
    phases: _Rows
    funding_lines: _Rows
    claims: _Rows
    contributions: _Rows
    report_text: Any = None  # a ReportText to save, when the document has the report's text
    # The records after the meeting to write in place of the programme's, None to keep them.
    after_the_meeting: AfterTheMeeting | None = None
    # The papers to write in place of the programme's, when the document gives every paper.
    papers: PapersPlan | None = None
    # The slug of the meeting each stored paper is for, by the paper's id, read before any
    # meeting is replaced: the papers the document leaves as they are keep their meetings.
    paper_links: dict[int, str] | None = None
    # Whether the meetings were removed before the plan (a load replacing the programme whole).
    meetings_removed: bool = False

    @property
    def row_sets(self) -> tuple[_Rows, ...]:
        return (self.projects, self.phases, self.funding_lines, self.claims, self.contributions)


def _same(old: Any, new: Any) -> bool:
    # A spreadsheet gives back line breaks as "\n" whatever the text had: not a change.
    if isinstance(old, str) and isinstance(new, str):
        return old == new or old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    return old == new


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ from the instance's; say whether any did."""
    changed = False
    for name, value in values.items():
        field = concrete_field(instance._meta, name)
        if field.is_relation:  # compared by the row it points to; one not saved yet is new
            target = None if value is None else value.pk
            if target == getattr(instance, field.attname) and (value is None or target is not None):
                continue
        elif _same(getattr(instance, name), value):
            continue
        setattr(instance, name, value)
        changed = True
    return changed


def _unique(keys: list[tuple[str, Any]]) -> None:
    """Refuse a document that gives the same key twice (the database would refuse it too)."""
    seen: dict[Any, str] = {}
    for place, key in keys:
        if key in seen:
            raise ProgrammeLoadError([Problem(place, f"duplicate {key!r} (also {seen[key]})")])
        seen[key] = place


def programme_import_plan(
    *,
    programme: Programme,
    document: ProgrammeDocument,
    project_version: int | None = None,
    paper_links: dict[int, str] | None = None,
) -> ImportPlan:
    """Work out and check what updating the programme in place to the document would write.

    Nothing is written. Raises ProgrammeLoadError naming the first problem: a value a model
    refuses, a key given twice, a reference to no partner, or a partner left out that another
    programme or a user still refers to, or an issued paper left out. Together with the
    programme file's own checks, these are every refusal the database could make, so a plan
    that passes can be written. ``project_version`` is the version given to every project the
    update adds or changes. ``paper_links`` are the meetings' slugs of the stored papers when
    their meetings were removed before the plan (a load replacing a programme whole).
    """
    partnership = programme.partnership
    settings_changed = _assign(
        partnership, PARTNERSHIP.stored(document.partnership, leave_out=PARTNERSHIP.identity)
    )
    check_row(partnership, "partnership", exclude=["slug"])
    data = document.programme
    settings_changed |= _assign(programme, PROGRAMME.stored(data, leave_out=PROGRAMME.identity))
    check_row(programme, "programme", exclude=["partnership"])
    if data.starts and data.ends and data.starts > data.ends:  # a constraint, not a validator
        raise ProgrammeLoadError([Problem("programme", "The programme must start before it ends.")])

    _unique([(f"partners[{i}].slug", item.slug) for i, item in enumerate(document.partners)])
    existing = {partner.slug: partner for partner in partnership.partners.all()}
    wanted = {item.slug for item in document.partners}
    leaving = [partner for slug, partner in existing.items() if slug not in wanted]
    if leaving:
        problems = _partners_in_use(leaving, programme)
        if problems:
            raise ProgrammeLoadError(problems)
    partners: dict[str, Partner] = {}
    partners_saved = []
    for index, item in enumerate(document.partners):
        partner = existing.get(item.slug) or Partner(partnership=partnership, slug=item.slug)
        values = {**PARTNER.stored(item, leave_out=PARTNER.identity), "position": index}
        if _assign(partner, values) or partner.pk is None:
            check_row(partner, f"partners[{index}]", exclude=["partnership"])
            partners_saved.append(partner)
        partners[item.slug] = partner
    by_pk = {partner.pk: slug for slug, partner in existing.items()}

    plan = ImportPlan(
        partnership=partnership,
        programme=programme,
        settings_changed=settings_changed,
        partners=partners,
        partners_saved=partners_saved,
        partners_leaving=leaving,
        projects=_Rows(Project, PROJECT_FIELDS),
        phases=_Rows(Phase, PHASE_FIELDS),
        funding_lines=_Rows(FundingLine, FUNDING_FIELDS),
        claims=_Rows(OutcomeClaim, CLAIM_FIELDS),
        contributions=_Rows(Contribution, CONTRIBUTION_FIELDS),
    )
    _plan_projects(plan, document, project_version)
    _plan_contributions(plan, document, by_pk)
    plan.after_the_meeting = _plan_after_the_meeting(
        programme=programme, document=document, slug_of=by_pk
    )
    if paper_links is not None:
        plan.paper_links, plan.meetings_removed = paper_links, True
    elif programme.pk is not None and document.papers:
        # Otherwise read by the write, and only if it writes the meetings again.
        plan.paper_links = paper_meetings(programme=programme)
    if document.papers:
        plan.papers = _papers_plan(
            programme=programme, document=document, links=plan.paper_links or {}
        )
    elif document.report is not None:
        plan.report_text = _report_text_plan(document=document, programme=programme)
    return plan


def _plan_after_the_meeting(
    *, programme: Programme, document: ProgrammeDocument, slug_of: dict[int, str]
) -> AfterTheMeeting | None:
    """Return the records to write, or None when the programme already holds exactly these.

    Raises ProgrammeLoadError when an invoice number is already another programme's of the
    partnership: numbers are unique in the partnership.
    """
    wanted = AfterTheMeeting.of(document)
    if programme.pk is not None and wanted == after_the_meeting(
        programme=programme, slug_of=slug_of
    ):
        return None
    numbers = {
        invoice.number: f"calls[{index}].invoices[{number}].number"
        for index, call in enumerate(wanted.calls)
        for number, invoice in enumerate(call.invoices)
    }
    if numbers:
        taken = Invoice.objects.filter(
            partnership_id=programme.partnership_id, number__in=list(numbers)
        )
        if programme.pk is not None:
            taken = taken.exclude(call__programme=programme)
        clashes = sorted(taken.values_list("number", "call__programme__slug"))
        if clashes:
            raise ProgrammeLoadError(
                [
                    Problem(
                        numbers[number],
                        f"invoice number {number!r} is already the programme '{slug}''s: "
                        "numbers are unique in the partnership",
                    )
                    for number, slug in clashes
                ]
            )
    return wanted


def _partner_of(plan: ImportPlan, slug: str | None, place: str) -> Partner | None:
    if slug is None:
        return None
    partner = plan.partners.get(slug)
    if partner is None:
        raise ProgrammeLoadError([Problem(place, f"unknown partner {slug!r}")])
    return partner


def _plan_projects(plan: ImportPlan, document: ProgrammeDocument, version: int | None) -> None:
    """Match the document's projects and their rows with the programme's; note what differs."""
    programme = plan.programme
    _unique([(f"projects[{i}].slug", item.slug) for i, item in enumerate(document.projects)])
    existing = {project.slug: project for project in Project.objects.filter(programme=programme)}
    rows: dict[int, dict[str, list]] = {project.pk: {} for project in existing.values()}
    for key, model in (
        ("phases", Phase),
        ("funding", FundingLine),
        ("outcome_claims", OutcomeClaim),
    ):
        ordering = ("project_id", "number") if model is Phase else ("project_id", "position", "pk")
        for row in model.objects.filter(project__programme=programme).order_by(*ordering):
            rows[row.project_id].setdefault(key, []).append(row)

    for index, item in enumerate(document.projects):
        place = f"projects[{index}]"
        project = existing.pop(item.slug, None)
        values = {
            **PROJECT.stored(item, leave_out=PROJECT.identity),
            "lead_partner": _partner_of(plan, item.lead_partner, f"{place}.lead_partner"),
            "position": index,
        }
        if project is None:
            project = Project(programme=programme, slug=item.slug, **values)
            if version is not None:
                project.version = version
            check_row(project, place, exclude=["programme", "lead_partner"])
            plan.projects.added.append(project)
            old_rows: dict[str, list] = {}
        else:
            if _assign(project, values):
                if version is not None:
                    project.version = version
                check_row(project, place, exclude=["programme", "lead_partner"])
                plan.projects.changed.append(project)
            old_rows = rows[project.pk]
        _plan_phases(plan, project, item, old_rows.get("phases", []), place)
        _plan_funding(plan, project, item, old_rows.get("funding", []), place)
        _plan_claims(plan, project, item, old_rows.get("outcome_claims", []), place)

    for project in existing.values():  # left out of the document: removed with its rows
        for key, kept in (
            ("phases", plan.phases),
            ("funding", plan.funding_lines),
            ("outcome_claims", plan.claims),
        ):
            kept.removed.extend(rows[project.pk].get(key, []))
        plan.projects.removed.append(project)


def _plan_phases(
    plan: ImportPlan, project: Project, item: ProjectData, old: list[Phase], place: str
) -> None:
    _unique([(f"{place}.phases[{i}].number", phase.number) for i, phase in enumerate(item.phases)])
    by_number = {phase.number: phase for phase in old}
    for number, data in enumerate(item.phases):
        values = PHASE.stored(data, leave_out=PHASE.identity)
        plan.phases.plan(
            by_number.pop(data.number, None),
            values,
            new={"project": project, "number": data.number},
            place=f"{place}.phases[{number}]",
            exclude=["project"],
        )
    plan.phases.removed.extend(by_number.values())


def _pair(
    old: list,
    new: tuple,
    identical: Callable[[Any, Any], bool],
    similar: Callable[[Any, Any], bool] | None = None,
) -> tuple[dict[int, Any], list]:
    """Pair old rows with new items: identical ones first, then similar ones, then in order.

    Returns the old row for each new item's index that has one, and the old rows left over.
    """
    if len(old) == len(new) and all(map(identical, old, new)):
        return dict(enumerate(old)), []
    unmatched = list(old)
    pairs: dict[int, Any] = {}
    rest = []
    for index, item in enumerate(new):
        twin = next((row for row in unmatched if identical(row, item)), None)
        if twin is None:
            rest.append(index)
        else:
            pairs[index] = twin
            unmatched.remove(twin)
    if similar is not None:
        for index in list(rest):
            twin = next((row for row in unmatched if similar(row, new[index])), None)
            if twin is not None:
                pairs[index] = twin
                unmatched.remove(twin)
                rest.remove(index)
    while unmatched and rest:
        pairs[rest.pop(0)] = unmatched.pop(0)
    return pairs, unmatched


def _funding_values(data: FundingData, position: int) -> dict[str, Any]:
    return {**FUNDING.stored(data), "position": position}


def _same_stored(
    entity: Entity, row: models.Model, data: Any, same: Callable[[Any, Any], bool] = _same
) -> bool:
    """Return whether a stored row holds the plain record's every declared value."""
    stored = entity.stored(data)
    return all(same(getattr(row, name), value) for name, value in stored.items())


def _same_line(row: FundingLine, data: FundingData) -> bool:
    return _same_stored(FUNDING, row, data)


def _plan_funding(
    plan: ImportPlan, project: Project, item: ProjectData, old: list[FundingLine], place: str
) -> None:
    # Paired as the preview pairs them, so that what it said changed is what changes.
    pairs, unmatched = _pair(
        old, item.funding, _same_line, lambda row, data: row.source == data.source
    )
    for number, data in enumerate(item.funding):
        plan.funding_lines.plan(
            pairs.get(number),
            _funding_values(data, number),
            new={"project": project},
            place=f"{place}.funding[{number}]",
            exclude=["project"],
        )
    plan.funding_lines.removed.extend(unmatched)


def _plan_claims(
    plan: ImportPlan, project: Project, item: ProjectData, old: list[OutcomeClaim], place: str
) -> None:
    pairs, unmatched = _pair(
        old,
        item.outcome_claims,
        lambda row, data: _same_stored(OUTCOME_CLAIM, row, data, operator.eq),
    )
    for number, data in enumerate(item.outcome_claims):
        plan.claims.plan(
            pairs.get(number),
            {**OUTCOME_CLAIM.stored(data), "position": number},
            new={"project": project},
            place=f"{place}.outcome_claims[{number}]",
            exclude=["project"],
        )
    plan.claims.removed.extend(unmatched)


def _plan_contributions(
    plan: ImportPlan, document: ProgrammeDocument, by_pk: dict[int, str]
) -> None:
    _unique(
        [
            (f"contributions[{i}]", (item.partner, item.financial_year, item.tranche))
            for i, item in enumerate(document.contributions)
        ]
    )
    existing = {
        (by_pk.get(row.partner_id), row.financial_year, row.tranche): row
        for row in Contribution.objects.filter(programme=plan.programme)
    }
    for index, item in enumerate(document.contributions):
        place = f"contributions[{index}]"
        partner = _partner_of(plan, item.partner, f"{place}.partner")
        values = CONTRIBUTION.stored(item, leave_out=CONTRIBUTION.identity)
        plan.contributions.plan(
            existing.pop((item.partner, item.financial_year, item.tranche), None),
            values,
            new={
                "programme": plan.programme,
                "partner": partner,
                "financial_year": item.financial_year,
                "tranche": item.tranche,
            },
            place=place,
            exclude=["programme", "partner"],
        )
    plan.contributions.removed.extend(existing.values())


def _report_text_plan(*, document: ProgrammeDocument, programme: Programme) -> ReportText | None:
    """Return the paper being prepared (the newest) set to the document's words, checked, or
    None if the same: the paper a programme file's report is read from and written to."""
    text = ReportText.objects.filter(programme=programme).order_by("-pk").first()
    if text is None:
        # The programme's first paper.
        text = ReportText(programme=programme)
        text.slug = report_paper_slug(document.report.title if document.report else "")
    values = {key: getattr(document.report, key) for key in REPORT_TEXT_FIELDS}
    if not _assign(text, values) and text.pk is not None:
        return None
    # Its meeting is not the file's to set; a load may have removed it to write it again.
    check_row(text, "report", exclude=["programme", "for_meeting"])
    return text


# What an update may change of a paper, by model attribute: its kind, words and meeting.
PAPER_FIELDS = ("template", *REPORT_TEXT_FIELDS, "for_meeting", "version")
PAPER_DECISION = {"text": "recommendation"}
_NOT_THE_WORDS = ["programme", "slug", "template", "for_meeting", "version"]


@dataclass
class PapersPlan:
    """The papers an update adds, changes and removes, and the decisions it replaces.

    Papers are matched by slug. A paper the document keeps is changed where it is, its version
    one more; one it adds comes after the programme's papers, in the document's order; one it
    leaves out is removed, which an issued paper never is. A paper's decisions are replaced
    whole when they differ from the document's.
    """

    added: list[ReportText] = field(default_factory=list)
    changed: list[ReportText] = field(default_factory=list)
    removed: list[ReportText] = field(default_factory=list)
    # The slug of the meeting each paper added or changed is for, by the paper's slug.
    meetings: dict[str, str | None] = field(default_factory=dict)
    decisions_added: list[BoardDecision] = field(default_factory=list)
    decisions_removed: list[BoardDecision] = field(default_factory=list)


def _papers_plan(
    *, programme: Programme, document: ProgrammeDocument, links: dict[int, str]
) -> PapersPlan:
    """Match the document's papers with the programme's by slug; note what differs, checked.

    Raises ProgrammeLoadError when the document leaves out a paper that was issued, names a
    meeting it does not hold, or gives a slug or a decision's number twice.
    """
    _unique([(f"papers[{i}].slug", paper.slug) for i, paper in enumerate(document.papers)])
    meetings = {meeting.slug for meeting in document.meetings}
    stored: dict[str, ReportText] = {}
    decisions: dict[int, list[BoardDecision]] = {}
    if programme.pk is not None:
        stored = {
            paper.slug: paper
            for paper in ReportText.objects.filter(programme=programme)
            .annotate(issue_count=Count("issues"))
            .order_by("pk")
        }
        for decision in BoardDecision.objects.filter(paper__programme=programme).order_by(
            "paper", "number"
        ):
            decisions.setdefault(decision.paper_id, []).append(decision)
    wanted = {paper.slug for paper in document.papers}
    issued = [
        paper
        for slug, paper in stored.items()
        if slug not in wanted and paper.issue_count  # type: ignore[attr-defined]  # annotated
    ]
    if issued:
        raise ProgrammeLoadError(
            [
                Problem(
                    "papers",
                    f"the paper '{paper.slug}' (“{paper.title or paper.slug}”) is left out, but "
                    "it was issued to a meeting and an issued paper is kept as the board was "
                    "given it: include it",
                )
                for paper in issued
            ]
        )
    plan = PapersPlan()
    for index, item in enumerate(document.papers):
        place = f"papers[{index}]"
        if item.for_meeting is not None and item.for_meeting not in meetings:
            raise ProgrammeLoadError(
                [Problem(f"{place}.for_meeting", f"unknown meeting {item.for_meeting!r}")]
            )
        paper = stored.pop(item.slug, None)
        values = _paper_values(item)
        old: list[BoardDecision] = []
        if paper is None:
            paper = ReportText(programme=programme, slug=item.slug, **values)
            plan.added.append(paper)
        else:
            old = decisions.get(paper.pk, [])
            if not _assign(paper, values) and links.get(paper.pk) == item.for_meeting:
                _plan_decisions(plan, paper, item, old, place)
                continue
            plan.changed.append(paper)
        plan.meetings[item.slug] = item.for_meeting
        # The slug and the kind were read by the file's rules; the words are checked here.
        check_row(paper, f"{place}.text", exclude=_NOT_THE_WORDS)
        _plan_decisions(plan, paper, item, old, place)
    for paper in stored.values():  # left out of the document, and never issued
        plan.decisions_removed.extend(decisions.get(paper.pk, []))
        plan.removed.append(paper)
    return plan


def _paper_values(item: PaperData) -> dict[str, Any]:
    return {
        "template": item.kind,
        **{key: getattr(item.text, key) for key in REPORT_TEXT_FIELDS},
    }


def _plan_decisions(
    plan: PapersPlan, paper: ReportText, item: PaperData, old: list[BoardDecision], place: str
) -> None:
    """Replace a paper's decisions whole when they differ from the document's."""
    _unique(
        [
            (f"{place}.decisions[{i}].number", decision.number)
            for i, decision in enumerate(item.decisions)
        ]
    )
    same = len(old) == len(item.decisions) and all(
        _same_stored(DECISION, row, data, operator.eq)
        for row, data in zip(old, item.decisions, strict=True)
    )
    if same:
        return
    plan.decisions_removed.extend(old)
    for number, data in enumerate(item.decisions):
        decision = BoardDecision(paper=paper, **DECISION.stored(data))
        check_row(decision, f"{place}.decisions[{number}]", exclude=["paper"], keys=PAPER_DECISION)
        plan.decisions_added.append(decision)


def check_programme(programme: Programme, data: ProgrammeData) -> None:
    """Check a programme's settings as the document gives them, dates in order included."""
    check_row(programme, "programme", exclude=["partnership"])
    if data.starts and data.ends and data.starts > data.ends:  # a constraint, not a validator
        raise ProgrammeLoadError([Problem("programme", "The programme must start before it ends.")])
