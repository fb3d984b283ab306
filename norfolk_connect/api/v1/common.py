"""What every endpoint of version 1 shares: errors, money, pages of a list, the token's
programme, its rate limit and the versions of what a write changes (ETags).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import ConfigDict

from projects.models import Programme

MONEY_FIELD = (
    'An amount in pounds as a decimal string with exactly two decimals, such as "1234.50"; '
    "null where the figure does not apply."
)
MONEY_PATTERN = r"^-?\d+\.\d{2}$"
PAGE_MAX = 500
PAGE_DEFAULT = 100


class Error(Schema):
    """What went wrong, in words."""

    detail: str = Field(description="What went wrong, for the developer of the client.")


class FieldError(Schema):
    """One value of the request that was refused, and why."""

    field: str = Field(
        description="Where the value is: a field's name, or its path such as `lines.3.amount`; "
        "empty for the request as a whole."
    )
    message: str = Field(description="Why it was refused, as the service's forms say it.")


class Invalid(Schema):
    """The request was refused because of its values; nothing was changed."""

    detail: str = Field(description="What went wrong, for the developer of the client.")
    errors: list[FieldError] = Field(description="Each value refused, with the reason.")


class Limited(Schema):
    """Too many requests with this token in the last minute."""

    detail: str = Field(description="What went wrong and when to try again.")


def money_text(value: Any) -> str | None:
    """An amount as the API writes it: a decimal string with two decimals, or None."""
    return None if value is None else f"{value:.2f}"


def own_programme(request: HttpRequest, slug: str) -> Programme:
    """The programme with the slug in the token's partnership, or 404 (never 403)."""
    membership = request.api_membership  # type: ignore[attr-defined]
    programme = (
        Programme.objects.filter(partnership_id=membership.partnership_id, slug=slug)
        .select_related("partnership")
        .first()
    )
    if programme is None:
        raise Http404("No such programme")
    return programme


def _describe_page(schema: dict[str, Any]) -> None:
    """Describe a page and its rows in the document: ninja makes each page's class anew."""
    schema["description"] = "A page of a list, with how many rows the whole list has."
    schema["properties"]["items"]["description"] = "This page's rows, in the list's order."


class PageQuery(Schema):
    """Which page of a list to return."""

    limit: int = Field(
        PAGE_DEFAULT,
        ge=1,
        le=PAGE_MAX,
        description=f"How many rows to return, 1 to {PAGE_MAX}; {PAGE_DEFAULT} unless given.",
    )
    offset: int = Field(
        0,
        ge=0,
        le=10**9,
        description="How many rows to skip from the start of the list; 0 unless given.",
    )


class Page(PaginationBase):
    """A page of a list: ``limit`` rows (at most 500) from ``offset``, with the whole count."""

    Input = PageQuery

    class Output(Schema):
        """A page of a list."""

        model_config = ConfigDict(json_schema_extra=_describe_page)

        count: int = Field(description="How many rows the whole list has, on every page.")
        limit: int = Field(description="The most rows this page could hold.")
        offset: int = Field(description="How many rows of the list come before this page.")
        items: list[Any] = Field(description="This page's rows, in the list's order.")

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet | list, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        offset, limit = pagination.offset, pagination.limit
        rows = queryset[offset : offset + limit]
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        return {"count": count, "limit": limit, "offset": offset, "items": rows}


def etag_of(content: bytes) -> str:
    """A strong ETag for a response's body: its SHA-256, quoted."""
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def if_match_fails(request: HttpRequest, current: str) -> bool:
    """Whether the request's If-Match names a version other than ``current`` (an ETag).

    No If-Match, or ``*``, never fails: the check is the client's to ask for.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return False
    sent = {part.strip().removeprefix("W/") for part in header.split(",")}
    return current not in sent


class RateLimited(Exception):
    """The token made more requests in this minute than the API allows."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"Too many requests: try again in {retry_after} seconds")


def check_rate(token_pk: int, *, now: float | None = None) -> None:
    """Count one request for the token in this minute; raise RateLimited past the limit.

    A fixed window of 60 seconds per token, counted in the cache (the one every app server
    shares in production, DJANGO_CACHE_URL), so a client learns from Retry-After when the
    window ends.
    """
    limit = settings.API_RATE_LIMIT
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"api-rate:{token_pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the count expired between add and incr: this is its first request
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=max(1, 60 * (window + 1) - int(now)))


# The errors any endpoint may answer; each endpoint adds what is its own.
ERRORS: dict[int, Any] = {401: Error, 404: Error, 422: Invalid, 429: Limited}


def answers(ok: Any, status: int = 200, **more: Any) -> dict[int, Any]:
    """An endpoint's documented answers: its own, then every endpoint's errors."""
    return {
        status: ok,
        **ERRORS,
        **{int(code.removeprefix("e")): schema for code, schema in more.items()},
    }
