"""Loading a programme writes everything or nothing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from projects.models import Programme, Project
from projects.programme_file import parse_programme
from projects.selectors import programme_figures
from projects.services import ProgrammeLoadError, programme_load
from tests.conftest import SEED_FILE
from tests.projects.test_commands import snapshot

pytestmark = pytest.mark.django_db


def seed():
    return parse_programme(SEED_FILE.read_bytes())


def test_load_creates_the_whole_programme():
    programme = programme_load(document=seed())
    assert programme.projects.count() == 10
    assert [p.slug for p in programme.projects.all()][:3] == [
        "e-forms",
        "portal",
        "further-info-points",
    ]
    gateway = Project.objects.get(slug="authentication-gateway")
    assert [(p.number, p.extra_cost, p.gated) for p in gateway.phases.all()] == [
        (1, Decimal("7000.00"), False),
        (2, Decimal("100000.00"), True),
    ]


def test_a_failure_half_way_leaves_the_database_as_it_was(monkeypatch):
    programme_load(document=seed())
    before = snapshot()

    def fail(*args, **kwargs):
        raise IntegrityError("disk full, say")

    monkeypatch.setattr("projects.services.loading.bulk_create_with_history", fail)
    with pytest.raises(ProgrammeLoadError):
        programme_load(document=seed())
    assert snapshot() == before
    figures = programme_figures(programme=Programme.objects.get())
    assert figures.extra_max == Decimal("175000.00")


def test_field_errors_name_their_place_in_the_document():
    from dataclasses import replace

    document = seed()
    long_name = replace(document.projects[2], name="x" * 201)
    document = replace(document, projects=(*document.projects[:2], long_name))
    with pytest.raises(ProgrammeLoadError) as error:
        programme_load(document=document)
    assert error.value.problems[0].path == "projects[2].name"
    assert not Programme.objects.exists()
