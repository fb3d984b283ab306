"""The status a project is shown with: the one set for it, or what its phases say.

A project's status is informational (it moves no figure). Left at its default, "Proposed", it
says nothing once every phase of the project has been stopped, so the pages then show
"Not proceeding", worked out from the phases. Nothing is stored: the programme file, the
workbook and the figures keep the status as set.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import Decision, ProjectStatus

NOT_PROCEEDING = Decision.NOT_PROCEEDING.label


@dataclass(frozen=True)
class ShownStatus:
    """A project's status as its pages show it, and whether it comes from its phases."""

    label: str
    derived: bool = False


def shown_status(status: str, *, phases: int, stopped: int) -> ShownStatus:
    """Return the status to show for a project with this many phases, this many stopped.

    Only the default status gives way, and only when the project has phases and every one of
    them is not proceeding. A status set by the facilitator (active, complete, withdrawn) is
    always shown as set, and so is "Proposed" for a project with no phases or any phase still in
    play.
    """
    if status == ProjectStatus.PROPOSED and phases > 0 and stopped == phases:
        return ShownStatus(NOT_PROCEEDING, derived=True)
    return ShownStatus(ProjectStatus(status).label)
