"""Abuse of the API: whatever a client sends, the answer is a clear 4xx, never a server error,
and a refused write changes nothing.

With an editor's read-and-write token (the most a token can do), hypothesis sends the writes
any JSON at all, and well-shaped bodies with wrong values; the rows of payments, spend and
milestones are the same after every refusal. Bodies that are not JSON, too large, or name
another partnership's records are refused too.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norfolk_connect.api.models import Scope
from projects.models import Invoice, Milestone, Payment, Spend
from tests.api.world import auth, make_world

pytestmark = pytest.mark.django_db

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
TEXTISH = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["0.00", "-1.00", "1.001", "1e3", "NaN", "Infinity", "99999999999.99", ""]),
)
DATEISH = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(["2004-02-30", "2004-13-01", "0000-01-01", "9999-12-31", "2004-07-15"]),
)


@pytest.fixture
def world():
    return make_world()


def rows() -> tuple[int, int, list]:
    return (
        Payment.objects.count(),
        Spend.objects.count(),
        sorted(Milestone.objects.values_list("pk", "actual")),
    )


def writes(world) -> list[tuple[str, str]]:
    invoice = Invoice.objects.filter(call__programme=world.ours).order_by("pk").first()
    milestone = Milestone.objects.filter(project__programme=world.ours).order_by("pk").first()
    slug = world.ours.slug
    return [
        ("post", reverse("api:payment_record", args=[slug, invoice.pk])),
        ("post", reverse("api:spend_record", args=[slug])),
        ("patch", reverse("api:milestone_update", args=[slug, milestone.pk])),
    ]


def send(client, method: str, address: str, body: bytes | str, token: str):
    return getattr(client, method)(
        address, data=body, content_type="application/json", **auth(token)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=JSON)
def test_any_json_is_refused_clearly_and_changes_nothing(client, world, body):
    token = world.token(scope=Scope.READ_WRITE)
    for method, address in writes(world):
        before = rows()
        response = send(client, method, address, json.dumps(body), token)
        assert response.status_code < 500, (address, body, response.content)
        if response.status_code >= 400:
            assert response.json()["detail"], response.content
            assert rows() == before


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(amount=TEXTISH, day=DATEISH, reference=TEXTISH, project=TEXTISH, phase=TEXTISH)
def test_well_shaped_bodies_with_wrong_values(
    client, world, amount, day, reference, project, phase
):
    token = world.token(scope=Scope.READ_WRITE)
    (_, payment), (_, spend), (_, milestone) = writes(world)
    bodies = [
        ("post", payment, {"date": day, "amount": amount, "reference": reference}),
        (
            "post",
            spend,
            {"lines": [{"project": project, "phase": phase, "date": day, "amount": amount}]},
        ),
        ("patch", milestone, {"actual": day}),
    ]
    for method, address, body in bodies:
        before = rows()
        response = send(client, method, address, json.dumps(body), token)
        assert response.status_code < 500, (address, body, response.content)
        if response.status_code >= 400:
            assert rows() == before, (address, body)


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json", b"[]", b"null", b"\xff\xfe", b'{"date": "2004-08-01"' * 3],
)
def test_bodies_that_are_not_an_object_are_422(client, world, body):
    token = world.token(scope=Scope.READ_WRITE)
    for method, address in writes(world):
        before = rows()
        response = send(client, method, address, body, token)
        assert response.status_code in (400, 422), (address, body, response.content)
        assert response.json()["detail"]
        assert rows() == before


def test_a_body_too_large_is_refused_not_read(client, world):
    token = world.token(scope=Scope.READ_WRITE)
    huge = json.dumps({"lines": [{"description": "x" * 1000}] * 10_000})  # about 10 MB
    for method, address in writes(world):
        response = send(client, method, address, huge, token)
        assert 400 <= response.status_code < 500, address
        assert response.json()["detail"]


def test_a_batch_of_more_than_1000_lines_is_refused_whole(client, world):
    token = world.token(scope=Scope.READ_WRITE)
    line = {"project": "x", "phase": 1, "date": "2004-08-01", "amount": "1.00"}
    before = rows()
    response = send(
        client,
        "post",
        reverse("api:spend_record", args=[world.ours.slug]),
        json.dumps({"lines": [line] * 1001}),
        token,
    )
    assert response.status_code == 422
    assert rows() == before


def test_another_partnerships_records_are_404_for_writes(client, world):
    token = world.token(scope=Scope.READ_WRITE)
    theirs = Invoice.objects.filter(call__programme=world.theirs).order_by("pk").first()
    milestone = Milestone.objects.filter(project__programme=world.theirs).order_by("pk").first()
    payment = {"date": "2004-08-01", "amount": "1.00", "reference": "X"}
    spend = {"lines": [{"project": "x", "phase": 1, "date": "2004-08-01", "amount": "1.00"}]}
    attempts = [
        # their invoice under our programme's address, and under theirs
        ("post", reverse("api:payment_record", args=[world.ours.slug, theirs.pk]), payment),
        ("post", reverse("api:payment_record", args=[world.theirs.slug, theirs.pk]), payment),
        ("post", reverse("api:spend_record", args=[world.theirs.slug]), spend),
        ("patch", reverse("api:milestone_update", args=[world.ours.slug, milestone.pk]), {}),
        ("patch", reverse("api:milestone_update", args=[world.theirs.slug, milestone.pk]), {}),
    ]
    for method, address, value in attempts:
        body = json.dumps({"actual": None} if method == "patch" else value)
        before = rows()
        response = send(client, method, address, body, token)
        assert response.status_code == 404, (address, response.content)
        assert rows() == before
