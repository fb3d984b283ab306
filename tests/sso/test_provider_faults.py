"""A provider that is down or answers nonsense: a clear page (502 or 503), logged, no one
signed in, never a server error."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY

from norfolk_connect.sso.models import IdentityProvider

from .conftest import ACCOUNTS, CALLBACK
from .provider import CLIENT_ID, CLIENT_SECRET, running_provider, sign_in_at_provider

pytestmark = pytest.mark.django_db

NOT_ANSWERING = "Your council's sign-in service is not answering"
NOT_CHECKED = "Your council's sign-in could not be checked"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def answering(
    status: int, body: bytes | Callable[[str], bytes], content_type: str = "application/json"
) -> Iterator[str]:
    """A loopback server that answers every GET with this status and body (or the body made
    from its own URL)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            own_url = f"http://127.0.0.1:{self.server.server_address[1]}"
            content = body(own_url) if callable(body) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def provider_at(partnership, issuer: str) -> IdentityProvider:
    return IdentityProvider.objects.create(
        partnership=partnership,
        name="Norfolk County Council account",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


def assert_page(response, status: int, heading: str) -> None:
    assert response.status_code == status
    content = response.content.decode()
    assert heading in content
    assert "try again in a few minutes" in content
    assert "Norfolk County Council account" in content


def test_a_provider_that_refuses_connections(client, partnership, caplog):
    provider_at(partnership, f"http://127.0.0.1:{closed_port()}")
    response = client.get("/accounts/sso/norfolk-councils/")
    assert_page(response, 503, NOT_ANSWERING)
    assert "Single sign-on through" in caplog.text and "ConnectError" in caplog.text
    assert SESSION_KEY not in client.session


def test_a_provider_that_does_not_answer_in_time(client, partnership, settings, caplog):
    settings.SSO_HTTP_TIMEOUT_SECONDS = 0.5
    with silent() as issuer:
        provider_at(partnership, issuer)
        response = client.get("/accounts/sso/norfolk-councils/")
    assert_page(response, 503, NOT_ANSWERING)
    assert "timed out" in caplog.text


def test_the_default_timeout_is_five_seconds(settings):
    from norfolk_connect.settings import base

    assert base.SSO_HTTP_TIMEOUT_SECONDS == 5.0


def test_a_provider_with_a_server_error(client, partnership):
    with answering(500, b"<h1>Internal Server Error</h1>", "text/html") as issuer:
        provider_at(partnership, issuer)
        response = client.get("/accounts/sso/norfolk-councils/")
    assert_page(response, 503, NOT_ANSWERING)


@pytest.mark.parametrize(
    "body", [b"<html>Sign in to your account</html>", b"[1, 2, 3]", b'{"issuer": 3', b""]
)
def test_a_provider_answering_something_other_than_its_discovery(client, partnership, body):
    with answering(200, body) as issuer:
        provider_at(partnership, issuer)
        response = client.get("/accounts/sso/norfolk-councils/")
    assert_page(response, 502, NOT_CHECKED)


def test_a_discovery_document_with_unusable_endpoints(client, partnership):
    """Its own issuer, but an authorization endpoint that is not HTTPS."""
    document = (
        '{"issuer": "%(url)s", "authorization_endpoint": "ftp://%(host)s/auth",'
        ' "token_endpoint": "%(url)s/token", "jwks_uri": "%(url)s/jwks"}'
    )
    with answering(200, lambda url: (document % {"url": url, "host": url[7:]}).encode()) as issuer:
        provider_at(partnership, issuer)
        response = client.get("/accounts/sso/norfolk-councils/")
    assert_page(response, 502, NOT_CHECKED)


def test_a_provider_announcing_another_issuer(client, partnership, caplog):
    with running_provider([CALLBACK], ACCOUNTS, fault="issuer") as provider:
        provider_at(partnership, provider.issuer)
        response = client.get("/accounts/sso/norfolk-councils/")
    assert_page(response, 502, NOT_CHECKED)
    assert "names issuer" in caplog.text


def test_an_id_token_whose_signature_does_not_check(client, partnership, member, caplog):
    """The provider's published keys are not those that signed its token."""
    with running_provider([CALLBACK], ACCOUNTS, fault="foreign-jwks") as provider:
        provider_at(partnership, provider.issuer)
        start = client.get("/accounts/sso/norfolk-councils/")
        callback = sign_in_at_provider(start["Location"], "member", stop_at=CALLBACK)
        parts = urlsplit(callback)
        response = client.get(f"{parts.path}?{parts.query}")
    assert_page(response, 502, NOT_CHECKED)
    assert "ID token signature: BadSignatureError" in caplog.text
    assert SESSION_KEY not in client.session


def test_a_provider_that_goes_down_during_the_sign_in(client, partnership, member):
    with running_provider([CALLBACK], ACCOUNTS) as provider:
        provider_at(partnership, provider.issuer)
        start = client.get("/accounts/sso/norfolk-councils/")
        callback = sign_in_at_provider(start["Location"], "member", stop_at=CALLBACK)
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert_page(response, 503, NOT_ANSWERING)
    assert SESSION_KEY not in client.session


def test_a_provider_reporting_its_own_trouble(client, partnership):
    with running_provider([CALLBACK], ACCOUNTS) as provider:
        provider_at(partnership, provider.issuer)
        client.get("/accounts/sso/norfolk-councils/")
        state = client.session["sso_pending"]["state"]
        response = client.get(
            f"/accounts/sso/callback/?state={state}&error=temporarily_unavailable"
        )
    assert_page(response, 503, NOT_ANSWERING)
