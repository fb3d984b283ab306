"""The project page's history names the lead partners it changed between in one query at most."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.history import display_value, related_names
from projects.models import Project, Role
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import MembershipFactory, ProgrammeFactory, ProjectFactory
from tests.projects.test_project_pages import MAX_DETAIL_QUERIES

pytestmark = pytest.mark.django_db

LEAD_PARTNER = Project._meta.get_field("lead_partner")
# The project page's queries, and one more that names every lead partner its history shows.
MAX_QUERIES_WITH_LEAD_CHANGES = MAX_DETAIL_QUERIES + 1


def project_with_lead_changes(changes: int):
    """A project whose lead partner was changed this many times, round three partners."""
    membership = MembershipFactory(role=Role.FACILITATOR)
    programme = ProgrammeFactory(partnership=membership.partnership)
    partners = PartnerFactory.create_batch(3, partnership=programme.partnership)
    project = ProjectFactory(programme=programme, lead_partner=None)
    for n in range(changes):
        project.lead_partner = partners[n % 3]
        project.description = f"Edit {n}"
        project._history_user = membership.user
        project.save()
    return project, membership.user, partners


def page_queries(client, project: Project) -> tuple[int, str]:
    url = reverse("projects:project_detail", args=[project.programme.slug, project.slug])
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), html.unescape(response.content.decode())


def test_project_page_queries_stay_fixed_at_1_and_60_lead_partner_changes(client):
    counts = []
    for changes in (1, 60):
        project, user, partners = project_with_lead_changes(changes)
        client.force_login(user)
        queries, page = page_queries(client, project)
        assert queries <= MAX_QUERIES_WITH_LEAD_CHANGES
        counts.append(queries)
        shown = page.count("Lead partner: from")
        assert shown == changes
        assert f"Lead partner: from <q>-</q> to <q>{partners[0].name}</q>" in page
        if changes > 1:
            assert (
                f"Lead partner: from <q>{partners[0].name}</q> to <q>{partners[1].name}</q>" in page
            )
    assert counts[0] == counts[1]


def test_a_lead_partner_since_removed_is_shown_by_its_number(client):
    project, user, partners = project_with_lead_changes(2)  # none, then 0, then 1
    removed = partners[0].pk
    partners[0].delete()
    client.force_login(user)
    _, page = page_queries(client, project)
    assert f"Lead partner: from <q>(removed #{removed})</q> to <q>{partners[1].name}</q>" in page


def test_related_names_reads_each_model_once(django_assert_num_queries):
    partners = PartnerFactory.create_batch(4)
    with django_assert_num_queries(1):
        names = related_names([(LEAD_PARTNER, p.pk) for p in partners] + [(LEAD_PARTNER, None)])
    assert [display_value(LEAD_PARTNER, p.pk, names) for p in partners] == [
        p.name for p in partners
    ]
    with django_assert_num_queries(0):
        assert display_value(LEAD_PARTNER, None, names) == "-"
        assert display_value(LEAD_PARTNER, 10**9, names) == f"(removed #{10**9})"
    with django_assert_num_queries(0):
        assert related_names([(LEAD_PARTNER, None)]) == {}
