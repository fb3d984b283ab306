"""Writes: every change to a programme goes through a function here, in one transaction."""

from .loading import ProgrammeLoadError, programme_load
from .programmes import ProgrammeError, programme_copy, programme_create, programme_update

__all__ = [
    "ProgrammeError",
    "ProgrammeLoadError",
    "programme_copy",
    "programme_create",
    "programme_load",
    "programme_update",
]
