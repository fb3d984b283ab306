"""Writes of several phase decisions at once, as a scenario applies them: all of them or none."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ..history import Author, ConcurrentEditError
from ..models import Phase, Programme, Project
from .phases import phase_decide
from .projects import project_changes_since


@transaction.atomic
def phase_decisions_apply(
    *,
    programme: Programme,
    project_decisions: Mapping[str, Mapping[int, str]],
    expected_versions: Mapping[str, int],
    decided_on: date,
    note: str,
    user: Author,
) -> list[Phase]:
    """Record decisions on phases of several projects in one transaction, or none of them.

    ``project_decisions`` maps a project's slug to its phases' new decisions by phase number;
    ``expected_versions`` gives the version of each project the decisions were worked out from.
    Every project named in either must still be at that version: one saved since raises
    ``ConcurrentEditError``, and nothing is written. Each decision goes through
    ``phase_decide``, so it is checked, claims the project's version and is recorded in the
    history with the user, just as one made on the phase's own page.
    """
    slugs = sorted(set(project_decisions) | set(expected_versions))
    projects = {
        project.slug: project
        for project in Project.objects.filter(programme=programme, slug__in=slugs)
        .prefetch_related("phases")
        .order_by("slug")
    }
    decided: list[Phase] = []
    for slug in slugs:
        project = projects.get(slug)
        if project is None:
            raise ValidationError(f"The project “{slug}” is no longer in the programme.")
        if slug not in expected_versions:
            raise ValidationError(
                f"The version of {project.name} that the decisions were worked out from is missing."
            )
        project.programme = programme  # already fetched: the checks read its dates
        version = expected_versions[slug]
        decisions = project_decisions.get(slug, {})
        if not decisions and project.version != version:
            # Nothing to write here, but the decisions elsewhere were worked out from it.
            raise ConcurrentEditError(
                what=f"The project “{project.name}”",
                changes=project_changes_since(project, version),
            )
        phases = {phase.number: phase for phase in project.phases.all()}
        for number in sorted(decisions):
            phase = phases.get(number)
            if phase is None:
                raise ValidationError(f"{project.name} has no phase {number}.")
            phase.project = project
            try:
                phase_decide(
                    phase=phase,
                    decision=decisions[number],
                    decided_on=decided_on,
                    note=note,
                    expected_version=version,
                    user=user,
                )
            except ValidationError as error:
                raise ValidationError(
                    [f"Phase {number} of {project.name}: {message}" for message in error.messages]
                ) from error
            # Each decision moves the project's version on; the next one claims the new one.
            version = project.version
            decided.append(phase)
    return decided
