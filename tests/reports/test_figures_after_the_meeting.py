"""The figures after the meeting, worked out by hand from a format 2 file, to the penny."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.money.figures import compute_figures, figures_as_json
from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting, seed

DECEMBER = date(2004, 12, 1)


def figures_of(content, as_of=DECEMBER) -> dict:
    return figures_as_json(compute_figures(parse_programme(json.dumps(content)), as_of))


def by_partner(figures: dict) -> dict[str, dict]:
    return {row["partner"]: row for row in figures["per_partner"]}


def test_the_totals_after_the_meeting():
    figures = figures_of(after_the_meeting())
    # The autumn meeting's agreement stands: £10,000 now and up to £20,000 from each of eight.
    assert figures["agreement"] == {
        "meeting": "chief-executives-2004-10",
        "date": "2004-10-15",
        "immediate_total": "80000.00",
        "cap_total": "160000.00",
    }
    # 8 x £10,000, then £3,333.33 and £3,333.34 at the review.
    assert figures["invoiced"] == "86666.67"
    # Norfolk £13,333.33, Breckland £2,500.50, Broadland 2 x £5,000, four others £10,000.
    assert figures["paid"] == "65833.83"
    assert figures["refunded"] == "1250.00"
    assert figures["credited"] == "0.01"
    assert figures["owed"] == "20832.83"  # 86,666.67 - 65,833.83 - 0.01
    # Breckland £7,499.50, Norwich £10,000, South Norfolk £3,333.34; Norfolk's credit is not
    # money owed by another.
    assert figures["overdue"] == "20832.84"
    assert figures["uncalled"] == "73333.33"  # 160,000 - 86,666.67
    # Each share of the maximum is £9,375 now phase 2 stopped: Norfolk 13,333.32 - 9,375, and
    # £625 from each of four councils that paid £10,000; North Norfolk had £1,250 back.
    assert figures["surplus"] == "6458.32"
    assert figures["spent"] == "1200.00"
    assert figures["forecast_outturn"] == "2000.00"
    assert figures["pot_balance"] == "63383.83"  # 65,833.83 - 1,200 - 1,250
    # The agreement is what was pledged; paid less refunded is what was received.
    assert figures["pledged"] == "160000.00"
    assert figures["received"] == "64583.83"
    assert figures["gap_min"] == "-85000.00"
    assert figures["gap_max"] == "-85000.00"


def test_each_partner_after_the_meeting():
    partners = by_partner(figures_of(after_the_meeting()))
    assert partners["broadland"] == {
        **partners["broadland"],
        "agreed_immediate": "10000.00",
        "agreed_cap": "20000.00",
        "invoiced": "10000.00",
        "paid": "10000.00",
        "owed": "0.00",
        "overdue": "0.00",
        "uncalled": "10000.00",
        "surplus": "625.00",
        "pledged": "20000.00",
        "received": "10000.00",
        "outstanding": "10000.00",
    }
    assert partners["norfolk-county"]["owed"] == "-0.01"  # in credit
    assert partners["norfolk-county"]["surplus"] == "3958.32"
    assert partners["breckland"]["overdue"] == "7499.50"
    assert partners["north-norfolk"]["surplus"] == "0.00"
    assert partners["north-norfolk"]["received"] == "8750.00"
    # Each total is the sum over the partners.
    figures = figures_of(after_the_meeting())
    for key in ("invoiced", "paid", "refunded", "credited", "owed", "overdue", "surplus"):
        assert sum(float(row[key]) for row in figures["per_partner"]) == pytest.approx(
            float(figures[key])
        ), key


def test_overdue_depends_on_the_day():
    # Before the review invoices fall due, only Breckland's and Norwich's immediate money is.
    assert figures_of(after_the_meeting(), date(2004, 11, 15))["overdue"] == "17499.50"
    # On the due date itself nothing of the immediate call is overdue yet.
    assert figures_of(after_the_meeting(), date(2004, 7, 31))["overdue"] == "0.00"
    # The day moves only what is due, not what is paid: Broadland's second instalment of
    # 2 August counts on 1 August too, as the figures object defines overdue.
    assert figures_of(after_the_meeting(), date(2004, 8, 1))["overdue"] == "17499.50"


def test_before_an_agreement_the_figures_keep_their_first_meaning():
    figures = figures_of(seed())
    assert figures["agreement"] is None
    assert figures["uncalled"] is None
    assert figures["invoiced"] == figures["pot_balance"] == "0.00"
    assert all(row["agreed_cap"] is None for row in figures["per_partner"])


@pytest.mark.django_db
def test_the_command_gives_the_figures_of_a_loaded_format_2_file_as_of_a_day():
    programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    out = StringIO()
    call_command(
        "programme_figures", "norfolk-connect-2004", "--json", "--as-of", "2004-12-01", stdout=out
    )
    figures = json.loads(out.getvalue())
    assert figures == figures_of(after_the_meeting())
    # Every record of the file is in them: spend, forecasts, status, milestones and risks.
    assert (figures["spent"], figures["forecast_outturn"], figures["pot_balance"]) == (
        "1200.00",
        "2000.00",
        "63383.83",
    )
    assert figures["projects_by_status"] == {"red": 0, "amber": 1, "green": 0, "not_set": 9}
    assert figures["late_milestones"] == 2
    assert figures["open_risks_by_score"] == [
        {"score": 10, "count": 1},
        {"score": 8, "count": 1},
    ]
    table = StringIO()
    call_command("programme_figures", "norfolk-connect-2004", "--as-of", "2004-12-01", stdout=table)
    assert "Overdue" in table.getvalue() and "£20,832.84" in table.getvalue()
    with pytest.raises(CommandError, match="--as-of must be a date such as 2004-12-01"):
        call_command("programme_figures", "norfolk-connect-2004", "--as-of", "1 December")
