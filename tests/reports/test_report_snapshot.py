"""The issued report's snapshot: its format is versioned, and an older one still compares right.

``issued_report_figures_1.json``, ``_2.json`` and ``_3.json`` are the snapshots of the demo's
report exactly as they are stored when the report is issued under formats
``board-report-figures/1``, ``/2`` and ``/3``: the text of ``IssuedReport.figures``, byte for
byte. Format 2 added whether the charts appendix is included and each project's decisions on
its gated phases; format 3 the money after the meeting.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from projects.models import Programme
from projects.money.document import ProgrammeDocument
from projects.money.figures import PARTNER_FIGURES
from projects.programme_file import parse_programme
from reports.models import IssuedReport, sha256_hex
from reports.report import changes as snapshots
from reports.report.changes import (
    NOT_IN_ISSUED,
    SNAPSHOT_FORMAT,
    SNAPSHOT_FORMATS,
    SNAPSHOT_UPGRADES,
    UnknownSnapshotFormat,
    canonical_json,
    read_snapshot,
    report_changes,
    report_snapshot,
)
from reports.report.content import board_report_from_document
from reports.report.selectors import changes_since_issued
from tests.conftest import SEED_FILE
from tests.projects.factories import paper_of

STORED_1 = (Path(__file__).parent / "issued_report_figures_1.json").read_text(encoding="utf-8")
STORED_2 = (Path(__file__).parent / "issued_report_figures_2.json").read_text(encoding="utf-8")
STORED_3 = (Path(__file__).parent / "issued_report_figures_3.json").read_text(encoding="utf-8")
MEETING = date(2004, 6, 24)
FORMAT_0 = "board-report-figures/0"  # an older format, made up for these tests only


def seed_snapshot(edit=None) -> dict:
    """Return the seed's report snapshot as the current code makes it, the seed edited first."""
    data = json.loads(SEED_FILE.read_bytes())
    if edit is not None:
        edit(data)
    document: ProgrammeDocument = parse_programme(json.dumps(data).encode())
    return report_snapshot(board_report_from_document(document, on=MEETING, issued=True))


def with_charts(data: dict) -> None:
    """Include the charts appendix, as every report issued under format 1 did."""
    data["report"]["include_charts"] = True


def direct_gov_costs_9000(data: dict) -> None:
    """Raise Direct.Gov's one phase from £5,000 to £9,000 and edit the summary."""
    project = next(p for p in data["projects"] if p["slug"] == "direct-gov")
    project["phases"][0]["extra_cost"] = "9000.00"
    data["report"]["summary"] = "A new summary."


def shown(changes) -> list[tuple[str, str, str]]:
    return [(change.label, change.old, change.new) for change in changes]


PARTNERS = [
    "Norfolk County Council",
    "Breckland District Council",
    "Broadland District Council",
    "Great Yarmouth Borough Council",
    "Borough Council of King's Lynn and West Norfolk",
    "North Norfolk District Council",
    "Norwich City Council",
    "South Norfolk Council",
]

# What the version-1 snapshot and the edited seed differ in, as the changes page lists it.
DIRECT_GOV_CHANGES = [
    ("Extra cost, minimum", "£75,000", "£79,000"),
    ("Extra cost, maximum", "£175,000", "£179,000"),
    ("Largest share of the minimum", "£9,375", "£9,875"),
    ("Largest share of the maximum", "£21,875", "£22,375"),
    ("Gap against the minimum (negative: headroom)", "£75,000", "£79,000"),
    ("Gap against the maximum (negative: headroom)", "£175,000", "£179,000"),
    *(
        change
        for name in PARTNERS
        for change in (
            (f"{name}: share of the minimum", "£9,375", "£9,875"),
            (f"{name}: share of the maximum", "£21,875", "£22,375"),
        )
    ),
]
DIRECT_GOV_PROJECT = [
    ("Extra cost", "£5,000", "£9,000"),
    ("Extra cost, minimum", "£5,000", "£9,000"),
    ("Extra cost, maximum", "£5,000", "£9,000"),
]


# The phases' decisions that format 1 did not hold, as the changes page lists them.
DECISIONS_NOT_IN_1 = [
    (f"{name}: Decisions on gated phases", NOT_IN_ISSUED, "Phase 2: decision pending")
    for name in ("Authentication / Gateway", "Benefits Form")
]


# Version 3 as stored


def test_the_current_code_still_writes_format_3_byte_for_byte():
    assert SNAPSHOT_FORMAT == "board-report-figures/3"
    assert canonical_json(seed_snapshot()) == STORED_3


def test_a_stored_format_3_snapshot_is_read_as_it_is():
    stored = json.loads(STORED_3)
    assert read_snapshot(stored) == stored
    assert canonical_json(stored) == STORED_3  # the stored data is left as it was


# Version 2 as stored, read as version 3


def test_a_stored_format_2_snapshot_is_upgraded_with_nothing_after_the_meeting():
    stored = json.loads(STORED_2)
    upgraded = read_snapshot(stored)
    assert canonical_json(stored) == STORED_2  # the stored data is left as it was
    # Nothing could be agreed, called or paid then: the demo's report as issued today.
    assert upgraded == json.loads(STORED_3)
    assert upgraded["figures"]["agreement"] is None
    assert upgraded["figures"]["invoiced"] == "0.00"
    assert upgraded["figures"]["per_partner"][0]["agreed_cap"] is None


def test_a_stored_format_2_snapshot_shows_no_change_when_nothing_changed():
    changes = report_changes(read_snapshot(json.loads(STORED_2)), seed_snapshot())
    assert not changes.any
    assert changes.not_in_issued == ()


def test_the_charts_appendix_is_a_change_the_changes_page_lists():
    changes = report_changes(read_snapshot(json.loads(STORED_2)), seed_snapshot(with_charts))
    assert changes.any
    assert changes.charts is not None
    assert (changes.charts.label, changes.charts.old, changes.charts.new) == (
        "Charts appendix",
        "left out",
        "included",
    )
    assert not changes.wording_changed  # a choice about the layout, not the words
    assert changes.figures == () and changes.projects == ()


def test_a_gated_phases_decision_is_a_change_of_its_project():
    def approve_benefits_phase_2(data: dict) -> None:
        project = next(p for p in data["projects"] if p["slug"] == "benefits-form")
        project["phases"][1]["decision"] = "approved"  # its cost is TBC: no figure moves

    changes = report_changes(
        read_snapshot(json.loads(STORED_2)), seed_snapshot(approve_benefits_phase_2)
    )
    assert [(p.name, p.action, shown(p.changes)) for p in changes.projects] == [
        (
            "Benefits Form",
            "Changed",
            [("Decisions on gated phases", "Phase 2: decision pending", "Phase 2: approved")],
        )
    ]


# Version 1 as stored, read as version 2


def test_a_stored_format_1_snapshot_is_upgraded_to_format_2():
    stored = json.loads(STORED_1)
    upgraded = read_snapshot(stored)
    assert canonical_json(stored) == STORED_1  # the stored data is left as it was
    after = set(snapshots.AFTER_THE_MEETING_FIGURES)
    assert {key: value for key, value in upgraded.items() if key != "figures"} == {
        **{key: value for key, value in stored.items() if key != "figures"},
        "format": SNAPSHOT_FORMAT,
        "charts_appendix": True,
    }
    assert {
        key: value
        for key, value in upgraded["figures"].items()
        if key not in after and key != "per_partner"
    } == {key: value for key, value in stored["figures"].items() if key != "per_partner"}
    for row, old in zip(
        upgraded["figures"]["per_partner"], stored["figures"]["per_partner"], strict=True
    ):
        assert row.items() >= old.items()
    # The words are hashed as format 1 hashed them: an unchanged text is not an edit.
    assert upgraded["text_sha256"] == json.loads(STORED_2)["text_sha256"]


def test_a_stored_format_1_snapshot_shows_no_change_when_nothing_changed():
    changes = report_changes(read_snapshot(json.loads(STORED_1)), seed_snapshot(with_charts))
    assert not changes.any
    assert shown(changes.not_in_issued) == DECISIONS_NOT_IN_1


def test_a_stored_format_1_snapshot_had_the_charts_appendix():
    changes = report_changes(read_snapshot(json.loads(STORED_1)), seed_snapshot())
    assert changes.charts is not None
    assert (changes.charts.old, changes.charts.new) == ("included", "left out")


def test_a_stored_format_1_snapshot_shows_exactly_what_changed():
    def edited(data: dict) -> None:
        with_charts(data)
        direct_gov_costs_9000(data)

    changes = report_changes(read_snapshot(json.loads(STORED_1)), seed_snapshot(edited))
    assert shown(changes.figures) == DIRECT_GOV_CHANGES
    assert [(p.name, p.action, shown(p.changes)) for p in changes.projects] == [
        ("Direct.Gov", "Changed", DIRECT_GOV_PROJECT)
    ]
    assert changes.title is None and changes.recommendation is None
    assert changes.wording_changed
    assert changes.charts is None
    assert shown(changes.not_in_issued) == DECISIONS_NOT_IN_1


# Formats this code does not know


@pytest.mark.parametrize(
    "stored",
    [
        {**json.loads(STORED_3), "format": "board-report-figures/4"},
        {**json.loads(STORED_1), "format": "something-else/1"},
        {key: value for key, value in json.loads(STORED_1).items() if key != "format"},
        {},
        [],
        "board-report-figures/1",
    ],
)
def test_a_snapshot_of_an_unknown_format_is_refused_by_name(stored):
    with pytest.raises(UnknownSnapshotFormat, match="cannot be compared"):
        read_snapshot(stored)


def test_every_older_format_has_its_upgrade():
    assert len(set(SNAPSHOT_FORMATS)) == len(SNAPSHOT_FORMATS)
    assert SNAPSHOT_FORMATS[-1] == SNAPSHOT_FORMAT
    assert set(SNAPSHOT_UPGRADES) == set(SNAPSHOT_FORMATS[:-1])


# An older format, upgraded


def format_0(stored: dict) -> dict:
    """Return a format-1 snapshot in a made-up older shape: per partner keyed by slug, and
    without the count of phases to be confirmed or each partner's outstanding amount."""
    old = copy.deepcopy(stored)
    old["format"] = FORMAT_0
    figures = old["figures"]
    del figures["tbc_phases"]
    figures["per_partner"] = {
        row.pop("partner"): {k: v for k, v in row.items() if k != "outstanding"}
        for row in figures["per_partner"]
    }
    return old


def upgrade_0_to_1(snapshot: dict) -> dict:
    """The upgrade the made-up format 0 would have: per partner back to a list in slug order."""
    figures = snapshot["figures"]
    figures["per_partner"] = [
        {"partner": slug, **row} for slug, row in sorted(figures["per_partner"].items())
    ]
    return snapshot


@pytest.fixture
def with_format_0(monkeypatch):
    monkeypatch.setattr(snapshots, "SNAPSHOT_FORMATS", (FORMAT_0, *SNAPSHOT_FORMATS))
    monkeypatch.setattr(
        snapshots, "SNAPSHOT_UPGRADES", {**SNAPSHOT_UPGRADES, FORMAT_0: upgrade_0_to_1}
    )


def test_an_older_snapshot_is_upgraded_to_the_current_shape(with_format_0):
    stored = format_0(json.loads(STORED_1))
    before = copy.deepcopy(stored)
    upgraded = read_snapshot(stored)
    assert stored == before  # the stored data is left as it was
    assert upgraded["format"] == SNAPSHOT_FORMAT
    expected = read_snapshot(json.loads(STORED_1))
    del expected["figures"]["tbc_phases"]
    for row in expected["figures"]["per_partner"]:
        del row["outstanding"]
    assert upgraded == expected


def test_a_figure_an_older_snapshot_lacks_is_not_in_the_issued_report(with_format_0):
    upgraded = read_snapshot(format_0(json.loads(STORED_1)))
    changes = report_changes(upgraded, seed_snapshot(with_charts))
    assert not changes.any  # the figures it lacks are not changes
    assert shown(changes.not_in_issued) == [
        ("Phases of cost to be confirmed", NOT_IN_ISSUED, "1"),
        *((f"{name}: outstanding", NOT_IN_ISSUED, "£0") for name in PARTNERS),
        *DECISIONS_NOT_IN_1,
    ]
    changed = report_changes(upgraded, seed_snapshot(direct_gov_costs_9000))
    assert shown(changed.figures) == DIRECT_GOV_CHANGES


def test_upgrades_run_one_format_at_a_time_in_order(monkeypatch):
    ran: list[str] = []

    def step(name: str):
        def upgrade(snapshot: dict) -> dict:
            ran.append(f"{name} from {snapshot['format']}")
            return {**snapshot, name: True}

        return upgrade

    formats = ("board-report-figures/a", "board-report-figures/b", SNAPSHOT_FORMAT)
    monkeypatch.setattr(snapshots, "SNAPSHOT_FORMATS", formats)
    monkeypatch.setattr(
        snapshots, "SNAPSHOT_UPGRADES", {formats[0]: step("first"), formats[1]: step("second")}
    )
    upgraded = read_snapshot({"format": formats[0]})
    assert ran == [f"first from {formats[0]}", f"second from {formats[1]}"]
    assert upgraded == {"format": SNAPSHOT_FORMAT, "first": True, "second": True}
    ran.clear()
    assert read_snapshot({"format": formats[1]})["format"] == SNAPSHOT_FORMAT
    assert ran == [f"second from {formats[1]}"]


def test_a_format_whose_upgrade_is_missing_is_refused(monkeypatch):
    monkeypatch.setattr(snapshots, "SNAPSHOT_FORMATS", (FORMAT_0, *SNAPSHOT_FORMATS))
    with pytest.raises(UnknownSnapshotFormat):
        read_snapshot(format_0(json.loads(STORED_1)))


def test_the_partners_amounts_in_the_snapshot_are_the_registrys():
    rows = json.loads(STORED_3)["figures"]["per_partner"]
    assert {key for row in rows for key in row} == {"partner", *(f.key for f in PARTNER_FIGURES)}


# The changes page


@pytest.fixture
def demo(monkeypatch, db):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug="norfolk-connect-2004")


def stored_issue(programme, figures: str) -> IssuedReport:
    """Store an issued report whose figures are the given text, as issuing once stored them."""
    pdf = b"%PDF-1.7 issued"
    return IssuedReport.objects.create(
        programme=programme,
        paper=paper_of(programme),
        meeting_date=MEETING,
        title="Norfolk Connect Medium Term Workload",
        issued_by=get_user_model().objects.get(username="facilitator"),
        pdf=pdf,
        pdf_sha256=sha256_hex(pdf),
        figures=figures,
        figures_sha256=sha256_hex(figures.encode()),
    )


def test_a_report_issued_under_format_1_shows_its_changes(client, demo):
    stored_issue(demo, STORED_1)
    # The demo's paper is now without the charts that every format 1 report had.
    assert shown([changes_since_issued(programme=demo).changes.charts]) == [
        ("Charts appendix", "included", "left out")
    ]
    demo.papers.update(include_charts=True)
    assert not changes_since_issued(programme=demo).changes.any
    demo.projects.get(slug="direct-gov").phases.update(extra_cost="9000.00")
    page = changes_since_issued(programme=demo)
    assert page.problem == ""
    assert shown(page.changes.figures) == DIRECT_GOV_CHANGES
    assert [(p.name, shown(p.changes)) for p in page.changes.projects] == [
        ("Direct.Gov", DIRECT_GOV_PROJECT)
    ]


def test_the_changes_page_says_it_cannot_compare_an_unknown_format(client, demo):
    stored_issue(demo, canonical_json({**json.loads(STORED_1), "format": "board-report-figures/9"}))
    client.force_login(get_user_model().objects.get(username="chief-executive"))
    response = client.get(reverse("report:report_changes", args=[demo.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="cannot-compare"' in html
    assert "board-report-figures/9" in html
    assert 'id="no-changes"' not in html and 'id="figure-changes"' not in html


def test_the_changes_page_says_the_charts_appendix_was_left_out(client, demo):
    stored_issue(demo, STORED_1)
    client.force_login(get_user_model().objects.get(username="chief-executive"))
    html = client.get(reverse("report:report_changes", args=[demo.slug])).content.decode()
    assert (
        '<p class="govuk-body" id="charts-changed">The charts appendix was included in the '
        "issued report; it is left out now.</p>"
    ) in html
