"""What an import would change: the rows added, changed and removed, and how the figures move.

Pure functions on two ``ProgrammeDocument``s, the programme as it is and as the file has it.
Values are shown as the screens show them (money as £, choices by label, TBC for an unknown
cost), so the preview reads like the rest of the application.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from projects.money import document as data
from projects.money.document import (
    ContributionData,
    FundingData,
    ProgrammeDocument,
    ProjectData,
    ReportTextData,
)
from projects.money.figures import ProgrammeFigures, compute_figures
from projects.money.formatting import money
from projects.money.schema import CONTACT_KINDS, Entity, FieldSpec, Kind
from projects.money.vocabulary import (
    Grade,
    Tranche,
    Vocabulary,
)
from projects.selectors.programmes import papers_in

ADDED = "Added"
CHANGED = "Changed"
REMOVED = "Removed"
REORDERED = "Reordered"

SECTIONS = (
    "Programme",
    "Partners",
    "Projects",
    "Phases",
    "Funding",
    "Outcome claims",
    "Contributions",
    "Board report",
    "Papers",
    "Decisions",
    "Meetings",
    "Agreements",
    "Calls",
    "Invoices",
    "Refunds and credits",
    "Spend",
    "Forecasts",
    "Milestones",
    "Project status",
    "Risks",
)


@dataclass(frozen=True)
class FieldChange:
    """One value of one row, from what it is to what the file has."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    """One row the import adds, changes, removes or puts in another order."""

    section: str
    row: str
    action: str
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class SectionChanges:
    """The changes to one kind of row, with how many of each action."""

    name: str
    rows: tuple[RowChange, ...]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def added(self) -> int:
        return self.count(ADDED)

    @property
    def changed(self) -> int:
        return self.count(CHANGED) + self.count(REORDERED)

    @property
    def removed(self) -> int:
        return self.count(REMOVED)


@dataclass(frozen=True)
class ImportPreview:
    """Everything the import would change, and the figures before and after."""

    sections: tuple[SectionChanges, ...]
    before: ProgrammeFigures
    after: ProgrammeFigures
    figure_changes: tuple[FieldChange, ...]

    @property
    def has_changes(self) -> bool:
        return any(section.rows for section in self.sections)

    @property
    def rows(self) -> int:
        return sum(len(section.rows) for section in self.sections)

    def summary(self) -> str:
        """Say in a sentence how many rows the import adds, changes and removes."""
        if not self.has_changes:
            return "no changes"
        counts = (
            (sum(section.added for section in self.sections), "added"),
            (sum(section.changed for section in self.sections), "changed"),
            (sum(section.removed for section in self.sections), "removed"),
        )
        return ", ".join(
            f"{count} row{'' if count == 1 else 's'} {what}" for count, what in counts if count
        )


def preview_import(current: ProgrammeDocument, new: ProgrammeDocument) -> ImportPreview:
    """Return what replacing the current programme with the new one would change."""
    rows: list[RowChange] = []
    rows.extend(_programme_changes(current, new))
    rows.extend(
        _keyed_changes(
            "Partners",
            current.partners,
            new.partners,
            key=lambda partner: partner.slug,
            label=lambda partner: partner.name,
            shown=PARTNER_FIELDS,
        )
    )
    rows.extend(_project_changes(current.projects, new.projects))
    rows.extend(
        _keyed_changes(
            "Contributions",
            current.contributions,
            new.contributions,
            key=lambda item: (item.partner, item.financial_year, item.tranche),
            label=_contribution_label({p.slug: p.name for p in (*current.partners, *new.partners)}),
            shown=CONTRIBUTION_FIELDS,
        )
    )
    rows.extend(_report_changes(current, new))
    rows.extend(_paper_changes(current, new))
    rows.extend(_after_the_meeting_changes(current, new))
    before, after = compute_figures(current), compute_figures(new)
    return ImportPreview(
        sections=tuple(
            SectionChanges(name, tuple(row for row in rows if row.section == name))
            for name in SECTIONS
        ),
        before=before,
        after=after,
        figure_changes=_figure_changes(before, after),
    )


# How each field is shown


def _show(value: Any, *, cost: bool = False) -> str:
    """Show a value as the screens do."""
    if value is None:
        return "TBC" if cost else "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Vocabulary):
        return str(value.label)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, tuple):
        return ", ".join(_show(item) for item in value) or "-"
    text = str(value)
    if not text:
        return "-"
    return text if len(text) <= 120 else text[:117] + "..."


def _choice(choices: type[Vocabulary]) -> Callable[[Any], str]:
    return lambda value: str(choices(value).label)


def _weight(value: Any) -> str:
    return "-" if value is None else f"{value.normalize():f}"


def _show_for(spec: FieldSpec) -> Callable[[Any], str]:
    """Return how a declared field's values are shown."""
    if spec.kind == Kind.COST:
        return lambda value: _show(value, cost=True)
    if spec.kind == Kind.CHOICE and spec.choices is not None:
        return _choice(spec.choices)
    if spec.kind == Kind.WEIGHT:
        return _weight
    return _show


# (label, attribute, how to show it) for the fields a person sees, in screen order.
Shown = tuple[tuple[str, str, Callable[[Any], str]], ...]


def shown_fields(entity: Entity) -> Shown:
    """Return the declared fields a person sees change: all but those naming the row."""
    return tuple((spec.label, spec.key, _show_for(spec)) for spec in entity.shown)


PARTNER_FIELDS = shown_fields(data.PARTNER)
PROJECT_FIELDS = shown_fields(data.PROJECT)
PHASE_FIELDS = shown_fields(data.PHASE)
FUNDING_FIELDS = shown_fields(data.FUNDING)
CONTRIBUTION_FIELDS = shown_fields(data.CONTRIBUTION)
PROGRAMME_FIELDS = shown_fields(data.PROGRAMME)
PARTNERSHIP_FIELDS = shown_fields(data.PARTNERSHIP)
# The partnership's name and strategy, which only those who may change the partnership import.
_WITHHELD_FIELDS = tuple(
    field
    for field, spec in zip(PARTNERSHIP_FIELDS, data.PARTNERSHIP.shown, strict=True)
    if spec.kind not in CONTACT_KINDS
)


def _same(old: Any, new: Any) -> bool:
    # A spreadsheet gives back line breaks as "\n" whatever the text had: not a change.
    if isinstance(old, str) and isinstance(new, str):
        return old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    return old == new


def _field_changes(old: Any, new: Any, shown: Shown) -> tuple[FieldChange, ...]:
    """Return the shown fields that differ between two versions of a row."""
    return tuple(
        FieldChange(label, show(getattr(old, name)), show(getattr(new, name)))
        for label, name, show in shown
        if not _same(getattr(old, name), getattr(new, name))
    )


def withhold_partnership(
    current: ProgrammeDocument, new: ProgrammeDocument
) -> tuple[ProgrammeDocument, tuple[FieldChange, ...]]:
    """Return the document with the partnership's name and strategy as now, and what differed."""
    # The partnership is shared by all its programmes, so its name and strategy are changed only
    # by those who may change the partnership itself.
    # Its contact officer is not withheld: a facilitator edits it on the partnership's page.
    withheld = _field_changes(current.partnership, new.partnership, _WITHHELD_FIELDS)
    if not withheld:
        return new, ()
    kept = {name: getattr(current.partnership, name) for _, name, _ in _WITHHELD_FIELDS}
    return replace(new, partnership=replace(new.partnership, **kept)), withheld


def _all_fields(row: Any, shown: Shown, *, added: bool) -> tuple[FieldChange, ...]:
    """Return every shown field of a row added (as new values) or removed (as old values)."""
    changes = []
    for label, name, show in shown:
        value = getattr(row, name)
        if value is None or value == "" or value == ():
            continue
        changes.append(
            FieldChange(label, "" if added else show(value), show(value) if added else "")
        )
    return tuple(changes)


def _keyed_changes(
    section: str,
    old_rows: Sequence[Any],
    new_rows: Sequence[Any],
    *,
    key: Callable[[Any], Any],
    label: Callable[[Any], str],
    shown: Shown,
) -> list[RowChange]:
    """Compare rows that have a key of their own: partners, projects, phases, contributions."""
    old_by_key = {key(row): row for row in old_rows}
    new_by_key = {key(row): row for row in new_rows}
    changes = []
    for row in new_rows:
        old = old_by_key.get(key(row))
        if old is None:
            changes.append(
                RowChange(section, label(row), ADDED, _all_fields(row, shown, added=True))
            )
        elif fields_changed := _field_changes(old, row, shown):
            changes.append(RowChange(section, label(row), CHANGED, fields_changed))
    changes.extend(
        RowChange(section, label(row), REMOVED, _all_fields(row, shown, added=False))
        for row in old_rows
        if key(row) not in new_by_key
    )
    return changes


def _programme_changes(current: ProgrammeDocument, new: ProgrammeDocument) -> list[RowChange]:
    """Return the changes to the programme's settings (a programme file can change them)."""
    changes = _field_changes(current.partnership, new.partnership, PARTNERSHIP_FIELDS)
    changes += _field_changes(current.programme, new.programme, PROGRAMME_FIELDS)
    return [RowChange("Programme", new.programme.name, CHANGED, changes)] if changes else []


REPORT_FIELDS = shown_fields(data.REPORT_TEXT)
MEETING_FIELDS = shown_fields(data.MEETING)


class _Record:
    """A record after the meeting as the preview shows it: its key and its values by label."""

    def __init__(self, key: Any, label: str, values: dict[str, str]) -> None:
        self.key, self.label, self.values = key, label, values

    def __getattr__(self, name: str) -> str:
        # A value the other version of the record does not have shows as "-".
        return self.__dict__["values"].get(name, "")


def _records_changes(section: str, old: list[_Record], new: list[_Record]) -> list[RowChange]:
    labels = dict.fromkeys(name for record in (*old, *new) for name in record.values)
    shown: Shown = tuple((name, name, lambda value: value or "-") for name in labels)
    return _keyed_changes(
        section, old, new, key=lambda r: r.key, label=lambda r: r.label, shown=shown
    )


def _after_the_meeting_records(document: ProgrammeDocument) -> dict[str, list[_Record]]:
    """Return the agreements, invoices, refunds and spend of a document as the preview compares
    them: every value of each, a call's and a payment's with the call's and invoice's."""
    names = {partner.slug: partner.name for partner in document.partners}
    projects = {project.slug: project.name for project in document.projects}
    meetings = {meeting.slug: meeting for meeting in document.meetings}

    def meeting(slug: str) -> str:
        found = meetings.get(slug)
        return slug if found is None else f"{found.body}, {_show(found.date)}"

    def consent(part: data.PartnerAgreementData) -> str:
        if part.consent_date is None:
            return ""
        reference = f" ({part.consent_reference})" if part.consent_reference else ""
        return f"; consent {_show(part.consent_date)}{reference}"

    def payments(invoice: data.InvoiceData) -> str:
        return "; ".join(
            f"{_show(payment.amount)} on {_show(payment.date)}"
            + (f" ({payment.reference})" if payment.reference else "")
            for payment in invoice.payments
        )

    def phase(item: data.SpendData | data.ForecastData) -> str:
        return f"{projects.get(item.project, item.project)}: phase {item.phase}"

    return {
        "Agreements": [
            _Record(
                agreement.meeting,
                f"Agreement of {meeting(agreement.meeting)}",
                {
                    names.get(part.partner, part.partner): (
                        f"{_show(part.immediate)} now, up to {_show(part.cap)}{consent(part)}"
                    )
                    for part in agreement.per_partner
                },
            )
            for agreement in document.agreements
        ],
        "Invoices": [
            _Record(
                invoice.number,
                f"Invoice {invoice.number}",
                {
                    "Council": names.get(invoice.partner, invoice.partner),
                    "Call": call.slug,
                    "Amount": _show(invoice.amount),
                    "Paid": _show(sum((p.amount for p in invoice.payments), Decimal("0.00"))),
                    "Payments": payments(invoice),
                },
            )
            for call in document.calls
            for invoice in call.invoices
        ],
        "Refunds and credits": [
            _Record(
                index,
                f"{refund.kind.label} {index + 1}",
                {
                    "Council": names.get(refund.partner, refund.partner),
                    "Kind": str(refund.kind.label),
                    "Date": _show(refund.date),
                    "Amount": _show(refund.amount),
                    "Reason": refund.reason or "-",
                },
            )
            for index, refund in enumerate(document.refunds)
        ],
        "Spend": [
            _Record(
                index,
                f"Spend {index + 1}",
                {
                    "Phase": phase(item),
                    "Date": _show(item.date),
                    "Amount": _show(item.amount),
                    "Supplier": item.supplier or "-",
                    "Reference": item.reference or "-",
                },
            )
            for index, item in enumerate(document.spend)
        ],
        "Forecasts": [
            _Record(
                (item.project, item.phase, item.financial_year),
                f"{phase(item)}, {item.financial_year}",
                {"Amount": _show(item.amount)},
            )
            for item in document.forecasts
        ],
        "Milestones": [
            _Record(
                index,
                f"Milestone {index + 1}",
                {
                    "Project": projects.get(item.project, item.project),
                    "Phase": _show(item.phase),
                    "Milestone": item.name,
                    "Baseline date": _show(item.baseline),
                    "Forecast date": _show(item.forecast),
                    "Actual date": _show(item.actual),
                },
            )
            for index, item in enumerate(document.milestones)
        ],
        "Project status": [
            _Record(
                index,
                f"Status {index + 1}",
                {
                    "Project": projects.get(item.project, item.project),
                    "Date set": _show(item.date),
                    "Status": _show(item.status),
                    "Reason": item.reason,
                },
            )
            for index, item in enumerate(document.status_updates)
        ],
        "Risks": [
            _Record(
                risk.reference,
                f"Risk {risk.reference}",
                {
                    "Project": "-" if risk.project is None else projects.get(risk.project, "-"),
                    "Description": risk.description,
                    "Likelihood": str(risk.likelihood),
                    "Impact": str(risk.impact),
                    "Owner": risk.owner or "-",
                    "Mitigation": risk.mitigation or "-",
                    "Status": _show(risk.status),
                    "Next review": _show(risk.next_review),
                },
            )
            for risk in document.risks
        ],
    }


CALL_FIELDS = shown_fields(data.CALL)


def _after_the_meeting_changes(
    current: ProgrammeDocument, new: ProgrammeDocument
) -> list[RowChange]:
    """Return the changes to the records after the meeting, which a programme file may carry."""
    old, now = _after_the_meeting_records(current), _after_the_meeting_records(new)
    return [
        *_keyed_changes(
            "Meetings",
            current.meetings,
            new.meetings,
            key=lambda meeting: meeting.slug,
            label=lambda meeting: f"{meeting.body}, {_show(meeting.date)}",
            shown=MEETING_FIELDS,
        ),
        *_keyed_changes(
            "Calls",
            current.calls,
            new.calls,
            key=lambda call: call.slug,
            label=lambda call: f"Call {call.slug}",
            shown=CALL_FIELDS,
        ),
        *(
            change
            for section in old
            for change in _records_changes(section, old[section], now[section])
        ),
    ]


def _report_changes(current: ProgrammeDocument, new: ProgrammeDocument) -> list[RowChange]:
    """Return the changes to the board report's text; a file without one keeps it as it is, and
    one giving every paper lists their changes under the papers instead."""
    if new.report is None or new.papers:
        return []
    changes = _field_changes(current.report or ReportTextData(), new.report, REPORT_FIELDS)
    return (
        [RowChange("Board report", "The board report's text", CHANGED, changes)] if changes else []
    )


PAPER_FIELDS = shown_fields(data.PAPER)
DECISION_FIELDS = shown_fields(data.DECISION)


def _paper_records(document: ProgrammeDocument) -> dict[str, list[_Record]]:
    """Return the papers and the decisions a document stands for, as the preview compares them:
    a paper by its slug with its kind, meeting and words, a decision by its paper and number."""
    meetings = {meeting.slug: meeting for meeting in document.meetings}

    def meeting(slug: str | None) -> str:
        found = meetings.get(slug or "")
        if found is None:
            return slug or ""
        return f"{found.body}, {_show(found.date)}"

    def shown(fields: Shown, record: Any, **given: str) -> dict[str, str]:
        # An empty value is left out: the other version's shows against "-".
        values = {
            label: show(value)
            for label, name, show in fields
            if (value := getattr(record, name)) not in (None, "")
        }
        return {**values, **{label: value for label, value in given.items() if value}}

    papers, decisions = [], []
    for paper in papers_in(document):
        label = f"{paper.text.title or 'Paper'} ({paper.slug})"
        papers.append(
            _Record(
                paper.slug,
                label,
                {
                    **shown(PAPER_FIELDS, paper, **{"For the meeting": meeting(paper.for_meeting)}),
                    **shown(REPORT_FIELDS, paper.text),
                },
            )
        )
        decisions.extend(
            _Record(
                (paper.slug, decision.number),
                f"{label}: recommendation {decision.number}",
                shown(DECISION_FIELDS, decision),
            )
            for decision in paper.decisions
        )
    return {"Papers": papers, "Decisions": decisions}


def _paper_changes(current: ProgrammeDocument, new: ProgrammeDocument) -> list[RowChange]:
    """Return the papers and decisions a file giving every paper adds, changes and removes; a
    file without them keeps them as they are (its report's words are the board report's)."""
    if not new.papers:
        return []
    old, now = _paper_records(current), _paper_records(new)
    return [
        change
        for section in old
        for change in _records_changes(section, old[section], now[section])
    ]


def _project_changes(old: Sequence[ProjectData], new: Sequence[ProjectData]) -> list[RowChange]:
    """Return the changes to the projects and to the phases, funding and claims of each."""
    changes = _keyed_changes(
        "Projects",
        old,
        new,
        key=lambda project: project.slug,
        label=lambda project: project.name,
        shown=PROJECT_FIELDS,
    )
    old_order = [project.slug for project in old]
    new_order = [project.slug for project in new]
    kept = [slug for slug in new_order if slug in set(old_order)]
    if kept != [slug for slug in old_order if slug in set(new_order)]:
        changes.append(
            RowChange(
                "Projects",
                "The order of the projects",
                REORDERED,
                (FieldChange("Order", ", ".join(old_order), ", ".join(new_order)),),
            )
        )
    old_by_slug = {project.slug: project for project in old}
    new_by_slug = {project.slug: project for project in new}
    for slug in dict.fromkeys([*old_order, *new_order]):
        before, after = old_by_slug.get(slug), new_by_slug.get(slug)
        name = (after or before).name  # type: ignore[union-attr]
        changes.extend(
            _keyed_changes(
                "Phases",
                before.phases if before else (),
                after.phases if after else (),
                key=lambda phase: phase.number,
                label=lambda phase, name=name: f"{name}: phase {phase.number}, {phase.name}",
                shown=PHASE_FIELDS,
            )
        )
        changes.extend(
            _funding_changes(name, before.funding if before else (), after.funding if after else ())
        )
        changes.extend(
            _claim_changes(
                name,
                before.outcome_claims if before else (),
                after.outcome_claims if after else (),
            )
        )
    return changes


def _funding_changes(
    project: str, old: Sequence[FundingData], new: Sequence[FundingData]
) -> list[RowChange]:
    """Pair a project's funding lines: unchanged ones first, then by source, then in order."""
    unmatched_old = list(old)
    unmatched_new = []
    for line in new:
        twin = next((item for item in unmatched_old if _same_line(item, line)), None)
        if twin is None:
            unmatched_new.append(line)
        else:
            unmatched_old.remove(twin)
    pairs = []
    for line in list(unmatched_new):
        twin = next((item for item in unmatched_old if item.source == line.source), None)
        if twin is not None:
            pairs.append((twin, line))
            unmatched_old.remove(twin)
            unmatched_new.remove(line)
    while unmatched_old and unmatched_new:
        pairs.append((unmatched_old.pop(0), unmatched_new.pop(0)))

    def label(line: FundingData) -> str:
        return f"{project}: {line.source}"

    changes = [
        RowChange("Funding", label(after), CHANGED, _field_changes(before, after, FUNDING_FIELDS))
        for before, after in pairs
    ]
    changes += [
        RowChange("Funding", label(line), ADDED, _all_fields(line, FUNDING_FIELDS, added=True))
        for line in unmatched_new
    ]
    changes += [
        RowChange("Funding", label(line), REMOVED, _all_fields(line, FUNDING_FIELDS, added=False))
        for line in unmatched_old
    ]
    if not changes and not _same_sequence(old, new):
        changes.append(
            RowChange(
                "Funding",
                f"{project}: the order of its funding lines",
                REORDERED,
                (
                    FieldChange(
                        "Order",
                        ", ".join(line.source for line in old),
                        ", ".join(line.source for line in new),
                    ),
                ),
            )
        )
    return changes


def _same_line(old: FundingData, new: FundingData) -> bool:
    return all(_same(getattr(old, f.name), getattr(new, f.name)) for f in fields(FundingData))


def _same_sequence(old: Sequence[FundingData], new: Sequence[FundingData]) -> bool:
    return len(old) == len(new) and all(map(_same_line, old, new))


def _claim_changes(project: str, old: Iterable[Any], new: Iterable[Any]) -> list[RowChange]:
    """Return the outcome claims added and removed; a claim is its grade and code, nothing else."""
    before = Counter((claim.grade, claim.code) for claim in old)
    after = Counter((claim.grade, claim.code) for claim in new)

    def row(grade: str, code: str | None, action: str, count: int) -> RowChange:
        what = f"{Grade(grade).label}{f' {code}' if code else ''}"
        times = f" ({count} claims)" if count > 1 else ""
        return RowChange("Outcome claims", f"{project}: {what}{times}", action)

    return [
        *(row(grade, code, ADDED, count) for (grade, code), count in (after - before).items()),
        *(row(grade, code, REMOVED, count) for (grade, code), count in (before - after).items()),
    ]


def _contribution_label(names: dict[str, str]) -> Callable[[ContributionData], str]:
    def label(item: ContributionData) -> str:
        tranche = Tranche(item.tranche).label
        return f"{names.get(item.partner, item.partner)}, {item.financial_year}, {tranche}"

    return label


FIGURE_FIELDS: Shown = (
    ("Projects", "projects", str),
    ("Existing resource", "existing_total", _show),
    ("Extra cost, minimum", "extra_min", _show),
    ("Extra cost, maximum", "extra_max", _show),
    ("Phases whose cost is to be confirmed", "tbc_phases", str),
    ("Immediate tranche per partner", "immediate_per_partner", _show),
    ("Cap per partner", "cap_per_partner", _show),
    ("Pledged", "pledged", _show),
    ("Received", "received", _show),
    ("Funding gap, minimum", "gap_min", _show),
    ("Funding gap, maximum", "gap_max", _show),
)


def _figure_changes(before: ProgrammeFigures, after: ProgrammeFigures) -> tuple[FieldChange, ...]:
    """Return the headline figures that the import moves."""
    return _field_changes(before, after, FIGURE_FIELDS)
