"""Read, check and write the programme file (``partnership-programme/1``) without the database.

``parse_programme`` turns a file into a ``ProgrammeDocument`` or raises ``ProgrammeFileError``
listing every problem it found, each at a path such as ``projects[3].phases[0].extra_cost``.
``dump_programme`` writes the canonical form, so that parsing what it wrote gives back the same
document.
"""

from .dumping import dump_programme, dumps_programme
from .parsing import parse_programme
from .problems import Problem, ProgrammeFileError

__all__ = [
    "Problem",
    "ProgrammeFileError",
    "dump_programme",
    "dumps_programme",
    "parse_programme",
]
