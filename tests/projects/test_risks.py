"""The risk register's writes (risk_save, risk_delete) and reads (register, top risks, a
project's risks): refused whole with a message, in the history with their author, and read in
a fixed number of queries however many risks there are."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects.models import Risk
from projects.money.vocabulary import RiskStatus
from projects.selectors.risks import (
    project_risks,
    register_risks,
    risk_register,
    top_risks,
)
from projects.services.risks import CHANGED_SINCE, latest_change, risk_delete, risk_save
from tests.projects.factories import (
    MembershipFactory,
    ProgrammeFactory,
    ProjectFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2004, 10, 1)


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def user(programme):
    return MembershipFactory(partnership=programme.partnership).user


def save(programme, user, **changes):
    values = {
        "reference": "R1",
        "description": "Suppliers cannot deliver in time",
        "likelihood": 3,
        "impact": 4,
    }
    values.update(changes)
    return risk_save(programme=programme, user=user, **values)


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# Writes


def test_a_risk_is_added_with_its_author_in_the_history(programme, user):
    project = ProjectFactory(programme=programme)
    risk = save(
        programme,
        user,
        project=project,
        owner=" Jo Bloggs ",
        mitigation="Two suppliers",
        next_review=date(2004, 12, 1),
    )
    risk.refresh_from_db()
    assert (risk.reference, risk.likelihood, risk.impact, risk.project) == ("R1", 3, 4, project)
    assert risk.owner == "Jo Bloggs" and risk.status == RiskStatus.OPEN
    (record,) = risk.history.all()
    assert record.history_type == "+" and record.history_user == user


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reference": ""}, "reference", "Enter the risk's reference"),
        ({"reference": "   "}, "reference", "Enter the risk's reference"),
        ({"description": ""}, "description", "Enter the risk's description"),
        ({"likelihood": 0}, "likelihood", "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": 6}, "likelihood", "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": "three"}, "likelihood", "Likelihood must be a whole number from 1 to 5"),
        ({"likelihood": None}, "likelihood", "Likelihood must be a whole number from 1 to 5"),
        ({"impact": 0}, "impact", "Impact must be a whole number from 1 to 5"),
        ({"impact": 2.5}, "impact", "Impact must be a whole number from 1 to 5"),
        ({"impact": True}, "impact", "Impact must be a whole number from 1 to 5"),
        ({"status": "maybe"}, "status", "Select whether the risk is open or closed"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    programme, user, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        save(programme, user, **changes)
    assert messages_of(refused.value)[field] == [message]
    assert not Risk.objects.exists() and not Risk.history.exists()


def test_a_reference_names_one_risk_of_the_programme(programme, user):
    save(programme, user, reference="R1")
    with pytest.raises(ValidationError) as refused:
        save(programme, user, reference="R1", description="Another")
    assert messages_of(refused.value)["reference"] == [
        "The programme already has a risk with reference R1"
    ]
    assert Risk.objects.count() == 1
    # Another programme may use the same reference.
    other = ProgrammeFactory()
    save(other, user, reference="R1")
    assert Risk.objects.count() == 2


def test_a_risks_project_is_one_of_the_programmes(programme, user):
    elsewhere = ProjectFactory()
    with pytest.raises(ValidationError) as refused:
        save(programme, user, project=elsewhere)
    assert "project" in messages_of(refused.value)
    assert not Risk.objects.exists()


def test_closing_a_risk_is_a_change_that_keeps_its_record(programme, user):
    risk = save(programme, user)
    seen = latest_change(risk)
    closed = save(programme, user, risk=risk, status=RiskStatus.CLOSED, seen=seen)
    assert closed.pk == risk.pk and Risk.objects.get().status == RiskStatus.CLOSED
    assert [h.history_type for h in Risk.history.order_by("history_id")] == ["+", "~"]


def test_a_change_keeps_its_own_reference_and_may_take_a_free_one(programme, user):
    risk = save(programme, user, reference="R1")
    save(programme, user, reference="R2", description="Other")
    save(programme, user, risk=risk, reference="R1", impact=5, seen=latest_change(risk))
    with pytest.raises(ValidationError):
        save(programme, user, risk=risk, reference="R2", seen=latest_change(risk))
    save(programme, user, risk=risk, reference="R3", seen=latest_change(risk))
    assert sorted(Risk.objects.values_list("reference", flat=True)) == ["R2", "R3"]


def test_a_change_made_from_an_older_copy_is_refused(programme, user):
    risk = save(programme, user)
    opened = latest_change(risk)
    save(programme, user, risk=risk, impact=5, seen=opened)  # someone else saves first
    with pytest.raises(ValidationError) as refused:
        save(programme, user, risk=risk, impact=1, seen=opened)
    assert refused.value.messages == [CHANGED_SINCE]
    assert Risk.objects.get().impact == 5
    with pytest.raises(ValidationError):
        save(programme, user, risk=risk, impact=1, seen=None)  # no copy named at all


def test_another_programmes_risk_is_not_changed(programme, user):
    risk = save(programme, user)
    with pytest.raises(ValidationError):
        save(ProgrammeFactory(), user, risk=risk, impact=1, seen=latest_change(risk))
    assert Risk.objects.get().impact == 4


def test_a_risk_removed_in_error_keeps_its_history(programme, user):
    risk = save(programme, user)
    risk_delete(risk=risk, user=user)
    assert not Risk.objects.exists()
    assert [(h.history_type, h.history_user) for h in Risk.history.order_by("history_id")] == [
        ("+", user),
        ("-", user),
    ]


# Reads


def test_the_register_scores_bands_and_flags_overdue_reviews(programme):
    project = ProjectFactory(programme=programme, name="Gateway")
    RiskFactory(programme=programme, reference="A", likelihood=5, impact=3,
                next_review=date(2004, 9, 30))  # fmt: skip
    RiskFactory(programme=programme, project=project, reference="B", likelihood=2, impact=3,
                next_review=TODAY)  # fmt: skip
    RiskFactory(programme=programme, reference="C", likelihood=1, impact=2,
                status=RiskStatus.CLOSED, next_review=date(2004, 1, 1))  # fmt: skip
    RiskFactory(programme=programme, reference="D", likelihood=5, impact=5)
    RiskFactory(reference="elsewhere")
    register = risk_register(programme=programme, as_of=TODAY)
    rows = [
        (r.risk.reference, r.score, r.band, r.past_review, r.project_name) for r in register.rows
    ]
    assert rows == [
        ("D", 25, "high", False, "Programme"),
        ("A", 15, "high", True, "Programme"),  # reviewed by 30 September: overdue
        ("B", 6, "medium", False, "Gateway"),  # due today: not yet overdue
        ("C", 2, "low", False, "Programme"),  # closed: never overdue, listed last
    ]
    # The heat map counts the open risks only: likelihood 5 is the first row.
    assert register.heat_map[0] == (0, 0, 1, 0, 1)
    assert register.heat_map[3] == (0, 0, 1, 0, 0)
    assert sum(map(sum, register.heat_map)) == 3


def test_top_risks_are_open_highest_first_then_overdue_at_most_five(programme):
    for n, (likelihood, impact, review) in enumerate(
        [(3, 3, None), (3, 3, date(2004, 1, 1)), (5, 5, None), (1, 1, date(2004, 1, 1)),
         (4, 4, None), (2, 5, None), (2, 2, None)]
    ):  # fmt: skip
        RiskFactory(programme=programme, reference=f"R{n}", likelihood=likelihood,
                    impact=impact, next_review=review)  # fmt: skip
    RiskFactory(programme=programme, reference="closed", likelihood=5, impact=5,
                status=RiskStatus.CLOSED, next_review=date(2004, 1, 1))  # fmt: skip
    top = top_risks(programme=programme, as_of=TODAY)
    assert [row.risk.reference for row in top.rows] == ["R2", "R4", "R5", "R1", "R0"]
    assert (top.open_count, top.past_review_count) == (7, 2)
    assert top.rows[3].past_review and not top.rows[4].past_review


def test_no_open_risks_counts_none(programme):
    RiskFactory(programme=programme, status=RiskStatus.CLOSED)
    top = top_risks(programme=programme, as_of=TODAY)
    assert (top.rows, top.open_count, top.past_review_count) == ([], 0, 0)


def test_a_projects_risks_are_its_own(programme):
    project = ProjectFactory(programme=programme)
    RiskFactory(programme=programme, project=project, reference="mine", likelihood=1)
    RiskFactory(programme=programme, project=project, reference="top", likelihood=5)
    RiskFactory(programme=programme, reference="programme's")
    rows = project_risks(project=project, as_of=TODAY)
    assert [row.risk.reference for row in rows] == ["top", "mine"]


def make_risks(programme, count: int) -> None:
    projects = [ProjectFactory(programme=programme) for _ in range(3)]
    Risk.objects.bulk_create(
        Risk(
            programme=programme,
            project=projects[n % 4] if n % 4 < 3 else None,
            reference=f"R{n}",
            description=f"Risk {n}",
            likelihood=n % 5 + 1,
            impact=(n // 5) % 5 + 1,
            next_review=date(2004, 1, 1) if n % 3 == 0 else None,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [10, 200])
def test_reads_take_a_fixed_number_of_queries(programme, count, django_assert_num_queries):
    make_risks(programme, count)
    project = programme.projects.first()
    with django_assert_num_queries(2):
        register = risk_register(programme=programme, as_of=TODAY)
        names = [row.project_name for row in register.rows]
    assert len(names) == count and sum(map(sum, register.heat_map)) == count
    with django_assert_num_queries(1):
        top = top_risks(programme=programme, as_of=TODAY)
        [row.project_name for row in top.rows]
    assert top.open_count == count and len(top.rows) == 5
    with django_assert_num_queries(1):
        rows = project_risks(project=project, as_of=TODAY)
        [row.project_name for row in rows]
    assert rows
    assert register_risks(programme=programme).count() == count
