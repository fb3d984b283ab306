"""The committed OpenAPI document (docs/api/openapi.json) is the one the code serves."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from norfolk_connect.api.management.commands.api_schema import COMMITTED, schema_text

REGENERATE = (
    "docs/api/openapi.json differs from the API the code serves. If the change to the API is "
    "meant, regenerate it with `python manage.py api_schema --write` and commit it."
)


def test_the_committed_document_is_the_served_one(client):
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    served = client.get(reverse("api:openapi-json")).json()
    assert served == committed, REGENERATE
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), REGENERATE


def test_the_command_prints_the_document():
    out = StringIO()
    call_command("api_schema", stdout=out)
    assert out.getvalue() == schema_text()
    assert json.loads(out.getvalue())["openapi"].startswith("3.1")


def test_every_schema_field_is_described():
    document = json.loads(schema_text())
    for name, schema in document["components"]["schemas"].items():
        assert schema.get("description"), name
        for field, spec in schema.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field}"
