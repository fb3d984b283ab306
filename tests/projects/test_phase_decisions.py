"""Recording a phase's decision: the figures move at once, and the project page says how."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from projects.fields import DATE_PARTS
from projects.history import ConcurrentEditError
from projects.models import Phase, Programme, Project
from projects.money.vocabulary import Decision, ProjectStatus
from projects.programme_file import ProgrammeFileError, dumps_programme, parse_programme
from projects.selectors import programme_document, programme_figures
from projects.services import phase_decide, programme_load
from tests.dates import as_typed
from tests.tranches import post_confirmed

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
GATEWAY = "authentication-gateway"


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=SLUG)


def user(username: str):
    return get_user_model().objects.get(username=username)


def url(project: str = GATEWAY, number: int = 2) -> str:
    return reverse("projects:phase_decision", args=[SLUG, project, number])


def phase(project: str = GATEWAY, number: int = 2) -> Phase:
    return Phase.objects.select_related("project__programme").get(
        project__slug=project, number=number
    )


def post(client, username="facilitator", project=GATEWAY, number=2, **data):
    client.force_login(user(username))
    fields = {
        "decision": Decision.NOT_PROCEEDING,
        "decided_on": "2004-09-27",
        "note": "Chief executives' meeting, minute 7",
        "version": Project.objects.get(slug=project).version,
    }
    fields.update(data)
    return post_confirmed(client, url(project, number), as_typed(fields))


def state(project: str = GATEWAY) -> tuple:
    """Return what a refused decision must leave unchanged."""
    row = Project.objects.get(slug=project)
    phases = tuple(row.phases.values_list("number", "decision", "decided_on", "decision_note"))
    return row.version, phases, row.history.count()


# The flow in the browser


def test_stopping_gateway_phase_2_lowers_the_maximum_and_the_cap(client, demo):
    response = post(client)
    assert response.status_code == 302
    assert response.url == reverse("projects:project_detail", args=[SLUG, GATEWAY])
    figures = programme_figures(programme=demo)
    assert figures.extra_max == Decimal("75000.00")
    assert figures.extra_min == Decimal("75000.00")
    assert figures.cap_per_partner == Decimal("10000.00")
    stopped = phase()
    assert stopped.decision == Decision.NOT_PROCEEDING
    assert stopped.decided_on == date(2004, 9, 27)
    assert stopped.decision_note == "Chief executives' meeting, minute 7"

    page = html.unescape(client.get(response.url).content.decode())
    assert (
        "Phase 2 of Authentication / Gateway does not proceed. The programme's maximum fell "
        "from £175,000 to £75,000; the cap per partner is now £10,000."
    ) in page
    programme = page.split('id="programme-figures"')[1].split("</dl>")[0]
    assert "£175,000" not in programme and "up to £10,000" in programme
    assert "Does not proceed" in page and "27 September 2004" in page


def test_the_decision_is_in_the_history_with_its_user(client, demo):
    post(client)
    record = phase().history.latest("history_date")
    assert record.history_user.username == "facilitator"
    assert record.decision == Decision.NOT_PROCEEDING
    project = Project.objects.get(slug=GATEWAY)
    assert project.version == 2
    assert project.history.latest("history_date").version == 2
    page = html.unescape(
        client.get(reverse("projects:project_detail", args=[SLUG, GATEWAY])).content.decode()
    )
    history = page.split('id="history"')[1]
    assert "Decision: from <q>Decision pending</q> to <q>Not proceeding</q>" in history


def test_approving_a_business_case_raises_the_minimum_and_the_immediate_tranche(client, demo):
    response = post(client, decision=Decision.APPROVED)
    assert response.status_code == 302
    message = html.unescape(client.get(response.url).content.decode())
    assert (
        "Phase 2 of Authentication / Gateway: business case approved. The programme's minimum "
        "rose from £75,000 to £175,000; the immediate tranche per partner is now £30,000."
    ) in message
    assert programme_figures(programme=demo).extra_min == Decimal("175000.00")


def test_a_decision_that_moves_no_figure_says_so(client, demo):
    # Benefits Form's phase 2 has no cost yet (TBC), so stopping it moves no total.
    response = post(client, project="benefits-form")
    message = html.unescape(client.get(response.url).content.decode())
    assert (
        "Phase 2 of Benefits Form does not proceed. The programme's figures are unchanged: "
        "minimum £75,000, maximum £175,000."
    ) in message
    assert programme_figures(programme=demo).tbc_phases == 0


def test_back_to_pending_forgets_the_date(client, demo):
    post(client)
    response = post(
        client, decision=Decision.PENDING, decided_on="", note="Business case resubmitted"
    )
    assert response.status_code == 302
    reopened = phase()
    assert (reopened.decision, reopened.decided_on) == (Decision.PENDING, None)
    assert reopened.decision_note == "Business case resubmitted"
    assert programme_figures(programme=demo).extra_max == Decimal("175000.00")


def test_any_phase_may_stop(demo):
    # A phase no business case gates has no decision page; it is stopped from the editor, which
    # writes the same decision.
    phase_decide(
        phase=phase(project="partnership-support", number=1),
        decision=Decision.NOT_PROCEEDING,
        decided_on=date(2004, 9, 27),
        note="",
        expected_version=1,
        user=user("facilitator"),
    )
    assert programme_figures(programme=demo).extra_min == Decimal("65000.00")


def test_the_form_shows_the_current_decision(client, demo):
    post(client)
    client.force_login(user("facilitator"))
    response = client.get(url())
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["decision"] == Decision.NOT_PROCEEDING
    assert form.initial["version"] == 2
    page = response.content.decode()
    [checked] = re.findall(r'<input type="radio"[^>]*checked[^>]*>', page)
    assert 'value="not_proceeding"' in checked
    for part, value in [("day", "27"), ("month", "9"), ("year", "2004")]:
        assert f'name="decided_on-{part}" type="text" inputmode="numeric" value="{value}"' in page
    assert "Business case approved" in page and "Decision pending" in page


# Refusals: nothing changes


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_readers_cannot_record_a_decision(client, demo, username):
    before = state()
    client.force_login(user(username))
    assert client.get(url()).status_code == 403
    assert post(client, username=username).status_code == 403
    assert state() == before


def test_a_decision_from_a_stale_page_is_refused_with_what_changed(client, demo):
    page_version = Project.objects.get(slug=GATEWAY).version
    # Someone else renames the project after the page was read.
    project = Project.objects.get(slug=GATEWAY)
    project.name = "Government Gateway"
    project.version += 1
    project._history_user = user("chief-executive")
    project.save()
    before = state()
    response = post(client, version=page_version)
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "Someone else changed this while you were editing it" in page
    assert "Government Gateway" in page  # their change, shown
    assert response.context["form"]["note"].value() == "Chief executives' meeting, minute 7"
    assert state() == before
    assert programme_figures(programme=demo).extra_max == Decimal("175000.00")


def test_two_facilitators_deciding_at_once_the_later_is_refused(client, demo):
    page_version = Project.objects.get(slug=GATEWAY).version
    assert post(client, decision=Decision.APPROVED, version=page_version).status_code == 302
    before = state()
    response = post(client, decision=Decision.NOT_PROCEEDING, version=page_version)
    assert response.status_code == 409
    changes = response.context["conflict"].changes
    assert any(
        change.field == "Decision" and change.new == "Approved" and "Connection" in change.row
        for change in changes
    )
    assert state() == before
    assert phase().decision == Decision.APPROVED


@pytest.mark.parametrize(
    ("decided_on", "message", "in_error"),
    [
        ("2004-02-30", "Decision date must be a real date", ["day"]),
        (("31", "13", "2004"), "Decision date must be a real date", ["month"]),
        (("x", "9", "2004"), "Decision date must be a real date", ["day"]),
        ("next tuesday", "Decision date must include a month and year", ["month", "year"]),
        (("", "9", ""), "Decision date must include a day and year", ["day", "year"]),
        (("27", "9", "04"), "Year of the decision date must include 4 numbers", ["year"]),
        ("", "Enter the decision date, because the phase does not proceed", DATE_PARTS),
        (
            "2004-06-30",
            "Decision date must be the same as or after the programme's start date, 1 July 2004",
            DATE_PARTS,
        ),
    ],
)
def test_a_bad_date_is_a_field_error(client, demo, decided_on, message, in_error):
    before = state()
    response = post(client, decided_on=decided_on)
    assert response.status_code == 200
    assert response.context["form"].errors["decided_on"] == [message]
    page = html.unescape(response.content.decode())
    assert "<title>Error: " in page
    # The summary's message is the field's, word for word, and links to the first part in error.
    assert f'<a href="#id_decided_on-{in_error[0]}">{message}</a>' in page
    marked = re.findall(r'class="[^"]*govuk-input--error[^"]*" id="id_decided_on-(\w+)"', page)
    assert marked == list(in_error)
    assert state() == before


def test_an_approval_needs_its_date_and_says_why(client, demo):
    response = post(client, decision=Decision.APPROVED, decided_on="")
    assert response.context["form"].errors["decided_on"] == [
        "Enter the decision date, because the business case was approved"
    ]
    page = html.unescape(response.content.decode())
    # Needed in some cases only: not announced as optional, and the hint says when.
    assert 'Decision date <span class="govuk-visually-hidden">(optional)</span>' not in page
    assert "Needed if the business case was approved or the phase does not proceed" in page


@pytest.mark.parametrize(
    "typed",
    [("27", "9", "2004"), (" 27 ", " 09 ", " 2004 "), ("27", "Sept", "2004"),
     ("27", "september", "2004"), ("27", "SEP.", "2004"),
     ("\uff10\uff12\uff17", "\uff19", "\uff12\uff10\uff10\uff14")],
)  # fmt: skip
def test_a_date_is_read_as_people_type_it(client, demo, typed):
    assert post(client, decided_on=typed).status_code == 302
    assert phase().decided_on == date(2004, 9, 27)


def test_approving_a_phase_without_a_business_case_is_refused(client, demo):
    before = state()
    response = post(client, number=1, decision=Decision.APPROVED)
    assert response.status_code == 302
    assert response.url == reverse("projects:project_detail", args=[SLUG, GATEWAY])
    assert state() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_phase_no_business_case_gates_has_no_decision_page(client, demo, method):
    """Such a phase is committed: the page sends the facilitator back, saying how to stop it."""
    before = state()
    if method == "get":
        client.force_login(user("facilitator"))
        response = client.get(url(number=1))
    else:
        response = post(client, number=1)  # "does not proceed", with a date
    assert response.status_code == 302
    assert response.url == reverse("projects:project_detail", args=[SLUG, GATEWAY])
    assert state() == before
    page = html.unescape(client.get(response.url).content.decode())
    assert (
        "Phase 1 of Authentication / Gateway is not gated by a business case, so it has no "
        "decision to record: its cost is committed. To stop it, edit the project and set the "
        "phase's decision to “Not proceeding”."
    ) in page


def test_a_reader_is_refused_a_phase_without_a_business_case_as_any_other(client, demo):
    client.force_login(user("chief-executive"))
    assert client.get(url(number=1)).status_code == 403


def test_phase_decide_refuses_approving_a_phase_without_a_business_case(demo):
    with pytest.raises(ValidationError) as refused:
        phase_decide(
            phase=phase(number=1),
            decision=Decision.APPROVED,
            decided_on=date(2004, 9, 27),
            note="",
            expected_version=1,
            user=user("facilitator"),
        )
    assert "Phase 1 is not gated by a business case" in refused.value.message_dict["decision"][0]
    assert phase(number=1).decision == Decision.PENDING


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "maybe"},
        {"decision": ""},
        {"version": "not a number"},
        {"version": ""},
        {"note": "x" * 2001},
    ],
)
def test_odd_input_is_refused_without_a_server_error(client, demo, data):
    before = state()
    response = post(client, **data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert state() == before


def test_a_withdrawn_projects_phase_must_stay_stopped(client, demo):
    Project.objects.filter(slug=GATEWAY).update(status=ProjectStatus.WITHDRAWN)
    Phase.objects.filter(project__slug=GATEWAY).update(decision=Decision.NOT_PROCEEDING)
    before = state()
    response = post(client, decision=Decision.PENDING, decided_on="")
    assert response.status_code == 200
    [error] = response.context["form"].errors["decision"]
    assert "is withdrawn" in error
    assert state() == before


def test_unknown_phase_or_another_partnerships_project_answers_404(client, demo):
    client.force_login(user("facilitator"))
    assert client.get(url(number=9)).status_code == 404
    assert client.get(url(project="no-such-project")).status_code == 404
    assert post(client, number=9).status_code == 404


# The service


def test_phase_decide_refuses_a_stale_version_and_writes_nothing(demo):
    target = phase()
    with pytest.raises(ConcurrentEditError):
        phase_decide(
            phase=target,
            decision=Decision.APPROVED,
            decided_on=date(2004, 9, 27),
            note="",
            expected_version=7,
            user=user("facilitator"),
        )
    assert phase().decision == Decision.PENDING
    assert Project.objects.get(slug=GATEWAY).version == 1


def test_phase_decide_rolls_back_the_version_claim_when_refused(demo):
    with pytest.raises(ValidationError) as error:
        phase_decide(
            phase=phase(),
            decision=Decision.APPROVED,
            decided_on=None,
            note="",
            expected_version=1,
            user=user("facilitator"),
        )
    assert error.value.message_dict == {
        "decided_on": ["Enter the decision date, because the business case was approved"]
    }
    assert Project.objects.get(slug=GATEWAY).version == 1


def test_phase_decide_saves_the_phase_and_moves_the_project_on(demo):
    saved = phase_decide(
        phase=phase(),
        decision=Decision.APPROVED,
        decided_on=date(2004, 9, 27),
        note="  Approved by the board  ",
        expected_version=1,
        user=user("facilitator"),
    )
    assert saved.decision_note == "Approved by the board"
    assert Project.objects.get(slug=GATEWAY).version == 2
    assert phase().decision == Decision.APPROVED


# The programme file carries the decision's date and note


def test_programme_file_reads_and_writes_the_decisions_date_and_note(seed_dict):
    phase_2 = seed_dict["projects"][4]["phases"][1]
    phase_2.update(decision="not_proceeding", decided_on="2004-09-27", decision_note="Minute 7")
    document = parse_programme(json.dumps(seed_dict))
    read = document.projects[4].phases[1]
    assert (read.decided_on, read.decision_note) == (date(2004, 9, 27), "Minute 7")
    dumped = json.loads(dumps_programme(document))
    assert dumped["projects"][4]["phases"][1]["decided_on"] == "2004-09-27"
    assert dumped["projects"][4]["phases"][1]["decision_note"] == "Minute 7"
    # Phases with no decision recorded keep the format's keys only.
    assert "decided_on" not in dumped["projects"][4]["phases"][0]
    assert "decision_note" not in dumped["projects"][4]["phases"][0]


def test_programme_file_refuses_a_decision_date_that_is_no_date(seed_dict):
    seed_dict["projects"][4]["phases"][1]["decided_on"] = "2004-02-30"
    seed_dict["projects"][4]["phases"][1]["decision_note"] = 7
    with pytest.raises(ProgrammeFileError) as error:
        parse_programme(json.dumps(seed_dict))
    messages = [str(problem) for problem in error.value.problems]
    assert any("projects[4].phases[1].decided_on" in message for message in messages)
    assert any("projects[4].phases[1].decision_note" in message for message in messages)


def test_a_recorded_decision_survives_export_and_reload(client, demo):
    post(client)
    exported = dumps_programme(programme_document(programme=demo))
    assert '"decided_on": "2004-09-27"' in exported
    Phase.objects.filter(project__slug=GATEWAY).update(
        decision=Decision.PENDING, decided_on=None, decision_note=""
    )
    programme_load(document=parse_programme(exported))
    reloaded = phase()
    assert reloaded.decision == Decision.NOT_PROCEEDING
    assert reloaded.decided_on == date(2004, 9, 27)
    assert reloaded.decision_note == "Chief executives' meeting, minute 7"
