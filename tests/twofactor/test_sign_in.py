"""Signing in with a code after the password: right, wrong, late, recovery, next=, lockout."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse

from norfolk_connect.twofactor import pending
from norfolk_connect.twofactor.models import RecoveryCode
from projects.models import Role
from tests.projects.factories import MembershipFactory, ProgrammeFactory, UserFactory
from tests.test_permissions import ALL_NAMES, url_for, world  # noqa: F401 (a fixture)
from tests.twofactor.helpers import code_now, enter_code, password, signed_in, with_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def facilitator():
    return MembershipFactory(role=Role.FACILITATOR).user


def test_the_password_alone_does_not_sign_in_a_person_with_an_app(client, facilitator):
    with_app(facilitator)
    response = password(client, facilitator)
    assert response.status_code == 302
    assert response.url == reverse("twofactor:verify")
    assert not signed_in(client)
    page = client.get(reverse("twofactor:verify"))
    assert page.status_code == 200
    assert "Enter the 6-digit code from your authenticator app" in page.content.decode()


def test_the_right_code_signs_in(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    response = enter_code(client, code_now(secret))
    assert response.status_code == 302
    assert response.url == "/"
    assert signed_in(client)
    assert pending.KEY not in client.session
    assert client.get("/").status_code in {200, 302}


def test_a_code_typed_with_spaces_is_read(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    code = code_now(secret)
    assert enter_code(client, f" {code[:3]} {code[3:]} ").status_code == 302
    assert signed_in(client)


def test_a_wrong_code_is_refused_in_the_services_words(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    wrong = f"{(int(code_now(secret)) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong)
    assert response.status_code == 200
    text = response.content.decode()
    assert "That code is wrong or has expired" in text
    assert "Error: Enter your sign-in code" in text
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12345", "Enter a code of 6 digits, or a recovery code of 12 letters and numbers"),
        ("abcdef", "Enter a code of 6 digits, or a recovery code of 12 letters and numbers"),
    ],
)
def test_a_code_of_the_wrong_form_is_refused_without_counting(client, facilitator, typed, message):
    with_app(facilitator)
    password(client, facilitator)
    response = enter_code(client, typed)
    assert message in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_a_code_from_long_ago_or_far_ahead_is_refused(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    assert enter_code(client, code_now(secret, steps=-3)).status_code == 200
    assert enter_code(client, code_now(secret, steps=3)).status_code == 200
    assert not signed_in(client)


def test_a_code_cannot_be_used_twice(client, facilitator):
    secret, _ = with_app(facilitator)
    code = code_now(secret)
    password(client, facilitator)
    assert enter_code(client, code).status_code == 302
    client.logout()
    password(client, facilitator)
    assert enter_code(client, code).status_code == 200
    assert not signed_in(client)


def test_the_code_page_runs_out_after_five_minutes(client, facilitator, monkeypatch):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    later = time.time() + pending.PENDING_SECONDS + 1
    monkeypatch.setattr(pending.time, "time", lambda: later)
    response = enter_code(client, code_now(secret))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not signed_in(client)
    assert pending.KEY not in client.session
    page = client.get(reverse("login"))
    assert "Your sign-in took too long. Sign in again." in page.content.decode()


def test_the_code_page_without_a_password_first_goes_to_sign_in(client):
    response = client.get(reverse("twofactor:verify"))
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_a_password_changed_meanwhile_ends_the_pending_sign_in(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    facilitator.set_password("another long password")
    facilitator.save()
    assert enter_code(client, code_now(secret)).url == reverse("login")
    assert not signed_in(client)


def test_a_recovery_code_works_once(client, facilitator):
    _, codes = with_app(facilitator)
    password(client, facilitator)
    assert enter_code(client, codes[3].upper()).status_code == 302
    assert signed_in(client)
    told = client.get(reverse("account")).content.decode()
    assert "You signed in with a recovery code. You have 9 left" in told
    assert RecoveryCode.objects.filter(user=facilitator, used_at__isnull=False).count() == 1
    client.logout()
    password(client, facilitator)
    response = enter_code(client, codes[3])
    assert response.status_code == 200
    assert "That code is wrong or has expired" in response.content.decode()
    assert not signed_in(client)
    assert enter_code(client, codes[4].replace("-", "")).status_code == 302


def test_recovery_codes_are_not_stored_as_they_are(facilitator):
    _, codes = with_app(facilitator)
    stored = list(RecoveryCode.objects.filter(user=facilitator).values_list("salt", "digest"))
    assert len(stored) == 10 == len(set(codes))
    for code in codes:
        plain = code.replace("-", "")
        assert all(plain not in salt + digest for salt, digest in stored)


def test_next_is_kept_through_the_code(client, facilitator):
    secret, _ = with_app(facilitator)
    programme = ProgrammeFactory()
    url = reverse("projects:programme_home", args=[programme.slug])
    password(client, facilitator, next_url=url)
    assert enter_code(client, code_now(secret)).url == url


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "http:/x"]
)
def test_next_to_another_site_is_refused(client, facilitator, elsewhere):
    secret, _ = with_app(facilitator)
    password(client, facilitator, next_url=elsewhere)
    assert enter_code(client, code_now(secret)).url == "/"


def test_a_tampered_pending_next_is_still_checked(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    session = client.session
    session[pending.KEY] = {**session[pending.KEY], "next": "https://evil.example/"}
    session.save()
    assert enter_code(client, code_now(secret)).url == "/"


def test_no_programme_page_between_the_password_and_the_code(client, facilitator):
    secret, _ = with_app(facilitator)
    programme = ProgrammeFactory(partnership=facilitator.memberships.get().partnership)
    password(client, facilitator)
    for url in (
        "/",
        reverse("projects:programme_home", args=[programme.slug]),
        reverse("projects:project_list", args=[programme.slug]),
        reverse("account"),
        reverse("twofactor:new_recovery_codes"),
        reverse("twofactor:turn_off"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    assert enter_code(client, code_now(secret)).status_code == 302
    home = reverse("projects:programme_home", args=[programme.slug])
    assert client.get(home).status_code == 200


def test_five_wrong_codes_lock_out_like_five_wrong_passwords(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    right = code_now(secret)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        assert enter_code(client, wrong).status_code == 200
    locked = enter_code(client, wrong)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert pending.KEY not in client.session
    # Neither the right code nor the right password gets in now, from that address.
    assert enter_code(client, right).status_code == 302  # no pending sign-in: back to the start
    assert password(client, facilitator).status_code == 429
    assert not signed_in(client)
    attempt = AccessAttempt.objects.get(username=facilitator.username)
    assert attempt.failures_since_start >= 5
    assert wrong not in attempt.post_data  # the codes typed are not recorded


def test_wrong_passwords_and_wrong_codes_count_together(client, facilitator):
    secret, _ = with_app(facilitator)
    for _ in range(3):
        client.post(
            reverse("login"),
            {"username": facilitator.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )
    password(client, facilitator)
    wrong = f"{(int(code_now(secret)) + 500_000) % 1_000_000:06d}"
    assert enter_code(client, wrong).status_code == 200
    assert enter_code(client, wrong).status_code == 429


def test_a_locked_out_person_cannot_go_on_guessing_codes(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    # Locked meanwhile (from another tab, say): the code page refuses even the right code.
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": facilitator.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )
    response = enter_code(client, code_now(secret))
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_right_code_clears_the_failures(client, facilitator):
    secret, _ = with_app(facilitator)
    password(client, facilitator)
    wrong = f"{(int(code_now(secret)) + 500_000) % 1_000_000:06d}"
    for _ in range(3):
        enter_code(client, wrong)
    assert enter_code(client, code_now(secret)).status_code == 302
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()


def test_a_person_without_an_app_and_not_required_signs_in_with_the_password(client, required):
    officer = MembershipFactory(role=Role.CHIEF_EXECUTIVE).user
    response = password(client, officer)
    assert response.status_code == 302
    assert response.url == "/"
    assert signed_in(client)


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ADMIN])
def test_a_required_role_without_an_app_is_sent_to_set_up(client, required, role):
    user = MembershipFactory(role=role).user
    response = password(client, user)
    assert response.url == reverse("twofactor:setup")
    assert not signed_in(client)
    assert client.get("/").status_code == 302


def test_a_superuser_must_use_two_factor_too(client, required):
    user = UserFactory(is_superuser=True, is_staff=True)
    assert password(client, user).url == reverse("twofactor:setup")


def test_demo_users_sign_in_with_their_password_alone_where_not_required(client, facilitator):
    page = client.get(reverse("login"))
    assert (
        "Two-factor sign-in is optional here: accounts sign in with their password alone"
        in page.content.decode()
    )
    assert password(client, facilitator).url == "/"
    assert signed_in(client)


def test_the_sign_in_page_says_nothing_of_passwords_alone_where_required(client, required):
    page = client.get(reverse("login"))
    assert "password alone" not in page.content.decode()


def test_every_page_of_the_matrix_is_closed_between_the_password_and_the_code(client, world):  # noqa: F811
    """Every named URL the permissions matrix checks, as the demo facilitator after the password."""
    demo, contribution, *_ = world
    user = get_user_model().objects.get(username="facilitator")
    secret, _ = with_app(user)
    response = client.post(
        reverse("login"), {"username": "facilitator", "password": "demo-password-123"}
    )
    assert response.url == reverse("twofactor:verify")
    for name in ALL_NAMES:
        url = url_for(name, demo, contribution)
        for answer in (client.get(url), client.post(url, {})):
            assert answer.status_code == 302, url
            assert answer.url.startswith(reverse("login")), url
    assert enter_code(client, code_now(secret)).status_code == 302
    assert client.get(reverse("projects:programme_home", args=[demo.slug])).status_code == 200
