"""Writes: endpoints to come."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Writes"])
