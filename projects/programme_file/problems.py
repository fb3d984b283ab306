"""What is wrong with a programme file, each problem at a path inside it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# The path of a problem with the file as a whole rather than with one value in it.
FILE_PATH = "(file)"

# A path's first step: the top-level key it starts at, before any ``.key`` or ``[index]``.
_SECTION = re.compile(r"[^.\[]*")


def path_section(path: str) -> str:
    """Return the top-level key a path starts at: ``projects`` for ``projects[2].slug``."""
    match = _SECTION.match(path)
    assert match is not None  # the pattern matches every string, if only the empty start
    return match.group()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a programme file, at a path such as ``partners[2].slug``."""

    path: str
    message: str

    @property
    def section(self) -> str:
        """Return the top-level key of the file the problem is in, such as ``projects``."""
        return path_section(self.path)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ProgrammeFileError(Exception):
    """Raised when a programme file cannot be read; ``problems`` lists everything wrong."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
