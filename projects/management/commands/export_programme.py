import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.models import Programme
from projects.programme_file import dumps_programme
from projects.selectors import programme_document


def programme_by_slug(slug: str) -> Programme:
    """Return the programme with this slug, or stop the command naming the known ones."""
    programme = Programme.objects.select_related("partnership").filter(slug=slug).first()
    if programme is None:
        known = ", ".join(Programme.objects.values_list("slug", flat=True)) or "none"
        raise CommandError(f"There is no programme '{slug}'. Known programmes: {known}.")
    return programme


class Command(BaseCommand):
    help = "Write a programme as a programme file (partnership-programme/1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the programme's slug")
        parser.add_argument(
            "-o", "--output", type=Path, help="write to this file instead of standard output"
        )

    def handle(self, *args, slug: str, output: Path | None, **options) -> None:
        text = dumps_programme(
            programme_document(programme=programme_by_slug(slug), include_papers=True)
        )
        if output is None:
            self.stdout.write(text, ending="")
            return
        # Write beside the target and rename, so a failed write never leaves half a file.
        directory = output.resolve().parent
        temporary = None
        try:
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=directory, delete=False, suffix=".tmp"
            ) as handle:
                temporary = Path(handle.name)
                handle.write(text)
            os.replace(temporary, output)
        except OSError as error:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            raise CommandError(f"{output}: cannot write it ({error.strerror})") from error
        self.stderr.write(f"Wrote programme '{slug}' to {output}.")
