from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money.delivery import (
    heat_map,
    latest_updates,
    milestone_dates,
    open_risks_by_score,
    past_review,
    projects_by_status,
    risk_band,
)
from projects.money.document import StatusUpdateData

DAY = date(2005, 1, 10)


@pytest.mark.parametrize(
    ("baseline", "forecast", "actual", "slippage", "state"),
    [
        (date(2005, 1, 31), None, None, 0, "Due soon"),
        (date(2005, 3, 31), None, None, 0, "On track"),
        (date(2005, 1, 31), date(2005, 2, 14), None, 14, "Late"),
        (date(2005, 1, 5), None, None, 5, "Late"),  # passed and not reached: late to this day
        (date(2005, 1, 5), date(2005, 1, 8), None, 5, "Late"),
        (date(2005, 1, 5), None, date(2005, 1, 4), 0, "Reached"),
        (date(2005, 1, 5), None, date(2005, 1, 7), 2, "Reached late"),
        (date(2005, 1, 31), date(2005, 1, 20), None, 0, "Due soon"),
    ],
)
def test_a_milestones_slippage_and_state(baseline, forecast, actual, slippage, state):
    dates = milestone_dates(baseline, forecast, actual, as_of=DAY)
    assert dates.slippage == slippage
    assert dates.state == state
    assert dates.late == (slippage > 0)


def test_slippage_in_words():
    assert milestone_dates(DAY, None, DAY, as_of=DAY).slippage_words == "On time"
    assert milestone_dates(DAY, date(2005, 1, 11), None, as_of=DAY).slippage_words == "1 day late"
    assert milestone_dates(DAY, date(2005, 1, 12), None, as_of=DAY).slippage_words == "2 days late"


@given(st.dates(), st.none() | st.dates(), st.none() | st.dates(), st.dates())
def test_slippage_is_never_negative_and_late_is_slippage(baseline, forecast, actual, as_of):
    dates = milestone_dates(baseline, forecast, actual, as_of=as_of)
    assert dates.slippage >= 0
    assert dates.late == (dates.slippage > 0)
    assert not (dates.late and dates.due_soon)


def test_the_latest_update_is_the_status():
    def update(project, day, status):
        return StatusUpdateData(project=project, date=day, status=status, reason="Why")

    assert latest_updates([]) == {}
    # A later date wins, whatever the order recorded; on the same day, the one recorded last.
    latest = latest_updates(
        [
            update("portal", date(2004, 10, 1), "amber"),
            update("portal", date(2004, 9, 1), "green"),
            update("crm", DAY, "green"),
            update("crm", DAY, "red"),
        ]
    )
    assert {slug: found.status for slug, found in latest.items()} == {
        "portal": "amber",
        "crm": "red",
    }


def test_projects_are_counted_by_status():
    assert projects_by_status(["red", "green", None, "green"]) == {
        "red": 1,
        "amber": 0,
        "green": 2,
        "not_set": 1,
    }


def test_risks_are_banded_scored_and_counted():
    assert [risk_band(score) for score in (1, 4, 5, 12, 15, 25)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    risks = [("open", 3, 4), ("open", 4, 3), ("closed", 5, 5), ("open", 1, 2)]
    assert open_risks_by_score(risks) == [{"score": 12, "count": 2}, {"score": 2, "count": 1}]


def test_past_review_only_when_open_and_passed():
    assert past_review(status="open", next_review=date(2005, 1, 9), as_of=DAY)
    assert not past_review(status="open", next_review=DAY, as_of=DAY)
    assert not past_review(status="closed", next_review=date(2005, 1, 9), as_of=DAY)
    assert not past_review(status="open", next_review=None, as_of=DAY)


def test_the_heat_map_counts_by_likelihood_downwards_and_impact_across():
    grid = heat_map([(5, 1), (5, 1), (1, 5), (3, 3)])
    assert grid[0] == (2, 0, 0, 0, 0)  # likelihood 5
    assert grid[4] == (0, 0, 0, 0, 1)  # likelihood 1
    assert grid[2][2] == 1
    assert sum(map(sum, grid)) == 4
