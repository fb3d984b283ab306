import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.management.commands.export_programme import programme_by_slug
from projects.money.figures import figures_and_missing_basis
from projects.selectors import programme_document
from reports.workbook.export import write_programme_workbook


class Command(BaseCommand):
    help = (
        "Write a programme as an Excel workbook (.xlsx): projects, phases, funding, outcome "
        "claims, contributions, partners, the partners' shares and the figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the programme's slug")
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help="the workbook file to write"
        )

    def handle(self, *args, slug: str, output: Path, **options) -> None:
        document = programme_document(programme=programme_by_slug(slug))
        figures, missing_basis = figures_and_missing_basis(document)
        # Write beside the target and rename, so a failed write never leaves half a file.
        temporary = None
        try:
            with tempfile.NamedTemporaryFile(
                "wb", dir=output.resolve().parent, delete=False, suffix=".tmp"
            ) as handle:
                temporary = Path(handle.name)
                write_programme_workbook(
                    document=document, figures=figures, stream=handle, missing_basis=missing_basis
                )
            os.replace(temporary, output)
        except OSError as error:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            raise CommandError(f"{output}: cannot write it ({error.strerror})") from error
        self.stderr.write(
            f"Wrote programme '{slug}' to {output}: {len(document.projects)} projects, "
            f"{sum(len(project.funding) for project in document.projects)} funding lines."
        )
