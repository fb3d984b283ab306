"""Personal access tokens: made on the person's own page, shown once, kept hashed, revoked."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from norfolk_connect.api import services
from norfolk_connect.api.models import AccessToken, Scope
from norfolk_connect.api.tokens import token_user
from projects.models import Membership, Role
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import MembershipFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"ncp_[0-9a-f]{8}_[A-Za-z0-9_-]+")


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def make(membership, scope=Scope.READ, days=30):
    return services.token_create(
        user=membership.user,
        partnership=membership.partnership,
        name="Finance system",
        scope=scope,
        days=days,
    )


def bearer(whole: str):
    return RequestFactory().get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"Bearer {whole}")


def test_the_pages_need_a_login(client):
    for name in ("account_tokens", "account_token_create", "api_docs"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_account_page_links_to_the_tokens(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = client.get(reverse("account"))
    assert reverse("account_tokens") in response.content.decode()
    assert "API access tokens" in text(response)


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client):
    membership = MembershipFactory(role=Role.FACILITATOR)
    client.force_login(membership.user)
    response = client.post(
        reverse("account_token_create"),
        {"name": "Ledger", "partnership": membership.partnership.pk, "scope": "read_write",
         "days": "90"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Copy the token now" in text(response)
    whole = TOKEN.search(response.content.decode()).group(0)
    token = AccessToken.objects.get()
    _, prefix, secret = whole.split("_", 2)
    assert token.prefix == prefix
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(AccessToken.objects.values_list().get())
    assert token.scope == Scope.READ_WRITE
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    # The list names it by its prefix, never by the whole token.
    listing = client.get(reverse("account_tokens"))
    assert f"ncp_{prefix}" in listing.content.decode()
    assert whole not in listing.content.decode()
    assert "Active" in text(listing)


def test_only_the_persons_own_partnerships_are_offered(client):
    membership = MembershipFactory(role=Role.CHIEF_EXECUTIVE)
    other = PartnershipFactory()
    client.force_login(membership.user)
    page = client.get(reverse("account_token_create")).content.decode()
    assert membership.partnership.name in page
    assert other.name not in page
    assert "Read and write" not in page  # a reader is offered read only
    response = client.post(
        reverse("account_token_create"),
        {"name": "X", "partnership": other.pk, "scope": "read", "days": "30"},
    )
    assert response.status_code == 400
    assert "Select the partnership from the list" in text(response)
    assert not AccessToken.objects.exists()


def test_read_write_is_refused_where_the_role_only_reads(client):
    MembershipFactory(role=Role.FACILITATOR, user=(reader := MembershipFactory(
        role=Role.CHIEF_EXECUTIVE)).user)  # fmt: skip
    client.force_login(reader.user)
    response = client.post(
        reverse("account_token_create"),
        {"name": "X", "partnership": reader.partnership.pk, "scope": "read_write", "days": "30"},
    )
    assert response.status_code == 400
    assert "Select read only" in text(response)
    assert not AccessToken.objects.exists()
    with pytest.raises(services.PermissionDenied):
        make(reader, scope=Scope.READ_WRITE)


def test_a_partner_officer_makes_a_read_and_write_token_for_their_councils_payments(client):
    council = PartnerFactory(name="Broadland District Council")
    officer = MembershipFactory(
        partnership=council.partnership, role=Role.PARTNER_OFFICER, partner=council
    )
    client.force_login(officer.user)
    page = text(client.get(reverse("account_token_create")))
    assert "Read and write" in page
    assert "records only payments against your own council's invoices" in page
    assert "Broadland District Council" in page
    response = client.post(
        reverse("account_token_create"),
        {"name": "Ledger", "partnership": officer.partnership.pk, "scope": "read_write",
         "days": "90"},
    )  # fmt: skip
    assert response.status_code == 200
    assert AccessToken.objects.get().scope == Scope.READ_WRITE


def test_bad_input_is_told_in_the_services_words(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = client.post(reverse("account_token_create"), {"name": " ", "days": "7"})
    assert response.status_code == 400
    page = text(response)
    assert "Enter a name for the token" in page
    assert "Select when the token expires from the list" in page
    assert not AccessToken.objects.exists()


def test_revoking_asks_then_refuses_the_token(client):
    membership = MembershipFactory()
    token, whole = make(membership)
    assert token_user(bearer(whole)) is not None
    client.force_login(membership.user)
    url = reverse("account_token_revoke", args=[token.pk])
    assert "Revoke the token" in text(client.get(url))
    assert token_user(bearer(whole)) is not None  # asking changes nothing
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_user(bearer(whole)) is None
    assert "Revoked" in text(client.get(reverse("account_tokens")))


def test_another_persons_token_cannot_be_revoked(client):
    token, _ = make(MembershipFactory())
    client.force_login(MembershipFactory().user)
    url = reverse("account_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_user_refuses_what_no_longer_works():
    membership = MembershipFactory()
    token, whole = make(membership)
    found = token_user(bearer(whole))
    assert found is not None
    assert found[0] == token and found[1] == membership.user and found[2] == membership
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Unknown, malformed or a wrong secret for a real prefix.
    for bad in ("", "ncp_", "ncp_00000000_x", whole + "x", f"ncp_{token.prefix}_wrong",
                whole.replace("ncp_", "pat_")):  # fmt: skip
        assert token_user(bearer(bad)) is None, bad
    assert token_user(RequestFactory().get("/", HTTP_AUTHORIZATION=f"Basic {whole}")) is None
    # Expired.
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert token_user(bearer(whole)) is None
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert token_user(bearer(whole)) is not None
    # The owner no longer active, or no longer a member.
    membership.user.is_active = False
    membership.user.save()
    assert token_user(bearer(whole)) is None
    membership.user.is_active = True
    membership.user.save()
    Membership.objects.filter(pk=membership.pk).delete()
    assert token_user(bearer(whole)) is None


def test_the_owners_role_today_decides():
    membership = MembershipFactory(role=Role.FACILITATOR)
    _, whole = make(membership, scope=Scope.READ_WRITE)
    Membership.objects.filter(pk=membership.pk).update(role=Role.CHIEF_EXECUTIVE)
    found = token_user(bearer(whole))
    assert found is not None
    assert found[2].role == Role.CHIEF_EXECUTIVE


def test_a_person_of_no_partnership_is_told_a_token_could_read_nothing(client):
    user = UserFactory()
    client.force_login(user)
    assert "You have no tokens" in text(client.get(reverse("account_tokens")))
    page = text(client.get(reverse("account_token_create")))
    assert "not a member of any partnership" in page
    response = client.post(reverse("account_token_create"), {"name": "X", "scope": "read"})
    assert response.status_code == 400
    assert not AccessToken.objects.exists()
