"""While the database is unavailable every page answers 503 with a page saying so, not a 500.

The database going away is simulated by making queries fail as psycopg's do when PostgreSQL
restarts: with OperationalError (or InterfaceError on a connection already closed).
"""

from __future__ import annotations

import io
import logging
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from projects.models import FundingLine, Phase, Project
from tests.projects.test_project_forms import page_data

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
PROGRAMME = f"/programmes/{SLUG}/"
DASHBOARD = f"/programmes/{SLUG}/dashboard/"
EDIT = f"/programmes/{SLUG}/projects/e-forms/edit/"
UNAVAILABLE = "Sorry, the service is unavailable"


def refuse(error_class=OperationalError, *, when=lambda sql: True):
    """Return a query wrapper that fails the queries ``when`` picks, as a stopped server would."""

    def wrapper(execute, sql, params, many, context):
        if when(sql):
            raise error_class("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


@pytest.fixture
def browser() -> Client:
    """A facilitator signed in to the demo; errors come back as responses, as a browser sees."""
    call_command("load_demo", stdout=io.StringIO())
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="facilitator"))
    return client


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    text = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{UNAVAILABLE}</h1>' in text
    assert "Try again in a few minutes." in text
    assert "Traceback" not in text and "Server Error" not in text
    assert response["Retry-After"] == "120"
    assert "no-cache" in response["Cache-Control"]
    # The usual security headers are still sent.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # A length left over from the 500 page it replaced would cut the page off, or leave the
    # browser waiting for bytes that never come.
    assert response.get("Content-Length", str(len(response.content))) == str(len(response.content))


def test_a_page_is_served_as_usual_while_the_database_is_up(browser):
    response = browser.get(DASHBOARD)
    assert response.status_code == 200
    assert "Retry-After" not in response
    assert UNAVAILABLE not in response.content.decode()


@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_database_refusing_connections_answers_503_and_the_next_request_after_it_succeeds(
    browser, caplog, monkeypatch, error_class
):
    def refused():
        raise error_class('connection to server at "127.0.0.1", port 5432 failed')

    monkeypatch.setattr(connection, "ensure_connection", refused)
    with caplog.at_level(logging.WARNING):
        response = browser.get(PROGRAMME)
    assert_unavailable_page(response)
    assert f"Database unavailable, answered 503 to GET {PROGRAMME}" in caplog.text
    assert error_class.__name__ in caplog.text
    # Answered before the session middleware failed: one line in the log, no traceback.
    assert "Internal Server Error" not in caplog.text

    monkeypatch.undo()
    assert browser.get(PROGRAMME).status_code == 200


def test_database_going_away_inside_the_middleware_answers_503(browser, caplog):
    # Connected, but the first query (the session's, made by middleware before any view
    # runs) fails.
    with (
        caplog.at_level(logging.WARNING, logger="norfolk_connect.outage"),
        connection.execute_wrapper(refuse(InterfaceError)),
    ):
        response = browser.get(PROGRAMME)
    assert_unavailable_page(response)
    assert f"Database unavailable, answered 503 to GET {PROGRAMME}" in caplog.text
    # Django logged the failure as a 500 with its traceback before the answer became a 503:
    # that entry is dropped, so an operator's alert on server errors does not fire for it.
    assert "Internal Server Error" not in caplog.text
    assert not [record for record in caplog.records if record.exc_info]

    assert browser.get(PROGRAMME).status_code == 200


def test_a_query_failing_in_the_view_answers_503(browser, caplog):
    # The session and the membership are read; the programme's funding lines are not.
    failing = refuse(when=lambda sql: "projects_fundingline" in sql)
    with (
        caplog.at_level(logging.WARNING, logger="norfolk_connect.outage"),
        connection.execute_wrapper(failing),
    ):
        response = browser.get(DASHBOARD)
    assert_unavailable_page(response)
    assert f"answered 503 to GET {DASHBOARD}" in caplog.text


def test_health_check_answers_503_while_the_database_is_down():
    client = Client(raise_request_exception=False)
    assert client.get("/health/").status_code == 200
    with connection.execute_wrapper(refuse()):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response["Retry-After"] == "120"


def test_other_server_errors_are_left_alone(browser, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("projects.views.programmes.ProgrammeHomeView.get", broken)
    response = browser.get(PROGRAMME)
    assert response.status_code == 500
    assert UNAVAILABLE not in response.content.decode()
    # Logged as the server error it is, with its traceback.
    [logged] = [record for record in caplog.records if record.name == "django.request"]
    assert logged.getMessage() == f"Internal Server Error: {PROGRAMME}"
    assert logged.exc_info is not None


def snapshot() -> dict:
    state = {}
    for model in [Project, Phase, FundingLine]:
        state[model.__name__] = sorted(map(repr, model.objects.values_list()))
        state[f"{model.__name__} history"] = model.history.count()
    return state


def test_a_save_cut_off_by_the_database_leaves_nothing_written(browser):
    data = page_data(browser.get(EDIT))
    line = FundingLine.objects.get(project__slug="e-forms")
    assert data["funding-0-id"] == str(line.pk)
    data["funding-0-amount"] = "15000.37"
    data["funding-0-note"] = "cut off"
    before = snapshot()

    # The project's version has been claimed and the funding line updated when its history
    # record fails to be written: the whole save must be undone.
    failing = refuse(
        when=lambda sql: sql.startswith('INSERT INTO "projects_historicalfundingline"')
    )
    with connection.execute_wrapper(failing):
        response = browser.post(EDIT, data)
    assert_unavailable_page(response)
    assert snapshot() == before
    assert FundingLine.objects.get(pk=line.pk).amount == Decimal("15000.00")

    # The same entries save once the database is back.
    response = browser.post(EDIT, data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.amount, line.note) == (Decimal("15000.37"), "cut off")
