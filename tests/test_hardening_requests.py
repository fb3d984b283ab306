"""A NUL character anywhere in a request is refused with 400, on every page, before any write.

PostgreSQL refuses NUL in text, so a NUL that reached a query or a save would be a server error.
Every URL of the permissions matrix is tried, signed in as a facilitator (who may change
everything) and signed out, with a NUL in the query string and in a posted field.
"""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from projects.models import Contribution
from tests import test_permissions as matrix

pytestmark = pytest.mark.django_db

world = matrix.world

# The fields most forms have, each with a NUL, so that a view that ignored the middleware would
# get as far as validating (or saving) them.
NUL_FORM = {
    "name": "Broadband\x00",
    "title": "\x00",
    "amount": "1\x00",
    "financial_year": "2004/05\x00",
    "notes": "\x00",
    "version": "1",
}


def snapshot() -> tuple:
    """Return every table's row count and every versioned row's version."""
    counts = tuple(
        (model._meta.label, model._default_manager.count()) for model in apps.get_models()
    )
    versions = tuple(
        (
            model._meta.label,
            tuple(model._default_manager.order_by("pk").values_list("pk", "version")),
        )
        for model in apps.get_models()
        if any(field.name == "version" for field in model._meta.concrete_fields)
        and not model._meta.label.split(".")[1].startswith("Historical")
    )
    return counts, versions


def assert_refused(response, url):
    assert response.status_code == 400, (url, response.status_code)
    assert b"Sorry, there is a problem with the address or form" in response.content, url


@pytest.fixture
def facilitator(client, world):
    client.force_login(get_user_model().objects.get(username="facilitator"))
    return client


@pytest.mark.parametrize("name", matrix.ALL_NAMES)
def test_a_nul_in_the_query_string_is_refused_on_every_page(facilitator, world, name):
    demo, contribution, *_ = world
    url = matrix.url_for(name, demo, contribution)
    before = snapshot()
    joiner = "&" if "?" in url else "?"
    assert_refused(facilitator.get(f"{url}{joiner}x=%00"), url)
    assert_refused(facilitator.get(f"{url}{joiner}x=a%00b"), url)
    # A raw NUL, as a client that does not encode its query might send it.
    assert_refused(facilitator.get(url.split("?")[0], QUERY_STRING="x=\x00"), url)
    assert_refused(facilitator.post(f"{url}{joiner}x=%00", {}), url)
    assert snapshot() == before


@pytest.mark.parametrize("name", matrix.ALL_NAMES)
def test_a_nul_in_a_posted_field_is_refused_and_nothing_is_written(facilitator, world, name):
    demo, contribution, *_ = world
    url = matrix.url_for(name, demo, contribution)
    before = snapshot()
    # The test client posts multipart/form-data; a browser's plain form is urlencoded.
    assert_refused(facilitator.post(url, NUL_FORM), url)
    assert_refused(
        facilitator.post(
            url,
            "name=Broadband%00&amount=1&version=1",
            content_type="application/x-www-form-urlencoded",
        ),
        url,
    )
    assert_refused(facilitator.post(url, {"na\x00me": "Broadband"}), url)
    assert snapshot() == before


@pytest.mark.parametrize("name", matrix.ALL_NAMES)
def test_a_nul_is_refused_before_sign_in_is_asked_for(client, world, name):
    demo, contribution, *_ = world
    url = matrix.url_for(name, demo, contribution)
    joiner = "&" if "?" in url else "?"
    assert_refused(client.get(f"{url}{joiner}x=%00"), url)
    assert_refused(client.post(url, NUL_FORM), url)


def test_the_sign_in_form_refuses_a_nul_before_recording_a_failure(client, world):
    """django-axes writes the username of a failed sign-in to the database."""
    before = snapshot()
    response = client.post(reverse("login"), {"username": "admin\x00", "password": "x"})
    assert_refused(response, "login")
    assert snapshot() == before


def test_the_partner_filter_that_once_failed_on_postgresql_is_refused(facilitator, world):
    demo, *_ = world
    url = reverse("contributions:contribution_create", kwargs={"slug": demo.slug})
    assert_refused(facilitator.get(f"{url}?partner=%00"), url)
    assert facilitator.get(f"{url}?partner=broadland").status_code == 200


def test_a_nul_in_the_path_is_refused_not_looked_up(facilitator, world):
    demo, *_ = world
    for path in ("/programmes/%00/", f"/programmes/{demo.slug}/projects/a%00b/", "/%00"):
        assert_refused(facilitator.get(path), path)


def test_a_nul_in_a_header_or_cookie_is_refused(world):
    client = Client(headers={"User-Agent": "Mozilla\x00"})
    assert_refused(client.get("/accounts/login/"), "user agent")
    # Set as a raw header: the client's own cookie jar would quote the NUL.
    response = Client().get("/programmes/", HTTP_COOKIE="sessionid=abcdefgh\x00ijkl")
    assert_refused(response, "cookie")


def test_an_ordinary_request_is_untouched(facilitator, world):
    demo, contribution, *_ = world
    url = reverse(
        "contributions:contribution_update", kwargs={"slug": demo.slug, "pk": contribution.pk}
    )
    assert facilitator.get(f"{url}?x=%2500").status_code == 200  # a literal "%00", not a NUL
    assert Contribution.objects.filter(pk=contribution.pk).exists()


def test_a_refused_nul_is_logged_as_one_warning_line_not_an_error(facilitator, world, caplog):
    demo, *_ = world
    url = reverse("contributions:contribution_create", kwargs={"slug": demo.slug})
    with caplog.at_level(logging.INFO, logger="django"):
        assert_refused(facilitator.get(f"{url}?partner=%00"), url)
    refusals = [r for r in caplog.records if r.name.startswith("django.security")]
    assert [r.levelname for r in refusals] == ["WARNING"]
    assert refusals[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_api_refuses_a_nul_in_json_as_its_document_says(world):
    """A 422 with the API's errors, not the pages' HTML 400: the API answers only in JSON."""
    demo, *_ = world
    for path, headers in (
        (f"/api/v1/programmes/{demo.slug}/payments?invoice=NC%000001", {}),
        ("/api/v1/programmes/%00/risks", {}),
        ("/api/v1/programmes/", {"HTTP_X_CLIENT": "ledger\x00"}),
    ):
        response = Client().get(path, **headers)
        assert response.status_code == 422, path
        assert response.json() == {
            "detail": "The request's values are not valid: nothing was changed",
            "errors": [
                {"field": "", "message": "The request's path, query or headers contain a NUL"}
            ],
        }
