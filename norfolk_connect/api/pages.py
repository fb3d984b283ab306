"""The page for developers: the API's endpoints, read from its OpenAPI document."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .v1 import api

METHODS = ("get", "post", "put", "patch", "delete")


def code_parts(text: str) -> list[tuple[str, bool]]:
    """Split a description at its backticks: each part, and whether it is code."""
    return [(part, index % 2 == 1) for index, part in enumerate(text.split("`")) if part]


def endpoints(schema: dict) -> list[dict]:
    """Return each operation of the document: method, path, summary and description."""
    found = []
    for address, operations in schema.get("paths", {}).items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is not None:
                found.append(
                    {
                        "method": method.upper(),
                        "path": address,
                        "summary": operation.get("summary", ""),
                        "description": code_parts(operation.get("description", "")),
                    }
                )
    return found


def api_docs(request: HttpRequest) -> HttpResponse:
    """List the API's endpoints, with where its OpenAPI document is and how to authenticate."""
    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "endpoints": endpoints(schema),
            "schema_url": request.build_absolute_uri("/api/v1/openapi.json"),
            "base_url": request.build_absolute_uri("/api/v1/"),
        },
    )
