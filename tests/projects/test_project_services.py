"""Saving a project with its phases, funding lines and outcome claims: all of it or none of it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from projects.history import ConcurrentEditError
from projects.models import FundingLine, OutcomeClaim, Phase, Project
from projects.money.vocabulary import Decision, Grade, ProjectStatus
from projects.services import (
    ProjectRefusal,
    RowChange,
    project_changes_since,
    project_create,
    project_delete,
    project_update,
)
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import PhaseFactory, ProgrammeFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ROW_MODELS = [Project, Phase, FundingLine, OutcomeClaim]


def snapshot() -> dict:
    """Every row and every history record a project save could touch."""
    state = {}
    for model in ROW_MODELS:
        state[model.__name__] = sorted(map(repr, model.objects.values_list()))
        state[f"{model.__name__} history"] = model.history.count()
    return state


def phase(number, name="Phase", cost="1000.00", pk=None, delete=False, **extra) -> RowChange:
    data = {
        "number": number,
        "name": name,
        "extra_cost": None if cost is None else Decimal(cost),
        "gated": False,
        "decision": Decision.PENDING,
        "borne": "shared",
        "note": "",
        **extra,
    }
    return RowChange(pk=pk, data=data, delete=delete)


def funding(source="Local budget", amount="500.00", pk=None) -> RowChange:
    return RowChange(
        pk=pk,
        data={
            "source": source,
            "kind": "local",
            "amount": Decimal(amount),
            "status": "secured",
            "note": "",
        },
    )


def claim(grade=Grade.REQUIRED, code="", pk=None) -> RowChange:
    return RowChange(pk=pk, data={"grade": grade, "code": code})


def project_data(**changes) -> dict:
    return {
        "name": "Shared CRM",
        "slug": "shared-crm",
        "description": "",
        "outputs": "",
        "external_project": "",
        "supports_strategy": True,
        "lead_partner": None,
        "status": ProjectStatus.PROPOSED,
        **changes,
    }


@pytest.fixture
def user():
    return UserFactory(username="facilitator")


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def project(programme, user):
    return project_create(
        programme=programme,
        data=project_data(name="Portal", slug="portal"),
        phases=[phase(1, "Investigation", "7000"), phase(2, "Build", "50000")],
        funding=[funding("ODPM grant", "15000")],
        claims=[claim(Grade.GOOD)],
        user=user,
    )


def rows_of(project):
    phases = {p.number: p for p in project.phases.all()}
    return phases, list(project.funding_lines.all()), list(project.outcome_claims.all())


def test_create_saves_the_project_and_its_rows_last_in_the_programme(programme, user):
    ProjectFactory(programme=programme, position=7)
    created = project_create(
        programme=programme,
        data=project_data(),
        phases=[phase(1, cost="7000"), phase(2, cost=None, gated=True)],
        funding=[funding(), funding(source="ODPM grant", amount="250.50")],
        claims=[claim(), claim(Grade.EXCELLENT, "R12")],
        user=user,
    )
    created.refresh_from_db()
    assert created.position == 8
    assert created.version == 1
    assert [(p.number, p.extra_cost, p.gated) for p in created.phases.all()] == [
        (1, Decimal("7000.00"), False),
        (2, None, True),
    ]
    assert [(f.source, f.amount, f.position) for f in created.funding_lines.all()] == [
        ("Local budget", Decimal("500.00"), 0),
        ("ODPM grant", Decimal("250.50"), 1),
    ]
    assert [(c.grade, c.code) for c in created.outcome_claims.all()] == [
        ("required", ""),
        ("excellent", "R12"),
    ]
    for model in ROW_MODELS:
        assert {record.history_user for record in model.history.filter(history_type="+")} <= {
            user,
            None,
        }
    assert all(record.history_user == user for record in Phase.history.all())
    assert created.history.get().history_user == user


def test_first_project_of_a_programme_is_at_position_zero(programme, user):
    created = project_create(programme=programme, data=project_data(), user=user)
    assert created.position == 0


@pytest.mark.parametrize("slug", ["new", "rows"])
def test_create_refuses_a_reserved_slug(programme, user, slug):
    with pytest.raises(ValidationError) as error:
        project_create(programme=programme, data=project_data(slug=slug), user=user)
    assert "slug" in error.value.message_dict
    assert not Project.objects.exists()


def test_create_refuses_a_slug_already_in_the_programme(project, user):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        project_create(programme=project.programme, data=project_data(slug="portal"), user=user)
    assert error.value.message_dict["slug"] == [
        "A project with this slug is already in the programme."
    ]
    assert snapshot() == before


def test_create_allows_the_same_slug_in_another_programme(project, user):
    other = ProgrammeFactory(partnership=project.programme.partnership)
    created = project_create(programme=other, data=project_data(slug="portal"), user=user)
    assert created.programme == other


def test_create_refuses_another_partnerships_lead_partner(programme, user):
    stranger = PartnerFactory()
    with pytest.raises(ValidationError) as error:
        project_create(programme=programme, data=project_data(lead_partner=stranger), user=user)
    assert "lead_partner" in error.value.message_dict
    assert not Project.objects.exists()


def test_create_keeps_the_partnerships_lead_partner(programme, user):
    ours = PartnerFactory(partnership=programme.partnership)
    created = project_create(programme=programme, data=project_data(lead_partner=ours), user=user)
    assert Project.objects.get(pk=created.pk).lead_partner == ours


def test_a_bad_row_refuses_the_whole_create(programme, user):
    with pytest.raises(ValidationError) as error:
        project_create(
            programme=programme,
            data=project_data(),
            phases=[phase(1), phase(2, name="x" * 201)],
            funding=[funding(amount="-1")],
            user=user,
        )
    assert set(error.value.message_dict) == {"phases.1.name", "funding.0.amount"}
    assert not Project.objects.exists()
    assert not Phase.objects.exists()


def test_update_changes_the_project_and_its_rows(project, user):
    phases, (line,), (existing_claim,) = rows_of(project)
    project_update(
        project=project,
        data={"name": "Portal 2", "status": ProjectStatus.ACTIVE},
        phases=[
            phase(1, name="Investigation", cost="7000", pk=phases[1].pk),
            phase(2, pk=phases[2].pk, delete=True),
            phase(3, name="Roll-out", cost="12,000".replace(",", "")),
        ],
        funding=[funding(source="ODPM grant", amount="20000", pk=line.pk)],
        claims=[claim(pk=existing_claim.pk), claim(Grade.EXCELLENT)],
        expected_version=1,
        user=user,
    )
    project.refresh_from_db()
    assert (project.name, project.status, project.version) == ("Portal 2", "active", 2)
    assert [(p.number, p.name, p.extra_cost) for p in project.phases.all()] == [
        (1, "Investigation", Decimal("7000.00")),
        (3, "Roll-out", Decimal("12000.00")),
    ]
    assert [f.amount for f in project.funding_lines.all()] == [Decimal("20000.00")]
    assert [c.grade for c in project.outcome_claims.all()] == ["required", "excellent"]


def test_update_records_the_user_on_every_changed_row_and_leaves_unchanged_rows_alone(
    project, user
):
    phases, (line,), (existing_claim,) = rows_of(project)
    project_update(
        project=project,
        data={},
        phases=[
            phase(1, name="Investigation", cost="7000", pk=phases[1].pk),
            phase(2, name="Build", cost="60000", pk=phases[2].pk),
        ],
        funding=[funding(source="ODPM grant", amount="15000", pk=line.pk)],
        claims=[claim(pk=existing_claim.pk, grade=Grade.GOOD), claim(Grade.EXCELLENT)],
        expected_version=1,
        user=user,
    )
    assert phases[1].history.count() == 1  # unchanged: no new record
    assert line.history.count() == 1
    changed = phases[2].history.first()
    assert (changed.history_type, changed.history_user, changed.extra_cost) == (
        "~",
        user,
        Decimal("60000.00"),
    )
    added = OutcomeClaim.history.filter(history_type="+", grade=Grade.EXCELLENT).get()
    assert added.history_user == user
    assert project.history.first().history_user == user
    # One save, one moment: every record of it carries the same date.
    assert added.history_date == changed.history_date == project.history.first().history_date


def test_update_swaps_two_phase_numbers(project, user):
    phases, _, _ = rows_of(project)
    project_update(
        project=project,
        data={},
        phases=[
            phase(2, name="Investigation", cost="7000", pk=phases[1].pk),
            phase(1, name="Build", cost="50000", pk=phases[2].pk),
        ],
        expected_version=1,
        user=user,
    )
    assert [(p.number, p.name) for p in project.phases.all()] == [
        (1, "Build"),
        (2, "Investigation"),
    ]
    assert phases[1].history.first().number == 2


def test_update_can_reuse_the_number_of_a_removed_phase(project, user):
    phases, _, _ = rows_of(project)
    project_update(
        project=project,
        data={},
        phases=[phase(2, pk=phases[2].pk, delete=True), phase(2, name="New build")],
        expected_version=1,
        user=user,
    )
    assert [(p.number, p.name) for p in project.phases.all()] == [
        (1, "Investigation"),
        (2, "New build"),
    ]


def test_a_bad_row_is_refused_at_a_structured_path(programme, user):
    with pytest.raises(ProjectRefusal) as error:
        project_create(
            programme=programme,
            data=project_data(),
            phases=[phase(1), phase(2, cost="-1")],
            user=user,
        )
    assert [problem.path for problem in error.value.problems] == [("phases", 1, "extra_cost")]
    assert not Project.objects.exists()


def test_duplicate_phase_numbers_are_refused_on_the_row(project, user):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        project_update(project=project, data={}, phases=[phase(2)], expected_version=1, user=user)
    assert list(error.value.message_dict) == ["phases.0.number"]
    assert snapshot() == before


def test_another_projects_row_is_refused(project, user):
    other_phase = PhaseFactory(project=ProjectFactory(programme=project.programme), number=5)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        project_update(
            project=project,
            data={},
            phases=[phase(5, name="Hijack", pk=other_phase.pk)],
            expected_version=1,
            user=user,
        )
    assert "phases.0.__all__" in error.value.message_dict
    assert snapshot() == before
    # Not even a removal of another project's row goes through.
    with pytest.raises(ValidationError):
        project_update(
            project=project,
            data={},
            phases=[phase(5, pk=other_phase.pk, delete=True)],
            expected_version=1,
            user=user,
        )
    assert Phase.objects.filter(pk=other_phase.pk).exists()


def test_the_same_row_twice_is_refused(project, user):
    phases, _, _ = rows_of(project)
    with pytest.raises(ValidationError) as error:
        project_update(
            project=project,
            data={},
            phases=[phase(1, pk=phases[1].pk), phase(3, pk=phases[1].pk)],
            expected_version=1,
            user=user,
        )
    assert "phases.1.__all__" in error.value.message_dict


def test_a_withdrawn_project_needs_every_phase_not_proceeding(project, user):
    phases, _, _ = rows_of(project)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        project_update(
            project=project,
            data={"status": ProjectStatus.WITHDRAWN},
            phases=[
                phase(1, pk=phases[1].pk, decision=Decision.NOT_PROCEEDING),
            ],  # phase 2, left out, is still pending
            expected_version=1,
            user=user,
        )
    assert "phase 2" in error.value.message_dict["status"][0]
    assert snapshot() == before
    project_update(
        project=project,
        data={"status": ProjectStatus.WITHDRAWN},
        phases=[
            phase(1, name="Investigation", pk=phases[1].pk, decision=Decision.NOT_PROCEEDING),
            phase(2, name="Build", pk=phases[2].pk, decision=Decision.NOT_PROCEEDING),
        ],
        expected_version=1,
        user=user,
    )
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.WITHDRAWN


def test_a_stale_version_is_refused_with_what_changed(project, user):
    phases, (line,), _ = rows_of(project)
    colleague = UserFactory(username="colleague")
    theirs = Project.objects.get(pk=project.pk)
    project_update(
        project=theirs,
        data={"name": "Portal (renamed)"},
        phases=[
            phase(1, name="Investigation", cost="9000", pk=phases[1].pk),
            phase(2, pk=phases[2].pk, delete=True),
        ],
        funding=[funding(source="ODPM grant", amount="15000", pk=line.pk), funding("New pot")],
        expected_version=1,
        user=colleague,
    )
    before = snapshot()
    with pytest.raises(ConcurrentEditError) as error:
        project_update(project=project, data={"name": "Mine"}, expected_version=1, user=user)
    assert snapshot() == before
    changes = {(c.row, c.field, c.old, c.new) for c in error.value.changes}
    assert ("Project", "Name", "Portal", "Portal (renamed)") in changes
    assert ("Phase 1: Investigation", "Extra cost", "£7,000", "£9,000") in changes
    assert ("Phase 2: Build", "Row", "Present", "Removed") in changes
    assert ("Funding line: New pot", "Row", "-", "Added") in changes
    # Rows saved with version 1, and rows the colleague left as they were, are not listed.
    assert len(changes) == 4


def test_changes_since_the_current_version_are_none(project, user):
    project_update(project=project, data={"name": "Portal 2"}, expected_version=1, user=user)
    assert project_changes_since(project, 2) == []


def test_delete_removes_the_project_and_its_rows_naming_the_user(project, user):
    phase_ids = list(project.phases.values_list("pk", flat=True))
    project_delete(project=project, expected_version=1, user=user)
    assert not Project.objects.exists()
    assert not Phase.objects.exists() and not FundingLine.objects.exists()
    assert not OutcomeClaim.objects.exists()
    removed = Phase.history.filter(history_type="-")
    assert sorted(removed.values_list("id", flat=True)) == sorted(phase_ids)
    assert {record.history_user for record in removed} == {user}
    assert Project.history.get(history_type="-").history_user == user
    assert FundingLine.history.get(history_type="-").history_user == user


def test_delete_refuses_a_stale_version(project, user):
    before = snapshot()
    with pytest.raises(ConcurrentEditError):
        project_delete(project=project, expected_version=7, user=user)
    assert snapshot() == before


def test_a_database_refusal_becomes_a_validation_error_and_saves_nothing(
    project, user, monkeypatch
):
    before = snapshot()
    real_save = Phase.save

    def refuse(self, *args, **kwargs):
        if self.name == "Clash":
            raise IntegrityError("UNIQUE constraint failed: projects_phase.number")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Phase, "save", refuse)
    with pytest.raises(ValidationError) as error:
        project_update(
            project=project,
            data={"name": "Renamed"},
            phases=[phase(3, name="Clash")],
            expected_version=1,
            user=user,
        )
    assert "clashes" in error.value.messages[0]
    assert snapshot() == before
