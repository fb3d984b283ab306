"""The scenario planner's pages: showing a scenario from its URL, and applying its decisions."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks.builders import large_document
from projects.models import Contribution, Partner, Phase, Programme, Project, Role
from projects.money.figures import compute_figures
from projects.money.scenarios import apply_scenario
from projects.money.vocabulary import Decision, ProjectStatus
from projects.selectors import programme_document, programme_figures
from projects.services import phase_decide, programme_load
from tests.contributions.factories import ContributionFactory
from tests.projects.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
SCENARIOS = reverse("reports:scenarios", args=[SLUG])
APPLY = reverse("reports:scenario_apply", args=[SLUG])
DASHBOARD = reverse("reports:dashboard", args=[SLUG])
GATEWAY_STOPPED = "authentication-gateway.2=not_proceeding&method=equal&step=10000"
BOTH_CHANGED = (
    "authentication-gateway.2=not_proceeding&benefits-form.2=approved&method=equal&step=1000"
)
EDITORS = ["facilitator", "admin"]
READERS = ["chief-executive", "partner-officer"]
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "scenario-results"}


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=SLUG)


def signed_in(client, username: str = "chief-executive"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


class _Tables(HTMLParser):
    """Collect the text of every cell of every table row, by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = dict(attrs).get("id", "")
            self.tables[self.current] = []
        elif tag == "tr" and self.current is not None:
            self.tables[self.current].append([])
        elif tag in {"td", "th"} and self.current is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self.cell is not None and self.current is not None:
            self.tables[self.current][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(response) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


INLINE_TAGS = re.compile(r"</?(?:strong|a|span|q)\b[^>]*>")
TAGS = re.compile(r"<[^>]+>")


def text(response) -> str:
    """Return the page's text as a person reads it: no tags, single spaces."""
    body = TAGS.sub(" ", INLINE_TAGS.sub("", response.content.decode()))
    return " ".join(html.unescape(body).split())


def partner_row(response, name: str, table: str = "scenario-partners") -> list[str]:
    return next(row for row in tables(response)[table] if row[0] == name)


def snapshot() -> tuple:
    """Return everything a scenario must leave unchanged."""
    rows = {
        Phase: ("decision", "decided_on", "decision_note"),
        Project: ("version", "status"),
        Programme: ("version", "apportionment", "rounding_step"),
        Partner: ("version", "weight", "population"),
    }
    return (
        *(
            list(model.objects.order_by("pk").values_list("pk", *fields))
            for model, fields in rows.items()
        ),
        Contribution.objects.count(),
        *(model.history.count() for model in (Phase, Project, Programme, Partner)),
    )


# Showing a scenario


def test_stopping_gateway_phase_2_brings_the_cap_per_partner_from_30000_to_10000(client, demo):
    response = signed_in(client).get(f"{SCENARIOS}?{GATEWAY_STOPPED}")
    assert response.status_code == 200
    # Partner, immediate recorded / scenario / change, cap recorded / scenario / change
    assert partner_row(response, "Broadland District Council") == [
        "Broadland District Council", "£10,000", "£10,000", "No change",
        "£30,000", "£10,000", "-£20,000"]  # fmt: skip
    programme = {row[0]: row[1:] for row in tables(response)["scenario-programme"][1:]}
    assert programme["Cap per partner"] == ["£30,000", "£10,000", "-£20,000"]
    assert programme["Extra cost maximum (possible)"] == ["£175,000", "£75,000", "-£100,000"]
    assert programme["Gap or headroom for the maximum"] == [
        "£175,000 gap", "£75,000 gap", "-£100,000"]  # fmt: skip
    assert tables(response)["scenario-partners"][-1] == [
        "Total", "£80,000", "£80,000", "No change", "£240,000", "£80,000", "-£160,000"]  # fmt: skip
    assert (
        "Authentication / Gateway, phase 2 (Connection): Does not proceed, recorded as awaiting "
        "decision"
    ) in text(response)


def test_a_1000_step_shows_a_cap_of_22000_and_an_immediate_tranche_of_10000(client, demo):
    response = signed_in(client).get(f"{SCENARIOS}?method=equal&step=1000")
    assert response.status_code == 200
    for row in tables(response)["scenario-partners"][1:-1]:
        assert row[1:] == ["£10,000", "£10,000", "No change", "£30,000", "£22,000", "-£8,000"]
    assert "Every phase decision is as recorded." in text(response)
    assert "rounded up to £1,000 (recorded: £10,000)" in text(response)


def test_the_figures_agree_with_compute_figures_on_the_modified_document(client, demo):
    query = "authentication-gateway.2=approved&benefits-form.2=not_proceeding&method=equal&step="
    response = signed_in(client).get(f"{SCENARIOS}?{query}")
    comparison = response.context["comparison"]
    modified = apply_scenario(programme_document(programme=demo), comparison.scenario)
    assert comparison.scenario_figures == compute_figures(modified)
    assert comparison.recorded_figures == programme_figures(programme=demo)
    # Deciding the phases for real gives the scenario's minimum and maximum.
    decide("authentication-gateway", "approved")
    decide("benefits-form", "not_proceeding")
    decided = programme_figures(programme=demo)
    assert (decided.extra_min, decided.extra_max) == (Decimal("175000.00"), Decimal("175000.00"))
    assert (comparison.scenario_figures.extra_min, comparison.scenario_figures.extra_max) == (
        decided.extra_min, decided.extra_max)  # fmt: skip


def decide(project: str, decision: str, user=None) -> None:
    """Record a decision on the project's phase 2, as the workspace does."""
    phase = Phase.objects.select_related("project__programme").get(project__slug=project, number=2)
    phase_decide(
        phase=phase,
        decision=decision,
        decided_on=date(2004, 9, 1),
        note="Board",
        expected_version=phase.project.version,
        user=user,
    )


def test_the_page_without_a_scenario_shows_the_recorded_figures_and_the_form(client, demo):
    response = signed_in(client).get(SCENARIOS)
    assert response.status_code == 200
    page = text(response)
    assert "Every phase decision is as recorded." in page
    assert partner_row(response, "Norwich City Council")[1:] == [
        "£10,000", "£10,000", "No change", "£30,000", "£30,000", "No change"]  # fmt: skip
    phases = tables(response)["scenario-phases"]
    assert [row[:4] for row in phases[1:]] == [
        ["Authentication / Gateway", "Phase 2: Connection Borne by each partner individually",
         "£100,000", "Awaiting decision"],
        ["Benefits Form", "Phase 2: Links to e-forms", "TBC", "Awaiting decision"],
    ]  # fmt: skip
    body = response.content.decode()
    assert 'method="get"' in body and "Show the scenario" in body
    for choice in ("Proceeds", "Awaiting decision", "Does not proceed"):
        assert f">{choice}</option>" in body
    assert '<option value="pending" selected>Awaiting decision</option>' in body
    assert "1 phase still in play has a cost to be confirmed" in page


def test_the_recorded_decision_is_the_default(client, demo):
    decide("authentication-gateway", "approved")
    response = signed_in(client).get(SCENARIOS)
    body = response.content.decode()
    assert '<option value="approved" selected>Proceeds</option>' in body
    assert partner_row(response, "Norwich City Council")[1:] == [
        "£30,000", "£30,000", "No change", "£30,000", "£30,000", "No change"]  # fmt: skip


def test_a_submitted_form_lands_on_the_scenarios_short_url(client, demo):
    """The whole form as a browser without JavaScript sends it: only the change is kept."""
    query = urlencode({
        "authentication-gateway.2": "not_proceeding", "benefits-form.2": "pending",
        "method": "equal", "step": "£10,000", "utm_source": "email",
    })  # fmt: skip
    response = signed_in(client).get(f"{SCENARIOS}?{query}")
    assert response.status_code == 302
    assert response.url == f"{SCENARIOS}?{GATEWAY_STOPPED}"
    assert client.get(response.url).status_code == 200  # and it stays there


def test_a_shared_url_naming_only_the_change_takes_the_rest_as_recorded(client, demo):
    shared = f"{SCENARIOS}?authentication-gateway.2=not_proceeding"
    response = signed_in(client).get(shared, follow=True)
    assert response.redirect_chain == [(f"{SCENARIOS}?{GATEWAY_STOPPED}", 302)]
    assert partner_row(response, "Norwich City Council")[5] == "£10,000"


def test_an_empty_step_means_no_rounding(client, demo):
    response = signed_in(client).get(f"{SCENARIOS}?method=equal&step=")
    assert response.status_code == 200
    assert partner_row(response, "Norwich City Council")[1:] == [
        "£10,000", "£9,375", "-£625", "£30,000", "£21,875", "-£8,125"]  # fmt: skip
    assert "not rounded (recorded: £10,000)" in text(response)


def test_another_method_uses_the_partners_figures_when_they_have_them(client, demo):
    for n, partner in enumerate(Partner.objects.order_by("slug")):
        partner.weight = Decimal(n + 1)
        partner.save()
    response = signed_in(client).get(f"{SCENARIOS}?method=weights&step=")
    assert response.status_code == 200
    caps = [row[5] for row in tables(response)["scenario-partners"][1:-1]]
    assert len(set(caps)) == 8  # weighted shares differ between partners
    assert tables(response)["scenario-partners"][-1][5] == "£175,000"  # and still add up


# Bad query strings: a message, never a 500


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("nowhere.2=approved",
         "asks for “nowhere.2”, but there is no project “nowhere” in this programme"),
        ("further-info-points.1=not_proceeding",
         "phase 1 of Further Info Points is not gated by a business case"),
        ("authentication-gateway.7=approved", "there is no phase 7 in Authentication / Gateway"),
        ("authentication-gateway.2.3=approved",
         "asks for “authentication-gateway.2.3”, but that is not a phase"),
        ("authentication-gateway.99999999999999999999=approved",
         "that is not a phase of this programme"),
        ("authentication-gateway.2=maybe",
         "Select Proceeds, Awaiting decision or Does not proceed"),
        ("method=banana", "Select equal shares, agreed weights or population"),
        ("method=population",
         "Sharing by population needs every contributing partner to have a population"),
        ("method=weights",
         "Sharing by agreed weights needs every contributing partner to have an agreed weight"),
        ("step=lots", "Rounding step must be an amount in pounds"),
        ("step=-5", "Rounding step must be more than £0, or leave it empty"),
        ("step=0", "Rounding step must be more than £0, or leave it empty"),
        ("step=10.001", "Rounding step must be in pounds and pence"),
        ("step=99999999999999999999999", "Rounding step must be less than £1,000,000,000,000"),
        ("step=1e400", "Rounding step must be an amount in pounds"),
        (f"step={'9' * 5000}", "Rounding step must be an amount in pounds"),
    ],
)  # fmt: skip
def test_a_bad_query_string_is_a_form_error(client, demo, query, message):
    before = snapshot()
    response = signed_in(client).get(f"{SCENARIOS}?{query}")
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and message in page
    assert "<title>Error: Scenarios" in response.content.decode()
    assert "comparison" not in response.context
    assert "Correct the problem" in page
    assert snapshot() == before


def test_many_bad_phases_are_summarised(client, demo):
    query = "&".join(f"nowhere-{n}.1=approved" for n in range(30))
    page = text(signed_in(client).get(f"{SCENARIOS}?{query}"))
    assert page.count("but there is no project") == 10
    assert "… and 20 more such phases" in page


def test_a_recorded_method_without_its_figures_is_explained_not_a_500(client, demo):
    Programme.objects.filter(pk=demo.pk).update(apportionment="population")
    response = signed_in(client).get(SCENARIOS)
    assert response.status_code == 200
    page = text(response)
    assert "The programme's own apportionment method (Population) lacks its partners'" in page
    assert "comparison" not in response.context


def test_a_method_without_figures_is_offered_with_a_hint(client, demo):
    response = signed_in(client).get(SCENARIOS)
    assert '<option value="population">Population</option>' in response.content.decode()
    body = text(response)
    assert (
        "Not every contributing partner has a figure for agreed weights or population yet, so "
        "those methods cannot be used."
    ) in body


# htmx: only the results, and the address bar on the scenario's URL


def test_htmx_gets_only_the_results_and_the_scenarios_url_to_push(client, demo):
    query = "authentication-gateway.2=not_proceeding&benefits-form.2=pending&method=equal"
    response = signed_in(client).get(f"{SCENARIOS}?{query}&step=10%2C000", **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and '<form method="get"' not in body
    assert response.templates[0].name == "reports/partials/_scenario_results.html"
    assert response["HX-Push-Url"] == f"{SCENARIOS}?{GATEWAY_STOPPED}"
    assert partner_row(response, "Norwich City Council")[5] == "£10,000"
    assert 'id="scenario-status" hx-swap-oob="innerHTML"' in body
    assert "Cap per partner £10,000, immediate tranche £10,000." in text(response)


def test_htmx_with_errors_swaps_in_the_form_with_its_errors(client, demo):
    response = signed_in(client).get(f"{SCENARIOS}?method=population", **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#scenario"
    assert response["HX-Reswap"] == "outerHTML"
    assert response["HX-Reselect"] == "#scenario"
    body = response.content.decode()
    assert 'id="id_method-error"' in body
    # The form with errors swaps the whole scenario next time, to clear them once put right.
    assert 'hx-target="#scenario" hx-select="#scenario" hx-swap="outerHTML"' in body


def test_htmx_after_errors_swaps_the_whole_scenario_back(client, demo):
    response = signed_in(client).get(
        f"{SCENARIOS}?method=equal&step=1000", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="scenario"
    )
    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert response["HX-Push-Url"] == f"{SCENARIOS}?method=equal&step=1000"
    body = response.content.decode()
    assert 'id="scenario"' in body and 'hx-target="#scenario-results"' in body
    assert "There is a problem" not in body


def test_the_form_is_live_with_htmx_and_works_without_it(client, demo):
    body = signed_in(client).get(SCENARIOS).content.decode()
    form = body.split('<form method="get"')[1].split(">")[0]
    assert f'action="{SCENARIOS}"' in form and f'hx-get="{SCENARIOS}"' in form
    assert 'hx-trigger="change, submit"' in form and 'hx-push-url="true"' in form
    assert 'hx-target="#scenario-results"' in form
    button = '<button type="submit" class="govuk-button" data-module="govuk-button">'
    assert f"{button}Show the scenario</button>" in body


# A scenario never writes


def test_showing_scenarios_changes_nothing(client, demo):
    norwich = Partner.objects.get(slug="norwich")
    ContributionFactory(programme=demo, partner=norwich, amount=Decimal("40000"), status="received")
    before = snapshot()
    signed_in(client, "facilitator")
    for query in (GATEWAY_STOPPED, BOTH_CHANGED, "method=equal&step=", "method=population"):
        client.get(f"{SCENARIOS}?{query}")
        client.get(f"{SCENARIOS}?{query}", **HTMX)
    assert snapshot() == before


def test_money_paid_beyond_the_scenarios_cap_is_shown_as_returned(client, demo):
    norwich = Partner.objects.get(slug="norwich")
    ContributionFactory(programme=demo, partner=norwich, amount=Decimal("25000"), status="received")
    ContributionFactory(
        programme=demo, partner=norwich, amount=Decimal("10000"), status="pledged", tranche="review"
    )
    response = signed_in(client).get(f"{SCENARIOS}?{GATEWAY_STOPPED}")
    # Partner, pledged, received, cap in the scenario, returned, released
    assert partner_row(response, "Norwich City Council", "scenario-returned") == [
        "Norwich City Council", "£35,000", "£25,000", "£10,000", "£15,000", "£10,000"]  # fmt: skip
    assert tables(response)["scenario-returned"][-1] == [
        "Total", "£35,000", "£25,000", "£80,000", "£15,000", "£10,000"]  # fmt: skip
    page = text(response)
    assert "the difference would be returned to it" in page and "would be released" in page
    assert "Gap or headroom for the minimum £40,000 gap £40,000 gap No change" in page


# Who may do what


@pytest.mark.parametrize("username", EDITORS + READERS)
def test_every_member_may_try_scenarios(client, demo, username):
    response = signed_in(client, username).get(f"{SCENARIOS}?{GATEWAY_STOPPED}")
    assert response.status_code == 200
    assert partner_row(response, "Norwich City Council")[5] == "£10,000"
    applies = "Apply these phase decisions" in response.content.decode()
    assert applies == (username in EDITORS)


def test_another_partnerships_member_gets_404(client, demo):
    stranger = MembershipFactory(role=Role.FACILITATOR).user
    client.force_login(stranger)
    assert client.get(SCENARIOS).status_code == 404
    assert client.post(APPLY, {"scenario": GATEWAY_STOPPED}).status_code == 404


def test_no_apply_button_when_the_scenario_changes_no_decision(client, demo):
    response = signed_in(client, "facilitator").get(f"{SCENARIOS}?method=equal&step=1000")
    assert "Apply these phase decisions" not in response.content.decode()


# Applying a scenario's phase decisions


def apply_form(response) -> dict[str, str]:
    """Return the fields of the page's apply form, as the browser would post them."""
    body = response.content.decode()
    form = body.split(f'action="{APPLY}"')[1].split("</form>")[0]
    parser = _Inputs()
    parser.feed(form)
    return parser.fields


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") != "csrfmiddlewaretoken":
            self.fields[attrs["name"]] = html.unescape(attrs.get("value", ""))


def gateway_phase() -> Phase:
    return Phase.objects.get(project__slug="authentication-gateway", number=2)


def test_a_facilitator_applies_the_scenarios_phase_decisions(client, demo):
    signed_in(client, "facilitator")
    page = client.get(f"{SCENARIOS}?{BOTH_CHANGED}")
    fields = apply_form(page)
    assert fields == {
        "scenario": BOTH_CHANGED,
        "version.authentication-gateway": "1",
        "version.benefits-form": "1",
    }  # fmt: skip
    response = client.post(APPLY, fields)
    assert response.status_code == 302 and response.url == DASHBOARD
    phases = {p.project.slug: p for p in Phase.objects.select_related("project").filter(number=2)}
    gateway, benefits = phases["authentication-gateway"], phases["benefits-form"]
    assert (gateway.decision, benefits.decision) == (Decision.NOT_PROCEEDING, Decision.APPROVED)
    for phase in (gateway, benefits):
        assert phase.decided_on == timezone.localdate()
        assert phase.decision_note == "Applied from a scenario"
        assert phase.project.version == 2
        record = phase.history.latest("history_date")
        assert record.history_user.username == "facilitator" and record.decision == phase.decision
        assert phase.project.history.latest("history_date").history_user.username == "facilitator"
    # Only the phase decisions: the programme's method and step are its settings.
    assert Programme.objects.get(pk=demo.pk).rounding_step == Decimal("10000.00")
    message = text(client.get(SCENARIOS))
    assert (
        "Phase decisions applied from the scenario: phase 2 of Authentication / Gateway "
        "(Connection): does not proceed, was awaiting decision; phase 2 of Benefits Form "
        "(Links to e-forms): proceeds, was awaiting decision."
    ) in message
    assert programme_figures(programme=demo).cap_per_partner == Decimal("10000.00")


def test_after_applying_the_scenario_is_the_recorded_programme(client, demo):
    signed_in(client, "facilitator")
    client.post(APPLY, apply_form(client.get(f"{SCENARIOS}?{GATEWAY_STOPPED}")))
    # The shared URL still works; it now names no change, so it lands on the shorter one.
    response = client.get(f"{SCENARIOS}?{GATEWAY_STOPPED}", follow=True)
    assert response.redirect_chain == [(f"{SCENARIOS}?method=equal&step=10000", 302)]
    assert "Every phase decision is as recorded." in text(response)
    assert "Apply these phase decisions" not in response.content.decode()
    assert partner_row(response, "Norwich City Council")[4:] == ["£10,000", "£10,000", "No change"]


def test_a_stale_project_version_is_refused_with_409_and_nothing_changes(client, demo):
    signed_in(client, "facilitator")
    fields = apply_form(client.get(f"{SCENARIOS}?{BOTH_CHANGED}"))
    # Someone else approves the gateway's business case meanwhile.
    decide("authentication-gateway", "approved", get_user_model().objects.get(username="admin"))
    before = snapshot()
    response = client.post(APPLY, fields)
    assert response.status_code == 409
    assert snapshot() == before  # benefits-form, applied first or not, is unchanged too
    assert Phase.objects.get(project__slug="benefits-form", number=2).decision == Decision.PENDING
    page = text(response)
    assert "Someone else changed this while you were editing it" in page
    assert "The project “Authentication / Gateway” was changed by someone else" in page
    assert "Nothing has been applied." in page
    assert "<title>Error: Scenarios" in response.content.decode()
    # The scenario is shown again against what is recorded now, ready to apply afresh.
    assert (
        "Authentication / Gateway, phase 2 (Connection): Does not proceed, recorded as proceeds"
    ) in page
    assert apply_form(response)["version.authentication-gateway"] == "2"


def test_a_decision_recorded_since_the_page_was_shown_is_a_conflict(client, demo):
    """The page changed no decision of the benefits form; one differs now that it is decided."""
    signed_in(client, "facilitator")
    fields = apply_form(client.get(f"{SCENARIOS}?{BOTH_CHANGED}"))
    del fields["version.benefits-form"]
    before = snapshot()
    response = client.post(APPLY, fields)
    assert response.status_code == 409
    assert snapshot() == before


def test_applying_is_all_or_nothing(client, demo):
    """The second project's decision is refused, so the first one's is not kept either."""
    signed_in(client, "facilitator")
    fields = apply_form(client.get(f"{SCENARIOS}?{BOTH_CHANGED}"))
    # Withdrawn in a way that leaves its version alone, so only the decision's check refuses.
    Project.objects.filter(slug="benefits-form").update(status=ProjectStatus.WITHDRAWN)
    before = snapshot()
    response = client.post(APPLY, fields)
    assert response.status_code == 400
    assert snapshot() == before
    assert gateway_phase().decision == Decision.PENDING
    page = text(response)
    assert "There is a problem" in page
    assert (
        "Phase 2 of Benefits Form: Benefits Form is withdrawn, so its phases cannot proceed"
    ) in page


@pytest.mark.parametrize("username", READERS)
def test_non_editors_may_not_apply(client, demo, username):
    signed_in(client, username)
    fields = {"scenario": GATEWAY_STOPPED, "version.authentication-gateway": "1"}
    before = snapshot()
    assert client.post(APPLY, fields).status_code == 403
    assert client.get(f"{APPLY}?{GATEWAY_STOPPED}").status_code == 403
    assert snapshot() == before


def test_getting_the_apply_address_shows_the_scenario_instead(client, demo):
    response = signed_in(client, "facilitator").get(f"{APPLY}?{GATEWAY_STOPPED}")
    assert response.status_code == 302 and response.url == f"{SCENARIOS}?{GATEWAY_STOPPED}"
    assert gateway_phase().decision == Decision.PENDING


@pytest.mark.parametrize(
    "fields",
    [
        {"scenario": GATEWAY_STOPPED, "version.authentication-gateway": "x"},
        {"scenario": GATEWAY_STOPPED, "version.authentication-gateway": "0"},
        {"scenario": GATEWAY_STOPPED, "version.authentication-gateway": "99999999999999999999"},
        {"scenario": GATEWAY_STOPPED, "version.Not a slug!": "1"},
    ],
)
def test_a_damaged_apply_form_changes_nothing(client, demo, fields):
    signed_in(client, "facilitator")
    before = snapshot()
    response = client.post(APPLY, fields)
    assert response.status_code == 302 and response.url == SCENARIOS
    assert snapshot() == before
    page = text(client.get(SCENARIOS))
    assert "page was out of date or damaged: nothing has been applied" in page


def test_applying_a_bad_scenario_shows_its_errors(client, demo):
    signed_in(client, "facilitator")
    before = snapshot()
    response = client.post(APPLY, {"scenario": "nowhere.2=approved", "version.nowhere": "1"})
    assert response.status_code == 400
    assert "there is no project “nowhere” in this programme" in text(response)
    assert snapshot() == before


def test_applying_a_scenario_that_changes_nothing_says_so(client, demo):
    signed_in(client, "facilitator")
    before = snapshot()
    response = client.post(APPLY, {"scenario": "method=equal&step=1000"})
    assert response.status_code == 302
    assert response.url == f"{SCENARIOS}?method=equal&step=1000"
    assert snapshot() == before
    page = text(client.get(response.url))
    assert "The scenario changes no phase decision: nothing to apply." in page


# A fixed number of queries, whatever the programme's size


def large_programme(projects: int, partners: int, slug: str = "large"):
    programme_load(document=large_document(projects=projects, partners=partners, slug=slug))
    programme = Programme.objects.get(slug=slug)
    user = UserFactory(username=f"{slug}-facilitator")
    MembershipFactory(user=user, partnership=programme.partnership, role=Role.FACILITATOR)
    return programme, user


def scenario_queries(client, projects: int, partners: int) -> dict[str, int]:
    """Count the queries of the page, its htmx results and its apply button's data."""
    programme, user = large_programme(projects, partners, slug=f"large-{projects}")
    client.force_login(user)
    url = reverse("reports:scenarios", args=[programme.slug])
    # Project 1's phase 2 has a cost; stopping it puts the apply form (and its versions) on.
    query = "project-1.2=not_proceeding&method=equal&step=1000"
    counts = {}
    for name, headers in (("page", {}), ("htmx", HTMX)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?{query}", **headers)
        assert response.status_code == 200
        assert "Apply these phase decisions" in response.content.decode()
        assert len(response.context["comparison"].partners) == partners
        counts[name] = len(queries)
    return counts


MAX_QUERIES = 12


def test_scenario_page_queries_at_10_projects_and_8_partners(client, django_assert_max_num_queries):
    programme, user = large_programme(10, 8)
    client.force_login(user)
    url = reverse("reports:scenarios", args=[programme.slug])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"{url}?project-1.2=not_proceeding&method=equal&step=1000")
    assert response.status_code == 200
    assert len(tables(response)["scenario-partners"]) == 8 + 2


def test_scenario_page_queries_at_1000_projects_and_100_partners(
    client, django_assert_max_num_queries
):
    programme, user = large_programme(1000, 100)
    client.force_login(user)
    url = reverse("reports:scenarios", args=[programme.slug])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"{url}?project-1.2=not_proceeding&method=equal&step=1000")
    assert response.status_code == 200
    assert len(tables(response)["scenario-partners"]) == 100 + 2
    assert response.content.decode().count('<select name="project-') == 1000


def test_scenario_queries_do_not_grow_with_the_programme(client):
    small = scenario_queries(client, 10, 8)
    large = scenario_queries(client, 300, 40)
    assert small == large
    assert max(small.values()) <= MAX_QUERIES
