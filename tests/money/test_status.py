"""The status a project is shown with: the one set, or "Not proceeding" from its phases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money.status import ShownStatus, shown_status
from projects.money.vocabulary import ProjectStatus


@pytest.mark.parametrize(
    ("status", "phases", "stopped", "shown"),
    [
        (ProjectStatus.PROPOSED, 1, 1, ShownStatus("Not proceeding", derived=True)),
        (ProjectStatus.PROPOSED, 3, 3, ShownStatus("Not proceeding", derived=True)),
        (ProjectStatus.PROPOSED, 2, 1, ShownStatus("Proposed")),  # one phase still in play
        (ProjectStatus.PROPOSED, 0, 0, ShownStatus("Proposed")),  # no phases: nothing to say
        (ProjectStatus.ACTIVE, 1, 1, ShownStatus("Active")),  # a status set always stands
        (ProjectStatus.COMPLETE, 2, 2, ShownStatus("Complete")),
        (ProjectStatus.WITHDRAWN, 2, 2, ShownStatus("Withdrawn")),
        ("proposed", 1, 1, ShownStatus("Not proceeding", derived=True)),  # as stored
    ],
)
def test_shown_status(status, phases, stopped, shown):
    assert shown_status(status, phases=phases, stopped=stopped) == shown


@given(
    status=st.sampled_from(list(ProjectStatus)),
    phases=st.integers(min_value=0, max_value=50),
    data=st.data(),
)
def test_only_the_default_status_gives_way_and_only_to_not_proceeding(status, phases, data):
    stopped = data.draw(st.integers(min_value=0, max_value=phases))
    shown = shown_status(status, phases=phases, stopped=stopped)
    if shown.derived:
        assert status == ProjectStatus.PROPOSED and phases and stopped == phases
        assert shown.label == "Not proceeding"
    else:
        assert shown.label == status.label
