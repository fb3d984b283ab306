from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.management.commands.export_programme import programme_by_slug
from projects.programme_file import Problem, ProgrammeFileError
from projects.services import (
    ImportConflictError,
    ProgrammeLoadError,
    programme_as_imported,
    programme_import,
    programme_import_check,
    programme_state,
)
from reports.workbook.diffing import ImportPreview, preview_import, withhold_partnership
from reports.workbook.importing import read_upload


class Command(BaseCommand):
    help = (
        "Import a workbook in the layout of export_xlsx (or a programme file) into a programme: "
        "check every row, print what changes, then apply it all in one transaction. A bad file "
        "changes nothing and exits with its problems."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the programme's slug")
        parser.add_argument("file", type=Path, help="the workbook (.xlsx) or programme file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and print the changes; change nothing"
        )
        parser.add_argument(
            "--user", help="the username the changes are recorded under in the history"
        )
        parser.add_argument(
            "--change-partnership",
            action="store_true",
            help="also change the partnership's name and strategy to a programme file's (they "
            "are shared by all its programmes; without this they are left as they are)",
        )

    def handle(
        self,
        *args,
        slug: str,
        file: Path,
        dry_run: bool,
        user,
        change_partnership: bool,
        **options,
    ) -> None:
        programme = programme_by_slug(slug)
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"There is no user '{user}'.")
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read it ({error.strerror})") from error
        current = programme_as_imported(programme=programme)
        try:
            document = read_upload(content, name=file.name, current=current)
        except ProgrammeFileError as error:
            raise self.refusal(file, [str(problem) for problem in error.problems]) from error
        if not change_partnership:
            document, withheld = withhold_partnership(current, document)
            for change in withheld:
                self.stdout.write(
                    f"Not imported (use --change-partnership): {change.field}: {change.old} -> "
                    f"{change.new}"
                )
        problems = programme_import_check(programme=programme, document=document)
        if problems:
            raise self.refusal(file, problems)
        preview = preview_import(current, document)
        self.stdout.write(f"{file} into programme '{slug}': {preview.summary()}.")
        self.write_preview(preview)
        if dry_run or not preview.has_changes:
            self.stdout.write("Nothing was changed." + (" (dry run)" if dry_run else ""))
            return
        try:
            programme_import(
                programme=programme,
                document=document,
                expected_state=programme_state(current),
                user=author,
            )
        except ImportConflictError as error:
            raise CommandError(str(error)) from error
        except ProgrammeLoadError as error:
            raise self.refusal(file, error.problems) from error
        self.stdout.write(self.style.SUCCESS(f"Imported {file}: {preview.summary()}."))

    @staticmethod
    def refusal(file: Path, problems: list[Problem]) -> CommandError:
        listed = "\n".join(f"  {problem}" for problem in problems)
        return CommandError(f"{file} was not imported; nothing was changed:\n{listed}")

    def write_preview(self, preview: ImportPreview) -> None:
        for section in preview.sections:
            if not section.rows:
                continue
            self.stdout.write(f"{section.name}:")
            for row in section.rows:
                self.stdout.write(f"  {row.action}: {row.row}")
                for change in row.changes:
                    self.stdout.write(
                        f"      {change.field}: {change.old or '-'} -> {change.new or '-'}"
                    )
        if preview.figure_changes:
            self.stdout.write("Figures:")
            for change in preview.figure_changes:
                self.stdout.write(f"  {change.field}: {change.old} -> {change.new}")
