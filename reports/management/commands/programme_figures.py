import json
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.management.commands.export_programme import programme_by_slug
from projects.money import figures as registry
from projects.money.figures import Kind, figures_as_json, headline_figures
from projects.money.formatting import money as format_money
from projects.selectors import programme_figures


def money(value: str | None) -> str:
    """Write an amount of the figures' JSON as the board papers do; a missing one as a dash."""
    return "-" if value is None else format_money(Decimal(value))


class Command(BaseCommand):
    help = "Print a programme's figures: a readable table, or with --json the figures object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the programme's slug")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the figures as JSON"
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="YYYY-MM-DD",
            help="the day on which what is overdue is worked out (today when left out)",
        )

    def handle(self, *args, slug: str, as_json: bool, as_of: str | None, **options) -> None:
        day = None
        if as_of is not None:
            try:
                day = date.fromisoformat(as_of)
            except ValueError as error:
                raise CommandError(
                    f"--as-of must be a date such as 2004-12-01, not {as_of!r}"
                ) from error
        figures = figures_as_json(programme_figures(programme=programme_by_slug(slug), as_of=day))
        if as_json:
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
            return
        self.stdout.write(self.table(figures))

    def table(self, figures: dict) -> str:
        """Lay the figures out as plain text."""
        lines = [f"Programme {figures['programme']}", ""]
        for figure in headline_figures():
            value = figures[figure.key]
            shown = str(value) if figure.kind == Kind.COUNT else money(value)

            lines.append(f"{figure.in_table:<42} {shown:>14}")
        # The outcomes on one line, their counts in the registry's order: " 10 / 11 /  5".
        outcomes = figures["outcomes"]
        grades = registry.OUTCOME_FIGURES
        label = f"Outcome claims ({'/'.join(figure.key for figure in grades)})"
        counts = " /".join(
            f"{outcomes[figure.key]:>{4 if place == 0 else 3}}"
            for place, figure in enumerate(grades)
        )
        lines.append(f"{label:<42} {counts}")
        lines.append("")
        if figures["mismatches"]:
            lines.append("Stated figures that do not match the computed ones:")
            for mismatch in figures["mismatches"]:
                difference = Decimal(mismatch["computed"]) - Decimal(mismatch["stated"])
                lines.append(
                    f"  {mismatch['field']}: stated {money(mismatch['stated'])}, "
                    f"computed {money(mismatch['computed'])}, "
                    f"difference {money(f'{difference:.2f}')}"
                )
        else:
            lines.append("Every stated figure matches the computed one.")
        lines.append("")
        columns = registry.PARTNER_FIGURES
        header = f"{'Partner':<26}" + "".join(f"{figure.in_table:>13}" for figure in columns)
        lines.append(header)
        for row in figures["per_partner"]:
            lines.append(
                f"{row['partner']:<26}"
                + "".join(f"{money(row[figure.key]):>13}" for figure in columns)
            )
        return "\n".join(lines)
