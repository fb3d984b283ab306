"""Response headers: the Permissions-Policy on every response, Server-Timing only when asked for.

A production configuration is served by gunicorn on loopback behind a pretend TLS proxy, as in
tests/test_production.py, whose server and client this module shares.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests import test_production as production
from tests.projects.factories import UserFactory

site = production.site

# The features a page could ask the browser for that the service never uses.
DENIED = {
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "hid",
    "midi",
    "display-capture",
    "publickey-credentials-get",
    "clipboard-read",
    "xr-spatial-tracking",
}


def features(header: str) -> dict[str, str]:
    """Return the Permissions-Policy header as feature -> allow list."""
    assert header, "no Permissions-Policy header"
    parsed = {}
    for part in header.split(","):
        name, _, allowed = part.strip().partition("=")
        parsed[name] = allowed
    return parsed


def assert_denies_everything_unused(header: str, what: str = "") -> None:
    policy = features(header)
    assert set(policy) >= DENIED, (what, DENIED - set(policy))
    # Each listed feature is allowed to no origin at all, this site's included, but for full
    # screen, which the browser's PDF viewer uses to present a board report, and only here.
    assert policy.pop("fullscreen") == "(self)", what
    assert set(policy.values()) == {"()"}, (what, policy)


def test_every_production_response_denies_unused_features_and_says_nothing_of_timing(site):
    browser = site.browser()
    login = browser.get("/accounts/login/")
    responses = {
        "sign-in page": login,
        "health check": browser.get("/health/", https=False),
        "redirect to sign in": browser.get(production.DEMO),
        "not found": browser.get("/no-such-page/"),
        "refused request": browser.get("/accounts/login/?next=%00"),
        "plain HTTP redirect": browser.get("/accounts/login/", https=False),
    }
    assert browser.sign_in("facilitator").status == 302
    responses["two-factor set-up"] = browser.get(production.SET_UP)
    assert browser.two_factor(site.secrets, "facilitator").status == 302
    responses["signed-in page"] = browser.get(production.DEMO)
    static = production.re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', login.text)
    responses["static file"] = browser.get(static.group(1))
    assert responses["signed-in page"].status == 200
    assert responses["refused request"].status == 400
    assert responses["static file"].status == 200
    for what, response in responses.items():
        assert_denies_everything_unused(response.header("Permissions-Policy"), what)
        assert response.header("Server-Timing") == "", what


@pytest.mark.django_db
def test_the_test_settings_send_the_same_policy_and_no_timing(client):
    client.force_login(UserFactory())
    response = client.get(production.HOME)
    assert response.status_code == 200
    assert_denies_everything_unused(response["Permissions-Policy"])
    assert "Server-Timing" not in response
    assert settings.SERVER_TIMING is False


@pytest.mark.django_db
def test_server_timing_is_sent_when_turned_on():
    with override_settings(SERVER_TIMING=True):
        response = Client().get("/health/")  # a new client loads the middleware afresh
    assert response.status_code == 200
    assert production.re.fullmatch(r"app;dur=\d+\.\d{2}", response["Server-Timing"])


@pytest.mark.parametrize(
    ("module", "environment", "expected"),
    [
        ("production", {}, "False"),
        ("production", {"DJANGO_SERVER_TIMING": "true"}, "True"),
        ("local", {}, "True"),
        ("local", {"DJANGO_SERVER_TIMING": "false"}, "False"),
    ],
)
def test_server_timing_is_off_in_production_and_on_locally_unless_configured(
    tmp_path, module, environment, expected
):
    env = production.production_env(
        tmp_path, DJANGO_SETTINGS_MODULE=f"norfolk_connect.settings.{module}", **environment
    )
    result = production.manage(
        "shell", "-c", "from django.conf import settings; print(settings.SERVER_TIMING)", env=env
    )
    assert result.stdout.strip().splitlines()[-1] == expected
