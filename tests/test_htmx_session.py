"""An htmx request from a page whose session has ended sends the whole page to sign in.

htmx follows a redirect itself: answered with the usual 302 to the sign-in page, it would swap
the sign-in form into a part of the page. It is answered instead with an ``HX-Redirect`` that
takes the browser page to sign in and, after, back to the page the person was on.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from norfolk_connect.sessions import SIGNED_IN_AT
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def signed_in(client, programme) -> Client:
    client.force_login(MembershipFactory(partnership=programme.partnership).user)
    return client


def scenarios(programme) -> str:
    return reverse("reports:scenarios", args=[programme.slug])


def htmx(client: Client, url: str, *, page: str | None = None):
    """GET the scenario's results as htmx does from the page, which it names when given."""
    headers = {"HX-Request": "true", "HX-Target": "scenario-results"}
    if page is not None:
        headers["HX-Current-URL"] = page
    return client.get(url, headers=headers)


def end_idle(client: Client) -> None:
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def sign_in_too_long_ago(client: Client) -> None:
    session = client.session
    session[SIGNED_IN_AT] = int(timezone.now().timestamp()) - settings.SESSION_ABSOLUTE_AGE - 1
    session.save()


def sends_whole_page_to_sign_in(response, *, back_to: str) -> bool:
    return (
        response.status_code in (200, 204)
        and "Location" not in response.headers
        and response.headers.get("HX-Redirect") == f"{LOGIN}?next={quote(back_to, safe='/')}"
        and b"Sign in" not in response.content
    )


def test_a_signed_in_htmx_request_gets_its_fragment(signed_in, programme):
    response = htmx(signed_in, scenarios(programme) + "?method=equal", page=scenarios(programme))
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers
    assert b"<html" not in response.content  # a fragment, not a whole page


def test_after_an_idle_session_ends_htmx_is_sent_to_sign_in_and_back_to_the_page(
    signed_in, programme
):
    end_idle(signed_in)
    page = f"{scenarios(programme)}?method=equal&step=1000"
    response = htmx(
        signed_in, scenarios(programme) + "?method=weights", page=f"http://testserver{page}"
    )
    assert sends_whole_page_to_sign_in(response, back_to=page)


def test_the_page_after_signing_in_is_never_another_site(signed_in, programme):
    end_idle(signed_in)
    fragment = scenarios(programme) + "?method=equal"
    for elsewhere in (
        "https://elsewhere.example/phish/",
        "//elsewhere.example/phish/",
        "javascript:alert(1)",
        "http://testserver//elsewhere.example/phish/",
        "http://testserver/\\elsewhere.example/phish/",
    ):
        response = htmx(signed_in, fragment, page=elsewhere)
        assert sends_whole_page_to_sign_in(response, back_to=fragment), elsewhere


def test_without_the_page_url_it_comes_back_to_the_request(signed_in, programme):
    end_idle(signed_in)
    fragment = scenarios(programme) + "?method=equal"
    assert sends_whole_page_to_sign_in(htmx(signed_in, fragment), back_to=fragment)


def test_a_request_without_htmx_is_still_redirected(signed_in, programme):
    end_idle(signed_in)
    response = signed_in.get(scenarios(programme))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={quote(scenarios(programme), safe='/')}"
    assert "HX-Redirect" not in response.headers


def test_at_the_absolute_limit_htmx_is_sent_to_sign_in_with_the_reason(signed_in, programme):
    sign_in_too_long_ago(signed_in)
    page = scenarios(programme)
    response = htmx(signed_in, page + "?method=equal", page=f"http://testserver{page}")
    assert sends_whole_page_to_sign_in(response, back_to=page)
    assert "_auth_user_id" not in signed_in.session
    # The page the browser goes to says why the person was signed out.
    sign_in = signed_in.get(response.headers["HX-Redirect"])
    assert sign_in.status_code == 200
    assert "signed in more than 10 hours ago" in sign_in.content.decode()
