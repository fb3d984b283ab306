"""OUTCOME_FIGURES, PARTNER_FIGURES and STATED_TOTALS: the outcomes, each partner's amounts and
the stated totals are declared in the registry, and every list of them reads from it."""

from __future__ import annotations

import io

import pytest

from projects.money.figures import (
    OUTCOME_FIGURES,
    PARTNER_FIGURES,
    STATED_TOTALS,
    Kind,
    compute_figures,
    figures_as_json,
)
from projects.money.placeholders import PLACEHOLDERS
from projects.programme_file import parse_programme
from reports.management.commands.programme_figures import Command
from reports.workbook.export import write_programme_workbook
from reports.workbook.layout import SHARES
from tests.conftest import SEED_FILE
from tests.reports.workbooks import opened


@pytest.fixture(scope="module")
def seed():
    document = parse_programme(SEED_FILE.read_bytes())
    return document, compute_figures(document)


def test_the_outcomes_and_partners_amounts_are_the_jsons_keys_in_order(seed):
    data = figures_as_json(seed[1])
    assert [figure.key for figure in OUTCOME_FIGURES] == list(data["outcomes"])
    for row in data["per_partner"]:
        assert list(row) == ["partner", *(figure.key for figure in PARTNER_FIGURES)]
    assert {figure.kind for figure in OUTCOME_FIGURES} == {Kind.COUNT}
    assert {figure.kind for figure in PARTNER_FIGURES} == {Kind.MONEY}


def test_the_readable_table_names_the_outcomes_and_partner_columns_from_the_registry(seed):
    lines = Command().table(figures_as_json(seed[1])).splitlines()
    assert f"{'Outcome claims (required/good/excellent)':<42}   10 / 11 /  5" in lines
    header = next(line for line in lines if line.startswith("Partner"))
    assert header.split() == ["Partner", *(w for f in PARTNER_FIGURES for w in f.in_table.split())]


def test_the_workbook_names_outcomes_partners_amounts_and_stated_totals_from_the_registry(seed):
    document, figures = seed
    stream = io.BytesIO()
    write_programme_workbook(document=document, figures=figures, stream=stream)
    book = opened(stream.getvalue())
    labels = [row[0] for row in book["Figures"].iter_rows(values_only=True)]
    for figure in OUTCOME_FIGURES:
        assert figure.in_sheet(strategy="") in labels
    assert "Existing resource total" in labels  # the seed's one mismatch
    assert [total.key for total in STATED_TOTALS] == ["existing_total", "extra_total"]
    headings = next(book["Partner shares"].iter_rows(values_only=True))
    expected = ["Partner", *(f.in_sheet(strategy="") for f in PARTNER_FIGURES)]
    assert list(headings) == expected == [column.heading for column in SHARES.columns]


def test_the_outcome_placeholders_are_one_a_grade_of_the_registry():
    names = [name for name in PLACEHOLDERS if name.startswith("outcomes_")]
    assert names == [f"outcomes_{figure.key}" for figure in OUTCOME_FIGURES]
    assert PLACEHOLDERS["outcomes_good"].meaning == "How many Good priority outcomes"
