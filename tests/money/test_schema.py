"""The declarations of each entity's fields agree with its plain data and its model."""

from __future__ import annotations

from dataclasses import fields

import pytest
from django.apps import apps

from projects.money.document import ENTITIES, PHASE, PROJECT
from projects.money.schema import REQUIRED, Entity, FieldSpec, Kind
from reports.workbook.layout import PHASES
from reports.workbook.layout import Kind as ColumnKind

# Lists of other entities, declared with those entities.
CHILDREN = {
    "outcome_claims",
    "funding",
    "phases",
    "per_partner",
    "invoices",
    "payments",
    "text",
    "decisions",
}


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda entity: entity.data.__name__)
def test_every_field_of_the_plain_data_is_declared(entity: Entity) -> None:
    attributes = [item.name for item in fields(entity.data) if item.name not in CHILDREN]
    assert sorted(spec.key for spec in entity.fields) == sorted(attributes)


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda entity: entity.data.__name__)
def test_every_declared_field_is_stored_in_the_model(entity: Entity) -> None:
    model = apps.get_model(entity.model)
    for spec in entity.fields:
        assert model._meta.get_field(spec.attribute).concrete


def test_a_declaration_out_of_step_with_its_data_is_refused_on_import() -> None:
    with pytest.raises(TypeError, match="PhaseData has no field no_such_field"):
        Entity(PHASE.data, (*PHASE.fields, FieldSpec("no_such_field", "Due", Kind.DATE)))


def test_required_keys_come_from_the_data_class_and_the_declaration() -> None:
    assert [spec.key for spec in PHASE.fields if PHASE.required(spec.key)] == [
        "number",
        "name",
        "extra_cost",
    ]
    assert PHASE.default("decision") == "pending"
    assert PROJECT.default("status") == "proposed"
    assert PHASE.default("extra_cost") is REQUIRED


def test_the_workbook_column_kinds_include_every_declared_kind_shown_in_a_sheet() -> None:
    for entity in ENTITIES:
        for spec in entity.fields:
            if not spec.in_workbook:  # the named people: kept by the import, no column
                continue
            assert spec.kind.value in ColumnKind.values or spec.kind in (
                Kind.MARKDOWN,
                Kind.FINANCIAL_YEARS,
            )


def test_the_phases_sheet_has_a_column_per_declared_field_by_key() -> None:
    assert [column.key for column in PHASES.columns] == [
        "project",
        *(spec.key for spec in PHASE.fields),
    ]
