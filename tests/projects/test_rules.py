"""One rule for each value, and every way in agrees with it: the file, the models, the forms."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contributions.forms import PartnerForm
from projects import rules
from projects.fields import FinancialYearsField
from projects.forms import ProgrammeCreateForm
from projects.models import (
    Contribution,
    FundingLine,
    OutcomeClaim,
    Partner,
    Partnership,
    Phase,
    Programme,
    Project,
)
from projects.programme_file import ProgrammeFileError, parse_programme
from projects.validators import (
    SlugFormField,
    slug_from_name,
    validate_financial_year,
    validate_financial_years,
    validate_slug,
)
from tests.projects.factories import ProgrammeFactory, ProjectFactory
from tests.test_backups_restore_forms import arabic_indic, full_width

AGREE = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
slug_like = st.one_of(
    st.from_regex(r"[a-zA-Z0-9_ -]{0,12}", fullmatch=True),
    st.text(max_size=12),
    st.sampled_from(["Bad_Slug", "-lead", "a--b", "UPPER", "bad_Slug-X", full_width("abc")]),
)
year_like = st.one_of(
    st.from_regex(r"[0-9]{4}/[0-9]{2}", fullmatch=True),
    st.integers(1000, 9999).map(lambda year: f"{year}/{(year + 1) % 100:02d}"),
    st.integers(1000, 9999).map(
        lambda year: (
            full_width(f"{year}/{(year + 1) % 100:02d}")
            if year % 2
            else arabic_indic(f"{year}/{(year + 1) % 100:02d}")
        )
    ),
    st.text(max_size=9),
)


def file_accepts(seed: dict, key: str, value) -> bool:
    """Return whether the programme file takes the value at the key of its partnership."""
    raw = json.loads(json.dumps(seed))
    if key == "financial_years":
        raw["programme"]["financial_years"] = [value]
        raw["contributions"] = []
    else:
        raw["partnership"][key] = value
    try:
        parse_programme(json.dumps(raw))
    except ProgrammeFileError:
        return False
    return True


def accepts(validator, value) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


@AGREE
@given(slug=slug_like)
def test_the_file_the_models_and_the_forms_agree_on_slugs(seed_dict, slug):
    in_file = file_accepts(seed_dict, "slug", slug)
    assert accepts(validate_slug, slug) == in_file
    assert rules.is_slug(slug) == in_file
    try:
        read = SlugFormField().clean(slug)
    except ValidationError:
        return
    # The form reads a slug typed with spaces around it as the slug; nothing the file refuses.
    assert file_accepts(seed_dict, "slug", read)


@AGREE
@given(year=year_like)
def test_the_file_the_models_and_the_forms_agree_on_financial_years(seed_dict, year):
    in_file = file_accepts(seed_dict, "financial_years", year)
    assert accepts(validate_financial_year, year) == in_file
    assert accepts(validate_financial_years, [year]) == in_file
    assert rules.is_financial_year(year) == in_file
    try:
        read = FinancialYearsField().clean(year)
    except ValidationError:
        read = None
    # The form reads full-width digits as ASCII ones, and then only what the file holds.
    if read is not None:
        assert all(file_accepts(seed_dict, "financial_years", item) for item in read)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Bad_Slug", "-lead", "a--b", "UPPER", "bad_Slug-X", "a b"])
def test_every_slug_field_refuses_what_the_file_refuses(slug):
    for model in (Partnership, Programme, Project, Partner):
        with pytest.raises(ValidationError) as error:
            model._meta.get_field("slug").clean(slug, None)
        assert error.value.messages == [rules.SLUG_MESSAGE]
    # The web forms never take a slug: it is made from the name (below).
    assert "slug" not in PartnerForm(data={"name": "A", "slug": slug}).fields
    form = ProgrammeCreateForm(
        data={"slug": slug}, partnerships=Partnership.objects.none(), programmes=None
    )
    assert "slug" not in form.fields


@AGREE
@given(name=st.text(max_size=120), taken=st.sets(st.sampled_from(["a", "a-2", "new", "x" * 50])))
def test_a_slug_made_from_any_name_is_one_the_file_holds(seed_dict, name, taken):
    slug = slug_from_name(
        name, taken=taken.__contains__, reserved=rules.PROJECT_RESERVED_SLUGS, fallback="project"
    )
    assert rules.is_slug(slug)
    assert slug not in taken and slug not in rules.PROJECT_RESERVED_SLUGS
    assert accepts(validate_slug, slug)
    assert file_accepts(seed_dict, "slug", slug)


def test_a_slug_made_from_a_name_is_numbered_on_within_the_length():
    taken = {"x" * 50, "x" * 48 + "-2"}
    assert slug_from_name("X" * 80, taken=taken.__contains__) == "x" * 48 + "-3"
    assert slug_from_name("Norfolk Connect 2006", taken=lambda s: False) == ("norfolk-connect-2006")


def test_financial_years_in_other_digits_are_refused_by_the_models():
    for year in [full_width("2006/07"), arabic_indic("2006/07"), "2006/7", "2006/08"]:
        with pytest.raises(ValidationError):
            Contribution._meta.get_field("financial_year").clean(year, None)
        with pytest.raises(ValidationError):
            Programme._meta.get_field("financial_years").clean([year], None)
    with pytest.raises(ValidationError, match="once"):
        Programme._meta.get_field("financial_years").clean(["2006/07", "2006/07"], None)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Partnership, "name"),
        (Programme, "name"),
        (Project, "name"),
        (Partner, "name"),
        (Phase, "name"),
        (FundingLine, "source"),
        (OutcomeClaim, "code"),
    ],
)
def test_names_of_only_spaces_are_refused_as_the_file_refuses_them(model, field):
    for blank in ["   ", "\t", "\u3000"]:
        with pytest.raises(ValidationError, match="not only spaces"):
            model._meta.get_field(field).clean(blank, None)


def test_bounds_are_the_file_bounds():
    population = Partner._meta.get_field("population")
    population.clean(rules.POPULATION_MAX, None)
    with pytest.raises(ValidationError):
        population.clean(rules.POPULATION_MAX + 1, None)
    number = Phase._meta.get_field("number")
    number.clean(rules.PHASE_NUMBER_MAX, None)
    with pytest.raises(ValidationError):
        number.clean(rules.PHASE_NUMBER_MAX + 1, None)
    with pytest.raises(ValidationError, match="NUL"):
        Project._meta.get_field("description").clean("a\x00b", None)


@pytest.mark.parametrize(
    ("where", "slug"), [("programme", "new"), ("project", "new"), ("project", "rows")]
)
def test_a_slug_the_pages_use_is_refused_by_the_file_and_the_models(seed_dict, where, slug):
    if where == "programme":
        seed_dict["programme"]["slug"] = slug
        path = "programme.slug"
    else:
        seed_dict["projects"][1]["slug"] = slug
        path = "projects[1].slug"
    with pytest.raises(ProgrammeFileError) as error:
        parse_programme(json.dumps(seed_dict))
    assert f"{path}: {slug!r} is a reserved word" in str(error.value)
    model = Programme if where == "programme" else Project
    with pytest.raises(ValidationError) as refused:
        model._meta.get_field("slug").clean(slug, None)
    assert refused.value.messages == [f"“{slug}” is a reserved word; choose another slug."]


def test_the_migration_renames_stored_programmes_and_projects_with_a_slug_the_pages_use(db):
    migration = importlib.import_module("projects.migrations.0004_reserved_slugs")
    ProgrammeFactory(slug="new-2")
    programme = ProgrammeFactory(slug="p")
    Programme.objects.filter(pk=programme.pk).update(slug="new")
    kept = ProjectFactory(programme=programme, slug="rows-2")
    first = ProjectFactory(programme=programme, slug="a")
    second = ProjectFactory(programme=programme, slug="b")
    Project.objects.filter(pk=first.pk).update(slug="new")
    Project.objects.filter(pk=second.pk).update(slug="rows")

    migration.rename_reserved(apps, None)

    assert Programme.objects.get(pk=programme.pk).slug == "new-3"
    slugs = dict(Project.objects.filter(programme=programme).values_list("pk", "slug"))
    assert slugs == {kept.pk: "rows-2", first.pk: "new-2", second.pk: "rows-3"}
