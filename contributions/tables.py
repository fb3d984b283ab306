"""The meetings table and the agreement table, drawn by the shared components/table.html."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from projects.money.formatting import money
from projects.tables import NUMERIC

from .agreement_selectors import AgreementPage, long_date

NOT_SET = format_html(
    '<span aria-hidden="true">&ndash;</span><span class="govuk-visually-hidden">{}</span>', "None"
)


class MeetingTable(tables.Table):
    date = tables.Column(verbose_name="Date", orderable=False)
    body = tables.Column(verbose_name="Body", orderable=False)
    note = tables.Column(verbose_name="Note", orderable=False, default=NOT_SET)
    has_agreement = tables.Column(verbose_name="Agreement", orderable=False)
    actions = tables.Column(verbose_name="Actions", empty_values=(), orderable=False)

    class Meta:
        template_name = "components/table.html"
        empty_text = "No meetings are recorded."

    def __init__(self, *args, programme_slug: str, can_edit: bool, **kwargs) -> None:
        # Read by the shared template components/table.html.
        self.caption = "Meetings of the programme"
        self.caption_class = "govuk-visually-hidden"
        self.row_header = "date"
        self.programme_slug = programme_slug
        if not can_edit:
            kwargs["exclude"] = ("actions",)
        super().__init__(*args, **kwargs)

    def render_date(self, record):
        url = reverse("contributions:agreement", args=[self.programme_slug, record.slug])
        return format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden">, {}</span></a>',
            url,
            long_date(record.date),
            record.body,
        )

    def render_has_agreement(self, value):
        if value:
            return format_html('<strong class="govuk-tag govuk-tag--green">{}</strong>', "Recorded")
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Not recorded")

    def render_actions(self, record):
        args = [self.programme_slug, record.slug]
        name = f"{record.body}, {long_date(record.date)}"
        return format_html(
            '<ul class="govuk-summary-list__actions-list">'
            '<li class="govuk-summary-list__actions-list-item"><a class="govuk-link" href="{}">'
            'Edit<span class="govuk-visually-hidden"> {}</span></a></li>'
            '<li class="govuk-summary-list__actions-list-item"><a class="govuk-link" href="{}">'
            'Delete<span class="govuk-visually-hidden"> {}</span></a></li></ul>',
            reverse("contributions:meeting_update", args=args),
            name,
            reverse("contributions:meeting_delete", args=args),
            name,
        )


def _money_or_none(value):
    return NOT_SET if value is None else money(value)


class AgreementTable(tables.Table):
    """Each council's agreed figures and consent, beside today's computed recommendation."""

    council = tables.Column(
        verbose_name="Council", accessor="partner__name", orderable=False, footer="Total"
    )
    immediate = tables.Column(
        verbose_name="Agreed immediate tranche",
        orderable=False,
        attrs=NUMERIC,
        empty_values=(),
        footer=lambda table: money(table.page_data.immediate_total),
    )
    cap = tables.Column(
        verbose_name="Agreed cap",
        orderable=False,
        attrs=NUMERIC,
        empty_values=(),
        footer=lambda table: money(table.page_data.cap_total),
    )
    consent = tables.Column(verbose_name="Consent", orderable=False)
    proposed_immediate = tables.Column(
        verbose_name="Proposed immediate tranche",
        orderable=False,
        attrs=NUMERIC,
        empty_values=(),
        footer=lambda table: _money_or_none(table.page_data.proposed_immediate_total),
    )
    proposed_cap = tables.Column(
        verbose_name="Proposed cap",
        orderable=False,
        attrs=NUMERIC,
        empty_values=(),
        footer=lambda table: _money_or_none(table.page_data.proposed_cap_total),
    )
    difference = tables.Column(verbose_name="Difference", orderable=False, default="")

    class Meta:
        template_name = "components/table.html"

    def __init__(self, page: AgreementPage, *, programme_slug: str, can_edit: bool) -> None:
        self.caption = "Agreed and proposed contributions, by council"
        self.caption_class = "govuk-table__caption--m"
        self.row_header = "council"
        self.page_data = page
        self.programme_slug = programme_slug
        self.can_edit = can_edit and page.stands
        super().__init__(list(page.rows))

    def render_immediate(self, record):
        return _money_or_none(record.immediate)

    def render_cap(self, record):
        return _money_or_none(record.cap)

    def render_proposed_immediate(self, record):
        return _money_or_none(record.proposed_immediate)

    def render_proposed_cap(self, record):
        return _money_or_none(record.proposed_cap)

    def render_consent(self, record, value):
        if not (self.can_edit and record.part is not None):
            return value
        url = reverse(
            "contributions:consent_update",
            args=[self.programme_slug, self.page_data.meeting.slug, record.partner.slug],
        )
        return format_html(
            '{}<br><a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> of '
            "{}</span></a>",
            value,
            url,
            "Change" if record.part.consent_date else "Record consent",
            record.partner.name,
        )
