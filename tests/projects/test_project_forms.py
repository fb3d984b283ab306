"""Adding, editing and deleting a project with its phases, funding lines and outcome claims."""

import io
import re
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import FundingLine, OutcomeClaim, Partner, Phase, Programme, Project, Role
from projects.project_forms import next_phase_number
from projects.selectors import programme_figures
from projects.services import FieldProblem, ProjectRefusal, RowChange, project_update
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import (
    FundingLineFactory,
    MembershipFactory,
    OutcomeClaimFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.tranches import post_confirmed

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
NEW = f"/programmes/{SLUG}/projects/new/"
GATEWAY = "authentication-gateway"
QUERIES_DELETE_PAGE = 12


def edit_url(project: str = GATEWAY, programme: str = SLUG) -> str:
    return f"/programmes/{programme}/projects/{project}/edit/"


def delete_url(project: str = GATEWAY, programme: str = SLUG) -> str:
    return f"/programmes/{programme}/projects/{project}/delete/"


def row_url(kind: str, index="0", programme: str = SLUG) -> str:
    return f"/programmes/{programme}/projects/rows/{kind}/?index={index}"


def snapshot() -> dict:
    """Every row and history record that adding, editing or deleting a project could touch."""
    state = {}
    for model in [Project, Phase, FundingLine, OutcomeClaim]:
        state[model.__name__] = sorted(map(repr, model.objects.values_list()))
        state[f"{model.__name__} history"] = model.history.count()
    return state


def figures():
    return programme_figures(programme=Programme.objects.get(slug=SLUG))


def page_data(response) -> dict[str, str]:
    """Return what a browser would submit from the page's form as it stands."""
    editor = response.context["editor"]
    data: dict[str, str] = {}

    def add(form):
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, forms.CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(field.field.widget, forms.Select) and value in (None, ""):
                # Nothing selected: the browser submits the first option.
                data[field.html_name] = str(next(iter(field.field.choices))[0])
            else:
                data[field.html_name] = "" if value is None else str(value)

    add(editor.form)
    for formset in editor.formsets.values():
        add(formset.management_form)
        for row in formset:
            add(row)
    return data


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def facilitator(client, demo):
    client.force_login(user("facilitator"))
    return client


def test_facilitator_adds_a_project_with_two_phases_and_the_figures_change(facilitator):
    before = figures()
    data = page_data(facilitator.get(NEW))
    data.update(
        {
            "name": "Joint website",
            "slug": "joint-website",
            "supports_strategy": "on",
            "lead_partner": str(Partner.objects.get(slug="broadland").pk),
            "phases-TOTAL_FORMS": "2",
            "phases-0-number": "1",
            "phases-0-name": "Business case",
            "phases-0-extra_cost": "£20,000",
            "phases-1-number": "2",
            "phases-1-name": "Build",
            "phases-1-extra_cost": "50,000.50",
            "phases-1-gated": "on",
            "phases-1-decision": "pending",
            "phases-1-borne": "shared",
            "claims-0-grade": "good",
        }
    )
    response = post_confirmed(facilitator, NEW, data)
    assert response.status_code == 302, response.context and response.context["editor"].form.errors
    assert response["Location"] == f"/programmes/{SLUG}/projects/joint-website/"
    project = Project.objects.get(slug="joint-website")
    assert project.position == 10  # last of the programme's ten
    assert project.lead_partner.slug == "broadland"
    assert [(p.number, p.extra_cost, p.gated) for p in project.phases.all()] == [
        (1, Decimal("20000.00"), False),
        (2, Decimal("50000.50"), True),
    ]
    assert list(project.outcome_claims.values_list("grade", flat=True)) == ["good"]
    assert not project.funding_lines.exists()  # the blank row was left out
    after = figures()
    assert (before.extra_min, before.extra_max) == (Decimal("75000.00"), Decimal("175000.00"))
    assert (after.extra_min, after.extra_max) == (Decimal("95000.00"), Decimal("245000.50"))
    assert after.projects_supporting_strategy == before.projects_supporting_strategy + 1


def test_the_new_project_page_labels_the_strategy_and_offers_only_our_partners(facilitator):
    PartnerFactory(name="Suffolk County Council")
    response = facilitator.get(NEW)
    page = response.content.decode()
    assert response.status_code == 200
    assert title(response).startswith("Add a project")
    assert "Supports Norfolk Ambition" in page
    assert "Broadland District Council" in page
    assert "Suffolk County Council" not in page
    assert "to be confirmed (TBC)" in page
    assert 'name="add_phase"' in page
    assert f'hx-get="/programmes/{SLUG}/projects/rows/phase/?index=1"' in page
    assert "js/formset.mjs" in page


def test_facilitator_edits_a_project_and_its_rows(facilitator):
    response = facilitator.get(edit_url("member-support"))
    assert response.status_code == 200
    assert title(response).startswith("Edit Member support")
    data = page_data(response)
    assert data["version"] == "1"
    data.update(
        {
            "name": "Member support (e-Voice)",
            "phases-0-extra_cost": "25000",
            "funding-0-DELETE": "on",
            "claims-6-DELETE": "on",
        }
    )
    response = facilitator.post(edit_url("member-support"), data)
    assert response.status_code == 302
    project = Project.objects.get(slug="member-support")
    assert (project.name, project.version) == ("Member support (e-Voice)", 2)
    assert project.phases.get().extra_cost == Decimal("25000.00")
    assert not project.funding_lines.exists()
    assert project.outcome_claims.count() == 6
    assert figures().existing_total == Decimal("155000.00")
    assert figures().extra_min == Decimal("80000.00")
    assert project.phases.get().history.first().history_user == user("facilitator")


def test_saving_an_unchanged_page_adds_no_row_history(facilitator):
    before = Phase.history.count(), OutcomeClaim.history.count()
    data = page_data(facilitator.get(edit_url()))
    assert facilitator.post(edit_url(), data).status_code == 302
    assert (Phase.history.count(), OutcomeClaim.history.count()) == before
    assert Project.objects.get(slug=GATEWAY).version == 2


def test_delete_asks_first_and_then_deletes(facilitator):
    response = facilitator.get(delete_url())
    page = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert (
        "Are you sure you want to delete Authentication / Gateway? Its 2 phases, "
        "0 funding lines and 2 outcome claims will be deleted; the programme's maximum will "
        "fall from £175,000 to £68,000 and its minimum from £75,000 to £68,000." in page
    )
    assert "govuk-button--warning" in page
    assert Project.objects.filter(slug=GATEWAY).exists()  # GET never deletes

    response = post_confirmed(facilitator, delete_url(), {"version": "1"}, follow=True)
    assert response.redirect_chain[0] == (f"/programmes/{SLUG}/projects/", 302)
    assert "The project “Authentication / Gateway” is deleted." in response.content.decode()
    assert not Project.objects.filter(slug=GATEWAY).exists()
    assert figures().extra_max == Decimal("68000.00")


def test_delete_of_a_project_that_changed_meanwhile_is_refused(facilitator):
    gateway = Project.objects.get(slug=GATEWAY)
    project_update(
        project=gateway, data={"name": "Gateway"}, expected_version=1, user=user("admin")
    )
    before = snapshot()
    response = facilitator.post(delete_url(), {"version": "1"})
    assert response.status_code == 409
    assert snapshot() == before
    page = response.content.decode()
    assert "Someone else changed this" in page
    assert [(c.row, c.field, c.old, c.new) for c in response.context["conflict"].changes] == [
        ("Project", "Name", "Authentication / Gateway", "Gateway")
    ]
    assert 'name="version" value="2"' in page  # confirming again deletes what is there now
    assert post_confirmed(facilitator, delete_url(), {"version": "2"}).status_code == 302


@pytest.mark.parametrize("version", ["", "abc", "-1", "1.5"])
def test_delete_with_a_tampered_version_is_refused(facilitator, version):
    before = snapshot()
    response = facilitator.post(delete_url(), {"version": version})
    assert response.status_code == 400
    assert title(response).startswith("Error: ")
    assert snapshot() == before


ALL_VIEWS = [
    ("get", NEW),
    ("post", NEW),
    ("get", edit_url()),
    ("post", edit_url()),
    ("get", delete_url()),
    ("post", delete_url()),
    ("get", row_url("phase")),
    ("post", row_url("phase")),
]


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
@pytest.mark.parametrize(("method", "url"), ALL_VIEWS)
def test_only_editors_may_add_edit_or_delete(client, demo, username, method, url):
    client.force_login(user(username))
    before = snapshot()
    data = {"version": "1", "name": "Taken over", "slug": "taken-over"}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == 403
    assert snapshot() == before


def test_the_admin_role_may_edit(client, demo):
    admin = user("admin")
    admin.memberships.update(role=Role.ADMIN)
    client.force_login(admin)
    assert client.get(edit_url()).status_code == 200


@pytest.mark.parametrize(("method", "which"), [(m, w) for m in ("get", "post") for w in "ed"])
def test_another_partnerships_project_is_not_found(facilitator, method, which):
    theirs = ProjectFactory(slug="their-project")
    ours_by_slug = ProjectFactory(
        slug="elsewhere",
        programme=ProgrammeFactory(partnership=Programme.objects.get(slug=SLUG).partnership),
    )
    before = snapshot()
    url = edit_url if which == "e" else delete_url
    for address in [
        url("their-project", theirs.programme.slug),
        url("their-project"),
        url(ours_by_slug.slug),  # a project of another programme is not this one's
        url("no-such-project"),
    ]:
        response = getattr(facilitator, method)(address, {"version": "1", "name": "x"})
        assert response.status_code == 404, address
    assert snapshot() == before


def other_partner_id() -> str:
    return str(PartnerFactory().pk)


def other_phase_id() -> str:
    return str(Phase.objects.get(project__slug="direct-gov").pk)


# (what is typed, the field whose error the summary links to, words of the message)
BAD_INPUT = [
    (
        {"phases-0-extra_cost": "-7,000"},
        "id_phases-0-extra_cost",
        "Extra cost of phase 1 must be £0 or more",
    ),
    (
        {"phases-0-extra_cost": "abc"},
        "id_phases-0-extra_cost",
        "Extra cost of phase 1 must be an amount in pounds",
    ),
    (
        {"phases-0-extra_cost": "£1,000,000,000,000,000"},
        "id_phases-0-extra_cost",
        "less than £1,000,000,000,000",
    ),
    ({"phases-0-extra_cost": "7000.005"}, "id_phases-0-extra_cost", "pounds and pence"),
    ({"name": "x" * 201}, "id_name", "Project name must be 200 characters or less"),
    ({"name": ""}, "id_name", "Enter the project"),
    ({"description": "x" * 5001}, "id_description", "Description must be 5,000 characters or less"),
    (
        {"phases-1-note": "x" * 5001},
        "id_phases-1-note",
        "Note on phase 2 must be 5,000 characters or less",
    ),
    ({"phases-1-number": "1"}, "id_phases-1-number", "already used by phase 1"),
    ({"phases-1-number": "0"}, "id_phases-1-number", "Phase number of phase 2 must be 1 or more"),
    ({"phases-1-number": "two"}, "id_phases-1-number", "whole number"),
    ({"phases-1-name": ""}, "id_phases-1-name", "Enter the name of phase 2"),
    ({"phases-1-decision": "maybe"}, "id_phases-1-decision", "Select the decision on phase 2 from"),
    ({"lead_partner": "999999"}, "id_lead_partner", "Select a lead partner of the partnership"),
    (
        {"lead_partner": other_partner_id},
        "id_lead_partner",
        "Select a lead partner of the partnership",
    ),
    ({"lead_partner": "abc"}, "id_lead_partner", "Select a lead partner of the partnership"),
    ({"lead_partner": "9" * 30}, "id_lead_partner", "Select a lead partner of the partnership"),
    ({"status": "withdrawn"}, "id_status", "must all be “not proceeding”"),
    ({"claims-0-grade": "legendary"}, "id_claims-0-grade", "Select the grade of outcome claim 1"),
    # A hidden field's error links nowhere: there is nothing there to correct.
    ({"version": "abc"}, None, "reload the page"),
    ({"phases-0-id": "abc"}, None, "reload the page"),
    (
        {"funding-TOTAL_FORMS": "1", "funding-0-source": "Grant", "funding-0-amount": ""},
        "id_funding-0-amount",
        "Enter the amount of funding line 1",
    ),
    ({"phases-0-id": other_phase_id}, None, "not one of the project's phases"),
]


@pytest.mark.parametrize(("typed", "anchor", "words"), BAD_INPUT)
def test_bad_input_gets_a_field_error_and_saves_nothing(facilitator, typed, anchor, words):
    data = page_data(facilitator.get(edit_url()))
    data.update(
        {
            "funding-0-kind": "local",
            "funding-0-status": "secured",
            **{key: value() if callable(value) else value for key, value in typed.items()},
        }
    )
    before = snapshot()
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 200
    assert snapshot() == before
    assert title(response).startswith("Error: Edit Authentication / Gateway")
    page = response.content.decode()
    summary = page.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert words in summary.replace("&#x27;", "'")
    if anchor:
        assert f'href="#{anchor}"' in summary
        assert f'id="{anchor}-error"' in page


def test_a_refused_edit_keeps_showing_the_stored_project(facilitator):
    data = page_data(facilitator.get(edit_url()))
    data.update({"name": "Typed name", "phases-0-id": other_phase_id()})
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 200
    assert title(response).startswith("Error: Edit Authentication / Gateway")
    assert 'value="Typed name"' in response.content.decode()


def test_the_error_summary_names_the_row(facilitator):
    data = page_data(facilitator.get(edit_url()))
    data["phases-1-extra_cost"] = "lots"
    response = facilitator.post(edit_url(), data)
    page = response.content.decode()
    message = "Extra cost of phase 2 must be an amount in pounds, like £15,000 or 15000.50"
    assert f'<a href="#id_phases-1-extra_cost">{message}</a>' in page
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in page


def test_an_empty_new_project_is_told_what_to_enter_without_field_names(facilitator):
    response = facilitator.post(NEW, page_data(facilitator.get(NEW)))
    page = response.content.decode().replace("&#x27;", "'")
    summary = page.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary) == [
        ("id_name", "Enter the project's name"),
    ]
    assert "None:" not in page and "This field" not in page and 'name="slug"' not in page


def test_a_withdrawn_project_whose_phases_do_not_proceed_is_saved(facilitator):
    data = page_data(facilitator.get(edit_url()))
    data.update(
        {
            "status": "withdrawn",
            "phases-0-decision": "not_proceeding",
            "phases-1-decision": "not_proceeding",
        }
    )
    assert post_confirmed(facilitator, edit_url(), data).status_code == 302
    assert figures().extra_max == Decimal("68000.00")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Joint website", "joint-website"),
        ("Portal", "portal-2"),  # the demo's portal keeps its slug
        ("New", "new-2"),  # words the pages use are never a project's slug
        ("Rows", "rows-2"),
        ("E-forms / CRM (phase 2)", "e-forms-crm-phase-2"),
        ("!!!", "project"),
    ],
)
def test_a_new_project_gets_its_slug_from_its_name(facilitator, name, slug):
    data = page_data(facilitator.get(NEW))
    data.update({"name": name, "slug": "typed-slug-is-ignored"})
    response = facilitator.post(NEW, data)
    assert response.status_code == 302
    project = Project.objects.get(programme__slug=SLUG, slug=slug)
    assert project.name == name
    assert response["Location"] == f"/programmes/{SLUG}/projects/{slug}/"


@pytest.mark.parametrize(
    "management",
    [
        {"phases-TOTAL_FORMS": "abc"},
        {"phases-TOTAL_FORMS": None},
        {"phases-INITIAL_FORMS": None},
        {"funding-TOTAL_FORMS": "-1"},
        {"claims-INITIAL_FORMS": "9", "claims-TOTAL_FORMS": "2"},
    ],
)
def test_a_hopelessly_tampered_management_form_is_a_bad_request(facilitator, management):
    data = page_data(facilitator.get(edit_url()))
    data["name"] = "Changed"
    for key, value in management.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    before = snapshot()
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 400
    assert "reload the page" in response.content.decode()
    assert snapshot() == before


def test_too_many_rows_are_refused(facilitator):
    data = page_data(facilitator.get(edit_url()))
    data["phases-TOTAL_FORMS"] = "100000"
    before = snapshot()
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 200
    assert "Enter at most 200 rows" in response.content.decode()
    assert snapshot() == before


def test_a_smaller_row_count_leaves_the_other_rows_alone(facilitator):
    data = page_data(facilitator.get(edit_url()))
    data.update(
        {"phases-TOTAL_FORMS": "1", "phases-INITIAL_FORMS": "1", "phases-0-name": "Scoping"}
    )
    assert facilitator.post(edit_url(), data).status_code == 302
    phases = Project.objects.get(slug=GATEWAY).phases.all()
    assert [(p.number, p.name) for p in phases] == [(1, "Scoping"), (2, "Connection")]


def test_a_stale_version_is_refused_showing_their_changes_and_keeping_mine(facilitator):
    data = page_data(facilitator.get(edit_url()))
    gateway = Project.objects.get(slug=GATEWAY)
    connection = gateway.phases.get(number=2)
    project_update(
        project=gateway,
        data={},
        phases=[
            RowChange(
                pk=connection.pk,
                data={"extra_cost": Decimal("90000"), "name": "Connection"},
            )
        ],
        expected_version=1,
        user=user("admin"),
    )
    data.update({"name": "Gateway (my name)", "phases-0-extra_cost": "8,000"})
    before = snapshot()
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 409
    assert snapshot() == before
    assert title(response).startswith("Error: ")
    conflict = response.context["conflict"]
    assert [(c.row, c.field, c.old, c.new) for c in conflict.changes] == [
        ("Phase 2: Connection", "Extra cost", "£100,000", "£90,000")
    ]
    page = response.content.decode()
    assert "What they changed" in page and "£90,000" in page
    assert 'value="Gateway (my name)"' in page
    assert 'value="8,000"' in page
    again = page_data(response)
    assert again["version"] == "2"
    # Having seen their change, saving again is a deliberate choice and goes ahead.
    assert facilitator.post(edit_url(), again).status_code == 302
    assert Project.objects.get(slug=GATEWAY).name == "Gateway (my name)"


def test_editing_a_project_deleted_meanwhile_says_so(facilitator, monkeypatch):
    data = page_data(facilitator.get(edit_url()))
    shown = Project.objects.get(slug=GATEWAY)
    # Deleted by someone else after this request found it, but before it saved.
    monkeypatch.setattr(
        "projects.views.project_forms.ProjectUpdateView.get_project", lambda view: shown
    )
    Project.objects.filter(pk=shown.pk).delete()
    response = facilitator.post(edit_url(), data, follow=True)
    assert response.redirect_chain[0] == (f"/programmes/{SLUG}/projects/", 302)
    assert "was deleted by someone else" in response.content.decode()
    assert not Project.objects.filter(slug=GATEWAY).exists()


def test_a_refusal_by_the_service_is_shown_on_the_fields_and_rows_it_names(
    facilitator, monkeypatch
):
    def refuse(**kwargs):
        raise ProjectRefusal(
            [
                FieldProblem(("slug",), "Taken a moment ago."),
                FieldProblem(("phases", 1, "number"), "Clashes with a phase saved a moment ago."),
                FieldProblem(("phases", 0), "This phase is gone."),
                FieldProblem((), "Something else."),
            ]
        )

    monkeypatch.setattr("projects.views.project_forms.project_create", refuse)
    data = page_data(facilitator.get(NEW))
    data.update(
        {
            "name": "Racing",
            "slug": "racing",
            "phases-TOTAL_FORMS": "2",
            "phases-0-number": "1",
            "phases-0-name": "One",
            "phases-1-number": "2",
            "phases-1-name": "Two",
            "phases-1-decision": "pending",
            "phases-1-borne": "shared",
        }
    )
    response = facilitator.post(NEW, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<li>Taken a moment ago.</li>" in page  # the slug is not on the page
    assert (
        '<a href="#id_phases-1-number">Phase 2: Clashes with a phase saved a moment ago.</a>'
        in page
    )
    assert "This phase is gone." in page and "Something else." in page


def _two_phases(data: dict) -> dict:
    data.update(
        {
            "name": "Racing",
            "slug": "racing",
            "phases-TOTAL_FORMS": "2",
            "phases-0-number": "1",
            "phases-0-name": "One",
            "phases-1-number": "2",
            "phases-1-name": "Two",
            "phases-1-decision": "pending",
            "phases-1-borne": "shared",
        }
    )
    return data


@pytest.mark.parametrize(
    "message",
    [
        "Ensure this value is at most 1000.",
        "phases.0.name: see phases[0].number: and slug.",  # dots and colons name no place
    ],
)
def test_a_refusal_of_a_row_field_lands_on_that_rows_field_whatever_its_message(
    facilitator, monkeypatch, message
):
    def refuse(**kwargs):
        raise ProjectRefusal([FieldProblem(("phases", 1, "extra_cost"), message)])

    monkeypatch.setattr("projects.views.project_forms.project_create", refuse)
    response = facilitator.post(NEW, _two_phases(page_data(facilitator.get(NEW))))
    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.phases.forms[1].errors == {"extra_cost": [f"Phase 2: {message}"]}
    assert not editor.phases.forms[0].errors
    assert not editor.form.errors
    assert '<a href="#id_phases-1-extra_cost">Phase 2: ' in response.content.decode()


def test_a_refusal_of_a_row_that_is_not_on_the_page_is_shown_for_the_project(
    facilitator, monkeypatch
):
    def refuse(**kwargs):
        raise ProjectRefusal([FieldProblem(("phases", 5, "extra_cost"), "Gone: phases.5.")])

    monkeypatch.setattr("projects.views.project_forms.project_create", refuse)
    response = facilitator.post(NEW, _two_phases(page_data(facilitator.get(NEW))))
    editor = response.context["editor"]
    assert editor.form.non_field_errors() == ["Gone: phases.5."]
    assert not any(form.errors for form in editor.phases.forms)


def test_add_another_phase_without_javascript_adds_a_row_and_saves_nothing(facilitator):
    data = page_data(facilitator.get(edit_url()))
    data.update({"add_phase": "1", "name": "Half typed", "phases-0-extra_cost": "not yet"})
    before = snapshot()
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 200
    assert snapshot() == before
    page = response.content.decode()
    assert 'name="phases-2-number"' in page
    assert 'name="phases-TOTAL_FORMS" value="3"' in page
    assert 'value="Half typed"' in page and 'value="not yet"' in page
    assert "There is a problem" not in page  # not judged until it is saved
    assert not title(response).startswith("Error")
    assert "/projects/rows/phase/?index=3" in page
    # The added row, filled in, is saved with the rest.
    data = page_data(response)
    data.update(
        {
            "phases-0-extra_cost": "7000",
            "phases-2-number": "3",
            "phases-2-name": "Roll-out",
            "phases-2-extra_cost": "1,500",
        }
    )
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 302, response.context["editor"].phases.errors
    assert Project.objects.get(slug=GATEWAY).phases.get(number=3).extra_cost == Decimal("1500")


@pytest.mark.parametrize(
    ("button", "field"),
    [("add_funding", "funding-0-source"), ("add_claim", "claims-2-grade")],
)
def test_add_another_funding_line_or_claim_without_javascript(facilitator, button, field):
    data = page_data(facilitator.get(edit_url()))
    data[button] = "1"
    before = snapshot()
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 200
    assert f'name="{field}"' in response.content.decode()
    assert snapshot() == before


def test_add_another_on_the_new_project_page(facilitator):
    data = page_data(facilitator.get(NEW))
    data["add_phase"] = "1"
    response = facilitator.post(NEW, data)
    assert response.status_code == 200
    assert 'name="phases-1-number"' in response.content.decode()
    assert not Project.objects.filter(slug="").exists()


@pytest.mark.parametrize(
    ("kind", "prefix", "field"),
    [("phase", "phases", "number"), ("funding", "funding", "amount"), ("claim", "claims", "grade")],
)
def test_the_row_endpoint_returns_a_blank_row_and_moves_the_count_on(
    facilitator, kind, prefix, field
):
    response = facilitator.get(row_url(kind, "4"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="{prefix}-4-{field}"' in page
    assert f'name="{prefix}-4-DELETE"' in page
    assert (
        f'<input type="hidden" name="{prefix}-TOTAL_FORMS" value="5" '
        f'id="id_{prefix}-TOTAL_FORMS" hx-swap-oob="true">' in page
    )
    assert f"/projects/rows/{kind}/?index=5" in page
    assert f'name="add_{kind}"' in page
    assert "<html" not in page


def test_the_row_endpoints_blank_row_is_ignored_when_left_blank(facilitator):
    data = page_data(facilitator.get(edit_url()))
    row = facilitator.get(row_url("claim", "2")).content.decode()
    for name, value in re.findall(r'name="(claims-2-[a-z]+)"(?: value="([^"]*)")?', row):
        if value:
            data[name] = value
    data["claims-TOTAL_FORMS"] = "3"
    assert facilitator.post(edit_url(), data).status_code == 302
    assert Project.objects.get(slug=GATEWAY).outcome_claims.count() == 2


def test_the_row_endpoint_refuses_an_unknown_kind(facilitator):
    assert facilitator.get(row_url("contribution")).status_code == 404


@pytest.mark.parametrize("index", ["", "abc", "-1", "200", "1e3", "٣", "00000001"])
def test_the_row_endpoint_refuses_a_bad_index(facilitator, index):
    assert facilitator.get(row_url("phase", index)).status_code == 400


def edit_page_programme(rows: int):
    """Return a facilitator and a project with this many rows of each kind."""
    membership = MembershipFactory(role=Role.FACILITATOR)
    programme = ProgrammeFactory(partnership=membership.partnership)
    for _ in range(8):
        PartnerFactory(partnership=membership.partnership)
    project = ProjectFactory(programme=programme)
    for number in range(1, rows + 1):
        PhaseFactory(project=project, number=number)
        FundingLineFactory(project=project)
        OutcomeClaimFactory(project=project)
    return membership.user, project


@pytest.mark.parametrize("rows", [2, 40])
def test_the_edit_page_takes_the_same_few_queries_whatever_the_rows(
    client, django_assert_max_num_queries, rows
):
    member, project = edit_page_programme(rows)
    client.force_login(member)
    url = edit_url(project.slug, project.programme.slug)
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="govuk-fieldset app-formset-row') == 3 * rows


@pytest.mark.parametrize("rows", [2, 40])
def test_the_delete_page_takes_the_same_few_queries_whatever_the_rows(
    client, django_assert_max_num_queries, rows
):
    member, project = edit_page_programme(rows)
    for _ in range(rows):
        ProjectFactory(programme=project.programme)
    client.force_login(member)
    with django_assert_max_num_queries(QUERIES_DELETE_PAGE):
        response = client.get(delete_url(project.slug, project.programme.slug))
    assert f"Its {rows} phases, {rows} funding lines and {rows} outcome claims" in " ".join(
        response.content.decode().split()
    )


TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "1", "0", "-1", "£15,000", "15,000.50", "on", "pending", "9" * 25]),
)
PROJECT_FIELDS = [
    "name",
    "slug",
    "description",
    "outputs",
    "external_project",
    "supports_strategy",
    "lead_partner",
    "status",
]
PHASE_FIELDS = [
    f"phases-0-{name}"
    for name in ["id", "number", "name", "extra_cost", "gated", "decision", "borne", "note"]
]
EMPTY_FORMSETS = {
    "phases-TOTAL_FORMS": "1",
    "phases-INITIAL_FORMS": "0",
    "funding-TOTAL_FORMS": "0",
    "funding-INITIAL_FORMS": "0",
    "claims-TOTAL_FORMS": "0",
    "claims-INITIAL_FORMS": "0",
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.fixed_dictionaries({name: TEXT for name in PROJECT_FIELDS + PHASE_FIELDS}))
def test_any_text_in_the_new_project_form_never_breaks_it(facilitator, typed):
    before = snapshot()
    response = facilitator.post(NEW, {**EMPTY_FORMSETS, **typed})
    assert response.status_code < 500
    if response.status_code != 302:
        assert snapshot() == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    typed=st.fixed_dictionaries(
        {name: TEXT for name in PROJECT_FIELDS + PHASE_FIELDS + ["version"]}
    )
)
def test_any_text_in_the_edit_form_never_breaks_it(facilitator, typed):
    before = snapshot()
    response = facilitator.post(edit_url(), {**EMPTY_FORMSETS, **typed})
    assert response.status_code < 500
    if response.status_code not in (302,):
        assert snapshot() == before


# A new phase's number is filled in


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([], 1),
        ([1, 2], 3),
        (["1", "", "7", "abc", "2"], 8),
        ([" 4 ", "-3", "1e3", "99999", "٣", True], 5),
        ([5, 32_767], None),  # the last number a phase may have: the person types one
    ],
)
def test_next_phase_number(numbers, expected):
    assert next_phase_number(numbers) == expected


def number_value(page: str, index: int) -> str | None:
    match = re.search(rf'<input[^>]*name="phases-{index}-number"[^>]*>', page)
    assert match, f"no number field in row {index}"
    value = re.search(r'value="([^"]*)"', match.group())
    return value.group(1) if value else None


def test_the_new_project_pages_first_phase_is_number_1(facilitator):
    assert number_value(facilitator.get(NEW).content.decode(), 0) == "1"


def test_the_row_endpoint_numbers_a_phase_on_from_those_on_the_page(facilitator):
    # The button sends the page's phase numbers, as typed (hx-include).
    url = row_url("phase", "3") + "&phases-0-number=1&phases-1-number=4&phases-2-number=x"
    assert number_value(facilitator.get(url).content.decode(), 3) == "5"
    assert number_value(facilitator.get(row_url("phase", "0")).content.decode(), 0) == "1"
    button = facilitator.get(edit_url()).content.decode()
    assert "hx-include=\"#phases-rows [name$='-number']\"" in button


def test_add_another_phase_without_javascript_numbers_it_and_a_blank_one_is_left_out(
    facilitator,
):
    data = page_data(facilitator.get(edit_url()))  # phases 1 and 2
    data["add_phase"] = "1"
    response = facilitator.post(edit_url(), data)
    assert number_value(response.content.decode(), 2) == "3"
    before = snapshot()
    # Saved with nothing typed in it, the new row is left out like any blank row.
    response = facilitator.post(edit_url(), page_data(response))
    assert response.status_code == 302
    assert sorted(Project.objects.get(slug=GATEWAY).phases.values_list("number", flat=True)) == [
        1,
        2,
    ]
    assert snapshot()["Phase"] == before["Phase"]


def test_a_filled_number_is_still_checked_on_the_server(facilitator):
    data = page_data(facilitator.get(edit_url()))
    data["add_phase"] = "1"
    data = page_data(facilitator.post(edit_url(), data))
    data.update({"phases-2-number": "2", "phases-2-name": "Roll-out"})  # already phase 2's
    response = facilitator.post(edit_url(), data)
    assert response.status_code == 200
    [error] = response.context["editor"].phases.forms[2].errors["number"]
    assert error.startswith("Phase number of phase 3 is already used by phase 2")


def test_a_project_with_money_spent_on_it_is_not_deleted_and_says_why(facilitator):
    from datetime import date

    from projects.models import Spend

    phase = Phase.objects.get(project__slug=GATEWAY, number=1)
    Spend.objects.create(phase=phase, date=date(2004, 9, 30), amount=Decimal("1200.00"))
    response = post_confirmed(facilitator, delete_url(), {"version": "1"})
    assert response.status_code == 400
    assert "Money has been spent on a phase this change would remove" in " ".join(
        response.content.decode().split()
    )
    assert Project.objects.filter(slug=GATEWAY).exists()
    assert Spend.objects.get().phase == phase
