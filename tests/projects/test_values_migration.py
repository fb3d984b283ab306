"""The migration that brings stored values to the programme file's rules, so backups restore."""

from __future__ import annotations

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from projects.models import Contribution, OutcomeClaim, Partner, Partnership, Programme, Project
from projects.rules import is_financial_year, is_slug
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import (
    OutcomeClaimFactory,
    PartnershipFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.test_backups_restore_forms import full_width

pytestmark = pytest.mark.django_db

migration = importlib.import_module("projects.migrations.0003_values_by_the_file_rules")


def migrate() -> None:
    migration.fix_values(apps, SimpleNamespace(connection=connection))


def force(instance, **values) -> None:
    """Store values the rules refuse, as older code or the admin could have stored them."""
    type(instance).objects.filter(pk=instance.pk).update(**values)


@pytest.fixture
def odd_programme():
    """A programme whose slugs, years and names the programme file refuses."""
    PartnershipFactory(slug="bad-slug")
    partnership = PartnershipFactory(slug="good")
    force(partnership, slug="Bad_Slug")
    programme = ProgrammeFactory(partnership=partnership, slug="p", financial_years=["2006/07"])
    force(
        programme,
        slug="bad_Slug-X",
        financial_years=[full_width("2006/07"), "2006/07", full_width("2007/08")],
    )
    projects = {}
    for index, slug in enumerate(["UPPER", "-lead", "a--b", "a-b", "___", "x" * 49 + "_"]):
        project = ProjectFactory(programme=programme, slug=f"p{index}", name=f"Project {index}")
        force(project, slug=slug)
        projects[slug] = project
    force(projects["UPPER"], name="   ")
    claim = OutcomeClaimFactory(project=projects["a-b"], code="A1")
    force(claim, code="  ")
    partner = PartnerFactory(partnership=partnership, slug="south")
    force(partner, slug="South_Norfolk")
    contribution = ContributionFactory(
        programme=programme, partner=partner, financial_year="2006/07"
    )
    force(contribution, financial_year=full_width("2007/08"))
    if connection.vendor != "postgresql":  # PostgreSQL cannot store a NUL to begin with
        force(projects["a-b"], description="before\x00after")
    return programme


def test_slugs_become_slugs_unique_in_their_scope(odd_programme):
    migrate()
    assert sorted(Partnership.objects.values_list("slug", flat=True)) == [
        "bad-slug",
        "bad-slug-2",
    ]
    assert Programme.objects.get().slug == "bad-slug-x"
    slugs = {project.name: project.slug for project in Project.objects.all()}
    assert slugs == {
        "upper": "upper",  # its name of only spaces takes its slug
        "Project 1": "lead",
        "Project 2": "a-b-2",  # a-b was already taken by a good slug, which keeps it
        "Project 3": "a-b",
        "Project 4": "project",  # nothing of it was a letter or digit
        "Project 5": "x" * 49,
    }
    assert Partner.objects.get().slug == "south-norfolk"
    assert all(
        is_slug(slug)
        for model in (Partnership, Programme, Project, Partner)
        for slug in model.objects.values_list("slug", flat=True)
    )


def test_years_take_ascii_digits_once_and_texts_keep_to_the_rules(odd_programme):
    migrate()
    programme = Programme.objects.get()
    assert programme.financial_years == ["2006/07", "2007/08"]
    assert Contribution.objects.get().financial_year == "2007/08"
    assert all(is_financial_year(year) for year in programme.financial_years)
    assert OutcomeClaim.objects.get().code == ""
    if connection.vendor != "postgresql":
        assert Project.objects.get(name="Project 3").description == "beforeafter"


def test_after_the_migration_every_programme_backs_up_and_restores(odd_programme, tmp_path):
    call_command("backup_programmes", str(tmp_path / "before"), stdout=StringIO())
    with pytest.raises(CommandError, match="must be a slug"):
        call_command("restore_programmes", str(tmp_path / "before"), stdout=StringIO())
    migrate()
    call_command("backup_programmes", str(tmp_path / "after"), stdout=StringIO())
    Contribution.objects.all().delete()
    Programme.objects.all().delete()
    Partner.objects.all().delete()
    call_command("restore_programmes", str(tmp_path / "after"), stdout=StringIO())
    assert Programme.objects.get().slug == "bad-slug-x"


def test_running_it_again_changes_nothing(odd_programme):
    migrate()
    before = {
        model.__name__: sorted(map(repr, model.objects.values_list()))
        for model in (Partnership, Programme, Project, Partner, Contribution, OutcomeClaim)
    }
    migrate()
    assert before == {
        model.__name__: sorted(map(repr, model.objects.values_list()))
        for model in (Partnership, Programme, Project, Partner, Contribution, OutcomeClaim)
    }


@given(text=st.text(max_size=80), taken=st.sets(st.from_regex(r"[a-z]{1,3}", fullmatch=True)))
def test_normalising_anything_gives_a_free_slug(text, taken):
    slug = migration.unique_slug(migration.normalise_slug(text, "project"), taken)
    assert is_slug(slug) and slug not in taken
