"""The tests' OpenID Connect provider: panva's oidc-provider (npm), run by provider.mjs.

``running_provider`` starts it on a loopback port the system picks, waits until its discovery
document answers, and stops it afterwards. It is a real provider, not a mock of the protocol:
its login and consent pages (oidc-provider's development interactions) take any password for
the accounts it is given.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
CLIENT_ID = "norfolk-connect"
CLIENT_SECRET = "a-test-client-secret-of-enough-length"
START_SECONDS = 20


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.skip("SSO TESTS SKIPPED: no Node.js to run the OpenID Connect provider")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node_modules has no oidc-provider: run `make test` (npm ci) first")
    return path


@contextmanager
def running_provider(
    redirect_uris: list[str], accounts: dict[str, dict], fault: str | None = None
) -> Iterator[RunningProvider]:
    """Run the provider with one client (CLIENT_ID) and these accounts, for the block."""
    config = {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }
        ],
        "accounts": accounts,
        "fault": fault,
    }
    environment = {**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)}
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [node(), str(SCRIPT)],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=errors,
            stdin=subprocess.DEVNULL,
        )
        provider = None
        try:
            issuer = wait_for_issuer(process, output, errors)
            provider = RunningProvider(issuer=issuer, process=process, accounts=accounts)
            wait_for_discovery(issuer)
            yield provider
        finally:
            if provider is not None:
                provider.stop()
            elif process.poll() is None:
                process.kill()
                process.wait()


def wait_for_issuer(process: subprocess.Popen, output, errors) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        output.seek(0)
        line = output.readline()
        if line.endswith(b"\n"):
            return json.loads(line)["issuer"]
        if process.poll() is not None:
            errors.seek(0)
            pytest.fail(f"the OpenID Connect provider stopped: {errors.read().decode()[-2000:]}")
        time.sleep(0.05)
    pytest.fail("the OpenID Connect provider did not start")


def wait_for_discovery(issuer: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    pytest.fail("the OpenID Connect provider's discovery did not answer")


class _Form(HTMLParser):
    """The first form of a page: its action and its inputs' values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and not self._done and self.action is None:
            self.action = attributes.get("action") or ""
            self._inside = True
        elif tag == "input" and self._inside and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._inside:
            self._inside = False
            self._done = True


def first_form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    assert form.action is not None, html[:2000]
    return form


def sign_in_at_provider(authorization_url: str, login: str, stop_at: str) -> str:
    """Go through the provider's login and consent pages as ``login``, as a browser would.

    Follows the provider's redirects until one leaves for ``stop_at`` (the service's
    callback), and returns that URL.
    """
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        response = browser.get(authorization_url)
        for _ in range(20):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(stop_at):
                    return location
                response = browser.get(location)
                continue
            assert response.status_code == 200, response.text[:2000]
            form = first_form(response.text)
            data = dict(form.fields)
            if data.get("prompt") == "login":
                data.update(login=login, password="any password")
            response = browser.post(urljoin(str(response.url), form.action), data=data)
    raise AssertionError("the provider never sent the browser back to the service")
