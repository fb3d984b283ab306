from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.programme_file import ProgrammeFileError, parse_programme
from projects.services import ProgrammeLoadError, programme_load


class Command(BaseCommand):
    help = (
        "Load a programme file (partnership-programme/1), creating the programme or replacing it "
        "whole in one transaction. A bad file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the programme file (JSON)")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read it ({error.strerror})") from error
        try:
            document = parse_programme(raw)
            programme = programme_load(document=document)
        except (ProgrammeFileError, ProgrammeLoadError) as error:
            problems = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"{file} was not loaded; nothing was changed:\n{problems}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded programme '{programme.slug}': {len(document.projects)} projects, "
                f"{len(document.partners)} partners, "
                f"{len(document.contributions)} contributions."
            )
        )
