"""Print the API's OpenAPI document, or write it to docs/api/openapi.json with --write."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from norfolk_connect.api.v1 import api

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def schema_text() -> str:
    """The OpenAPI document as committed: sorted keys, two spaces, a final newline."""
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the API's OpenAPI 3.1 document; --write saves it as docs/api/openapi.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write", action="store_true", help=f"write it to {COMMITTED} instead of printing it"
        )

    def handle(self, *args, write: bool, **options) -> None:
        text = schema_text()
        if write:
            COMMITTED.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {COMMITTED}")
            return
        self.stdout.write(text, ending="")
