"""Importing spend from a ledger export: all or nothing, repeats not doubled, refused phases."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from projects.models import LedgerMapping, Spend
from projects.money.ledger_import import read_ledger
from projects.money.vocabulary import Decision
from projects.selectors.ledger_import import ledger_mapping
from projects.services import (
    LedgerChangedError,
    ledger_import,
    ledger_mapping_save,
    ledger_plan,
    plan_fingerprint,
)
from tests.projects.factories import PhaseFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["Date", "Amount", "Ref", "Project", "Phase", "Supplier", "Details"]
MAPPING = {
    "date": "Date",
    "amount": "Amount",
    "reference": "Ref",
    "project": "Project",
    "phase": "Phase",
    "supplier": "Supplier",
    "description": "Details",
}


@pytest.fixture
def project():
    project = ProjectFactory(name="Authentication / Gateway", slug="gateway")
    PhaseFactory(project=project, number=1, name="Build")
    PhaseFactory(project=project, number=2, name="Roll out", gated=True)
    PhaseFactory(project=project, number=3, name="Kiosks", decision=Decision.NOT_PROCEEDING)
    return project


def read(*rows):
    return read_ledger(HEADER, [list(row) for row in rows], MAPPING)


def line(ref="PO-1", amount="100.00", project="gateway", phase="1", day="2004-09-30"):
    return (day, amount, ref, project, phase, "Acme", "Servers")


def test_lines_are_added_with_their_author_in_the_history(project):
    user = UserFactory()
    lines = read(
        line("PO-1", "£1,200.50"), line("PO-2", "99.5", project="authentication / GATEWAY")
    )
    plan = ledger_plan(programme=project.programme, read=lines)
    assert plan.can_apply and plan.total == D("1300.00")
    ledger_import(
        programme=project.programme, read=lines, expected=plan_fingerprint(plan), user=user
    )
    spend = list(Spend.objects.order_by("reference"))
    assert [(s.reference, s.amount, s.phase.number, s.date) for s in spend] == [
        ("PO-1", D("1200.50"), 1, date(2004, 9, 30)),
        ("PO-2", D("99.50"), 1, date(2004, 9, 30)),
    ]
    assert spend[0].supplier == "Acme" and spend[0].description == "Servers"
    assert {h.history_user for h in Spend.history.all()} == {user}
    assert Spend.history.count() == 2


def test_a_line_already_recorded_or_repeated_in_the_file_is_not_doubled(project):
    phase = project.phases.get(number=1)
    Spend.objects.create(phase=phase, date=date(2004, 5, 1), amount=D("100.00"), reference="PO-1")
    lines = read(line("PO-1"), line("PO-2"), line("PO-2"), line("PO-1", "200"))
    plan = ledger_plan(programme=project.programme, read=lines)
    assert [p.line.row for p in plan.to_add] == [3, 5]
    assert [(s.line.row, s.reason) for s in plan.duplicates] == [
        (
            2,
            "A spend line of £100 with reference PO-1 is already recorded (phase 1 of "
            "Authentication / Gateway, dated 1 May 2004).",
        ),
        (4, "It repeats row 3, with the same reference and amount: it is imported once."),
    ]
    ledger_import(
        programme=project.programme, read=lines, expected=plan_fingerprint(plan), user=UserFactory()
    )
    assert Spend.objects.count() == 3
    # Imported again, the same file adds nothing.
    again = ledger_plan(programme=project.programme, read=lines)
    assert again.to_add == () and len(again.duplicates) == 4 and not again.can_apply


def test_spend_of_another_programme_is_no_duplicate(project):
    other = PhaseFactory()
    Spend.objects.create(phase=other, date=date(2004, 5, 1), amount=D("100.00"), reference="PO-1")
    plan = ledger_plan(programme=project.programme, read=read(line("PO-1")))
    assert len(plan.to_add) == 1 and plan.duplicates == ()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            line(phase="2"),
            "Row 3: Phase 2 of Authentication / Gateway awaits its business case: spend on it "
            "is refused until the case is approved.",
        ),
        (
            line(phase="3"),
            "Row 3: Phase 3 of Authentication / Gateway does not proceed: spend on it is refused.",
        ),
        (
            line(project="Kiosk rollout"),
            "Row 3: the programme has no project named 'Kiosk rollout'",
        ),
        (line(phase="7"), "Row 3: Authentication / Gateway has no phase 7"),
        (line(amount="12,00x"), "Row 3: the amount '12,00x' is not an amount of money"),
    ],
)
def test_a_refused_row_refuses_the_whole_import(project, row, message):
    lines = read(line("PO-9"), row)
    plan = ledger_plan(programme=project.programme, read=lines)
    assert plan.refused == (message,)
    assert not plan.can_apply
    with pytest.raises(ValidationError) as raised:
        ledger_import(
            programme=project.programme,
            read=lines,
            expected=plan_fingerprint(plan),
            user=UserFactory(),
        )
    assert raised.value.messages == [message]
    assert Spend.objects.count() == 0


def test_another_programmes_project_is_unknown(project):
    stranger = ProjectFactory(slug="stranger", name="Stranger")
    PhaseFactory(project=stranger, number=1)
    plan = ledger_plan(programme=project.programme, read=read(line(project="stranger")))
    assert plan.refused == ("Row 2: the programme has no project named 'stranger'",)


def test_a_change_since_the_preview_writes_nothing_and_gives_the_new_plan(project):
    lines = read(line("PO-1"), line("PO-2", phase="2"))
    before = ledger_plan(programme=project.programme, read=lines)
    assert before.refused
    project.phases.filter(number=2).update(decision=Decision.APPROVED)
    with pytest.raises(LedgerChangedError) as raised:
        ledger_import(
            programme=project.programme, read=lines, expected=plan_fingerprint(before), user=None
        )
    assert raised.value.plan.can_apply and len(raised.value.plan.to_add) == 2
    assert Spend.objects.count() == 0
    # A line recorded since the preview also changes the plan.
    now = raised.value.plan
    Spend.objects.create(
        phase=project.phases.get(number=1), date=date(2004, 6, 1), amount=D("100"), reference="PO-1"
    )
    with pytest.raises(LedgerChangedError):
        ledger_import(
            programme=project.programme, read=lines, expected=plan_fingerprint(now), user=None
        )
    assert Spend.objects.count() == 1


def test_a_failure_while_writing_leaves_nothing(project, monkeypatch):
    lines = read(line("PO-1"), line("PO-2"))
    plan = ledger_plan(programme=project.programme, read=lines)

    def fail(*args, **kwargs):
        Spend.objects.create(
            phase=project.phases.get(number=1), date=date(2004, 6, 1), amount=D("1"), reference="X"
        )
        raise RuntimeError("disk full")

    module = importlib.import_module("projects.services.ledger_import")
    monkeypatch.setattr(module, "bulk_create_with_history", fail)
    with pytest.raises(RuntimeError):
        ledger_import(
            programme=project.programme, read=lines, expected=plan_fingerprint(plan), user=None
        )
    assert Spend.objects.count() == 0


def test_dates_outside_the_programme_are_warned_of(project):
    programme = project.programme
    programme.starts, programme.ends = date(2004, 4, 1), date(2006, 3, 31)
    programme.save()
    plan = ledger_plan(
        programme=programme, read=read(line("A", day="2004-03-31"), line("B", day="01/04/2006"))
    )
    assert plan.warnings == (
        "Row 2: the date, 31 March 2004, is before the programme starts on 1 April 2004.",
        "Row 3: the date, 1 April 2006, is after the programme ends on 31 March 2006.",
    )
    assert plan.can_apply


def test_the_mapping_is_remembered_per_programme(project):
    programme = project.programme
    assert ledger_mapping(programme=programme) == {}
    ledger_mapping_save(programme=programme, columns={**MAPPING, "supplier": ""})
    ledger_mapping_save(programme=programme, columns=MAPPING)
    assert LedgerMapping.objects.count() == 1
    assert ledger_mapping(programme=programme) == MAPPING
