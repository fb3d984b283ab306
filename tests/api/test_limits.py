"""The API's limits and caching: the rate per token, pages, ETags, unknown parameters."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from norfolk_connect.api.v1.common import check_rate, etag_of, if_match_fails
from tests.api.world import auth, token_of
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    programme = ProgrammeFactory(financial_years=["2004/05"])
    for _ in range(4):
        ProgrammeFactory(partnership=programme.partnership)
    return token_of(MembershipFactory(partnership=programme.partnership))


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_past_the_rate_limit_a_token_gets_429_with_retry_after(client, token, settings):
    settings.API_RATE_LIMIT = 3
    address = reverse("api:programmes")
    answers = [client.get(address, **auth(token)) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Too many requests with this token")
    assert f"{refused['Retry-After']} seconds" in refused.json()["detail"]


def test_the_limit_is_per_token(client, token, settings):
    settings.API_RATE_LIMIT = 1
    other = token_of(MembershipFactory())
    address = reverse("api:programmes")
    assert client.get(address, **auth(token)).status_code == 200
    assert client.get(address, **auth(token)).status_code == 429
    assert client.get(address, **auth(other)).status_code == 200


def test_an_unknown_token_is_401_not_counted(client, token, settings):
    settings.API_RATE_LIMIT = 1
    address = reverse("api:programmes")
    for _ in range(3):
        assert client.get(address, **auth("ncp_00000000_nothing")).status_code == 401
    assert client.get(address, **auth(token)).status_code == 200


def test_the_window_is_a_minute_and_retry_after_counts_to_its_end(settings):
    settings.API_RATE_LIMIT = 2
    start = 6_000_000.0  # a minute's start
    check_rate(1, now=start)
    check_rate(1, now=start + 10)
    with pytest.raises(Exception) as refused:
        check_rate(1, now=start + 15)
    assert refused.value.retry_after == 45
    check_rate(1, now=start + 60)  # the next minute starts afresh


def test_a_page_is_at_most_500_rows_and_bad_pages_are_422(client, token):
    address = reverse("api:programmes")
    page = client.get(address, {"limit": 2, "offset": 1}, **auth(token)).json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 1, 2)
    beyond = client.get(address, {"offset": 1000}, **auth(token)).json()
    assert beyond["items"] == [] and beyond["count"] == 5
    for query in (
        {"limit": 501},
        {"limit": 0},
        {"limit": "lots"},
        {"offset": -1},
        {"limit": 10**20},
    ):
        response = client.get(address, query, **auth(token))
        assert response.status_code == 422, query
        body = response.json()
        assert body["detail"] == "The request's values are not valid: nothing was changed"
        assert body["errors"][0]["field"] in query


def test_an_unknown_query_parameter_is_refused_by_name(client, token):
    response = client.get(reverse("api:programmes"), {"limt": 2}, **auth(token))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "limt", "message": "Unknown query parameter: this address takes limit, offset"}
    ]


def test_etags_answer_304_until_the_data_changes(client, token):
    address = reverse("api:programmes")
    first = client.get(address, **auth(token))
    etag = first["ETag"]
    assert etag == etag_of(first.content)
    assert first["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first["Vary"]
    again = client.get(address, HTTP_IF_NONE_MATCH=etag, **auth(token))
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    ProgrammeFactory(partnership=first.wsgi_request.api_membership.partnership)
    changed = client.get(address, HTTP_IF_NONE_MATCH=etag, **auth(token))
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_errors_carry_no_etag(client):
    response = client.get(reverse("api:programmes"))
    assert response.status_code == 401 and not response.has_header("ETag")


def test_if_match_is_the_clients_to_ask_for():
    class Request:
        def __init__(self, value):
            self.headers = {"If-Match": value} if value is not None else {}

    assert not if_match_fails(Request(None), '"a"')
    assert not if_match_fails(Request("*"), '"a"')
    assert not if_match_fails(Request('"b", "a"'), '"a"')
    assert not if_match_fails(Request('W/"a"'), '"a"')
    assert if_match_fails(Request('"b"'), '"a"')
