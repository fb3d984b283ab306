"""The delivery figures of the figures object, on a programme file holding every record."""

import json
from datetime import date

from projects.money.figures import compute_figures, figures_as_json
from projects.programme_file import parse_programme
from tests.after_the_meeting import after_the_meeting


def figures_on(day: date) -> dict:
    document = parse_programme(json.dumps(after_the_meeting()))
    return figures_as_json(compute_figures(document, day))


def test_projects_are_counted_by_their_latest_status():
    figures = figures_on(date(2004, 12, 1))
    # Authentication was green, then amber; the other projects have none.
    assert figures["projects_by_status"] == {"red": 0, "amber": 1, "green": 0, "not_set": 9}


def test_late_milestones_are_counted_on_the_as_of_day():
    # The gateway's milestone is forecast two months after its baseline: late on any day. The
    # kiosks were installed eight days after theirs: late too.
    assert figures_on(date(2004, 9, 1))["late_milestones"] == 2
    content = after_the_meeting()
    content["milestones"][0]["forecast"] = None
    content["milestones"][1]["actual"] = "2004-09-30"
    document = parse_programme(json.dumps(content))
    # Before its baseline the gateway is on time; after it, not reached, it is late.
    assert figures_as_json(compute_figures(document, date(2004, 12, 31)))["late_milestones"] == 0
    assert figures_as_json(compute_figures(document, date(2005, 1, 1)))["late_milestones"] == 1


def test_open_risks_are_counted_by_score_highest_first():
    # 3.1 scores 2 x 4 and 3.2 2 x 5; R3, closed, is not counted.
    assert figures_on(date(2004, 12, 1))["open_risks_by_score"] == [
        {"score": 10, "count": 1},
        {"score": 8, "count": 1},
    ]


def test_the_money_figures_are_as_they_were():
    figures = figures_on(date(2004, 12, 1))
    assert figures["spent"] == "1200.00"
    assert figures["forecast_outturn"] == "2000.00"
