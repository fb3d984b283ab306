"""CSRF is enforced on every change: without the page's token a POST is refused, changing nothing.

The views that change data are read from the URLconf as the permissions matrix reads them (a
view with ``edits = True``), so a new one is checked without anyone adding it here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_abuse import DEMO_PASSWORD, World, build_world, form_data, page_form, snapshot
from tests.test_permissions import ALL_NAMES, QUERY, changes_data, kwargs_for

pytestmark = pytest.mark.django_db

# Every view that changes data, and the one change view outside a programme.
CHANGE_NAMES = sorted({n for n in ALL_NAMES if changes_data(n)} | {"projects:programme_create"})
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def world(monkeypatch) -> World:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", DEMO_PASSWORD)
    return build_world()


def url_for(name: str, world: World) -> str:
    kwargs = kwargs_for(name, world.demo, world.contribution)
    if "pk" in kwargs and name.startswith("report:issued"):
        kwargs["pk"] = world.issued.pk
    return reverse(name, kwargs=kwargs) + QUERY.get(name, "")


def token_from(client: Client, url: str) -> str:
    """Return the CSRF token of the page, as a browser would have it from a GET of it."""
    page = client.get(url, follow=True)
    found = TOKEN.search(page.content.decode())
    if found is None:  # a fragment for htmx: the token of the page it is part of
        found = TOKEN.search(client.get(reverse("projects:home"), follow=True).content.decode())
    assert found, f"no CSRF token on {url}"
    return found[1]


def the_page_as_sent(client: Client, url: str) -> dict[str, list[str]]:
    """What the page's own form would send, so that without CSRF the POST would change data."""
    page = client.get(url, follow=True)
    try:
        return form_data(page_form(page.content.decode()))
    except AssertionError:  # no form of its own: a redirect to the scenario, a fragment
        return {}


def refused_for_csrf(response) -> bool:
    return response.status_code == 403 and b"problem with the form you sent" in response.content


def test_every_kind_of_change_is_checked():
    assert {
        "projects:programme_settings",
        "projects:project_update",
        "projects:phase_decision",
        "contributions:contribution_delete",
        "reports:import",
        "reports:scenario_apply",
        "report:report_issue",
        "projects:programme_create",
    } <= set(CHANGE_NAMES)
    assert "projects:project_list" not in CHANGE_NAMES


@pytest.mark.parametrize("name", CHANGE_NAMES)
def test_a_change_without_the_token_is_refused_and_changes_nothing(world, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.facilitator)
    url = url_for(name, world)
    data = the_page_as_sent(client, url)
    before = snapshot()
    response = client.post(url, data)
    assert refused_for_csrf(response), f"{response.status_code} for {url}"
    assert snapshot() == before
    # A token that is not the page's is no better than none.
    forged = client.post(url, {**data, "csrfmiddlewaretoken": "x" * 64})
    assert refused_for_csrf(forged), url
    assert snapshot() == before
    # The same POST with the page's own token goes through to the view.
    response = client.post(url, {**data, "csrfmiddlewaretoken": token_from(client, url)})
    assert response.status_code != 403, url


def test_a_form_posted_with_its_token_saves(world):
    """The check above would pass with any form that refuses everything: this one saves."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.facilitator)
    url = url_for("projects:programme_settings", world)
    data = the_page_as_sent(client, url)
    data["name"] = ["Renamed"]
    assert refused_for_csrf(client.post(url, data))
    response = client.post(url, {**data, "csrfmiddlewaretoken": token_from(client, url)})
    assert response.status_code == 302
    world.demo.refresh_from_db()
    assert world.demo.name == "Renamed"


def test_signing_in_needs_the_token(world):
    client = Client(enforce_csrf_checks=True)
    url = reverse("login")
    credentials = {"username": "facilitator", "password": DEMO_PASSWORD}
    assert refused_for_csrf(client.post(url, credentials))
    assert "_auth_user_id" not in client.session
    token = token_from(client, url)
    response = client.post(url, {**credentials, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.facilitator.pk)


def test_signing_out_needs_the_token(world):
    """Otherwise any site could sign a facilitator out (and a GET does not sign out at all)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.facilitator)
    url = reverse("logout")
    assert refused_for_csrf(client.post(url))
    assert client.get(url).status_code == 405
    assert client.session["_auth_user_id"] == str(world.facilitator.pk)
    token = token_from(client, reverse("projects:programme_home", args=[world.demo.slug]))
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_changing_a_password_needs_the_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.facilitator)
    url = reverse("password_change")
    data = {
        "old_password": DEMO_PASSWORD,
        "new_password1": "a much longer new passphrase",
        "new_password2": "a much longer new passphrase",
    }
    assert refused_for_csrf(client.post(url, data))
    world.facilitator.refresh_from_db()
    assert world.facilitator.check_password(DEMO_PASSWORD)
    response = client.post(url, {**data, "csrfmiddlewaretoken": token_from(client, url)})
    assert response.status_code == 302
    world.facilitator.refresh_from_db()
    assert world.facilitator.check_password("a much longer new passphrase")
