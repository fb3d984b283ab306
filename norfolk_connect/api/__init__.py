"""The API for councils' own systems: personal access tokens, and the endpoints they open.

A person makes a token on their own page (``/account/tokens/``) for one partnership, to read or
to read and write; a client sends it as ``Authorization: Bearer <token>``. The endpoints live
under ``/api/v1/`` (django-ninja), with their OpenAPI document at ``/api/v1/openapi.json`` and
committed as ``docs/api/openapi.json``.
"""
