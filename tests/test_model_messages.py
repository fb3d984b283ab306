"""A model's own checks, when they refuse, speak the service's words and never Django's.

Every field of every model a person's data is saved in is broken in each way a field of its
kind can be (left empty, too long, not one of the choices, too many digits or decimal places,
not a number or a date), and the messages ``full_clean_for_people`` raises are read against
Django's default messages, collected independently by the forms' test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from norfolk_connect.model_messages import for_people, full_clean_for_people
from projects.models import Contribution, Partner, Phase, Programme, Project, ReportText
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import (
    FundingLineFactory,
    OutcomeClaimFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.test_form_messages import django_default_messages

pytestmark = pytest.mark.django_db

DEFAULTS = django_default_messages()


def djangos(message: str) -> str | None:
    """Return the Django default a message is or contains, if any."""
    for text, patterns in DEFAULTS:
        if any(pattern.search(message) for pattern in patterns):
            return text
    return None


def breakages(field: models.Field) -> list[object]:
    """Return values that break the field, each in one of the ways its kind can be broken."""
    values: list[object] = []
    if not field.blank:
        values.append("" if isinstance(field, models.CharField | models.TextField) else None)
    if field.choices:
        values.append("not-a-choice")
    if isinstance(field, models.CharField | models.TextField) and field.max_length:
        values.append("x" * (field.max_length + 1))
    if isinstance(field, models.DecimalField):
        values += [Decimal("1e15"), Decimal("0.001"), "not a number"]
    if isinstance(field, models.IntegerField):
        values += ["not a number", -1]
    if isinstance(field, models.DateField):
        values.append("2004-02-31")
    if isinstance(field, models.BooleanField):
        values.append("maybe")
    if isinstance(field, models.EmailField):
        values += ["name@", "not an email"]
    if isinstance(field, models.CharField) and not field.choices:
        values += ["two\nlines", "   ", "call me"]
    return values


def instances():
    """Return one saved, valid instance of each model the services check, with its parents."""
    programme = ProgrammeFactory()
    project = ProjectFactory(programme=programme)
    partner = PartnerFactory(partnership=programme.partnership)
    text = ReportText.objects.create(programme=programme)
    return [
        programme.partnership,
        programme,
        project,
        PhaseFactory(project=project),
        FundingLineFactory(project=project),
        OutcomeClaimFactory(project=project),
        partner,
        ContributionFactory(programme=programme, partner=partner),
        text,
    ]


def messages_for(instance: models.Model) -> list[tuple[str, str]]:
    """Break each field of the instance in turn; return (field, message) for every refusal."""
    found = []
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.is_relation or not field.editable:
            continue
        kept = getattr(instance, field.attname)
        for value in breakages(field):
            setattr(instance, field.attname, value)
            try:
                full_clean_for_people(instance)
            except ValidationError as error:
                found += [(field.name, m) for ms in error.message_dict.values() for m in ms]
            setattr(instance, field.attname, kept)
    return found


def test_every_models_every_refusal_is_in_the_services_words():
    checked = []
    for instance in instances():
        checked += [(type(instance).__name__, *each) for each in messages_for(instance)]
    wrong = [(m, f, msg, djangos(msg)) for m, f, msg in checked if djangos(msg)]
    stops = [(m, f, msg) for m, f, msg in checked if msg.endswith(".")]
    assert len({(m, f) for m, f, _ in checked}) >= 50  # the walk reaches the fields
    assert wrong == []
    assert stops == []


def test_the_walk_finds_djangos_messages_in_a_plain_full_clean():
    """Guard: without the rewording, the same walk would find Django's words."""
    project = ProjectFactory()
    project.name = ""
    with pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert djangos(refused.value.message_dict["name"][0]) == "This field cannot be blank."
    with pytest.raises(ValidationError) as reworded:
        full_clean_for_people(project)
    assert reworded.value.message_dict["name"] == ["Enter the name"]


def test_a_long_name_says_how_long_a_name_may_be():
    project = ProjectFactory()
    limit = Project._meta.get_field("name").max_length
    project.name = "x" * (limit + 1)
    with pytest.raises(ValidationError) as refused:
        full_clean_for_people(project)
    assert refused.value.message_dict["name"] == [f"Name must be {limit:,} characters or less"]


def test_a_date_that_does_not_exist_is_not_a_real_date():
    phase = PhaseFactory(decided_on=date(2004, 9, 27))
    phase.decided_on = "2004-02-31"
    with pytest.raises(ValidationError) as refused:
        full_clean_for_people(phase)
    (message,) = refused.value.message_dict["decided_on"]
    assert message.endswith("must be a real date")


def test_a_duplicate_keeps_the_services_own_words_without_the_full_stop():
    existing = ProjectFactory()
    twin = Project(programme=existing.programme, slug=existing.slug, name="Twin")
    with pytest.raises(ValidationError) as refused:
        full_clean_for_people(twin)
    assert refused.value.messages == ["A project with this slug is already in the programme"]


def test_a_message_without_a_field_is_reworded_too():
    error = for_people(ValidationError("This field cannot be blank.", code="blank"), Partner)
    assert djangos(error.messages[0]) is None


@pytest.mark.parametrize("model", [Programme, Project, Phase, Partner, Contribution, ReportText])
def test_each_field_name_reads_as_the_start_of_a_sentence(model):
    for field in model._meta.concrete_fields:
        error = ValidationError({field.name: ValidationError("This field cannot be blank.")})
        error.error_dict[field.name][0].code = "blank"
        (message,) = for_people(error, model).message_dict[field.name]
        assert message[0].isupper() and not message.endswith("."), message
