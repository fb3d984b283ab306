"""Recording several phase decisions at once, as a scenario applies them: all or none."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects.history import ConcurrentEditError
from projects.models import Phase, Project
from projects.money.vocabulary import Decision, ProjectStatus
from projects.services import phase_decide, phase_decisions_apply
from tests.projects.factories import PhaseFactory, ProgrammeFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2004, 10, 1)


@pytest.fixture
def world():
    """A programme with two projects: alpha with two gated phases, beta with one."""
    programme = ProgrammeFactory()
    alpha = ProjectFactory(programme=programme, slug="alpha", name="Alpha")
    beta = ProjectFactory(programme=programme, slug="beta", name="Beta")
    for project, numbers in ((alpha, (1, 2)), (beta, (1,))):
        for number in numbers:
            PhaseFactory(project=project, number=number, gated=True)
    return programme, UserFactory(username="facilitator")


def decisions() -> dict[tuple[str, int], tuple]:
    return {
        (phase.project.slug, phase.number): (phase.decision, phase.decided_on, phase.decision_note)
        for phase in Phase.objects.select_related("project")
    }


def versions() -> dict[str, int]:
    return dict(Project.objects.values_list("slug", "version"))


def apply(programme, user, project_decisions, expected_versions, **kwargs):
    return phase_decisions_apply(
        programme=programme,
        project_decisions=project_decisions,
        expected_versions=expected_versions,
        decided_on=kwargs.pop("decided_on", DAY),
        note=kwargs.pop("note", "Applied from a scenario"),
        user=user,
    )


def test_decisions_on_several_projects_are_recorded_with_the_user(world):
    programme, user = world
    decided = apply(
        programme,
        user,
        {"alpha": {1: Decision.APPROVED, 2: Decision.NOT_PROCEEDING}, "beta": {1: "approved"}},
        {"alpha": 1, "beta": 1},
    )
    assert sorted((p.project.slug, p.number) for p in decided) == [
        ("alpha", 1), ("alpha", 2), ("beta", 1)]  # fmt: skip
    assert decisions() == {
        ("alpha", 1): (Decision.APPROVED, DAY, "Applied from a scenario"),
        ("alpha", 2): (Decision.NOT_PROCEEDING, DAY, "Applied from a scenario"),
        ("beta", 1): (Decision.APPROVED, DAY, "Applied from a scenario"),
    }
    # Each decision claims the project's version in turn, as one made on its own page would.
    assert versions() == {"alpha": 3, "beta": 2}
    for phase in Phase.objects.all():
        assert phase.history.latest("history_date").history_user == user
    assert Project.objects.get(slug="alpha").history.latest("history_date").history_user == user


def test_a_stale_version_refuses_every_decision(world):
    programme, user = world
    beta_phase = Phase.objects.select_related("project__programme").get(project__slug="beta")
    phase_decide(phase=beta_phase, decision="approved", decided_on=DAY, note="Board",
                 expected_version=1, user=user)  # fmt: skip
    before = decisions(), versions()
    with pytest.raises(ConcurrentEditError) as refused:
        apply(programme, user, {"alpha": {1: "approved"}, "beta": {1: "not_proceeding"}},
              {"alpha": 1, "beta": 1})  # fmt: skip
    assert "Beta" in str(refused.value)
    assert refused.value.changes  # what the other person changed, from the history
    # Alpha sorts first and was decided before Beta was refused: rolled back with it.
    assert (decisions(), versions()) == before


def test_a_project_with_nothing_left_to_decide_must_still_be_unchanged(world):
    programme, user = world
    Project.objects.filter(slug="beta").update(version=5)
    before = decisions()
    with pytest.raises(ConcurrentEditError):
        apply(programme, user, {"alpha": {1: "approved"}}, {"alpha": 1, "beta": 4})
    assert decisions() == before
    apply(programme, user, {"alpha": {1: "approved"}}, {"alpha": 1, "beta": 5})
    assert decisions()[("alpha", 1)][0] == Decision.APPROVED
    assert versions()["beta"] == 5  # checked, not claimed: nothing of it changed


def test_a_refused_decision_refuses_them_all_and_names_its_phase(world):
    programme, user = world
    Project.objects.filter(slug="beta").update(status=ProjectStatus.WITHDRAWN)
    before = decisions(), versions()
    with pytest.raises(ValidationError) as refused:
        apply(programme, user, {"alpha": {2: "approved"}, "beta": {1: "approved"}},
              {"alpha": 1, "beta": 1})  # fmt: skip
    assert refused.value.messages == [
        "Phase 1 of Beta: Beta is withdrawn, so its phases cannot proceed: change the "
        "project's status first"
    ]
    assert (decisions(), versions()) == before


@pytest.mark.parametrize(
    ("project_decisions", "expected_versions", "message"),
    [
        ({"gamma": {1: "approved"}}, {"gamma": 1},
         "The project “gamma” is no longer in the programme."),
        ({"alpha": {1: "approved"}}, {},
         "The version of Alpha that the decisions were worked out from is missing."),
        ({"alpha": {7: "approved"}}, {"alpha": 1}, "Alpha has no phase 7."),
        ({"alpha": {1: "maybe"}}, {"alpha": 1}, "Phase 1 of Alpha: Select what was decided"),
    ],
)  # fmt: skip
def test_decisions_that_cannot_be_made_are_refused(
    world, project_decisions, expected_versions, message
):
    programme, user = world
    before = decisions(), versions()
    with pytest.raises(ValidationError) as refused:
        apply(programme, user, project_decisions, expected_versions)
    assert refused.value.messages == [message]
    assert (decisions(), versions()) == before


def test_another_programmes_project_is_not_found(world):
    _, user = world
    other = ProgrammeFactory()
    with pytest.raises(ValidationError, match="no longer in the programme"):
        apply(other, user, {"alpha": {1: "approved"}}, {"alpha": 1})
    assert decisions()[("alpha", 1)][0] == Decision.PENDING
