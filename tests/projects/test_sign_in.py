"""Sign-in: repeated failures lock out that username from that address, for a while only."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.projects.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def attempt(client, username, password, ip):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def member():
    return MembershipFactory().user


def test_right_password_signs_in(client, member):
    response = attempt(client, member.username, PASSWORD, "10.0.0.1")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # to their programme list, signed in


def test_wrong_password_gets_an_error_summary(client, member):
    response = attempt(client, member.username, "wrong", "10.0.0.1")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_five_failures_lock_out_that_username_from_that_address(client, member):
    for _ in range(5):
        attempt(client, member.username, "wrong", "10.0.0.1")
    locked = attempt(client, member.username, PASSWORD, "10.0.0.1")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_attacker_elsewhere_cannot_lock_the_user_out_of_their_office(client, member):
    for _ in range(6):
        attempt(client, member.username, "wrong", "203.0.113.9")
    response = attempt(client, member.username, PASSWORD, "10.0.0.1")
    assert response.status_code == 302


def test_the_lockout_lifts_by_itself(client, member):
    for _ in range(5):
        attempt(client, member.username, "wrong", "10.0.0.1")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, member.username, PASSWORD, "10.0.0.1").status_code == 302
