"""Delivery: milestones and status, written by the services, read by the selectors and pages."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Milestone, Role, StatusUpdate
from projects.money.delivery import milestone_dates
from projects.money.vocabulary import Rag
from projects.selectors.delivery import (
    delivery_summary,
    milestones_late_or_due,
    programme_delivery,
    project_delivery,
    projects_with_status,
    status_of,
)
from projects.services.delivery import (
    STATUS_IN_FUTURE,
    milestone_delete,
    milestone_save,
    status_set,
)
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import (
    MembershipFactory,
    MilestoneFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
    StatusUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2005, 1, 10)


@pytest.fixture
def project():
    return ProjectFactory(name="Authentication / Gateway", slug="gateway")


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def sign_in(client, programme, role=Role.FACILITATOR):
    membership = MembershipFactory(partnership=programme.partnership, role=role)
    client.force_login(membership.user)
    return membership.user


# Services


def test_a_milestone_is_saved_with_its_author_and_changed_in_the_history(project):
    user = UserFactory()
    phase = PhaseFactory(project=project, number=1)
    milestone = milestone_save(
        project=project, name=" Gateway live ", phase=phase, baseline=date(2005, 3, 31), user=user
    )
    assert milestone.name == "Gateway live" and milestone.phase == phase
    milestone_save(
        project=project,
        milestone=milestone,
        name="Gateway live",
        baseline=date(2005, 3, 31),
        forecast=date(2005, 6, 30),
        user=user,
        today=TODAY,
    )
    milestone.refresh_from_db()
    assert milestone.forecast == date(2005, 6, 30) and milestone.phase is None
    history = list(milestone.history.order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert {h.history_user for h in history} == {user}
    milestone_delete(milestone=milestone, user=user)
    assert not Milestone.objects.exists()
    assert Milestone.history.filter(history_type="-").get().history_user == user


def test_a_milestone_on_another_projects_phase_is_refused_and_nothing_saved(project):
    other = PhaseFactory(project=ProjectFactory(programme=project.programme))
    with pytest.raises(ValidationError) as refused:
        milestone_save(
            project=project, name="Live", phase=other, baseline=TODAY, user=UserFactory()
        )
    assert refused.value.message_dict == {"phase": ["Select a phase of this project from the list"]}
    assert not Milestone.objects.exists()


def test_a_milestone_reached_on_a_day_to_come_is_refused(project):
    with pytest.raises(ValidationError) as refused:
        milestone_save(
            project=project,
            name="Live",
            baseline=TODAY,
            actual=TODAY + timedelta(days=1),
            user=UserFactory(),
            today=TODAY,
        )
    assert "today or earlier" in refused.value.message_dict["actual"][0]
    assert not Milestone.objects.exists()


def test_a_milestone_without_a_name_is_refused_in_the_services_words(project):
    with pytest.raises(ValidationError) as refused:
        milestone_save(project=project, name="  ", baseline=TODAY, user=UserFactory())
    assert refused.value.message_dict == {"name": ["Enter the name"]}


def test_another_projects_milestone_cannot_be_changed_through_this_one(project):
    theirs = MilestoneFactory()
    with pytest.raises(ValidationError):
        milestone_save(
            project=project, milestone=theirs, name="Mine", baseline=TODAY, user=UserFactory()
        )
    theirs.refresh_from_db()
    assert theirs.name != "Mine"


def test_a_status_is_kept_with_the_earlier_ones_and_its_author(project):
    user = UserFactory()
    status_set(project=project, status=Rag.GREEN, date=date(2004, 9, 1), reason="Fine", user=user)
    update = status_set(
        project=project, status=Rag.AMBER, date=TODAY, reason=" Supplier late ", user=user,
        today=TODAY,
    )  # fmt: skip
    assert update.reason == "Supplier late"
    assert StatusUpdate.objects.filter(project=project).count() == 2
    assert update.history.get().history_user == user


@pytest.mark.parametrize(
    ("status", "day", "reason", "errors"),
    [
        ("purple", TODAY, "Why", {"status": ["Select the status: red, amber or green"]}),
        (Rag.RED, TODAY + timedelta(days=1), "Why", {"date": [STATUS_IN_FUTURE]}),
        (Rag.RED, TODAY, "   ", {"reason": ["Enter the reason for the status"]}),
    ],
)  # fmt: skip
def test_a_status_is_refused_whole_when_a_value_is_wrong(project, status, day, reason, errors):
    with pytest.raises(ValidationError) as refused:
        status_set(
            project=project, status=status, date=day, reason=reason, user=UserFactory(),
            today=TODAY,
        )  # fmt: skip
    assert refused.value.message_dict == errors
    assert not StatusUpdate.objects.exists()


# Selectors


def test_a_projects_delivery_has_its_milestones_in_order_and_its_status_newest_first(project):
    MilestoneFactory(project=project, name="Second", baseline=date(2005, 6, 1))
    MilestoneFactory(
        project=project, name="First", baseline=date(2004, 12, 1), forecast=date(2005, 2, 1)
    )
    StatusUpdateFactory(project=project, status=Rag.GREEN, date=date(2004, 9, 1))
    StatusUpdateFactory(project=project, status=Rag.RED, date=date(2004, 12, 1), reason="Stuck")
    # Recorded later, the same day: the later record is the status.
    StatusUpdateFactory(project=project, status=Rag.AMBER, date=date(2004, 12, 1), reason="Plan")
    delivery = project_delivery(project=project, as_of=TODAY)
    assert [row.milestone.name for row in delivery.milestones] == ["First", "Second"]
    first = delivery.milestones[0]
    assert first.dates.slippage == 62 and first.dates.state == "Late"
    assert first.dates.slippage_words == "62 days late"
    assert delivery.status.status == Rag.AMBER and delivery.status.reason == "Plan"
    assert [u.status for u in delivery.history] == [Rag.AMBER, Rag.RED, Rag.GREEN]


def test_each_projects_current_status_is_its_latest_update_in_one_query(
    project, django_assert_num_queries
):
    quiet = ProjectFactory(programme=project.programme, name="Quiet", position=2)
    StatusUpdateFactory(project=project, status=Rag.RED, date=date(2004, 12, 1))
    StatusUpdateFactory(project=project, status=Rag.GREEN, date=date(2004, 9, 1))
    with django_assert_num_queries(1):
        found = {p.name: status_of(p) for p in projects_with_status(programme=project.programme)}
    assert found["Authentication / Gateway"].status == Rag.RED
    assert found["Quiet"] is None and quiet


def rule_says_late_or_due(baseline, forecast, actual, as_of) -> bool:
    dates = milestone_dates(baseline, forecast, actual, as_of=as_of)
    return not dates.reached and (dates.late or dates.due_soon)


def test_the_late_or_due_filter_agrees_with_the_pure_rule(project):
    days = [TODAY - timedelta(days=40), TODAY - timedelta(days=1), TODAY,
            TODAY + timedelta(days=20), TODAY + timedelta(days=30), TODAY + timedelta(days=31),
            TODAY + timedelta(days=90)]  # fmt: skip
    expected = set()
    for baseline, forecast, actual in product(days, [None, *days], [None, TODAY]):
        milestone = MilestoneFactory(
            project=project, baseline=baseline, forecast=forecast, actual=actual
        )
        if rule_says_late_or_due(baseline, forecast, actual, TODAY):
            expected.add(milestone.pk)
    found, total = milestones_late_or_due(programme=project.programme, as_of=TODAY)
    assert {due.row.milestone.pk for due in found} == expected
    assert total == len(expected)
    # Listed by the date they are expected.
    listed = [due.row.milestone.forecast or due.row.milestone.baseline for due in found]
    assert listed == sorted(listed)


def test_the_dashboards_delivery_counts_projects_by_status_and_lists_ten(
    project, django_assert_num_queries
):
    programme = project.programme
    StatusUpdateFactory(project=project, status=Rag.AMBER)
    ProjectFactory(programme=programme)  # no status
    red = ProjectFactory(programme=programme)
    StatusUpdateFactory(project=red, status=Rag.GREEN, date=date(2004, 1, 1))
    StatusUpdateFactory(project=red, status=Rag.RED, date=date(2004, 2, 1))
    for n in range(12):
        MilestoneFactory(project=project, baseline=TODAY - timedelta(days=n + 1))
    MilestoneFactory(project=project, baseline=TODAY + timedelta(days=100))  # on track
    with django_assert_num_queries(2):
        summary = delivery_summary(programme=programme, as_of=TODAY)
    assert [(row.label, row.count) for row in summary.by_status] == [
        ("Red", 1), ("Amber", 1), ("Green", 0), ("Not set", 1)
    ]  # fmt: skip
    assert len(summary.due) == 10 and summary.due_total == 12
    assert summary.due[0].row.dates.slippage == 12  # the longest overdue first


def test_another_programmes_milestones_and_statuses_are_not_counted(project):
    elsewhere = ProjectFactory(programme=ProgrammeFactory())
    MilestoneFactory(project=elsewhere, baseline=TODAY - timedelta(days=3))
    StatusUpdateFactory(project=elsewhere, status=Rag.RED)
    summary = delivery_summary(programme=project.programme, as_of=TODAY)
    assert summary.due_total == 0 and summary.by_status[0].count == 0
    delivery = programme_delivery(programme=project.programme, as_of=TODAY)
    assert [p.name for p, _, _ in delivery.projects] == ["Authentication / Gateway"]


# Pages


def detail_url(project) -> str:
    return reverse("projects:project_detail", args=[project.programme.slug, project.slug])


def test_the_project_page_shows_its_status_history_and_milestones(client, project):
    phase = PhaseFactory(project=project, number=1, name="Build")
    StatusUpdateFactory(project=project, status=Rag.GREEN, date=date(2004, 9, 1), reason="Fine")
    StatusUpdateFactory(
        project=project, status=Rag.AMBER, date=date(2004, 12, 1), reason="Supplier late"
    )
    MilestoneFactory(
        project=project,
        phase=phase,
        name="Gateway live",
        baseline=date(2004, 10, 1),
        actual=date(2004, 10, 11),
    )
    sign_in(client, project.programme, Role.CHIEF_EXECUTIVE)
    page = text(client.get(detail_url(project)))
    assert "Delivery status now Amber Reason Supplier late Date set 1 December 2004" in page
    assert "1 December 2004 Amber Supplier late 1 September 2004 Green Fine" in page
    assert (
        "Gateway live 1. Build 1 October 2004 None given 11 October 2004 10 days late Reached late"
        in page
    )
    # A chief executive reads; only those who keep the programme change it.
    assert "Update the status" not in page and "Add a milestone" not in page


def test_a_facilitator_is_offered_the_changes(client, project):
    milestone = MilestoneFactory(project=project)
    sign_in(client, project.programme)
    html = client.get(detail_url(project)).content.decode()
    slug, name = project.programme.slug, project.slug
    for url in (
        reverse("projects:status_set", args=[slug, name]),
        reverse("projects:milestone_create", args=[slug, name]),
        reverse("projects:milestone_update", args=[slug, name, milestone.pk]),
        reverse("projects:milestone_delete", args=[slug, name, milestone.pk]),
    ):
        assert f'href="{url}"' in html


def date_fields(prefix: str, day: date | None) -> dict:
    if day is None:
        return {f"{prefix}-day": "", f"{prefix}-month": "", f"{prefix}-year": ""}
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def test_setting_the_status_through_the_page(client, project):
    user = sign_in(client, project.programme)
    url = reverse("projects:status_set", args=[project.programme.slug, project.slug])
    today = timezone.localdate()
    response = client.post(
        url, {"status": "amber", "reason": "Supplier late", **date_fields("date", today)}
    )
    assert response.status_code == 302 and response.url.endswith("#delivery")
    update = StatusUpdate.objects.get()
    assert (update.status, update.date, update.reason) == ("amber", today, "Supplier late")
    assert update.history.get().history_user == user


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Why"}, "Select the status: red, amber or green"),
        ({"status": "amber", "reason": ""}, "Enter the reason for the status"),
        ({"status": "amber", "reason": "Why", "future": True}, STATUS_IN_FUTURE),
        ({"status": "amber", "reason": "Why", "date-month": "13"}, "Date set must be a real date"),
    ],
)  # fmt: skip
def test_a_wrong_status_is_refused_in_words_and_nothing_written(client, project, data, message):
    sign_in(client, project.programme)
    url = reverse("projects:status_set", args=[project.programme.slug, project.slug])
    today = timezone.localdate()
    day = today + timedelta(days=1) if data.pop("future", False) else today
    response = client.post(url, {**date_fields("date", day), **data})
    assert response.status_code == 200
    assert message in text(response)
    assert "There is a problem" in text(response)
    assert not StatusUpdate.objects.exists()


def test_adding_slipping_and_removing_a_milestone_through_the_pages(client, project):
    phase = PhaseFactory(project=project, number=1, name="Build")
    user = sign_in(client, project.programme)
    slug = project.programme.slug
    today = timezone.localdate()
    baseline = today + timedelta(days=10)
    response = client.post(
        reverse("projects:milestone_create", args=[slug, project.slug]),
        {
            "name": "Gateway live",
            "phase": phase.pk,
            **date_fields("baseline", baseline),
            **date_fields("forecast", None),
            **date_fields("actual", None),
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    update = reverse("projects:milestone_update", args=[slug, project.slug, milestone.pk])
    form = client.get(update).content.decode()
    assert 'value="Gateway live"' in form
    response = client.post(
        update,
        {
            "name": "Gateway live",
            "phase": "",
            **date_fields("baseline", baseline),
            **date_fields("forecast", baseline + timedelta(days=21)),
            **date_fields("actual", None),
        },
        follow=True,
    )
    page = text(response)
    assert "The milestone “Gateway live” is changed: late, 21 days late." in page
    assert "21 days late Late" in page
    # The change history says how it slipped, and who moved it.
    history = response.context["page"].history
    slipped = next(e for e in history if e.row == "Milestone: Gateway live" and e.changes)
    assert slipped.who == user.get_username()
    assert sorted(c.field for c in slipped.changes) == ["Forecast date", "Phase"]
    delete = reverse("projects:milestone_delete", args=[slug, project.slug, milestone.pk])
    assert "Remove the milestone “Gateway live”?" in text(client.get(delete))
    assert Milestone.objects.exists()  # asking changes nothing
    response = client.post(delete)
    assert response.status_code == 302 and not Milestone.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Enter the milestone's name"),
        ({"baseline-day": ""}, "Baseline date must include a day"),
        ({"actual": "future"}, "The actual date must be today or earlier"),
        ({"phase": "other"}, "Select a phase of this project from the list"),
    ],
)
def test_a_wrong_milestone_is_refused_in_words_and_nothing_written(client, project, data, message):
    sign_in(client, project.programme)
    other = PhaseFactory(project=ProjectFactory(programme=project.programme))
    today = timezone.localdate()
    form = {
        "name": "Gateway live",
        "phase": "",
        **date_fields("baseline", today),
        **date_fields("forecast", None),
        **date_fields("actual", None),
    }
    if data.pop("actual", None):
        form.update(date_fields("actual", today + timedelta(days=1)))
    if data.pop("phase", None):
        form["phase"] = other.pk
    form.update(data)
    url = reverse("projects:milestone_create", args=[project.programme.slug, project.slug])
    response = client.post(url, form)
    assert response.status_code == 200
    assert message in text(response)
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER])
def test_those_who_read_may_not_change_delivery(client, project, role):
    milestone = MilestoneFactory(project=project, name="Gateway live")
    membership = MembershipFactory(
        partnership=project.programme.partnership,
        role=role,
        partner=PartnerFactory(partnership=project.programme.partnership)
        if role == Role.PARTNER_OFFICER
        else None,
    )
    client.force_login(membership.user)
    slug, name = project.programme.slug, project.slug
    today = timezone.localdate()
    valid = {
        "name": "Changed",
        "phase": "",
        "status": "red",
        "reason": "Why",
        **date_fields("baseline", today),
        **date_fields("forecast", None),
        **date_fields("actual", None),
        **date_fields("date", today),
    }
    for url in (
        reverse("projects:milestone_create", args=[slug, name]),
        reverse("projects:milestone_update", args=[slug, name, milestone.pk]),
        reverse("projects:milestone_delete", args=[slug, name, milestone.pk]),
        reverse("projects:status_set", args=[slug, name]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, valid).status_code == 403, url
    assert list(Milestone.objects.values_list("name", flat=True)) == ["Gateway live"]
    assert not StatusUpdate.objects.exists()
    # They read the programme's page and the project's.
    assert client.get(reverse("reports:delivery", args=[slug])).status_code == 200
    assert client.get(detail_url(project)).status_code == 200


def test_another_projects_milestone_is_not_found_through_this_one(client, project):
    theirs = MilestoneFactory(project=ProjectFactory(programme=project.programme))
    sign_in(client, project.programme)
    for name in ("projects:milestone_update", "projects:milestone_delete"):
        url = reverse(name, args=[project.programme.slug, project.slug, theirs.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert Milestone.objects.filter(pk=theirs.pk).exists()


def test_the_programme_page_lists_each_projects_status_and_the_timeline(client, project):
    today = timezone.localdate()
    StatusUpdateFactory(project=project, status=Rag.RED, date=today, reason="Supplier gone")
    ProjectFactory(programme=project.programme, name="Quiet", position=5)
    MilestoneFactory(project=project, name="Live", baseline=today - timedelta(days=5))
    sign_in(client, project.programme, Role.CHIEF_EXECUTIVE)
    response = client.get(reverse("reports:delivery", args=[project.programme.slug]))
    page = text(response)
    assert f"Authentication / Gateway Red Supplier gone {today:%-d %B %Y}" in page
    assert "Quiet Not set No status set yet" in page
    assert "Live Authentication / Gateway" in page and "5 days late Late" in page
    assert 'id="chart-timeline"' in response.content.decode()


# Queries: the same at 10 and 100 projects.


def programme_of(size: int):
    programme = ProgrammeFactory()
    today = timezone.localdate()
    for n in range(size):
        project = ProjectFactory(programme=programme, position=n, name=f"Project {n:03}")
        phase = PhaseFactory(project=project, number=1)
        StatusUpdateFactory(project=project, status=Rag.GREEN, date=date(2004, 1, 1))
        StatusUpdateFactory(project=project, status=Rag.AMBER, date=date(2004, 2, 1))
        MilestoneFactory(project=project, phase=phase, baseline=today - timedelta(days=n))
        MilestoneFactory(project=project, baseline=today + timedelta(days=n))
    return programme


PROGRAMME_PAGE_QUERIES = 6


@pytest.mark.parametrize("size", [10, 100])
def test_the_programme_page_reads_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    programme = programme_of(size)
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    url = reverse("reports:delivery", args=[programme.slug])
    with django_assert_num_queries(PROGRAMME_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    chart = response.context["chart"]
    assert len(chart.rows) == min(size, 25) and len(chart.table.rows) == 2 * size
    if size > 25:
        assert chart.more == f"And {size - 25} more projects: see the table"


def test_the_project_page_reads_the_same_queries_at_10_and_100_projects_and_milestones(client):
    counts = []
    for size in (10, 100):
        programme = programme_of(size)
        project = programme.projects.order_by("position").last()
        for n in range(size):
            MilestoneFactory(project=project, baseline=date(2005, 1, 1) + timedelta(days=n))
            StatusUpdateFactory(project=project, date=date(2004, 3, 1) + timedelta(days=n))
        sign_in(client, programme)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail_url(project))
        assert response.status_code == 200
        assert len(response.context["delivery"].milestones) == size + 2
        assert len(response.context["delivery"].history) == size + 2
        counts.append(len(queries))
    print(f"project page queries: {counts}")
    assert counts[0] == counts[1]


def test_the_programme_page_is_found_from_the_delivery_section_and_the_projects(client, project):
    sign_in(client, project.programme, Role.CHIEF_EXECUTIVE)
    url = reverse("reports:delivery", args=[project.programme.slug])
    listing = client.get(reverse("projects:project_list", args=[project.programme.slug]))
    assert f'href="{url}"' in listing.content.decode()
    response = client.get(url)
    current = [
        item["label"] for item in response.context["programme_navigation"] if item["current"]
    ]
    assert current == ["Delivery"]
    dashboard = client.get(reverse("reports:dashboard", args=[project.programme.slug]))
    assert f'href="{url}"' in dashboard.content.decode()
