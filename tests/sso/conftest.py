"""Fixtures for single sign-on: the real provider on loopback, and a partnership that uses it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from norfolk_connect.sso.models import IdentityProvider
from tests.projects.factories import MembershipFactory, PartnershipFactory, UserFactory

from .provider import CLIENT_ID, CLIENT_SECRET, running_provider

CALLBACK = "http://testserver/accounts/sso/callback/"
# The people with accounts at the provider (its login name, and what it says of them).
ACCOUNTS = {
    "member": {"email": "Member@Norfolk.gov.uk", "email_verified": True},
    "stranger": {"email": "stranger@norfolk.gov.uk", "email_verified": True},
    "unverified": {"email": "member@norfolk.gov.uk", "email_verified": False},
    "other-member": {"email": "officer@breckland.gov.uk", "email_verified": True},
    "retired": {"email": "retired@norfolk.gov.uk", "email_verified": True},
    # As Microsoft Entra ID answers: no email_verified, its domain-owner claim instead.
    "entra-member": {"email": "member@norfolk.gov.uk", "xms_edov": True},
    "entra-unverified": {"email": "member@norfolk.gov.uk", "xms_edov": False},
    "entra-contradicted": {
        "email": "member@norfolk.gov.uk",
        "email_verified": False,
        "xms_edov": True,
    },
}


@pytest.fixture(scope="module")
def oidc_provider():
    with running_provider([CALLBACK], ACCOUNTS) as provider:
        yield provider


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test discovers its provider afresh (discovery and keys are cached briefly)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partnership(db):
    return PartnershipFactory(slug="norfolk-councils", name="Norfolk councils")


@pytest.fixture
def identity_provider(partnership, oidc_provider):
    return IdentityProvider.objects.create(
        partnership=partnership,
        name="Norfolk County Council account",
        issuer=oidc_provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


@pytest.fixture
def member(partnership):
    user = UserFactory(username="member", email="member@norfolk.gov.uk")
    MembershipFactory(user=user, partnership=partnership)
    return user


@pytest.fixture
def other_member(db):
    """A member of another partnership, whom the provider also knows."""
    user = UserFactory(username="other-member", email="officer@breckland.gov.uk")
    MembershipFactory(user=user, partnership=PartnershipFactory(slug="breckland"))
    return user
