"""The projects table: one row per project with its money, and the filtered set's totals."""

from __future__ import annotations

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from .money.formatting import money
from .money.status import shown_status
from .selectors import TableTotals

MAX_PER_PAGE = 500  # rows on one page of the table, whatever ?per_page= asks for
NUMERIC = {
    "th": {"class": "govuk-table__header--numeric"},
    "td": {"class": "govuk-table__cell--numeric"},
    "tf": {"class": "govuk-table__cell--numeric"},
}


def claims_summary(required: int, good: int, excellent: int) -> str:
    """Say how many outcome claims of each grade there are, as "1 Required, 2 Good"."""
    parts = [
        f"{count} {grade}"
        for count, grade in ((required, "Required"), (good, "Good"), (excellent, "Excellent"))
        if count
    ]
    return ", ".join(parts) or "None"


def _total(name: str):
    """Return a footer that shows one of the table's totals as money."""

    def footer(table) -> str:
        return money(getattr(table.totals, name)) if table.totals else ""

    return footer


class Column(tables.Column):
    """A column sorted by its field, ties kept in the board report's order either way round.

    A fixed tie order also keeps the pages of a sorted table from overlapping.
    """

    def order(self, queryset, is_descending):
        if self.order_by is None:
            return queryset, False
        ordering = []
        for accessor in self.order_by:
            field = F(accessor.bare.replace(".", "__"))
            # Projects without a value go last, then first when reversed, on every database.
            ordering.append(
                field.desc(nulls_first=True) if is_descending else field.asc(nulls_last=True)
            )
        return queryset.order_by(*ordering, "position", "pk"), True


class MoneyColumn(Column):
    """An amount in pounds, right-aligned, shown as the board papers do."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", NUMERIC)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return money(value)


class ProjectTable(tables.Table):
    name = Column(
        verbose_name="Project",
        footer=lambda table: f"Total ({table.totals.projects} projects)" if table.totals else "",
    )
    status = Column(order_by="status")
    lead_partner = Column(verbose_name="Lead partner", order_by="lead_partner__name", default="-")
    existing_resource = MoneyColumn(
        verbose_name="Existing resource",
        order_by="existing_resource",
        footer=_total("existing_resource"),
    )
    extra_min = MoneyColumn(
        verbose_name="Extra cost minimum",
        order_by="extra_min",
        footer=_total("extra_min"),
    )
    extra_max = MoneyColumn(
        verbose_name="Extra cost maximum",
        order_by="extra_max",
        footer=_total("extra_max"),
    )
    tbc_phases = Column(
        verbose_name="Cost to be confirmed",
        order_by="tbc_phases",
        footer=lambda table: (
            f"{table.totals.tbc_phases} phase{'' if table.totals.tbc_phases == 1 else 's'}"
            if table.totals
            else ""
        ),
    )
    outcome_claims = tables.Column(
        verbose_name="Outcome claims",
        accessor="required_claims",
        orderable=False,
        footer=lambda table: (
            claims_summary(
                table.totals.required_claims,
                table.totals.good_claims,
                table.totals.excellent_claims,
            )
            if table.totals
            else ""
        ),
    )

    class Meta:
        template_name = "components/table.html"
        empty_text = "No projects match these filters."

    def __init__(
        self, *args, programme_slug: str, totals: TableTotals | None = None, **kwargs
    ) -> None:
        # Read by the shared template components/table.html.
        self.caption = "Projects"
        self.row_header = "name"
        self.programme_slug = programme_slug
        self.totals = totals
        super().__init__(*args, **kwargs)

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        """Page the rows, keeping a ?per_page= from the URL between 1 and MAX_PER_PAGE."""
        # django-tables2 reads per_page from the URL; a negative one made no page at all (a 500).
        if per_page is not None:
            per_page = min(max(per_page, 1), MAX_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)

    def render_name(self, record, value):
        url = reverse("projects:project_detail", args=[self.programme_slug, record.slug])
        return format_html('<a class="govuk-link" href="{}">{}</a>', url, value)

    def render_status(self, record):
        # Left at "Proposed", a project whose phases have all stopped shows "Not proceeding".
        return shown_status(
            record.status, phases=record.phase_count, stopped=record.stopped_phases
        ).label

    def render_tbc_phases(self, value):
        if not value:
            return "No"
        return format_html(
            '<strong class="govuk-tag govuk-tag--yellow">Cost to be confirmed</strong>'
            '<span class="govuk-visually-hidden"> for {} phase{}</span>',
            value,
            "" if value == 1 else "s",
        )

    def render_outcome_claims(self, record):
        return claims_summary(record.required_claims, record.good_claims, record.excellent_claims)
