"""Single sign-on end to end against a real OpenID Connect provider on loopback.

The service's side is Django's test client; the person's side at the provider (its login and
consent pages) is an HTTP client following the provider's redirects and filling its forms.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from norfolk_connect.sso.services import SIGNED_IN_BY_SSO

from .conftest import CALLBACK
from .provider import sign_in_at_provider

pytestmark = pytest.mark.django_db


def through_provider(client: Client, login: str, start: str = "/accounts/sso/norfolk-councils/"):
    """Start single sign-on, sign in at the provider as ``login``; return the callback URL."""
    response = client.get(start)
    assert response.status_code == 302, response.content[:500]
    return sign_in_at_provider(response["Location"], login, stop_at=CALLBACK)


def come_back(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def test_the_start_sends_the_person_to_the_provider_with_pkce_state_and_nonce(
    client, identity_provider
):
    response = client.get("/accounts/sso/norfolk-councils/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert response["Location"].startswith(identity_provider.issuer + "/auth?")
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    pending = client.session["sso_pending"]
    assert query["client_id"] == "norfolk-connect"
    assert query["redirect_uri"] == CALLBACK
    assert query["response_type"] == "code"
    assert query["scope"] == "openid email"
    assert query["state"] == pending["state"]
    assert query["nonce"] == pending["nonce"]
    assert query["code_challenge_method"] == "S256"
    assert query["code_challenge"] and query["code_challenge"] != pending["verifier"]


def test_a_member_signs_in_with_their_council_account(client, identity_provider, member):
    callback = through_provider(client, "member", "/accounts/sso/norfolk-councils/?next=/x/")
    response = come_back(client, callback)
    assert response.status_code == 302
    assert response["Location"] == "/x/"
    # The email is matched without regard to case: the provider says Member@Norfolk.gov.uk.
    assert client.session[SESSION_KEY] == str(member.pk)
    assert client.session[SIGNED_IN_BY_SSO] is True
    assert "sso_pending" not in client.session


def test_the_sign_in_page_offers_the_enabled_providers_only(client, identity_provider):
    page = client.get("/accounts/login/?next=/programmes/")
    assert "Sign in with your council's account" in page.content.decode()
    assert 'href="/accounts/sso/norfolk-councils/?next=/programmes/"' in page.content.decode()
    identity_provider.enabled = False
    identity_provider.save()
    page = client.get("/accounts/login/")
    assert "council's account" not in page.content.decode()
    assert "Username" in page.content.decode()
    assert client.get("/accounts/sso/norfolk-councils/").status_code == 404


@pytest.mark.parametrize(
    "login",
    ["stranger", "unverified", "other-member", "entra-unverified", "entra-contradicted"],
)
def test_no_one_gets_in_by_having_an_account_at_the_provider(
    client, identity_provider, member, other_member, login
):
    """An unknown email, an unverified one, and another partnership's member are refused."""
    response = come_back(client, through_provider(client, login))
    assert response.status_code == 403
    content = response.content.decode()
    assert "You cannot sign in to this service with that account" in content
    assert "ask the facilitator of Norfolk councils for an invitation" in content
    assert SESSION_KEY not in client.session


def test_entra_ids_domain_owner_claim_stands_for_email_verified(client, identity_provider, member):
    """Entra ID sends xms_edov, not email_verified, for an organisational account."""
    response = come_back(client, through_provider(client, "entra-member"))
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(member.pk)


def test_an_inactive_member_is_refused(client, identity_provider, partnership):
    from tests.projects.factories import MembershipFactory, UserFactory

    user = UserFactory(username="retired", email="retired@norfolk.gov.uk", is_active=False)
    MembershipFactory(user=user, partnership=partnership)
    response = come_back(client, through_provider(client, "retired"))
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_a_callback_cannot_be_replayed(client, identity_provider, member):
    callback = through_provider(client, "member")
    assert come_back(client, callback).status_code == 302
    client.logout()
    again = come_back(client, callback)
    assert again.status_code == 400
    assert "Your sign-in could not be finished" in again.content.decode()
    assert SESSION_KEY not in client.session


def test_a_callback_in_another_browser_signs_no_one_in(client, identity_provider, member):
    """A login CSRF: the attacker's callback, sent to someone else's browser, is refused."""
    callback = through_provider(client, "member")
    victim = Client()
    victim.get("/accounts/sso/norfolk-councils/")  # a sign-in of the victim's own under way
    assert come_back(victim, callback).status_code == 400
    assert SESSION_KEY not in victim.session
    # ... and the victim's own sign-in under way is spent, not left to be used.
    assert "sso_pending" not in victim.session


@pytest.mark.parametrize("query", ["", "state=", "state=forged&code=abc", "code=abc"])
def test_a_wrong_or_missing_state_is_refused(client, identity_provider, member, query):
    through_provider(client, "member")
    response = client.get(f"/accounts/sso/callback/?{query}")
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_a_callback_without_a_sign_in_under_way_is_refused(client, identity_provider):
    response = client.get("/accounts/sso/callback/?state=x&code=y")
    assert response.status_code == 400
    assert "Your sign-in could not be finished" in response.content.decode()


def test_a_sign_in_cancelled_at_the_provider_is_not_finished(client, identity_provider):
    client.get("/accounts/sso/norfolk-councils/")
    state = client.session["sso_pending"]["state"]
    response = client.get(f"/accounts/sso/callback/?state={state}&error=access_denied")
    assert response.status_code == 400


def test_a_sign_in_left_too_long_is_not_finished(client, identity_provider, member):
    callback = through_provider(client, "member")
    session = client.session
    session["sso_pending"] = {**session["sso_pending"], "started": 0}
    session.save()
    assert come_back(client, callback).status_code == 400
    assert SESSION_KEY not in client.session


def test_another_partnerships_slug_does_not_start_a_sign_in(client, identity_provider):
    from tests.projects.factories import PartnershipFactory

    PartnershipFactory(slug="breckland")
    assert client.get("/accounts/sso/breckland/").status_code == 404
    assert client.get("/accounts/sso/no-such-partnership/").status_code == 404


def test_a_member_of_one_partnership_cannot_sign_in_through_anothers_provider(
    client, identity_provider, member, oidc_provider
):
    """Breckland's provider vouches for Norfolk's member: Breckland does not know them."""
    from norfolk_connect.sso.models import IdentityProvider
    from tests.projects.factories import PartnershipFactory

    IdentityProvider.objects.create(
        partnership=PartnershipFactory(slug="breckland", name="Breckland"),
        name="Breckland Council account",
        issuer=oidc_provider.issuer,
        client_id=identity_provider.client_id,
        client_secret=identity_provider.client_secret,
    )
    response = come_back(client, through_provider(client, "member", "/accounts/sso/breckland/"))
    assert response.status_code == 403
    assert "Breckland" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_cannot_send_the_person_to_another_site(client, identity_provider, member, next_url):
    start = f"/accounts/sso/norfolk-councils/?next={next_url}"
    response = come_back(client, through_provider(client, "member", start))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(member.pk)


def test_the_secret_in_the_environment_comes_first(client, identity_provider, member, monkeypatch):
    monkeypatch.setenv("DJANGO_SSO_SECRET_NORFOLK_COUNCILS", identity_provider.client_secret)
    identity_provider.client_secret = "a-stale-secret-left-in-the-database"
    identity_provider.save()
    assert come_back(client, through_provider(client, "member")).status_code == 302
    assert client.session[SESSION_KEY] == str(member.pk)


def test_a_wrong_secret_signs_no_one_in(client, identity_provider, member, monkeypatch, caplog):
    monkeypatch.setenv("DJANGO_SSO_SECRET_NORFOLK_COUNCILS", "not-the-secret")
    response = come_back(client, through_provider(client, "member"))
    assert response.status_code == 502
    assert "Your council's sign-in could not be checked" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert "invalid_client" in caplog.text


def test_a_password_sign_in_is_not_single_sign_on(client, member):
    from norfolk_connect.sso.services import signed_in_by_sso

    response = client.post(
        "/accounts/login/", {"username": "member", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.session.get(SIGNED_IN_BY_SSO) is None
    request = response.wsgi_request
    assert signed_in_by_sso(request) is False


def test_a_password_sign_in_after_single_sign_on_clears_the_mark(client, identity_provider, member):
    come_back(client, through_provider(client, "member"))
    assert client.session[SIGNED_IN_BY_SSO] is True
    client.post("/accounts/login/", {"username": "member", "password": "correct horse battery"})
    assert client.session[SESSION_KEY] == str(member.pk)
    assert SIGNED_IN_BY_SSO not in client.session


def test_a_provider_without_a_secret_says_so_in_the_log(client, identity_provider, member, caplog):
    identity_provider.client_secret = ""
    identity_provider.save()
    response = come_back(client, through_provider(client, "member"))
    assert response.status_code == 502
    assert "no client secret: set DJANGO_SSO_SECRET_NORFOLK_COUNCILS" in caplog.text
    assert SESSION_KEY not in client.session


def test_an_invited_person_joins_by_signing_in_with_their_council_account(
    client, identity_provider, partnership, member
):
    """The stranger's address has an invitation: signing in accepts it, once."""
    from norfolk_connect.people.models import AccessChange, Invitation
    from projects.models import Membership, Role
    from tests.people.factories import invite

    invited = invite(partnership, by=member, email="Stranger@Norfolk.gov.uk", name="Sam Stranger")
    response = come_back(client, through_provider(client, "stranger"))
    assert response.status_code == 302
    joined = Membership.objects.get(partnership=partnership, user__email="stranger@norfolk.gov.uk")
    assert joined.role == Role.CHIEF_EXECUTIVE
    assert client.session[SESSION_KEY] == str(joined.user_id)
    assert not joined.user.has_usable_password()  # single sign-on is their only way in
    assert Invitation.objects.get(pk=invited.invitation.pk).accepted_at is not None
    assert AccessChange.objects.filter(subject=joined.user, what="joined").count() == 1
    # Signing in again finds the member; the used invitation makes no second membership.
    client.logout()
    response = come_back(client, through_provider(client, "stranger"))
    assert response.status_code == 302
    assert Membership.objects.filter(user=joined.user).count() == 1
