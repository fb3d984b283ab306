"""What a board report says in figures, frozen as JSON at issue, and what changed since: pure.

The snapshot is the figures object of ``programme_figures --json`` plus each project's line of
the table, the partners' names and a hash of the report's words. It is stored with an issued
report, and comparing it with today's snapshot lists every figure and project that changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projects.money.figures import figures_as_json, headline_figures
from projects.money.formatting import money

from .content import BoardReport

SNAPSHOT_FORMAT = "board-report-figures/1"


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(Decimal('0.01')):f}"


def canonical_json(data: Any) -> str:
    """Return data as JSON text that is the same for the same data, byte for byte."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def report_snapshot(report: BoardReport) -> dict[str, Any]:
    """Return what the report says in figures, as JSON-ready data (its date left out)."""
    text = {key: getattr(report.text, key) for key in report.text.__dataclass_fields__}
    return {
        "format": SNAPSHOT_FORMAT,
        "title": report.title,
        "figures": figures_as_json(report.figures),
        # A list, not an object: canonical JSON sorts keys, and the partnership's order matters.
        "partners": [list(pair) for pair in report.partner_names],
        "projects": [
            {
                "slug": row.slug,
                "name": row.name,
                "existing": _money(row.existing),
                "extra": row.extra,
                "extra_min": _money(row.extra_min),
                "extra_max": _money(row.extra_max),
                "outcomes": row.outcomes,
                "supports": row.supports,
            }
            for row in report.projects
        ],
        "recommendation": report.recommendation,
        "text_sha256": hashlib.sha256(canonical_json(text).encode("utf-8")).hexdigest(),
    }


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
    figures: tuple[Change, ...]
    projects: tuple[ProjectChange, ...]
    title: Change | None
    recommendation: Change | None
    wording_changed: bool

    @property
    def any(self) -> bool:
        """Return whether anything the report says has changed."""
        return bool(
            self.figures
            or self.projects
            or self.title
            or self.recommendation
            or self.wording_changed
        )


OUTCOME_LABELS = (
    ("required", "Required outcome claims"),
    ("good", "Good outcome claims"),
    ("excellent", "Excellent outcome claims"),
)
PARTNER_LABELS = (
    ("share_min", "share of the minimum"),
    ("share_max", "share of the maximum"),
    ("immediate", "immediate tranche"),
    ("cap", "cap"),
    ("pledged", "pledged"),
    ("received", "received"),
    ("outstanding", "outstanding"),
)
PROJECT_LABELS = (
    ("name", "Name", "text"),
    ("existing", "Existing resource", "money"),
    ("extra", "Extra cost", "text"),
    ("extra_min", "Extra cost, minimum", "money"),
    ("extra_max", "Extra cost, maximum", "money"),
    ("outcomes", "Priority outcomes", "text"),
    ("supports", "Supports the strategy", "text"),
)


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


def _figure_changes(old: dict[str, Any], new: dict[str, Any], names: dict[str, str]):
    changes = [
        _compare(figure.label, old.get(figure.key), new.get(figure.key), figure.kind)
        for figure in headline_figures()
    ]
    old_outcomes, new_outcomes = old.get("outcomes", {}), new.get("outcomes", {})
    changes += [
        _compare(label, old_outcomes.get(key), new_outcomes.get(key), "count")
        for key, label in OUTCOME_LABELS
    ]
    old_partners = {row["partner"]: row for row in old.get("per_partner", [])}
    new_partners = {row["partner"]: row for row in new.get("per_partner", [])}
    # In the partnership's order, then any partner no longer in it.
    slugs = [s for s in names if s in old_partners or s in new_partners]
    slugs += sorted((set(old_partners) | set(new_partners)) - set(slugs))
    for slug in slugs:
        name = names.get(slug, slug)
        before, after = old_partners.get(slug, {}), new_partners.get(slug, {})
        changes += [
            _compare(f"{name}: {label}", before.get(key), after.get(key), "money")
            for key, label in PARTNER_LABELS
        ]
    return tuple(change for change in changes if change is not None)


def _project_changes(old: list[dict], new: list[dict]) -> tuple[ProjectChange, ...]:
    before = {row["slug"]: row for row in old}
    after = {row["slug"]: row for row in new}
    result = []
    for row in new:
        if row["slug"] not in before:
            shown = (
                Change(label, "", _shown(row.get(k), kind)) for k, label, kind in PROJECT_LABELS
            )
            result.append(ProjectChange(row["name"], "Added", tuple(shown)))
            continue
        changes = tuple(
            change
            for key, label, kind in PROJECT_LABELS
            if (change := _compare(label, before[row["slug"]].get(key), row.get(key), kind))
        )
        if changes:
            result.append(ProjectChange(row["name"], "Changed", changes))
    for row in old:
        if row["slug"] not in after:
            shown = (
                Change(label, _shown(row.get(k), kind), "") for k, label, kind in PROJECT_LABELS
            )
            result.append(ProjectChange(row["name"], "Removed", tuple(shown)))
    return tuple(result)


def report_changes(old: dict[str, Any], new: dict[str, Any]) -> ReportChanges:
    """Return every figure and project that differs between two snapshots, old and new."""
    # Today's partners in the partnership's order, then any that have left since.
    names = {slug: name for slug, name in new.get("partners", [])}
    names |= {slug: name for slug, name in old.get("partners", []) if slug not in names}
    return ReportChanges(
        figures=_figure_changes(old.get("figures", {}), new.get("figures", {}), names),
        projects=_project_changes(old.get("projects", []), new.get("projects", [])),
        title=_compare("Title", old.get("title"), new.get("title"), "text"),
        recommendation=_compare(
            "Recommended contribution", old.get("recommendation"), new.get("recommendation"), "text"
        ),
        wording_changed=old.get("text_sha256") != new.get("text_sha256"),
    )
