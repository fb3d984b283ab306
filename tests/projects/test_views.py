"""Every page needs a login, and a user sees only their partnerships' programmes."""

import pytest
from django.urls import reverse

from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_home_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_needs_a_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302


def test_login_page_is_served(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_home_lists_only_the_users_programmes(client):
    membership = MembershipFactory()
    mine = ProgrammeFactory(partnership=membership.partnership, name="Our programme")
    ProgrammeFactory(name="Their programme")
    client.force_login(membership.user)
    assert client.get("/").url == f"/programmes/{mine.slug}/"
    response = client.get("/programmes/")
    assert response.status_code == 200
    # Each programme with the address of the user's first page of it (their role's page).
    assert list(response.context["programmes"]) == [(mine, f"/programmes/{mine.slug}/")]
    assert b"Our programme" in response.content
    assert b"Their programme" not in response.content


def test_home_explains_when_the_user_belongs_nowhere(client, django_user_model):
    user = django_user_model.objects.create_user("newcomer", password="x-secret-1234")
    client.force_login(user)
    response = client.get("/", follow=True)
    assert b"not a member of any partnership" in response.content


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        (
            "facilitator",
            ["Overview", "Dashboard", "Scenarios", "Board report", "Projects", "Delivery",
             "Partners", "Meetings", "Import", "Settings"],
        ),
        ("chief_executive", ["Overview", "Dashboard", "Scenarios", "Board report", "Projects",
                             "Delivery", "Partners", "Meetings"]),
    ],
)  # fmt: skip
def test_the_programme_navigation_keeps_its_labels_short(client, role, labels):
    """Short labels keep the facilitator's ten sections on one line at 1366 pixels."""
    membership = MembershipFactory(role=role)
    programme = ProgrammeFactory(partnership=membership.partnership)
    client.force_login(membership.user)
    response = client.get(reverse("projects:project_list", args=[programme.slug]))
    navigation = response.context["programme_navigation"]
    assert [item["label"] for item in navigation] == labels
    assert [item["label"] for item in navigation if item["current"]] == ["Projects"]
    page = response.content.decode()
    for item in navigation:
        assert f'href="{item["url"]}"' in page
    assert reverse("contributions:partner_list", args=[programme.slug]) in page
