"""The 403, 404 and 500 pages: the service's layout, what happened and what to do next.

Signed in, the layout says who is signed in and offers signing out and the person's
programmes; signed out, it offers signing in. The 404 page is the same whether a programme does
not exist or belongs to another partnership, and the 500 page reads nothing from the database.
This module is also the URLconf of the tests that need a view which fails (ROOT_URLCONF).
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import path, reverse
from django.views.defaults import server_error

from norfolk_connect.urls import urlpatterns as service_urlpatterns
from projects.models import Partner
from tests.projects.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
SERVICE = "Partnership programme manager"
EN_DASH = "\u2013"  # between a page's title and the service's name, as base.html writes it
HERE = "tests.test_error_pages"
MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)


@login_not_required
def fails(request):
    raise ValueError("a bug with a secret in its message")


@login_not_required
def refuses(request):
    raise PermissionDenied


urlpatterns = [
    path("test-only/fails/", fails),
    path("test-only/refuses/", refuses),
    *service_urlpatterns,
]


@pytest.fixture
def demo(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())


def signed_in(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def assert_page(response, status: int, heading: str) -> str:
    """Check the status, the heading and the title of the page, and return its HTML."""
    assert response.status_code == status
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert f"<title>{heading} {EN_DASH} {SERVICE}</title>" in html
    # The service's layout: its header, stylesheet, skip link and footer.
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html
    assert 'href="#main-content"' in html
    assert "govuk-generic-header" in html and "govuk-footer" in html
    return html


def assert_signed_in_navigation(html: str, username: str) -> None:
    assert f"Signed in as {username}" in html
    assert f'action="{reverse("logout")}"' in html
    assert f'href="{reverse("projects:programme_list")}">Go to your programmes</a>' in html


def assert_signed_out(html: str) -> None:
    assert "Signed in as" not in html
    assert f'href="{reverse("login")}">Sign in to see your programmes</a>' in html


# 403


@override_settings(DEBUG=False)
def test_another_councils_statement_says_why_with_the_navigation(client, demo):
    other = Partner.objects.get(partnership__slug="norfolk-connect", slug="norwich")
    url = reverse("report:statement", args=[DEMO, other.slug])
    response = signed_in(client, "partner-officer").get(url)
    html = assert_page(response, 403, "You do not have access to this page")
    assert "You can only see your own council&#x27;s statement." in html
    assert_signed_in_navigation(html, "partner-officer")
    assert other.name not in html
    assert "Forbidden" not in html


@override_settings(DEBUG=False)
def test_a_change_a_role_may_not_make_says_who_may(client, demo):
    url = reverse("projects:programme_settings", args=[DEMO])
    response = signed_in(client, "chief-executive").get(url)
    html = assert_page(response, 403, "You do not have access to this page")
    assert "Only the partnership&#x27;s facilitators can change its data." in html
    assert_signed_in_navigation(html, "chief-executive")


@override_settings(DEBUG=False, ROOT_URLCONF=HERE)
def test_a_refusal_without_a_reason_gets_the_general_sentence(client, demo):
    response = signed_in(client, "facilitator").get("/test-only/refuses/")
    html = assert_page(response, 403, "You do not have access to this page")
    assert "Your role in the partnership does not let you see or change this page." in html
    assert_signed_in_navigation(html, "facilitator")


@override_settings(DEBUG=False, ROOT_URLCONF=HERE)
def test_a_refusal_signed_out_offers_signing_in(client):
    html = assert_page(
        client.get("/test-only/refuses/"), 403, "You do not have access to this page"
    )
    assert_signed_out(html)


# 404


@override_settings(DEBUG=False)
def test_a_missing_page_signed_in_has_the_navigation(client, demo):
    response = signed_in(client, "facilitator").get("/no-such-page/")
    html = assert_page(response, 404, "Page not found")
    assert "If you typed the web address, check it is correct." in html
    assert_signed_in_navigation(html, "facilitator")
    assert "/no-such-page/" not in html


@override_settings(DEBUG=False)
def test_a_missing_page_signed_out_offers_signing_in(client):
    html = assert_page(client.get("/no-such-page/"), 404, "Page not found")
    assert_signed_out(html)


@override_settings(DEBUG=False)
def test_another_partnerships_programme_looks_like_one_that_does_not_exist(client, demo):
    ProgrammeFactory(slug="elsewhere-2004", name="Elsewhere's secret programme")
    signed_in(client, "facilitator")
    other = client.get(reverse("projects:programme_home", args=["elsewhere-2004"]))
    missing = client.get(reverse("projects:programme_home", args=["nowhere-2004"]))
    other_html = assert_page(other, 404, "Page not found")
    missing_html = assert_page(missing, 404, "Page not found")
    assert MAIN.findall(other_html) == MAIN.findall(missing_html)
    assert "secret" not in other_html and "elsewhere" not in other_html
    assert "No such programme" not in other_html


# 500


@override_settings(DEBUG=False, ROOT_URLCONF=HERE)
def test_a_failure_signed_in_gets_the_service_page_without_the_user(client, demo):
    client = signed_in(client, "facilitator")
    client.raise_request_exception = False
    html = assert_page(
        client.get("/test-only/fails/"), 500, "Sorry, there is a problem with the service"
    )
    assert "Try again later." in html
    assert f'href="{reverse("projects:home")}">Go to the start page</a>' in html
    # Rendered without the request: no user, nothing of the error.
    assert "Signed in as" not in html and "facilitator" not in html
    assert "secret" not in html and "ValueError" not in html


@override_settings(DEBUG=False, ROOT_URLCONF=HERE)
def test_a_failure_signed_out_gets_the_service_page(client):
    client.raise_request_exception = False
    html = assert_page(
        client.get("/test-only/fails/"), 500, "Sorry, there is a problem with the service"
    )
    assert "Signed in as" not in html and "secret" not in html


@override_settings(DEBUG=False)
def test_the_failure_page_reads_nothing_from_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
