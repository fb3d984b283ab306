"""An import updates the programme in place: rows it keeps go on with their history.

The check works out what the import would write without writing anything, and still refuses
whatever the database would refuse.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.builders import bench_document
from projects.history import ConcurrentEditError
from projects.models import (
    Contribution,
    FundingLine,
    OutcomeClaim,
    Partner,
    Phase,
    Programme,
    Project,
    ReportText,
)
from projects.money.document import FundingData, PartnerData, PhaseData, ProjectData
from projects.programme_file import parse_programme
from projects.services import (
    programme_as_imported,
    programme_import,
    programme_import_check,
    programme_load,
    programme_state,
    project_update,
)
from tests.conftest import SEED_FILE

pytestmark = pytest.mark.django_db
D = Decimal
HISTORY_MODELS = [Programme, Project, Phase, FundingLine, OutcomeClaim, Partner, Contribution]


@pytest.fixture
def demo() -> Programme:
    programme_load(document=parse_programme(SEED_FILE.read_bytes()))
    return Programme.objects.select_related("partnership").get(slug="norfolk-connect-2004")


@pytest.fixture
def facilitator():
    return get_user_model().objects.create(username="facilitator")


def imported(programme: Programme, change, user=None) -> Programme:
    """Import the programme as it is, changed by ``change``, checking it first."""
    current = programme_as_imported(programme=programme)
    document = change(current)
    assert programme_import_check(programme=programme, document=document) == []
    return programme_import(
        programme=programme, document=document, expected_state=programme_state(current), user=user
    )


def project_changed(slug: str, **values):
    """Return a change to a document that replaces the values of one project."""

    def change(document):
        projects = tuple(
            replace(project, **values) if project.slug == slug else project
            for project in document.projects
        )
        return replace(document, projects=projects)

    return change


def history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in HISTORY_MODELS}


def writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# Rows are changed where they are


def test_a_changed_row_keeps_its_identity_and_its_history_goes_on(demo, facilitator):
    project = Project.objects.get(slug="portal")
    line = project.funding_lines.get()
    funding = (FundingData(source=line.source, amount=D("36000.00")),)
    imported(demo, project_changed("portal", funding=funding), user=facilitator)

    assert Project.objects.get(slug="portal").pk == project.pk
    line.refresh_from_db()
    assert line.amount == D("36000.00")
    records = list(line.history.order_by("history_date", "history_id"))
    assert [record.history_type for record in records] == ["+", "~"]
    assert records[0].amount == D("35000.00")
    assert records[-1].amount == D("36000.00")
    assert records[-1].history_user == facilitator


def test_the_project_history_shows_what_the_import_changed_after_what_came_before(
    demo, facilitator
):
    from projects.history import history_entries

    project = Project.objects.get(slug="portal")
    imported(demo, project_changed("portal", name="Norfolk portal"), user=facilitator)
    entries = history_entries(project.history.all())
    assert [entry.action for entry in entries] == ["Changed", "Added"]
    assert entries[0].who == "facilitator"
    assert [(change.old, change.new) for change in entries[0].changes] == [
        (project.name, "Norfolk portal")
    ]


def test_an_unchanged_import_writes_no_row_and_no_history(demo):
    before = history_counts()
    amounts = list(FundingLine.objects.order_by("pk").values_list("pk", "amount"))
    with CaptureQueriesContext(connection) as queries:
        imported(demo, lambda document: document)
    assert history_counts() == before
    assert list(FundingLine.objects.order_by("pk").values_list("pk", "amount")) == amounts
    # Only the versions move on, so that forms opened before the import are refused.
    assert all(sql.lstrip().upper().startswith("UPDATE") for sql in writes(queries))


def test_only_the_rows_that_differ_are_recorded(demo, facilitator):
    before = history_counts()
    imported(demo, project_changed("portal", name="Norfolk portal"), user=facilitator)
    after = history_counts()
    assert after["Project"] == before["Project"] + 1
    assert {name: after[name] - before[name] for name in after if name != "Project"} == {
        "Programme": 0,
        "Phase": 0,
        "FundingLine": 0,
        "OutcomeClaim": 0,
        "Partner": 0,
        "Contribution": 0,
    }


def test_rows_added_and_removed_are_recorded_as_the_facilitators(demo, facilitator):
    removed = Project.objects.get(slug="member-support")
    removed_rows = {
        Phase: list(removed.phases.values_list("pk", flat=True)),
        FundingLine: list(removed.funding_lines.values_list("pk", flat=True)),
        OutcomeClaim: list(removed.outcome_claims.values_list("pk", flat=True)),
    }

    def change(document):
        projects = [project for project in document.projects if project.slug != "member-support"]
        projects.append(
            ProjectData(
                slug="web-chat",
                name="Web chat",
                phases=(PhaseData(1, "Pilot", D("2500.00")),),
                funding=(FundingData(source="Grant", amount=D("100.00")),),
            )
        )
        return replace(document, projects=tuple(projects))

    imported(demo, change, user=facilitator)

    assert not Project.objects.filter(pk=removed.pk).exists()
    gone = removed.history.latest()
    assert (gone.history_type, gone.history_user) == ("-", facilitator)
    for model, pks in removed_rows.items():
        assert pks
        assert not model.objects.filter(pk__in=pks).exists()
        records = model.history.filter(id__in=pks, history_type="-", history_user=facilitator)
        assert records.count() == len(pks)
    added = Project.objects.get(slug="web-chat")
    assert added.history.get().history_type == "+"
    assert added.phases.get().history.get().history_user == facilitator
    assert added.funding_lines.get().amount == D("100.00")


def test_a_project_can_be_led_by_a_partner_the_same_import_adds(demo):
    def change(document):
        document = replace(
            document,
            partners=(*document.partners, PartnerData(slug="new-council", name="New council")),
        )
        return project_changed("portal", lead_partner="new-council")(document)

    imported(demo, change)
    assert Project.objects.get(slug="portal").lead_partner == Partner.objects.get(
        slug="new-council"
    )


def test_funding_lines_are_matched_as_the_preview_matches_them(demo):
    """An unchanged line keeps its row even when another is put before it."""
    project = Project.objects.get(slug="portal")
    line = project.funding_lines.get()
    kept = FundingData(source=line.source, amount=line.amount)
    funding = (FundingData(source="New grant", amount=D("5.00")), kept)
    imported(demo, project_changed("portal", funding=funding))
    rows = list(project.funding_lines.order_by("position"))
    assert [(row.source, row.amount) for row in rows] == [
        ("New grant", D("5.00")),
        (line.source, line.amount),
    ]
    assert rows[1].pk == line.pk
    history = line.history.order_by("history_date", "history_id")
    assert [record.history_type for record in history] == ["+", "~"]  # its position moved


def test_a_form_opened_before_the_import_is_refused_and_shown_what_the_import_changed(demo):
    project = Project.objects.get(slug="portal")
    opened_at = project.version
    line = project.funding_lines.get()
    funding = (FundingData(source=line.source, amount=D("36000.00")),)
    imported(demo, project_changed("portal", name="Norfolk portal", funding=funding))
    with pytest.raises(ConcurrentEditError) as refused:
        project_update(
            project=Project.objects.get(pk=project.pk),
            data={"name": "Portal"},
            expected_version=opened_at,
            user=None,
        )
    shown = {(change.field, change.new) for change in refused.value.changes}
    assert ("Name", "Norfolk portal") in shown
    assert ("Amount", "£36,000") in shown


def test_an_import_with_money_to_the_penny_stores_it_exactly(demo):
    line = Project.objects.get(slug="portal").funding_lines.get()
    funding = (FundingData(source=line.source, amount=D("1234567890.01")),)
    imported(demo, project_changed("portal", funding=funding))
    line.refresh_from_db()
    assert line.amount == D("1234567890.01")


# The check writes nothing and refuses what the database would


def test_the_check_writes_nothing(demo):
    change = project_changed("portal", name="Norfolk portal")
    with CaptureQueriesContext(connection) as queries:
        problems = programme_import_check(
            programme=demo, document=change(programme_as_imported(programme=demo))
        )
    assert problems == []
    assert writes(queries) == []
    assert Project.objects.get(slug="portal").name != "Norfolk portal"
    assert demo.name == Programme.objects.get(pk=demo.pk).name


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda document: replace(document, projects=(*document.projects, document.projects[0])),
            "projects[10].slug: duplicate 'e-forms' (also projects[0].slug)",
        ),
        (
            project_changed("portal", lead_partner="nobody"),
            "projects[1].lead_partner: unknown partner 'nobody'",
        ),
        (
            project_changed(
                "portal", phases=(PhaseData(1, "One", None), PhaseData(1, "Again", None))
            ),
            "projects[1].phases[1].number: duplicate 1 (also projects[1].phases[0].number)",
        ),
        (
            project_changed("portal", funding=(FundingData(source="Grant", amount=D("-1")),)),
            "projects[1].funding[0].amount: Amount must be 0 or more",
        ),
        (
            project_changed("portal", name="x" * 201),
            "projects[1].name: Name must be 200 characters or less",
        ),
    ],
)
def test_the_check_refuses_what_the_database_would_refuse(demo, change, problem):
    """Documents made in code, past the programme file's checks, are still refused."""
    document = change(programme_as_imported(programme=demo))
    problems = programme_import_check(programme=demo, document=document)
    assert [str(refused) for refused in problems] == [problem]
    with pytest.raises(Exception) as refused:
        programme_import(
            programme=demo,
            document=document,
            expected_state=programme_state(programme_as_imported(programme=demo)),
            user=None,
        )
    assert problem in str(refused.value)


def test_a_report_text_with_an_unknown_placeholder_is_refused_by_the_check(demo):
    current = programme_as_imported(programme=demo)
    document = replace(current, report=replace(current.report, summary="See {no_such_figure}"))
    problems = programme_import_check(programme=demo, document=document)
    assert len(problems) == 1
    assert problems[0].path == "report.summary"
    assert not ReportText.objects.filter(summary__contains="no_such_figure").exists()


def test_every_database_constraint_is_checked_before_writing():
    """A new constraint on a row an import writes needs a check in the plan or the file parser.

    Unique keys are refused as duplicates by the plan and the parser, check constraints by the
    fields' validators (or, for the programme's dates, by both checks directly).
    """
    constraints = {
        constraint.name for model in HISTORY_MODELS for constraint in model._meta.constraints
    }
    assert constraints == {
        "programme_rounding_step_positive",
        "programme_stated_existing_not_negative",
        "programme_stated_extra_not_negative",
        "programme_starts_before_ends",
        "project_slug_unique_in_programme",
        "phase_number_unique_in_project",
        "phase_number_positive",
        "phase_extra_cost_not_negative",
        "funding_amount_not_negative",
        "partner_slug_unique_in_partnership",
        "partner_weight_not_negative",
        "partner_ieg_grant_not_negative",
        "contribution_one_per_partner_year_tranche",
        "contribution_amount_not_negative",
    }


# Queries do not grow with the size of the programme


@pytest.mark.parametrize("funding_lines", [20, 400])
def test_the_check_and_an_unchanged_import_take_the_same_queries_at_any_size(
    funding_lines, django_assert_max_num_queries
):
    programme = programme_load(document=bench_document(funding_lines, slug="sized"))
    programme = Programme.objects.select_related("partnership").get(pk=programme.pk)
    current = programme_as_imported(programme=programme)
    with django_assert_max_num_queries(8):
        assert programme_import_check(programme=programme, document=current) == []
    with django_assert_max_num_queries(30):
        programme_import(
            programme=programme,
            document=current,
            expected_state=programme_state(current),
            user=None,
        )


def test_a_large_import_changing_every_line_takes_a_few_queries_per_thousand_rows(
    django_assert_max_num_queries,
):
    programme = programme_load(document=bench_document(2000, slug="large"))
    programme = Programme.objects.select_related("partnership").get(pk=programme.pk)
    current = programme_as_imported(programme=programme)
    document = replace(
        current,
        projects=tuple(
            replace(
                project,
                funding=tuple(replace(line, amount=line.amount + 1) for line in project.funding),
            )
            for project in current.projects
        ),
    )
    with django_assert_max_num_queries(60):  # history in batches of 500
        programme_import(
            programme=programme,
            document=document,
            expected_state=programme_state(current),
            user=None,
        )
    assert programme_as_imported(programme=programme).projects == document.projects
