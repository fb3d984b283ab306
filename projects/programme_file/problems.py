"""What is wrong with a programme file, each problem at a path inside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The path of a problem with the file as a whole rather than with one value in it.
FILE_PATH = "(file)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a programme file, at a path such as ``partners[2].slug``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ProgrammeFileError(Exception):
    """Raised when a programme file cannot be read; ``problems`` lists everything wrong."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
