"""What a board report says in figures, frozen as JSON at issue, and what changed since: pure.

The snapshot is the figures object of ``programme_figures --json`` plus each project's line of
the table, the partners' names, a hash of the report's words and whether the charts appendix is
included. It is stored with an issued
report, and comparing it with today's snapshot lists every figure and project that changed.

A snapshot names its format. ``read_snapshot`` reads a stored one of any format in
``SNAPSHOT_FORMATS`` as the current one, upgrading it a format at a time, and refuses any
other format with ``UnknownSnapshotFormat``. A figure that an older snapshot does not hold was
not in the issued report: it is listed as such, never as a change.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projects.money import figures as registry
from projects.money.document import REPORT_WORDS
from projects.money.figures import Figure, Kind, figures_as_json, headline_figures
from projects.money.formatting import money
from projects.money.paper_tables import BusinessCase
from projects.money.vocabulary import PaperTemplate

from .content import BoardReport

#: Every format a stored snapshot may have, oldest first; the last is the one written now.
#: Format 2 added whether the charts appendix is included (``charts_appendix``) and each
#: project's decisions on its gated phases (``decisions``).
#: Format 3 added the money after the meeting: the agreement, what was invoiced, paid, refunded,
#: credited, owed, overdue, uncalled and surplus, spend and the pot. A paper after the meeting
#: (an autumn review, a progress report) adds its kind (``paper``) and an autumn review its
#: business cases (``business_cases``); a medium term workload paper holds neither, so its
#: snapshot is what it was, and one issued without them compares as not holding them.
SNAPSHOT_FORMATS: tuple[str, ...] = (
    "board-report-figures/1",
    "board-report-figures/2",
    "board-report-figures/3",
)
SNAPSHOT_FORMAT = SNAPSHOT_FORMATS[-1]

Snapshot = dict[str, Any]


def _upgrade_1_to_2(snapshot: Snapshot) -> Snapshot:
    """Say that a report issued under format 1 had its charts appendix: it always did.

    Every report had the appendix before the facilitator could leave it out. The phases'
    decisions were not in those reports' table, so they are left out, not made up.
    """
    return {**snapshot, "charts_appendix": True}


def _upgrade_2_to_3(snapshot: Snapshot) -> Snapshot:
    """Give a report issued under format 2 the money after the meeting it stood at: none.

    No agreement, call, payment, refund or spend could be recorded before format 3, so each
    amount was nothing and the agreed figures did not exist; nothing is made up.
    """
    figures = dict(snapshot.get("figures", {}))
    for key in AFTER_THE_MEETING_FIGURES:
        figures.setdefault(key, None if key in _NONE_BEFORE_AN_AGREEMENT else "0.00")
    figures["per_partner"] = [
        {
            **{
                key: None if key in _NONE_BEFORE_AN_AGREEMENT else "0.00"
                for key in registry.LEDGER_PARTNER_KEYS
            },
            **row,
        }
        for row in figures.get("per_partner", [])
    ]
    return {**snapshot, "figures": figures}


#: The figures format 3 added: the agreement and what followed it.
AFTER_THE_MEETING_FIGURES = tuple(
    figure.key
    for figure in registry.FIGURES[[figure.key for figure in registry.FIGURES].index("agreement") :]
)
_NONE_BEFORE_AN_AGREEMENT = frozenset({"agreement", "uncalled", "agreed_immediate", "agreed_cap"})

#: How a snapshot of each format but the last becomes one of the next format in
#: ``SNAPSHOT_FORMATS``: given a copy, it returns the data in the next format's shape. A figure
#: an older format did not hold is left out, not made up, so that it shows as not in the issued
#: report.
SNAPSHOT_UPGRADES: dict[str, Callable[[Snapshot], Snapshot]] = {
    "board-report-figures/1": _upgrade_1_to_2,
    "board-report-figures/2": _upgrade_2_to_3,
}

#: What a figure shows in place of its old value when the issued report did not hold it.
NOT_IN_ISSUED = "not in the issued report"


class UnknownSnapshotFormat(ValueError):
    """A stored snapshot whose format this version of the service cannot read."""

    def __init__(self, found: object) -> None:
        self.found = found
        super().__init__(
            f"The issued report's figures are in a format this service does not know "
            f"({found!r}), so they cannot be compared with the report as it stands."
        )


def read_snapshot(stored: object) -> Snapshot:
    """Return a stored snapshot in the current format, upgraded from an older one if need be.

    Raises ``UnknownSnapshotFormat`` for anything that is not a snapshot of a format in
    ``SNAPSHOT_FORMATS``, or whose upgrade is missing. The stored data is left untouched.
    """
    if not isinstance(stored, dict):
        raise UnknownSnapshotFormat(None)
    found = stored.get("format")
    if not isinstance(found, str) or found not in SNAPSHOT_FORMATS:
        raise UnknownSnapshotFormat(found)
    snapshot: Snapshot = copy.deepcopy(stored)
    since = SNAPSHOT_FORMATS.index(found)
    for older, newer in zip(SNAPSHOT_FORMATS[since:-1], SNAPSHOT_FORMATS[since + 1 :], strict=True):
        upgrade = SNAPSHOT_UPGRADES.get(older)
        if upgrade is None:
            raise UnknownSnapshotFormat(older)
        snapshot = {**upgrade(snapshot), "format": newer}
    return snapshot


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(Decimal('0.01')):f}"


def _snapshot_value(value: Any, kind: str) -> Any:
    return _money(value) if kind == Kind.MONEY else value


def canonical_json(data: Any) -> str:
    """Return data as JSON text that is the same for the same data, byte for byte."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def report_snapshot(report: BoardReport) -> dict[str, Any]:
    """Return what the report says in figures, as JSON-ready data (its date left out)."""
    # The words alone, so that the hash of an unchanged text is what format 1 stored.
    text = {key: getattr(report.text, key) for key in REPORT_WORDS}
    return {
        "format": SNAPSHOT_FORMAT,
        "title": report.title,
        "figures": figures_as_json(report.figures, delivery=False),
        # A list, not an object: canonical JSON sorts keys, and the partnership's order matters.
        "partners": [list(pair) for pair in report.partner_names],
        "projects": [
            {
                "slug": row.slug,
                **{
                    figure.key: _snapshot_value(getattr(row, figure.key), figure.kind)
                    for figure in PROJECT_FIGURES
                },
            }
            for row in report.projects
        ],
        "recommendation": report.recommendation,
        "text_sha256": hashlib.sha256(canonical_json(text).encode("utf-8")).hexdigest(),
        "charts_appendix": report.include_charts,
        **_paper_tables(report),
    }


def _paper_tables(report: BoardReport) -> dict[str, Any]:
    """Return what a paper after the meeting adds: its kind, and the autumn review's cases.

    Only those papers hold these keys, so the medium term workload paper's snapshot is what it
    always was. Every amount of their tables is among the figures already; the business cases'
    decisions and notes are words of their own.
    """
    if report.template == PaperTemplate.WORKLOAD:
        return {}
    tables: dict[str, Any] = {"paper": str(report.template)}
    if report.business_cases is not None:
        tables["business_cases"] = [
            {"project": case.project_slug, "phase": case.phase, **_case_values(case)}
            for case in report.business_cases
        ]
    return tables


#: Each business case of an autumn review, as the snapshot keeps it after its project and
#: phase, and as the list of changes names what changed.
CASE_FIGURES: tuple[Figure, ...] = (
    Figure("name", Kind.TEXT, "Business case"),
    Figure("extra_cost", Kind.MONEY, "Extra cost"),
    Figure("decision", Kind.TEXT, "Decision"),
    Figure("note", Kind.TEXT, "Decision note"),
)


def _case_values(case: BusinessCase) -> dict[str, Any]:
    values = {
        "name": case.title,
        "extra_cost": case.extra_cost,
        "decision": case.decision_text,
        "note": case.note,
    }
    return {f.key: _snapshot_value(values[f.key], f.kind) for f in CASE_FIGURES}


def fingerprint(snapshot: dict[str, Any]) -> str:
    """Return the SHA-256 of a snapshot: equal exactly when the report would say the same."""
    return hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Change:
    """One figure or field, from what the issued report said to what the report says now."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ProjectChange:
    """A project added, removed or changed since the issued report."""

    name: str
    action: str  # "Added", "Removed" or "Changed"
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ReportChanges:
    """What the report says differently now; ``not_in_issued`` lists figures it did not hold."""

    figures: tuple[Change, ...]
    projects: tuple[ProjectChange, ...]
    title: Change | None
    recommendation: Change | None
    wording_changed: bool
    charts: Change | None = None  # the charts appendix included, or left out
    # The autumn review's business cases added, changed or removed, as the projects are.
    cases: tuple[ProjectChange, ...] = ()
    kind: Change | None = None  # compared with a paper of another kind
    # Figures the issued report's snapshot did not hold, each with its value now; not changes.
    not_in_issued: tuple[Change, ...] = ()

    @property
    def row_groups(self) -> tuple[tuple[str, tuple[ProjectChange, ...]], ...]:
        """Return the rows that changed under their headings: the projects, the business cases."""
        groups = (("Projects", self.projects), ("Business cases", self.cases))
        return tuple((heading, rows) for heading, rows in groups if rows)

    @property
    def any(self) -> bool:
        """Return whether anything the report says has changed."""
        return bool(
            self.figures
            or self.projects
            or self.title
            or self.recommendation
            or self.wording_changed
            or self.charts
            or self.cases
            or self.kind
        )


#: Each project's line of the report's table, as the snapshot keeps it after its ``slug``.
PROJECT_FIGURES: tuple[Figure, ...] = (
    Figure("name", Kind.TEXT, "Name"),
    Figure("existing", Kind.MONEY, "Existing resource"),
    Figure("extra", Kind.TEXT, "Extra cost"),
    Figure("extra_min", Kind.MONEY, "Extra cost, minimum"),
    Figure("extra_max", Kind.MONEY, "Extra cost, maximum"),
    Figure("outcomes", Kind.TEXT, "Priority outcomes"),
    Figure("supports", Kind.TEXT, "Supports the strategy"),
    Figure("decisions", Kind.TEXT, "Decisions on gated phases"),
)
CHARTS_APPENDIX = {True: "included", False: "left out"}


def _shown(value: Any, kind: str) -> str:
    """Show a snapshot value as the report would."""
    if value is None or value == "":
        return "none"
    if kind == "money":
        return money(Decimal(value))
    if kind == "count":
        return f"{value:,}"
    return str(value)


def _compare(label: str, old: Any, new: Any, kind: str) -> Change | None:
    return None if old == new else Change(label, _shown(old, kind), _shown(new, kind))


class _Comparison:
    """Compares snapshot values, setting aside those the issued report's snapshot lacks."""

    def __init__(self) -> None:
        self.not_in_issued: list[Change] = []

    def held(
        self,
        label: str,
        old: dict[str, Any],
        new: dict[str, Any],
        key: str,
        kind: str,
        *,
        of: str = "",
    ) -> Change | None:
        """Compare ``key`` of two objects; one the old object lacks was not in the report.

        ``of`` names what the objects belong to, such as a project, in that list.
        """
        if key in old:
            return _compare(label, old[key], new.get(key), kind)
        if new.get(key) not in (None, ""):  # nothing then, and nothing to say now either
            shown = Change(f"{of}: {label}" if of else label, NOT_IN_ISSUED, _shown(new[key], kind))
            self.not_in_issued.append(shown)
        return None

    def figures(self, old: dict[str, Any], new: dict[str, Any], names: dict[str, str]):
        changes = [
            self.held(figure.label, old, new, figure.key, figure.kind)
            for figure in headline_figures()
        ]
        old_outcomes, new_outcomes = old.get("outcomes", {}), new.get("outcomes", {})
        changes += [
            self.held(figure.label, old_outcomes, new_outcomes, figure.key, figure.kind)
            for figure in registry.OUTCOME_FIGURES
        ]
        old_partners = {row["partner"]: row for row in old.get("per_partner", [])}
        new_partners = {row["partner"]: row for row in new.get("per_partner", [])}
        # In the partnership's order, then any partner no longer in it.
        slugs = [s for s in names if s in old_partners or s in new_partners]
        slugs += sorted((set(old_partners) | set(new_partners)) - set(slugs))
        for slug in slugs:
            name = names.get(slug, slug)
            after = new_partners.get(slug, {})
            if slug not in old_partners:  # a partner that joined since: every amount changed
                changes += [
                    _compare(f"{name}: {f.label}", None, after.get(f.key), f.kind)
                    for f in registry.PARTNER_FIGURES
                ]
                continue
            changes += [
                self.held(f"{name}: {f.label}", old_partners[slug], after, f.key, f.kind)
                for f in registry.PARTNER_FIGURES
            ]
        return tuple(change for change in changes if change is not None)

    def projects(self, old: list[dict], new: list[dict]) -> tuple[ProjectChange, ...]:
        return self.rows(old, new, key=lambda row: row["slug"], figures=PROJECT_FIGURES)

    def cases(self, old: dict[str, Any], new: dict[str, Any]) -> tuple[ProjectChange, ...]:
        """Compare the autumn review's business cases; a paper without them has none.

        Against an issued paper that had no such table, each case now was not in it.
        """
        if "business_cases" not in old:
            for row in new.get("business_cases", []):
                self.not_in_issued.append(Change(row["name"], NOT_IN_ISSUED, row["decision"]))
            return ()
        return self.rows(
            old["business_cases"],
            new.get("business_cases", []),
            key=lambda row: (row["project"], row["phase"]),
            figures=CASE_FIGURES,
        )

    def rows(
        self,
        old: list[dict],
        new: list[dict],
        *,
        key: Callable[[dict], Any],
        figures: tuple[Figure, ...],
    ) -> tuple[ProjectChange, ...]:
        """Return the rows added, changed and removed, each row found again by its ``key``."""
        before = {key(row): row for row in old}
        after = {key(row): row for row in new}
        result = []
        for row in new:
            if key(row) not in before:
                shown = (Change(f.label, "", _shown(row.get(f.key), f.kind)) for f in figures)
                result.append(ProjectChange(row["name"], "Added", tuple(shown)))
                continue
            issued = before[key(row)]
            changes = tuple(
                change
                for f in figures
                if (change := self.held(f.label, issued, row, f.key, f.kind, of=row["name"]))
            )
            if changes:
                result.append(ProjectChange(row["name"], "Changed", changes))
        for row in old:
            if key(row) not in after:
                shown = (Change(f.label, _shown(row.get(f.key), f.kind), "") for f in figures)
                result.append(ProjectChange(row["name"], "Removed", tuple(shown)))
        return tuple(result)


def _kind(snapshot: Snapshot) -> str:
    """Return the kind of paper a snapshot is of, in words; one without it is a workload paper."""
    value = snapshot.get("paper", PaperTemplate.WORKLOAD)
    return dict(PaperTemplate.choices).get(value, str(value))


def report_changes(old: dict[str, Any], new: dict[str, Any]) -> ReportChanges:
    """Return every figure and project that differs between two snapshots, old and new.

    Both are in the current format (``read_snapshot`` reads a stored one so). A figure the old
    snapshot does not hold is listed in ``not_in_issued``, not among the changes.
    """
    # Today's partners in the partnership's order, then any that have left since.
    names = {slug: name for slug, name in new.get("partners", [])}
    names |= {slug: name for slug, name in old.get("partners", []) if slug not in names}
    comparison = _Comparison()
    figures = comparison.figures(old.get("figures", {}), new.get("figures", {}), names)
    projects = comparison.projects(old.get("projects", []), new.get("projects", []))
    cases = comparison.cases(old, new)
    return ReportChanges(
        figures=figures,
        projects=projects,
        cases=cases,
        kind=_compare("Kind of paper", _kind(old), _kind(new), Kind.TEXT),
        title=comparison.held("Title", old, new, "title", Kind.TEXT),
        recommendation=comparison.held(
            "Recommended contribution", old, new, "recommendation", Kind.TEXT
        ),
        wording_changed=old.get("text_sha256") != new.get("text_sha256"),
        charts=_compare(
            "Charts appendix",
            CHARTS_APPENDIX.get(old.get("charts_appendix")),
            CHARTS_APPENDIX.get(new.get("charts_appendix")),
            Kind.TEXT,
        ),
        not_in_issued=tuple(comparison.not_in_issued),
    )
