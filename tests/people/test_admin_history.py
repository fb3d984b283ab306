"""Memberships changed in the Django admin write the access history, as the People page does."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from norfolk_connect.people.models import AccessChange, Change
from projects.models import Membership, Role
from tests.projects.factories import UserFactory

from .test_services import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    """A superuser signed in to the admin."""
    user = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def rows() -> list[tuple]:
    return list(
        AccessChange.objects.order_by("pk").values_list(
            "what", "actor__username", "subject__username", "role_before", "role_after", "note"
        )
    )


def membership_form(membership: Membership, **changes) -> dict:
    data = {
        "user": membership.user_id,
        "partnership": membership.partnership_id,
        "role": membership.role,
        "partner": membership.partner_id or "",
    }
    return {**data, **changes}


def test_a_membership_added_in_the_admin_is_in_the_history(client, operator, people):
    newcomer = UserFactory(username="nina", email="nina@norfolk.example")
    response = client.post(
        reverse("admin:projects_membership_add"),
        {"user": newcomer.pk, "partnership": people.partnership.pk, "role": Role.FACILITATOR},
    )
    assert response.status_code == 302, response.content
    assert rows() == [(Change.JOINED, "operator", "nina", "", Role.FACILITATOR, "in the admin")]
    change = AccessChange.objects.get()
    assert (change.partnership, change.email) == (people.partnership, "nina@norfolk.example")
    client.force_login(people.facilitator)  # the partnership's People page shows it
    page = client.get(reverse("people:people", args=[people.programme.slug])).content.decode()
    assert "Joined (in the admin)" in page


def test_a_role_changed_in_the_admin_is_in_the_history_and_signs_them_out(client, operator, people):
    membership = people.chief_executive.memberships.get()
    key, other_key = signed_in(people.chief_executive), signed_in(people.officer)
    response = client.post(
        reverse("admin:projects_membership_change", args=[membership.pk]),
        membership_form(membership, role=Role.FACILITATOR),
    )
    assert response.status_code == 302, response.content
    assert rows() == [
        (
            Change.ROLE_CHANGED,
            "operator",
            "chris",
            Role.CHIEF_EXECUTIVE,
            Role.FACILITATOR,
            "in the admin",
        )
    ]
    assert not SessionStore().exists(key)
    assert SessionStore().exists(other_key)


def test_saving_in_the_admin_without_a_change_writes_nothing(client, operator, people):
    membership = people.chief_executive.memberships.get()
    key = signed_in(people.chief_executive)
    response = client.post(
        reverse("admin:projects_membership_change", args=[membership.pk]),
        membership_form(membership),
    )
    assert response.status_code == 302, response.content
    assert rows() == []
    assert SessionStore().exists(key)


def test_a_membership_moved_to_another_partnership_is_removed_there_and_joined_here(
    client, operator, people
):
    membership = people.chief_executive.memberships.get()
    response = client.post(
        reverse("admin:projects_membership_change", args=[membership.pk]),
        membership_form(membership, partnership=people.other.partnership_id),
    )
    assert response.status_code == 302, response.content
    assert rows() == [
        (Change.REMOVED, "operator", "chris", Role.CHIEF_EXECUTIVE, "", "in the admin"),
        (Change.JOINED, "operator", "chris", "", Role.CHIEF_EXECUTIVE, "in the admin"),
    ]
    removed, joined = AccessChange.objects.order_by("pk")
    assert (removed.partnership, joined.partnership) == (
        people.partnership,
        people.other.partnership,
    )


def test_a_membership_deleted_in_the_admin_is_in_the_history(client, operator, people):
    membership = people.officer.memberships.get()
    key = signed_in(people.officer)
    response = client.post(
        reverse("admin:projects_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302, response.content
    assert rows() == [(Change.REMOVED, "operator", "pat", Role.PARTNER_OFFICER, "", "in the admin")]
    assert AccessChange.objects.get().partner == people.council
    assert not SessionStore().exists(key)


def test_memberships_deleted_together_in_the_admins_list_are_each_in_the_history(
    client, operator, people
):
    chosen = [people.officer.memberships.get().pk, people.chief_executive.memberships.get().pk]
    response = client.post(
        reverse("admin:projects_membership_changelist"),
        {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
    )
    assert response.status_code == 302, response.content
    assert sorted(rows()) == [
        (Change.REMOVED, "operator", "chris", Role.CHIEF_EXECUTIVE, "", "in the admin"),
        (Change.REMOVED, "operator", "pat", Role.PARTNER_OFFICER, "", "in the admin"),
    ]
    assert not Membership.objects.filter(pk__in=chosen).exists()


def test_the_partnerships_own_membership_rows_write_the_history(client, operator, people):
    """The partnership's admin page edits its memberships inline: an added row, a new role and
    a deleted row each write their history."""
    partnership = people.partnership
    newcomer = UserFactory(username="nina")
    existing = list(partnership.memberships.order_by("pk"))
    data = {
        "name": partnership.name,
        "slug": partnership.slug,
        "strategy": partnership.strategy,
        "memberships-TOTAL_FORMS": len(existing) + 1,
        "memberships-INITIAL_FORMS": len(existing),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for i, membership in enumerate(existing):
        data |= {
            f"memberships-{i}-id": membership.pk,
            f"memberships-{i}-partnership": partnership.pk,
            f"memberships-{i}-user": membership.user_id,
            f"memberships-{i}-role": membership.role,
            f"memberships-{i}-partner": membership.partner_id or "",
        }
        if membership.user == people.chief_executive:
            data[f"memberships-{i}-role"] = Role.ADMIN
        if membership.user == people.officer:
            data[f"memberships-{i}-DELETE"] = "on"
    new = len(existing)
    data |= {
        f"memberships-{new}-partnership": partnership.pk,
        f"memberships-{new}-user": newcomer.pk,
        f"memberships-{new}-role": Role.CHIEF_EXECUTIVE,
        f"memberships-{new}-partner": "",
    }
    response = client.post(
        reverse("admin:projects_partnership_change", args=[partnership.pk]), data
    )
    assert response.status_code == 302, response.content
    assert sorted(rows()) == [
        (Change.JOINED, "operator", "nina", "", Role.CHIEF_EXECUTIVE, "in the admin"),
        (Change.REMOVED, "operator", "pat", Role.PARTNER_OFFICER, "", "in the admin"),
        (
            Change.ROLE_CHANGED,
            "operator",
            "chris",
            Role.CHIEF_EXECUTIVE,
            Role.ADMIN,
            "in the admin",
        ),
    ]
