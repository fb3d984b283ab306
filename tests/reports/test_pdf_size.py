"""The estimated work of a PDF, which decides between the request and the worker. Pure."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.builders import large_document
from projects.money.document import ReportTextData
from projects.money.figures import compute_figures
from projects.programme_file import parse_programme
from reports.report.content import board_report_from_document
from reports.report.size import made_in_background, report_pdf_work, statement_pdf_work
from reports.report.statements import partner_statement

ON = date(2004, 6, 24)
ROOT = Path(__file__).resolve().parents[2]
DEFAULT = 2500  # PDF_BACKGROUND_WORK's default
WORDS = "The partnership will connect every council office to the shared network. "


def text(characters: int) -> str:
    return (WORDS * (characters // len(WORDS) + 1))[:characters]


def document(projects: int, *, described: int = 0, words: int = 0):
    """A programme of ``projects`` projects, each described in ``described`` characters."""
    programme = large_document(projects=projects, partners=7, slug="sized")
    programme = replace(
        programme,
        projects=tuple(
            replace(p, description=text(described), outputs=text(described // 2))
            for p in programme.projects
        ),
    )
    if words:
        programme = replace(programme, report=ReportTextData(title="T", background=text(words)))
    return programme


def report_work(projects: int, **kwargs) -> int:
    return report_pdf_work(board_report_from_document(document(projects, **kwargs), on=ON))


def statement_work(projects: int) -> int:
    programme = document(projects)
    statement = partner_statement(
        programme, compute_figures(programme), partner=programme.partners[0].slug, on=ON
    )
    return statement_pdf_work(statement)


def test_the_threshold_is_exclusive():
    assert not made_in_background(DEFAULT, threshold=DEFAULT)
    assert made_in_background(DEFAULT + 1, threshold=DEFAULT)
    assert made_in_background(1, threshold=0)


def test_the_seed_report_is_made_in_the_request():
    seed = parse_programme((ROOT / "fixtures" / "norfolk-connect-2004.json").read_bytes())
    work = report_pdf_work(board_report_from_document(seed, on=ON))
    assert 500 < work < DEFAULT / 2  # about a second on the reference machine


def test_sixty_short_projects_stay_in_the_request_sixty_long_ones_do_not():
    # Measured: 1.4 s for the short ones; 7.9 s for 3,000 characters a project (120.9 s for
    # the longest descriptions seen), which must go to the worker whatever the project count.
    assert not made_in_background(report_work(60, described=50), threshold=DEFAULT)
    assert made_in_background(report_work(60, described=2000), threshold=DEFAULT)
    assert made_in_background(report_work(10, described=8000), threshold=DEFAULT)


def test_two_hundred_short_projects_go_to_the_worker():
    assert made_in_background(report_work(200, described=50), threshold=DEFAULT)


def test_the_reports_own_words_count():
    assert report_work(60, words=40_000) > report_work(60) + 800


def test_a_long_cell_costs_more_than_its_length():
    # A row taller than a page is laid out again on each page it breaks over.
    one_long = report_work(1, described=8000) - report_work(1)
    four_short = report_work(4, described=2000) - report_work(4)
    assert one_long > 2 * four_short


@given(
    projects=st.integers(min_value=1, max_value=40),
    more=st.integers(min_value=1, max_value=40),
    described=st.integers(min_value=0, max_value=3000),
    longer=st.integers(min_value=1, max_value=3000),
)
def test_more_projects_or_more_text_is_never_less_work(projects, more, described, longer):
    work = report_work(projects, described=described)
    assert report_work(projects + more, described=described) > work
    assert report_work(projects, described=described + longer) >= work  # rounded to 1 ms


def test_a_statement_grows_with_its_lines():
    # Measured: 0.7 s at 100 lines, 2.9 s at 500, 6.2 s at 1,000 (55 s at 10,000 projects).
    assert not made_in_background(statement_work(100), threshold=DEFAULT)
    assert made_in_background(statement_work(500), threshold=DEFAULT)
    assert statement_work(1000) > statement_work(500) > statement_work(100)


def test_the_bounds_come_from_the_environment():
    code = (
        "from norfolk_connect.settings import base; "
        "print(base.PDF_BACKGROUND_WORK, base.PDF_REQUEST_SECONDS, base.PDF_WORKER_SECONDS)"
    )
    names = (
        "DJANGO_PDF_BACKGROUND_WORK",
        "DJANGO_PDF_REQUEST_SECONDS",
        "DJANGO_PDF_WORKER_SECONDS",
    )
    env = {k: v for k, v in os.environ.items() if k not in names}
    for environment, expected in (
        ({}, "2500 20.0 120.0"),
        (dict(zip(names, ("900", "5", "60"), strict=True)), "900 5.0 60.0"),
    ):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, **environment},
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        assert result.stdout.strip() == expected
