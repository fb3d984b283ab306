"""Reading spend lines out of a council's ledger export by the mapped columns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money.formatting import money
from projects.money.ledger_import import (
    LEDGER_MAX_ROWS,
    LedgerLine,
    PhaseTarget,
    headings_of,
    mapping_problems,
    parse_amount,
    parse_date,
    plan_ledger,
    read_ledger,
)

HEADER = ["Posted", "Value", "Doc no", "Scheme", "Stage", "Vendor", "Narrative"]
MAPPING = {
    "date": "Posted",
    "amount": "Value",
    "reference": "Doc no",
    "project": "Scheme",
    "phase": "Stage",
    "supplier": "Vendor",
    "description": "Narrative",
}


def row(**overrides):
    cells = {
        "Posted": "30/09/2004",
        "Value": "£1,200.50",
        "Doc no": "PO-1",
        "Scheme": "Gateway",
        "Stage": "2",
        "Vendor": "Acme",
        "Narrative": "Servers",
    }
    cells.update(overrides)
    return [cells[heading] for heading in HEADER]


def test_a_row_is_read_into_a_line():
    read = read_ledger(HEADER, [row()], MAPPING)
    assert read.problems == ()
    assert read.lines == (
        LedgerLine(
            row=2,
            project="Gateway",
            phase=2,
            date=date(2004, 9, 30),
            amount=Decimal("1200.50"),
            reference="PO-1",
            supplier="Acme",
            description="Servers",
        ),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2004-09-30", date(2004, 9, 30)),
        ("30/09/2004", date(2004, 9, 30)),
        ("1/4/2005", date(2005, 4, 1)),
        (" 2004-09-30 ", date(2004, 9, 30)),
        ("2004-09-30T00:00:00", date(2004, 9, 30)),
        (datetime(2004, 9, 30, 0, 0), date(2004, 9, 30)),
        (date(2005, 3, 31), date(2005, 3, 31)),
        ("31/02/2005", None),
        ("09/30/2004", None),
        ("30 September 2004", None),
        ("0004-01-01", None),
        (38260, None),
        ("", None),
    ],
)
def test_dates_are_read_as_written_in_the_uk_or_iso_or_by_a_workbook(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("£1,200.50", Decimal("1200.50")),
        ("1200.5", Decimal("1200.5")),
        ("1,234,567", Decimal("1234567")),
        (" £ 40 ", Decimal("40")),
        ("-40.00", Decimal("-40.00")),
        ("(40.00)", Decimal("-40.00")),
        (1200.5, Decimal("1200.5")),
        (12.299999999999999, Decimal("12.30")),
        (15, Decimal("15")),
        (Decimal("3.10"), Decimal("3.10")),
        ("12,00x", None),
        ("12,00", None),
        ("1e5", None),
        ("NaN", None),
        (float("nan"), None),
        (True, None),
        ("£", None),
    ],
)
def test_amounts_are_read_with_pound_signs_and_thousands_commas(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"Value": "12,00x"}, "Row 2: the amount '12,00x' is not an amount of money"),
        (
            {"Value": "-40"},
            "Row 2: the amount -£40 is negative; only money paid out is spend, so record a "
            "refund or correction by hand",
        ),
        ({"Value": "0.00"}, "Row 2: the amount is £0; a spend line must be more than £0"),
        ({"Value": "1.005"}, "Row 2: the amount '1.005' has fractions of a penny"),
        ({"Value": ""}, "Row 2: there is no amount"),
        (
            {"Posted": "31/02/2005"},
            "Row 2: the date '31/02/2005' is not a date written as 30/09/2004 or 2004-09-30",
        ),
        ({"Posted": ""}, "Row 2: there is no date"),
        (
            {"Doc no": " "},
            "Row 2: there is no reference; each line needs one, so that a line imported twice "
            "is recognised",
        ),
        ({"Scheme": ""}, "Row 2: there is no project"),
        ({"Stage": ""}, "Row 2: there is no phase number"),
        ({"Stage": "two"}, "Row 2: the phase 'two' is not a phase number such as 2"),
        ({"Stage": "0"}, "Row 2: the phase '0' is not a phase number such as 2"),
        ({"Doc no": "x" * 101}, "Row 2: the reference is longer than 100 characters"),
        ({"Narrative": "a\x00b"}, "Row 2: the description holds a null character"),
    ],
)
def test_a_bad_row_is_refused_with_the_reason(overrides, message):
    read = read_ledger(HEADER, [row(), row(**overrides)], MAPPING)
    assert read.problems == (message.replace("Row 2", "Row 3"),)
    assert [line.row for line in read.lines] == [2]


def test_a_row_with_several_problems_says_each():
    read = read_ledger(HEADER, [row(Value="x", Posted="y")], MAPPING)
    assert len(read.problems) == 2
    assert read.lines == ()


def test_blank_rows_are_passed_over_and_rows_keep_their_spreadsheet_numbers():
    read = read_ledger(HEADER, [row(), ["", None, " "], row(), []], MAPPING)
    assert [line.row for line in read.lines] == [2, 4]


def test_a_short_row_lacks_the_missing_cells():
    read = read_ledger(HEADER, [["2004-09-30", "12"]], MAPPING)
    assert "Row 2: there is no reference" in read.problems[0]


def test_phase_may_be_written_with_its_word_and_workbook_numbers_are_whole():
    read = read_ledger(HEADER, [row(Stage="Phase 3"), row(Stage=2.0, Value=15)], MAPPING)
    assert [line.phase for line in read.lines] == [3, 2]
    assert read.lines[1].amount == Decimal("15.00")


def test_optional_fields_need_no_column():
    mapping = {k: v for k, v in MAPPING.items() if k not in ("supplier", "description")}
    assert mapping_problems(HEADER, mapping) == []
    (line,) = read_ledger(HEADER, [row()], mapping).lines
    assert (line.supplier, line.description) == ("", "")


def test_mapping_problems_name_the_missing_unknown_repeated_and_shared_columns():
    header = [*HEADER, "Stage"]
    mapping = {**MAPPING, "amount": "", "reference": "Ref", "supplier": "Scheme"}
    assert mapping_problems(header, mapping) == [
        "Choose the column that holds the amount",
        "The file has no column headed 'Ref' for the reference: choose one of its columns",
        "The file has 2 columns headed 'Stage': rename them so that each heading is different",
        "The column 'Scheme' is chosen for both the project and the supplier: choose a "
        "different column for each",
    ]


def test_headings_offered_are_the_non_blank_ones_once():
    assert headings_of([" Date ", None, "", "Amount", "Date", 2004]) == ["Date", "Amount", "2004"]


def test_the_row_bound_is_fifty_thousand():
    assert LEDGER_MAX_ROWS == 50_000


pennies = st.integers(min_value=1, max_value=10**13)


@given(pennies)
def test_any_amount_written_as_the_pages_write_it_reads_back(pence):
    amount = Decimal(pence) / 100
    assert parse_amount(money(amount)) == amount
    assert parse_amount(f"{amount:.2f}") == amount


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_any_date_reads_back_in_either_form(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}") == day


@given(st.text(max_size=30))
def test_any_text_is_read_or_refused_never_raises(text):
    read = read_ledger(HEADER, [row(Value=text, Posted=text, Stage=text)], MAPPING)
    assert len(read.lines) + bool(read.problems) == 1
    for line in read.lines:
        assert line.amount > 0 and line.amount == line.amount.quantize(Decimal("0.01"))


def test_a_row_blank_in_the_mapped_columns_is_no_line_whatever_is_beside():
    read = read_ledger([*HEADER, "Note"], [[*([""] * 7), "carried forward"], row()], MAPPING)
    assert read.problems == () and [line.row for line in read.lines] == [3]


GATEWAY = {
    number: PhaseTarget(key=number, project="Gateway", number=number, gated=gated, decision=d)
    for number, gated, d in ((1, False, "pending"), (2, True, "pending"), (3, True, "approved"))
}
ledger_rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from(["1.00", "2.50", "£1,000"]),
        st.sampled_from(["1", "2", "3", "9"]),
        st.sampled_from(["Gateway", "gateway", "Nowhere"]),
    ),
    max_size=12,
)


@given(ledger_rows, st.sets(st.sampled_from([("A", Decimal("1.00")), ("B", Decimal("1000"))])))
def test_a_plan_never_doubles_a_line_and_accounts_for_every_row(rows, recorded):
    lines = [
        row(**{"Doc no": ref, "Value": amount, "Stage": phase, "Scheme": project})
        for ref, amount, phase, project in rows
    ]
    read = read_ledger(HEADER, lines, MAPPING)
    plan = plan_ledger(
        read, phases={"gateway": GATEWAY}, recorded=dict.fromkeys(recorded, "recorded")
    )
    keys = [(p.line.reference, p.line.amount) for p in plan.to_add]
    assert len(keys) == len(set(keys)) and not set(keys) & recorded
    assert len(plan.to_add) + len(plan.duplicates) + len(plan.refused) == len(rows)
    assert plan.total == sum((p.line.amount for p in plan.to_add), Decimal("0.00"))
    assert all(p.phase.number in (1, 3) for p in plan.to_add)  # committed phases only
    assert plan.can_apply == (not plan.refused and bool(plan.to_add))
