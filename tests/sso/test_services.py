"""Who a verified email signs in as, the secret's source, and the provider in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from norfolk_connect.sso.models import IdentityProvider, secret_environment_name
from norfolk_connect.sso.services import email_is_verified, user_for_verified_email
from tests.projects.factories import MembershipFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def norfolk():
    return PartnershipFactory(slug="norfolk-councils", name="Norfolk councils")


def test_a_member_is_found_by_email_whatever_its_case(norfolk):
    user = UserFactory(email="Jane.Smith@Norfolk.gov.uk")
    MembershipFactory(user=user, partnership=norfolk)
    assert user_for_verified_email(norfolk, "jane.smith@norfolk.gov.uk") == user
    assert user_for_verified_email(norfolk, " JANE.SMITH@NORFOLK.GOV.UK ") == user


def test_no_one_without_a_membership_of_that_partnership(norfolk):
    user = UserFactory(email="jane@breckland.gov.uk")
    MembershipFactory(user=user, partnership=PartnershipFactory())
    UserFactory(email="nobody@norfolk.gov.uk")  # a user with no membership at all
    assert user_for_verified_email(norfolk, "jane@breckland.gov.uk") is None
    assert user_for_verified_email(norfolk, "nobody@norfolk.gov.uk") is None
    assert user_for_verified_email(norfolk, "unknown@norfolk.gov.uk") is None
    assert user_for_verified_email(norfolk, "") is None


def test_not_an_inactive_member(norfolk):
    user = UserFactory(email="left@norfolk.gov.uk", is_active=False)
    MembershipFactory(user=user, partnership=norfolk)
    assert user_for_verified_email(norfolk, "left@norfolk.gov.uk") is None


def test_an_email_two_members_share_signs_in_neither(norfolk):
    for name in ("first", "second"):
        user = UserFactory(username=name, email="shared@norfolk.gov.uk")
        MembershipFactory(user=user, partnership=norfolk)
    assert user_for_verified_email(norfolk, "shared@norfolk.gov.uk") is None


def test_the_secret_comes_from_the_environment_first(norfolk, monkeypatch):
    provider = IdentityProvider(partnership=norfolk, client_secret="stored")
    assert secret_environment_name("norfolk-councils") == "DJANGO_SSO_SECRET_NORFOLK_COUNCILS"
    assert provider.secret() == "stored"
    monkeypatch.setenv("DJANGO_SSO_SECRET_NORFOLK_COUNCILS", "from-environment")
    assert provider.secret() == "from-environment"


@pytest.fixture
def superuser_client(client):
    superuser = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


def test_a_superuser_configures_a_provider_whose_secret_is_never_shown(superuser_client, norfolk):
    add = reverse("admin:sso_identityprovider_add")
    response = superuser_client.post(
        add,
        {
            "partnership": norfolk.pk,
            "name": "Norfolk County Council account",
            "issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
            "client_id": "client-id",
            "client_secret": "the-secret-value",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    provider = IdentityProvider.objects.get()
    assert provider.client_secret == "the-secret-value"
    change = reverse("admin:sso_identityprovider_change", args=[provider.pk])
    page = superuser_client.get(change).content.decode()
    assert "the-secret-value" not in page
    assert "DJANGO_SSO_SECRET_NORFOLK_COUNCILS" in page
    # Saved again without a secret typed, the stored one stays; the box removes it.
    form = {
        "partnership": norfolk.pk,
        "name": "Norfolk County Council account",
        "issuer": provider.issuer,
        "client_id": "client-id",
        "client_secret": "",
        "enabled": "on",
    }
    assert superuser_client.post(change, form).status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret == "the-secret-value"
    assert superuser_client.post(change, {**form, "remove_client_secret": "on"}).status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret == ""


def test_a_partnership_administrator_cannot_open_the_providers(client, norfolk):
    staff = UserFactory(username="council-admin", is_staff=True)
    MembershipFactory(user=staff, partnership=norfolk)
    client.force_login(staff)
    response = client.get(reverse("admin:sso_identityprovider_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("claims", "verified"),
    [
        ({"email_verified": True}, True),
        ({"email_verified": "true"}, True),
        ({"email_verified": False}, False),
        ({"email_verified": "false"}, False),
        ({"email_verified": 1}, False),
        ({}, False),
        ({"xms_edov": True}, True),
        ({"xms_edov": "1"}, True),
        ({"xms_edov": False}, False),
        ({"email_verified": False, "xms_edov": True}, False),
    ],
)
def test_which_claims_vouch_for_the_email(claims, verified):
    assert email_is_verified(claims) is verified
