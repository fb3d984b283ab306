"""Setting up an app (QR code, key, a code to confirm), recovery codes, and the account page."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from norfolk_connect.twofactor import pending, services
from norfolk_connect.twofactor.models import Authenticator, RecoveryCode
from projects.models import Role
from tests.projects.factories import MembershipFactory, UserFactory
from tests.twofactor.helpers import (
    PASSWORD,
    code_now,
    enter_code,
    password,
    signed_in,
    with_app,
)

pytestmark = pytest.mark.django_db

KEY = re.compile(r'id="setup-key"><span class="govuk-visually-hidden">Key: </span>([A-Z2-7 ]+)<')
CODE = re.compile(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>")


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def key_on(page) -> str:
    """The key as the page shows it for typing in, without its spaces."""
    return KEY.search(page.content.decode()).group(1).replace(" ", "")


def test_the_required_roles_are_the_roles_that_change_data():
    assert set(services.REQUIRED_ROLES) == {Role.FACILITATOR.value, Role.ADMIN.value}


def test_two_factor_required_follows_the_setting_and_the_role(settings):
    facilitator = MembershipFactory(role=Role.FACILITATOR).user
    admin = MembershipFactory(role=Role.ADMIN).user
    chief = MembershipFactory(role=Role.CHIEF_EXECUTIVE).user
    superuser = UserFactory(is_superuser=True)
    nobody = UserFactory()
    assert not any(map(services.two_factor_required, [facilitator, admin, superuser]))
    settings.TWO_FACTOR_REQUIRED = True
    assert services.two_factor_required(facilitator)
    assert services.two_factor_required(admin)
    assert services.two_factor_required(superuser)
    assert not services.two_factor_required(chief)
    assert not services.two_factor_required(nobody)
    # A facilitator of one partnership and a reader of another still needs it.
    MembershipFactory(user=chief, role=Role.FACILITATOR)
    assert services.two_factor_required(chief)


def test_a_required_person_sets_up_while_signing_in_and_is_then_signed_in(client, required):
    user = MembershipFactory(role=Role.FACILITATOR).user
    password(client, user, next_url="/programmes/")
    page = client.get(reverse("twofactor:setup"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'src="data:image/svg+xml' in text
    assert "Your role changes programmes" in text
    assert not signed_in(client)
    secret = key_on(page)
    assert len(secret) == 32
    # The same key on reloading: a QR code scanned already still works.
    assert key_on(client.get(reverse("twofactor:setup"))) == secret
    response = client.post(reverse("twofactor:setup"), {"code": code_now(secret)})
    assert response.url == reverse("twofactor:recovery_codes")
    assert signed_in(client)
    assert Authenticator.objects.get(user=user).secret == secret
    codes_page = client.get(reverse("twofactor:recovery_codes"))
    codes = CODE.findall(codes_page.content.decode())
    assert len(codes) == 10
    assert 'href="/programmes/"' in codes_page.content.decode()
    # Shown once only.
    again = client.get(reverse("twofactor:recovery_codes"))
    assert again.url == reverse("account")
    # Next time: password, then a code.
    client.logout()
    assert password(client, user).url == reverse("twofactor:verify")
    assert enter_code(client, codes[0]).status_code == 302


def test_a_wrong_code_at_set_up_sets_nothing_up(client, required):
    user = MembershipFactory(role=Role.ADMIN).user
    password(client, user)
    secret = key_on(client.get(reverse("twofactor:setup")))
    wrong = f"{(int(code_now(secret)) + 500_000) % 1_000_000:06d}"
    response = client.post(reverse("twofactor:setup"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is wrong or has expired" in response.content.decode()
    response = client.post(reverse("twofactor:setup"), {"code": "abc"})
    assert "Enter a code of 6 digits" in response.content.decode()
    assert not Authenticator.objects.exists()
    assert not RecoveryCode.objects.exists()
    assert not signed_in(client)


def test_set_up_without_a_password_first_goes_to_sign_in(client):
    response = client.get(reverse("twofactor:setup"))
    assert response.url == reverse("login")


def test_a_pending_person_with_an_app_cannot_set_up_another(client):
    user = MembershipFactory().user
    with_app(user)
    password(client, user)
    assert client.get(reverse("twofactor:setup")).url == reverse("twofactor:verify")


def test_an_optional_person_sets_up_from_their_account_page(client):
    user = MembershipFactory(role=Role.CHIEF_EXECUTIVE).user
    client.force_login(user)
    account = client.get(reverse("account")).content.decode()
    assert "Your account" in account
    assert "Off" in account
    assert reverse("twofactor:setup") in account
    secret = key_on(client.get(reverse("twofactor:setup")))
    response = client.post(reverse("twofactor:setup"), {"code": code_now(secret)})
    assert response.url == reverse("twofactor:recovery_codes")
    codes_page = client.get(reverse("twofactor:recovery_codes")).content.decode()
    assert len(CODE.findall(codes_page)) == 10
    assert f'href="{reverse("account")}"' in codes_page
    account = client.get(reverse("account")).content.decode()
    assert "On" in account
    assert "10 unused recovery codes" in account
    assert "Turn off two-factor sign-in" in account


def test_the_account_page_shows_who_you_are(client):
    user = UserFactory(first_name="Ada", last_name="Lovelace", email="ada@example.gov.uk")
    client.force_login(user)
    page = client.get(reverse("account")).content.decode()
    for shown in ("Ada Lovelace", user.username, "ada@example.gov.uk", "Two-factor sign-in"):
        assert shown in page
    assert f'href="{reverse("account")}"' in page  # the header's link


def test_the_account_pages_need_a_login(client):
    for name in (
        "account",
        "twofactor:recovery_codes",
        "twofactor:new_recovery_codes",
        "twofactor:turn_off",
    ):
        for response in (client.get(reverse(name)), client.post(reverse(name))):
            assert response.status_code == 302, name
            assert response.url.startswith(reverse("login")), name


def test_new_recovery_codes_are_asked_for_then_replace_the_old(client):
    user = MembershipFactory().user
    _, old = with_app(user)
    client.force_login(user)
    page = client.get(reverse("twofactor:new_recovery_codes"))
    assert "You have 10 unused recovery codes" in page.content.decode()
    assert RecoveryCode.objects.filter(user=user).count() == 10  # a look changes nothing
    response = client.post(reverse("twofactor:new_recovery_codes"))
    assert response.url == reverse("twofactor:recovery_codes")
    new = CODE.findall(client.get(reverse("twofactor:recovery_codes")).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not services.check_code(user, old[0])
    assert services.check_code(user, new[0])


def test_turning_off_asks_for_a_code(client):
    user = MembershipFactory(role=Role.CHIEF_EXECUTIVE).user
    secret, _ = with_app(user)
    client.force_login(user)
    page = client.get(reverse("twofactor:turn_off"))
    assert "Turn off two-factor sign-in" in page.content.decode()
    assert Authenticator.objects.filter(user=user).exists()
    response = client.post(reverse("twofactor:turn_off"), {"code": ""})
    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()
    wrong = f"{(int(code_now(secret)) + 500_000) % 1_000_000:06d}"
    response = client.post(reverse("twofactor:turn_off"), {"code": wrong})
    assert "That code is wrong or has expired" in response.content.decode()
    assert Authenticator.objects.filter(user=user).exists()
    response = client.post(reverse("twofactor:turn_off"), {"code": code_now(secret)})
    assert response.url == reverse("account")
    assert not Authenticator.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    client.logout()
    assert password(client, user).url == "/"


def test_a_required_person_cannot_turn_it_off_only_move_to_a_new_app(client, required):
    user = MembershipFactory(role=Role.FACILITATOR).user
    secret, _ = with_app(user)
    client.force_login(user)
    account = client.get(reverse("account")).content.decode()
    assert "cannot be turned off" in account
    assert "Turn off two-factor sign-in" not in account
    page = client.get(reverse("twofactor:turn_off")).content.decode()
    assert "Move two-factor sign-in to a new app" in page
    response = client.post(reverse("twofactor:turn_off"), {"code": code_now(secret)})
    assert response.url == reverse("twofactor:setup")
    new_secret = key_on(client.get(reverse("twofactor:setup")))
    assert new_secret != secret
    client.post(reverse("twofactor:setup"), {"code": code_now(new_secret)})
    assert Authenticator.objects.get(user=user).secret == new_secret


def test_five_wrong_codes_on_the_account_pages_lock_out_and_sign_out(client):
    user = MembershipFactory(role=Role.CHIEF_EXECUTIVE).user
    secret, _ = with_app(user)
    client.force_login(user)
    wrong = f"{(int(code_now(secret)) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(reverse("twofactor:turn_off"), {"code": wrong}).status_code == 200
    locked = client.post(reverse("twofactor:turn_off"), {"code": wrong})
    assert locked.status_code == 429
    assert not signed_in(client)
    assert Authenticator.objects.filter(user=user).exists()


def test_the_admins_own_sign_in_sends_people_to_the_services_where_required(client, required):
    response = client.get(reverse("admin:login") + "?next=/admin/projects/")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/admin/projects/"


def test_the_admins_own_sign_in_refuses_an_account_with_an_app(client):
    superuser = UserFactory(username="operator", is_staff=True, is_superuser=True)
    with_app(superuser)
    response = client.post(reverse("admin:login"), {"username": "operator", "password": PASSWORD})
    assert response.status_code == 200
    assert "sign in on the service" in response.content.decode()
    assert not signed_in(client)


def test_a_superuser_reaches_the_admin_through_the_code(client, required):
    superuser = UserFactory(username="operator", is_staff=True, is_superuser=True)
    secret, _ = with_app(superuser)
    password(client, superuser, next_url="/admin/")
    assert enter_code(client, code_now(secret)).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_setup_qr_code_holds_the_otpauth_address():
    user = get_user_model()(username="facilitator")
    secret = services.new_secret()
    uri = services.provisioning_uri(user, secret)
    assert pyotp.parse_uri(uri).secret == secret
    assert "issuer=Partnership" in uri
    image, size = services.qr_code(uri)
    assert image.startswith("data:image/svg+xml")
    assert size <= services.QR_MAX_WIDTH
    assert (
        services.qr_code(services.provisioning_uri(get_user_model()(username="x" * 150), secret))[1]
        <= 300
    )
    assert services.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_a_pending_sign_in_is_forgotten_on_signing_in_as_someone_else(client):
    first = MembershipFactory().user
    with_app(first)
    password(client, first)
    assert pending.KEY in client.session
    other = MembershipFactory(role=Role.CHIEF_EXECUTIVE).user
    assert password(client, other).url == "/"
    assert pending.KEY not in client.session
    assert client.session["_auth_user_id"] == str(other.pk)
