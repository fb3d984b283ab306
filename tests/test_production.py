"""Production settings, served as in production: required secrets, headers, sessions, static files.

The settings module is loaded in subprocesses (it reads the environment once, at start-up), and
one gunicorn with WhiteNoise serves a production configuration on loopback for the header and
static-file tests, behind a pretend TLS proxy (the X-Forwarded-* headers a proxy would set).
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from norfolk_connect.network import client_ip
from norfolk_connect.sessions import LAST_SEEN, SIGNED_IN_AT, session_keys_of
from tests.projects.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
HOST = "programmes.example.test"
ORIGIN = f"https://{HOST}"
PASSWORD = "demo-password-123"
REQUIRED = ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"]
DEMO = "/programmes/norfolk-connect-2004/"
HOME = "/programmes/"  # any signed-in user's own page
# Two-factor sign-in, required of facilitators in production: its set-up and code pages.
SET_UP = "/accounts/two-factor/set-up/"
CODE = "/accounts/two-factor/code/"
SETUP_KEY = re.compile(
    r'id="setup-key"><span class="govuk-visually-hidden">Key: </span>([A-Z2-7 ]+)<'
)


def production_env(directory: Path, **overrides: str) -> dict[str, str]:
    """Return an environment for production settings with its own SQLite file and STATIC_ROOT."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="norfolk_connect.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_STATIC_ROOT=str(directory / "static"),
        DJANGO_IMPORT_PENDING_DIR=str(directory / "imports"),
        DJANGO_DEMO_PASSWORD=PASSWORD,
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


# --- start-up ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("value", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_production_refuses_to_start_without_a_required_variable(tmp_path, name, value):
    env = production_env(tmp_path)
    if value is None:
        del env[name]
    else:
        env[name] = value
    result = manage("check", env=env, check=False)
    assert result.returncode != 0
    assert (
        f"django.core.exceptions.ImproperlyConfigured: Set the {name} environment variable"
        in result.stderr
    )


def test_allowed_hosts_of_only_commas_count_as_missing(tmp_path):
    result = manage("check", env=production_env(tmp_path, DJANGO_ALLOWED_HOSTS=" , ,"), check=False)
    assert result.returncode != 0
    assert "Set the DJANGO_ALLOWED_HOSTS environment variable" in result.stderr


def test_check_deploy_finds_nothing_to_warn_about(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    # Checks print each finding with its id, "?: (security.W004) ...": there must be none.
    assert "?:" not in result.stdout + result.stderr


def test_check_deploy_would_report_an_insecure_setting(tmp_path):
    """Guard: the check above runs the security checks, so it fails when one is switched off."""
    env = production_env(tmp_path, DJANGO_SECURE_HSTS_SECONDS="0")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode != 0
    assert "security.W004" in result.stderr


# --- a production server on loopback -------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class Browser:
    """Just enough of a browser behind a TLS proxy: cookies, and the headers the proxy adds."""

    port: int
    client_address: str = "203.0.113.5"
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        https: bool = True,
    ) -> Response:
        sent = {"Host": HOST, "X-Forwarded-For": self.client_address}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = ORIGIN
            sent["Referer"] = f"{ORIGIN}{path}"
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            connection.close()
        for raw in result.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return result

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD) -> Response:
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.request(
            "POST",
            "/accounts/login/",
            form={"csrfmiddlewaretoken": token, "username": username, "password": password},
        )

    def two_factor(self, secrets: dict[str, str], username: str) -> Response:
        """After the password: set up an authenticator app (its key kept in ``secrets``), or
        enter its code, as the page asks; a code computed from the key, as the app would."""
        page = self.get(SET_UP)
        if page.status == 302 and page.header("Location") == CODE:
            page, offset = self.get(CODE), 1  # the step after the set-up's: none is used twice
        else:
            secrets[username] = SETUP_KEY.search(page.text).group(1).replace(" ", "")
            offset = 0
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        code = pyotp.TOTP(secrets[username]).at(time.time(), counter_offset=offset)
        return self.request(
            "POST",
            SET_UP if offset == 0 else CODE,
            form={"csrfmiddlewaretoken": token, "code": code},
        )


@dataclass
class Site:
    port: int
    directory: Path
    secrets: dict[str, str] = field(default_factory=dict)  # authenticator apps' keys, by user

    def browser(self, client_address: str = "203.0.113.5") -> Browser:
        return Browser(self.port, client_address)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """The demo programme under production settings: migrated, static files collected, served."""
    directory = tmp_path_factory.mktemp("production")
    env = production_env(directory)
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    manage("load_demo", env=env)
    port = free_port()
    log = (directory / "gunicorn.log").open("w")
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "norfolk_connect.wsgi"]
    options = ["--workers=2", f"--bind=127.0.0.1:{port}", "--forwarded-allow-ips=127.0.0.1"]
    process = subprocess.Popen(
        [*gunicorn, *options],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(port).get("/health/", https=False).status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((directory / "gunicorn.log").read_text())
            time.sleep(0.2)
        yield Site(port, directory)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def policy(response: Response) -> dict[str, list[str]]:
    """Return the Content-Security-Policy header as directive -> sources."""
    header = response.header("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def nonce_of(response: Response) -> str:
    nonces = [
        source[len("'nonce-") : -1]
        for source in policy(response)["script-src"]
        if source.startswith("'nonce-")
    ]
    assert len(nonces) == 1, policy(response)
    return nonces[0]


def assert_policy_is_strict(response: Response) -> None:
    directives = policy(response)
    header = response.header("Content-Security-Policy")
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "unsafe-hashes" not in header and "*" not in header
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert sorted(directives["script-src"]) == sorted(["'self'", f"'nonce-{nonce_of(response)}'"])


def assert_security_headers(response: Response) -> None:
    assert response.header("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.header("Referrer-Policy") == "same-origin"
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("X-Frame-Options") == "DENY"


def test_a_signed_in_page_sends_a_strict_nonce_policy_and_the_security_headers(site):
    browser = site.browser()
    password = browser.sign_in("facilitator")
    # Production requires two-factor sign-in of a facilitator: set up at the first sign-in.
    assert password.status == 302 and password.header("Location") == SET_UP
    signed_in = browser.two_factor(site.secrets, "facilitator")
    assert signed_in.status == 302
    assert signed_in.header("Location") == "/accounts/two-factor/recovery-codes/"

    first = browser.get(DEMO)
    assert first.status == 200
    assert "Signed in as facilitator" in first.text
    assert_policy_is_strict(first)
    assert_security_headers(first)

    # Every script carries this response's nonce, and nothing inline needs a relaxed policy.
    nonce = nonce_of(first)
    scripts = re.findall(r"<script\b[^>]*>", first.text)
    assert len(scripts) >= 2
    assert all(f'nonce="{nonce}"' in script and "src=" in script for script in scripts)
    assert "<style" not in first.text and " style=" not in first.text
    assert '"allowEval": false' in first.text and '"includeIndicatorStyles": false' in first.text

    second = browser.get(DEMO)
    assert nonce_of(second) != nonce  # a fresh nonce for every response


def test_cookies_are_secure_and_http_only(site):
    browser = site.browser()
    browser.sign_in("chief-executive")
    cookies = {}
    for raw in browser.set_cookies:
        for name, morsel in SimpleCookie(raw).items():
            cookies[name] = (morsel, raw)
    assert {"csrftoken", "sessionid"} <= set(cookies)
    for name in ("csrftoken", "sessionid"):
        morsel, raw = cookies[name]
        assert morsel["secure"] and morsel["httponly"], raw
        assert morsel["samesite"] == "Lax", raw


def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(site):
    browser = site.browser()
    redirected = browser.get("/accounts/login/", https=False)
    assert redirected.status == 301
    assert redirected.header("Location") == f"{ORIGIN}/accounts/login/"

    health = browser.get("/health/", https=False)
    assert (health.status, health.body) == (200, b"ok")


def test_a_host_outside_the_allowed_hosts_is_refused(site):
    response = site.browser().get("/health/", headers={"Host": "evil.example.test"})
    assert response.status == 400


def test_static_files_are_hashed_compressed_and_cached_for_ever(site):
    page = site.browser().get("/accounts/login/")
    app = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.mjs)"', page.text).group(1)
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text).group(1)

    script = site.browser().get(app, headers={"Accept-Encoding": "gzip"})
    assert script.status == 200
    assert script.header("Content-Encoding") == "gzip"
    assert script.header("Content-Type").startswith("text/javascript")
    assert "max-age=315360000" in script.header("Cache-Control")
    assert "immutable" in script.header("Cache-Control")
    # The module's import names GOV.UK Frontend by its hashed name, which is served.
    source = gzip.decompress(script.body).decode()
    imported = re.search(r'from "\.\./vendor/(govuk-frontend\.min\.[0-9a-f]{12}\.js)"', source)
    assert imported, source[:300]
    frontend = site.browser().get(f"/static/vendor/{imported.group(1)}")
    assert frontend.status == 200 and b"initAll" in frontend.body

    stylesheet = site.browser().get(css)
    assert stylesheet.status == 200 and b".app-numbered" in stylesheet.body


def test_the_collected_module_imports_resolve_to_collected_files(site):
    """Every hashed ES module in STATIC_ROOT imports only files that were collected."""
    static = site.directory / "static"
    modules = list((static / "js").glob("*.[0-9a-f]*.mjs"))
    assert modules
    for module in modules:
        for target in re.findall(r'from\s*"([./][^"]+)"', module.read_text()):
            assert re.search(r"\.[0-9a-f]{12}\.m?js$", target), (module.name, target)
            assert (module.parent / target).resolve().is_file(), (module.name, target)


def test_sign_in_lockouts_count_the_client_address_the_proxy_forwarded(site):
    attacker = site.browser(client_address="198.51.100.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.sign_in("partner-officer", password="wrong-password")
    locked = attacker.sign_in("partner-officer")
    assert locked.status == 429
    assert "Too many failed sign-in attempts" in locked.text

    # The partner officer, at their own address behind the same proxy, is not locked out.
    officer = site.browser(client_address="192.0.2.10")
    assert officer.sign_in("partner-officer").status == 302
    assert officer.get(DEMO).status == 200


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "10.9.9.9, 198.51.100.1", "198.51.100.1"),  # the left entry was made up by the client
        (2, "10.9.9.9, 198.51.100.1, 192.0.2.254", "198.51.100.1"),
        (2, "198.51.100.1", "198.51.100.1"),
        (1, "", "127.0.0.9"),
        (0, "198.51.100.1", "127.0.0.9"),
    ],
)
def test_client_ip_is_counted_from_the_right_of_x_forwarded_for(
    settings, count, forwarded, expected
):
    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- the policy in every environment ---------------------------------------------------------


@pytest.mark.django_db
def test_the_test_and_local_settings_send_the_same_policy(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "frame-ancestors 'none'" in header
    assert response["Referrer-Policy"] == "same-origin"


# --- session lifetimes ---------------------------------------------------------------------


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


@pytest.mark.django_db
def test_sessions_are_kept_in_the_database_with_a_half_hour_idle_limit():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ABSOLUTE_AGE == 10 * 60 * 60


def seen_ago(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(timezone.now().timestamp()) - seconds
    session.save()


@pytest.mark.django_db
def test_a_request_a_minute_after_the_last_moves_the_idle_limit_on(client):
    client.force_login(UserFactory())
    seen_ago(client, settings.SESSION_REFRESH_SECONDS)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))

    response = client.get(HOME)

    assert response.status_code == 200
    remaining = session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    assert response.cookies["sessionid"]["max-age"] == 30 * 60  # the browser's cookie too


@pytest.mark.django_db
def test_requests_within_a_minute_do_not_write_the_session_again(client):
    client.force_login(UserFactory())
    expiry = timezone.now() + timedelta(minutes=10)
    Session.objects.update(expire_date=expiry)
    client.get(HOME)
    assert session_row(client).expire_date == expiry
    assert "sessionid" not in client.get(HOME).cookies


@pytest.mark.django_db
def test_an_idle_session_ends(client):
    client.force_login(UserFactory())
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_signing_in_notes_the_time(client):
    before = int(timezone.now().timestamp())
    client.force_login(UserFactory())
    assert before <= client.session[SIGNED_IN_AT] <= int(timezone.now().timestamp())


def sign_in_ago(client: Client, seconds: int) -> None:
    session = client.session
    session[SIGNED_IN_AT] = int(timezone.now().timestamp()) - seconds
    session.save()


@pytest.mark.django_db
def test_an_active_session_ends_ten_hours_after_sign_in_with_a_message(client):
    client.force_login(UserFactory())
    sign_in_ago(client, settings.SESSION_ABSOLUTE_AGE + 1)

    response = client.get(HOME, follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "signed in more than 10 hours ago" in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert client.get(HOME).status_code == 302  # and it stays signed out


@pytest.mark.django_db
def test_a_session_within_the_absolute_limit_carries_on(client):
    client.force_login(UserFactory())
    sign_in_ago(client, settings.SESSION_ABSOLUTE_AGE - 60)
    assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_a_session_without_a_sign_in_time_is_given_one_not_ended(client):
    client.force_login(UserFactory())
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get(HOME).status_code == 200
    assert abs(client.session[SIGNED_IN_AT] - timezone.now().timestamp()) < 60


# --- deactivation --------------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivating_a_user_ends_all_their_sessions_at_once():
    user, other = UserFactory(), UserFactory()
    office, laptop, colleague = Client(), Client(), Client()
    office.force_login(user)
    laptop.force_login(user)
    colleague.force_login(other)
    assert len(session_keys_of(user)) == 2

    user.is_active = False
    user.save()

    assert session_keys_of(user) == []
    assert Session.objects.filter(session_key=colleague.session.session_key).exists()
    for client in (office, laptop):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert colleague.get(HOME).status_code == 200


@pytest.mark.django_db
def test_saving_a_user_who_stays_active_or_inactive_ends_no_session():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    user.first_name = "Renamed"
    user.save()
    assert session_keys_of(user) == [client.session.session_key]

    inactive = UserFactory(is_active=False)
    stale = Client()
    stale.force_login(inactive)  # a session made before the receiver existed, say
    inactive.last_name = "Still inactive"
    inactive.save()
    assert len(session_keys_of(inactive)) == 1


@pytest.mark.django_db
def test_an_inactive_user_is_signed_out_on_the_next_request_even_without_the_receiver(client):
    """A bulk update sends no signal; authentication still refuses the inactive user."""
    user = UserFactory()
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
