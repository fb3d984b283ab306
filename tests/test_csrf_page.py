"""A form refused for its CSRF token gets the site's own page, which the CSP lets render."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

HEADING = "Sorry, there is a problem with the form you sent"
HEADER_NONCE = re.compile(r"'nonce-([^']+)'")


def assert_our_page_within_the_policy(response) -> str:
    """Check the refusal is our page, styled from our static files, and return its HTML."""
    assert response.status_code == 403
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{HEADING}</h1>' in html
    assert "Reload the page" in html
    # Django's own page says this, with inline styles the policy blocks.
    assert "CSRF" not in html
    assert "<style" not in html and " style=" not in html
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    nonces = HEADER_NONCE.findall(policy)
    assert len(nonces) == 1
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page loads the site's scripts"
    for script in scripts:
        assert f'nonce="{nonces[0]}"' in script, script
    return html


def test_a_sign_in_without_the_token_gets_our_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "someone", "password": "anything"})
    html = assert_our_page_within_the_policy(response)
    assert "Signed in as" not in html
    assert "_auth_user_id" not in client.session


def test_a_signed_in_change_without_the_token_gets_our_page_and_changes_nothing():
    membership = MembershipFactory()
    programme = ProgrammeFactory(partnership=membership.partnership, name="Before")
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)
    url = reverse("projects:programme_settings", args=[programme.slug])
    response = client.post(url, {"name": "After"})
    html = assert_our_page_within_the_policy(response)
    # The page has the request's context: the signed-in user, and a fresh token to sign out.
    assert f"Signed in as {membership.user.username}" in html
    assert 'name="csrfmiddlewaretoken"' in html
    programme.refresh_from_db()
    assert programme.name == "Before"


def test_each_refusal_has_a_nonce_of_its_own():
    client = Client(enforce_csrf_checks=True)
    first = client.post(reverse("login"), {})
    second = client.post(reverse("login"), {})
    nonces = [
        HEADER_NONCE.findall(response.headers["Content-Security-Policy"])[0]
        for response in (first, second)
    ]
    assert nonces[0] != nonces[1]
