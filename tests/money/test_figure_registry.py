"""FIGURES, the one registry of the figures: every list of them reads from it."""

from __future__ import annotations

import io
from dataclasses import dataclass, fields
from decimal import Decimal

import pytest

from projects.money import figures as registry
from projects.money.figures import (
    DELIVERY_FIGURES,
    FIGURES,
    Figure,
    Kind,
    ProgrammeFigures,
    compute_figures,
    figures_as_json,
    headline_figures,
)
from projects.programme_file import parse_programme
from reports.management.commands.programme_figures import Command
from reports.report.changes import report_changes
from reports.workbook.export import write_programme_workbook
from tests.conftest import SEED_FILE
from tests.reports.workbooks import opened

STRATEGY = "Norfolk Ambition"  # the seed's, named as the partnership names it
OUTCOME_ROWS = [
    "Outcome claims graded Required",
    "Outcome claims graded Good",
    "Outcome claims graded Excellent",
]


@pytest.fixture
def seed_document():
    return parse_programme(SEED_FILE.read_bytes())


@dataclass(frozen=True)
class WithSurplus(ProgrammeFigures):
    """The seed's figures with two more, as a figure added to the registry would bring."""

    reserve: Decimal = Decimal("12.5")
    meetings: int = 1234


def with_surplus(figures: ProgrammeFigures) -> WithSurplus:
    return WithSurplus(**{field.name: getattr(figures, field.name) for field in fields(figures)})


@pytest.fixture
def more_figures(monkeypatch):
    """Add an amount and a count to the registry, for as long as the test runs."""
    added = (
        Figure("reserve", Kind.MONEY, "Surplus", "Surplus, in the table", "Surplus, on the sheet"),
        Figure("meetings", Kind.COUNT, "Meetings held"),
    )
    monkeypatch.setattr(registry, "FIGURES", FIGURES + added)
    return added


def sheet_rows(document, figures) -> list[tuple]:
    """Return the Figures sheet's (label, value) rows, from the heading to the first gap."""
    stream = io.BytesIO()
    write_programme_workbook(document=document, figures=figures, stream=stream)
    rows = list(opened(stream.getvalue())["Figures"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Figure", "Value")
    listed = []
    for row in rows[1:]:
        if not any(row):
            break
        listed.append(row[:2])
    return listed


def table_lines(figures_json: dict) -> list[str]:
    """Return the readable table's lines of single figures, after its heading."""
    lines = Command().table(figures_json).splitlines()
    assert lines[0] == f"Programme {figures_json['programme']}"
    body = lines[2:]
    return body[: body.index("")]


def test_registry_keys_are_the_json_keys_in_order(seed_document):
    data = figures_as_json(compute_figures(seed_document))
    assert [figure.key for figure in FIGURES + DELIVERY_FIGURES] == list(data)
    # An issued report's snapshot holds the money only.
    assert list(figures_as_json(compute_figures(seed_document), delivery=False)) == [
        figure.key for figure in FIGURES
    ]
    # The agreement is null until one is recorded, an object after: not a single figure.
    scalars = [
        key
        for key, value in data.items()
        if not isinstance(value, dict | list) and key != "agreement"
    ]
    listed = FIGURES + DELIVERY_FIGURES
    assert [figure.key for figure in listed if figure.kind != Kind.OTHER] == scalars


def test_registry_kinds_fix_the_json_types(seed_document):
    data = figures_as_json(compute_figures(seed_document))
    for figure in FIGURES:
        value = data[figure.key]
        if figure.kind == Kind.MONEY:
            assert value is None or (isinstance(value, str) and value.split(".")[1].isdigit())
            assert value is None or len(value.split(".")[1]) == 2
        elif figure.kind == Kind.COUNT:
            assert type(value) is int
        elif figure.kind == Kind.TEXT:
            assert isinstance(value, str)


def test_every_label_on_the_figures_sheet_comes_from_the_registry(seed_document):
    rows = sheet_rows(seed_document, compute_figures(seed_document))
    labels = [label for label, _ in rows]
    assert labels[0] == "Programme"
    assert [label for label in labels[1:] if label not in OUTCOME_ROWS] == [
        figure.in_sheet(strategy=STRATEGY) for figure in headline_figures()
    ]
    assert "Projects supporting Norfolk Ambition" in labels


def test_every_label_of_the_readable_table_comes_from_the_registry(seed_document):
    lines = table_lines(figures_as_json(compute_figures(seed_document)))
    figure_lines = lines[:-1]  # the last is the outcomes, written by hand
    assert lines[-1].startswith("Outcome claims (required/good/excellent)")
    assert [line[:42].rstrip() for line in figure_lines] == [
        figure.in_table for figure in headline_figures()
    ]
    assert "Existing resource" in figure_lines[2] and "£175,000" in figure_lines[2]


def test_the_report_changes_name_each_figure_by_its_registry_label(seed_document):
    new = {"figures": figures_as_json(compute_figures(seed_document))}
    old = {"figures": {figure.key: None for figure in headline_figures()}}
    changes = report_changes(old, new).figures
    # A figure null then and now has not changed: the uncalled money, before an agreement.
    changed = [f for f in headline_figures() if new["figures"][f.key] is not None]
    assert [change.label for change in changes][: len(changed)] == [f.label for f in changed]


def test_a_figure_added_to_the_registry_appears_in_the_json(seed_document, more_figures):
    data = figures_as_json(with_surplus(compute_figures(seed_document)), delivery=False)
    assert list(data)[-2:] == ["reserve", "meetings"]
    assert data["reserve"] == "12.50"
    assert data["meetings"] == 1234


def test_a_figure_added_to_the_registry_appears_in_the_table(seed_document, more_figures):
    lines = table_lines(figures_as_json(with_surplus(compute_figures(seed_document))))
    assert f"{'Surplus, in the table':<42} {'£12.50':>14}" in lines
    assert f"{'Meetings held':<42} {'1234':>14}" in lines


def test_a_figure_added_to_the_registry_appears_on_the_sheet(seed_document, more_figures):
    rows = sheet_rows(seed_document, with_surplus(compute_figures(seed_document)))
    assert rows[-2:] == [("Surplus, on the sheet", Decimal("12.5")), ("Meetings held", 1234)]


def test_a_figure_added_to_the_registry_appears_in_the_report_changes(seed_document, more_figures):
    figures = with_surplus(compute_figures(seed_document))
    old = {"figures": figures_as_json(figures)}
    new = {"figures": {**old["figures"], "reserve": "20.00", "meetings": 1235}}
    changes = report_changes(old, new).figures
    assert [(c.label, c.old, c.new) for c in changes] == [
        ("Surplus", "£12.50", "£20"),
        ("Meetings held", "1,234", "1,235"),
    ]
