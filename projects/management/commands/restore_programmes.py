"""Restore programmes from a backup_programmes directory: all of them or none."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from projects.money.document import ProgrammeDocument
from projects.programme_file import Problem, ProgrammeFileError, parse_programme
from projects.selectors import programme_figures
from projects.services import ProgrammeLoadError, programme_load

from .backup_programmes import BACKUP_FORMAT, MANIFEST, figures_data, sha256_hex

NOTHING_CHANGED = "nothing was changed"


@dataclass(frozen=True)
class BackedUp:
    """One programme of the backup, read and checked against the manifest."""

    slug: str
    file: str
    document: ProgrammeDocument
    figures: dict[str, Any]


class FiguresDifferError(Exception):
    """A restored programme's figures are not those the manifest recorded."""


def read_manifest(directory: Path) -> list[dict[str, Any]]:
    """Return the manifest's programme entries, or stop naming what is wrong with it."""
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError as error:
        raise CommandError(
            f"{directory} holds no {MANIFEST}: it is not a backup made by backup_programmes, "
            "or that backup did not finish"
        ) from error
    except OSError as error:
        raise CommandError(f"{path}: cannot read it ({error.strerror})") from error
    except ValueError as error:
        raise CommandError(f"{path} is not JSON ({error}); {NOTHING_CHANGED}") from error
    if not isinstance(manifest, dict):
        manifest = {}
    entries = manifest.get("programmes")
    if manifest.get("format") != BACKUP_FORMAT or not isinstance(entries, list):
        raise CommandError(f"{path} is not a {BACKUP_FORMAT} manifest; {NOTHING_CHANGED}")
    keys = {"slug", "file", "sha256", "figures"}
    if not all(isinstance(entry, dict) and keys <= entry.keys() for entry in entries):
        raise CommandError(f"{path}: each programme needs {', '.join(sorted(keys))}")
    return entries


def read_programme(directory: Path, entry: dict[str, Any]) -> tuple[BackedUp | None, list[str]]:
    """Read one programme file, checking its hash against the manifest; return its problems."""
    name = str(entry["file"])
    path = directory / name
    if Path(name).name != name:
        return None, [f"{name}: the manifest names a file outside the backup"]
    try:
        content = path.read_bytes()
    except OSError as error:
        return None, [f"{name}: cannot read it ({error.strerror})"]
    if sha256_hex(content) != entry["sha256"]:
        return None, [
            f"{name}: its SHA-256 is not the one in the manifest: the file was changed or "
            "damaged after the backup"
        ]
    try:
        document = parse_programme(content)
    except ProgrammeFileError as error:
        return None, [f"{name}: {problem}" for problem in error.problems]
    if document.programme.slug != entry["slug"]:
        return None, [f"{name} holds '{document.programme.slug}', not '{entry['slug']}'"]
    return BackedUp(entry["slug"], name, document, entry["figures"]), []


def figure_differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Name each figure that differs, with both values."""
    return [
        f"{key}: {expected.get(key)!r} in the manifest, {actual.get(key)!r} restored"
        for key in sorted(expected.keys() | actual.keys())
        if expected.get(key) != actual.get(key)
    ]


class Command(BaseCommand):
    help = (
        "Restore the programmes of a backup_programmes directory, after checking every file "
        "against the manifest: all of them load in one transaction, and their figures must "
        "equal the manifest's, or nothing is changed. A programme already here is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="a directory backup_programmes wrote")
        parser.add_argument(
            "--only",
            action="append",
            metavar="SLUG",
            help="restore only this programme (may be given more than once)",
        )

    def handle(self, *args, directory: Path, only: list[str] | None, **options) -> None:
        entries = read_manifest(directory)
        if only:
            known = {entry["slug"] for entry in entries}
            unknown = sorted(set(only) - known)
            if unknown:
                raise CommandError(
                    f"The backup holds no programme {', '.join(map(repr, unknown))}. "
                    f"It holds: {', '.join(sorted(known)) or 'none'}."
                )
            entries = [entry for entry in entries if entry["slug"] in only]
        programmes, problems = [], []
        for entry in entries:
            programme, found = read_programme(directory, entry)
            problems += found
            if programme is not None:
                programmes.append(programme)
        if problems:
            raise self.refused(directory, problems)
        try:
            self.restore(programmes)
        except ProgrammeLoadError as error:
            raise self.refused(directory, [str(problem) for problem in error.problems]) from error
        except FiguresDifferError as error:
            raise self.refused(directory, str(error).splitlines()) from error
        names = ", ".join(programme.slug for programme in programmes) or "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(programmes)} programme{'' if len(programmes) == 1 else 's'} "
                f"from {directory}, each with the figures of the manifest: {names}."
            )
        )

    @staticmethod
    @transaction.atomic
    def restore(programmes: list[BackedUp]) -> None:
        """Load every programme, then check each one's figures; any failure undoes them all."""
        loaded = []
        for backed_up in programmes:
            try:
                loaded.append(programme_load(document=backed_up.document))
            except ProgrammeLoadError as error:
                raise ProgrammeLoadError(
                    [
                        Problem(f"{backed_up.file}: {problem.path}", problem.message)
                        for problem in error.problems
                    ]
                ) from error
        # After all the loads: a later programme of the same partnership could change partners
        # an earlier one's figures depend on.
        differences = []
        for backed_up, programme in zip(programmes, loaded, strict=True):
            figures = figures_data(programme_figures(programme=programme))
            differences += [
                f"{backed_up.file}: {difference}"
                for difference in figure_differences(backed_up.figures, figures)
            ]
        if differences:
            raise FiguresDifferError("\n".join(differences))

    @staticmethod
    def refused(directory: Path, problems: list[str]) -> CommandError:
        listed = "\n".join(f"  {problem}" for problem in problems)
        return CommandError(f"{directory} was not restored; {NOTHING_CHANGED}:\n{listed}")
