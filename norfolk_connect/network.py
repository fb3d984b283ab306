"""Who is on the other end of a request, when the application stands behind proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address as the outermost of our own proxies saw it.

    Each proxy appends the address it was connected from to X-Forwarded-For, so with
    ``PROXY_COUNT`` proxies of ours in front the client is that many entries from the right;
    anything further left was written by the client and may be invented. Without the header
    (no proxy in front) the connection's own address is the client's. django-axes locks out a
    username from an address: without this every sign-in would come from the proxy's address,
    and five wrong passwords from anyone would lock that user out for everybody.
    """
    count = getattr(settings, "PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if count <= 0 or not addresses:
        return request.META.get("REMOTE_ADDR")
    return addresses[-min(count, len(addresses))]
