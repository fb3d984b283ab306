"""The OpenID Connect client: discovery, the authorization request, the code exchange, and
the checks on the ID token (signature by the provider's published keys, issuer, audience,
expiry, nonce).

Every call to the provider has a timeout (``settings.SSO_HTTP_TIMEOUT_SECONDS``). What can go
wrong with the provider is one of two exceptions, both subclasses of ``ProviderError``:
``ProviderUnavailable`` when it does not answer (refused, timed out, a server error) and
``ProviderInvalid`` when it answers something that cannot be trusted (not JSON, another
issuer, a token whose signature or claims do not check). The views turn either into a page
that says so; neither is a server error of ours.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# Asymmetric algorithms only: "none" and the HMAC ones (keyed with the client secret, which
# anyone holding the secret could forge) are refused whatever the token's header says.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_SECONDS = 60  # clock skew allowed between the provider and the service
MAX_RESPONSE_BYTES = 1_000_000


class ProviderError(Exception):
    """The provider could not be used to sign someone in."""


class ProviderUnavailable(ProviderError):
    """The provider did not answer: connection refused, timed out, or a server error."""


class ProviderInvalid(ProviderError):
    """The provider answered something that cannot be trusted or understood."""


@dataclass(frozen=True)
class Discovery:
    """What the provider's discovery document says about its endpoints."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""


def _cache_key(kind: str, url: str) -> str:
    return f"sso:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def _request(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """Send a request to the provider and return its JSON object."""
    try:
        with httpx.Client(
            timeout=settings.SSO_HTTP_TIMEOUT_SECONDS, follow_redirects=False
        ) as client:
            response = client.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise ProviderUnavailable(f"{method} {url}: timed out") from error
    except httpx.HTTPError as error:
        raise ProviderUnavailable(f"{method} {url}: {error.__class__.__name__} {error}") from error
    if response.status_code >= 500:
        raise ProviderUnavailable(f"{method} {url}: status {response.status_code}")
    if len(response.content) > MAX_RESPONSE_BYTES:
        raise ProviderInvalid(f"{method} {url}: answer too large")
    try:
        data = response.json()
    except ValueError as error:
        raise ProviderInvalid(f"{method} {url}: status {response.status_code}, not JSON") from error
    if not isinstance(data, dict):
        raise ProviderInvalid(f"{method} {url}: not a JSON object")
    if response.status_code >= 400:
        raise ProviderInvalid(
            f"{method} {url}: status {response.status_code}, error {data.get('error')!r}"
        )
    return data


def _https_or_loopback(url: object) -> bool:
    if not isinstance(url, str):
        return False
    if url.startswith("https://"):
        return True
    return settings.SSO_ALLOW_HTTP_LOOPBACK and url.startswith(
        ("http://127.0.0.1:", "http://localhost:", "http://[::1]:")
    )


def discover(issuer: str) -> Discovery:
    """Return the provider's endpoints from its discovery document, cached briefly."""
    issuer = issuer.rstrip("/")
    key = _cache_key("discovery", issuer)
    found = cache.get(key)
    if isinstance(found, Discovery):
        return found
    document = _request("GET", f"{issuer}/.well-known/openid-configuration")
    # The document must be the configured issuer's own (OpenID Connect Discovery 1.0, 4.3).
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderInvalid(
            f"discovery at {issuer} names issuer {str(document.get('issuer'))[:200]!r}"
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _https_or_loopback(document.get(name)):
            raise ProviderInvalid(f"discovery at {issuer}: no usable {name}")
        endpoints[name] = document[name]
    userinfo = document.get("userinfo_endpoint", "")
    discovery = Discovery(
        issuer=document["issuer"],
        userinfo_endpoint=userinfo if _https_or_loopback(userinfo) else "",
        **endpoints,
    )
    cache.set(key, discovery, settings.SSO_DISCOVERY_CACHE_SECONDS)
    return discovery


def random_token() -> str:
    return secrets.token_urlsafe(32)


def code_challenge(verifier: str) -> str:
    """Return the PKCE S256 challenge for a code verifier (RFC 7636, 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(
    discovery: Discovery,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_verifier: str,
) -> str:
    """Return the URL of the provider's authorization endpoint for this sign-in."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email",
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in discovery.authorization_endpoint else "?"
    return f"{discovery.authorization_endpoint}{separator}{query}"


def exchange_code(
    discovery: Discovery,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> dict[str, Any]:
    """Exchange the authorization code for the tokens (client_secret_basic)."""
    tokens = _request(
        "POST",
        discovery.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        },
        # RFC 6749, 2.3.1: the id and secret are form-encoded before Basic encoding.
        auth=(_form_encode(client_id), _form_encode(client_secret)),
        headers={"Accept": "application/json"},
    )
    if not isinstance(tokens.get("id_token"), str):
        raise ProviderInvalid("token response without an ID token")
    return tokens


def _form_encode(value: str) -> str:
    return urlencode({"": value})[1:]


def _key_set(discovery: Discovery, *, fresh: bool = False) -> KeySet:
    key = _cache_key("jwks", discovery.jwks_uri)
    document = None if fresh else cache.get(key)
    if not isinstance(document, dict):
        document = _request("GET", discovery.jwks_uri)
        cache.set(key, document, settings.SSO_DISCOVERY_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise ProviderInvalid(f"keys at {discovery.jwks_uri} cannot be read") from error


def _decode(id_token: str, keys: KeySet) -> jwt.Token:
    return jwt.decode(id_token, keys, algorithms=ALGORITHMS)


def id_token_claims(
    discovery: Discovery, *, id_token: str, client_id: str, nonce: str
) -> dict[str, Any]:
    """Check the ID token's signature and claims; return its claims.

    A token signed with a key the cached key set does not have is checked once more against
    a fresh copy of the provider's keys, which providers rotate.
    """
    try:
        try:
            token = _decode(id_token, _key_set(discovery))
        except (JoseError, ValueError):
            token = _decode(id_token, _key_set(discovery, fresh=True))
    except (JoseError, ValueError) as error:
        raise ProviderInvalid(f"ID token signature: {error.__class__.__name__}") from error
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": discovery.issuer},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise ProviderInvalid(f"ID token claims: {error}") from error
    # OpenID Connect Core 3.1.3.7: with several audiences, the authorized party is us.
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise ProviderInvalid("ID token for several audiences, not authorized for this client")
    if not hmac.compare_digest(str(claims["nonce"]), nonce):
        raise ProviderInvalid("ID token nonce does not match this sign-in")
    return claims


def user_claims(
    discovery: Discovery, *, claims: dict[str, Any], access_token: object
) -> dict[str, Any]:
    """Return the ID token's claims, with the email from the userinfo endpoint if it has none.

    Providers that follow the core specification strictly put the claims asked for by scope
    in the userinfo response rather than the ID token. Userinfo's subject must be the token's.
    """
    if "email" in claims or not discovery.userinfo_endpoint or not isinstance(access_token, str):
        return claims
    info = _request(
        "GET",
        discovery.userinfo_endpoint,
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    if info.get("sub") != claims["sub"]:
        raise ProviderInvalid("userinfo is about another subject than the ID token")
    return {**info, **claims}
