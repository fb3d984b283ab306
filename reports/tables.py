"""The papers table, drawn by the shared components/table.html."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from contributions.agreement_selectors import long_date

NUMERIC = {
    "th": {"class": "govuk-table__header--numeric"},
    "td": {"class": "govuk-table__cell--numeric"},
}


class PaperTable(tables.Table):
    title = tables.Column(verbose_name="Paper", orderable=False)
    template = tables.Column(verbose_name="Kind", orderable=False)
    for_meeting = tables.Column(verbose_name="Meeting", orderable=False, empty_values=())
    issue_count = tables.Column(verbose_name="Issued", orderable=False)
    actions = tables.Column(verbose_name="Actions", empty_values=(), orderable=False)

    class Meta:
        template_name = "components/table.html"
        empty_text = "No paper is saved yet."
        attrs = {"id": "papers"}

    def __init__(self, *args, programme_slug: str, can_edit: bool, current, **kwargs) -> None:
        # Read by the shared template components/table.html.
        self.caption = "The programme's papers, oldest first"
        self.caption_class = "govuk-visually-hidden"
        self.row_header = "title"
        self.programme_slug = programme_slug
        self.current = current
        if not can_edit:
            kwargs["exclude"] = ("actions",)
        super().__init__(*args, **kwargs)

    def render_title(self, record):
        url = reverse("report:paper_report", args=[self.programme_slug, record.slug])
        link = format_html(
            '<a class="govuk-link" href="{}">{}</a>', url, record.title or "Untitled paper"
        )
        if record == self.current:
            return format_html(
                '{} <strong class="govuk-tag govuk-tag--blue">{}</strong>', link, "Being prepared"
            )
        return link

    def render_template(self, record):
        return record.get_template_display()

    def render_for_meeting(self, record):
        meeting = record.for_meeting
        if meeting is None:
            return "Not set"
        return f"{meeting.body}, {long_date(meeting.date)}"

    def render_issue_count(self, record):
        if not record.issue_count:
            return "Not yet"
        url = reverse("report:paper_issued_list", args=[self.programme_slug, record.slug])
        times = "1 time" if record.issue_count == 1 else f"{record.issue_count} times"
        return format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> ({})</span>'
            "</a>, last {}",
            url,
            times,
            record.title,
            long_date(timezone.localtime(record.last_issued).date()),
        )

    def render_actions(self, record):
        if record.issue_count:
            return "Kept: issued"
        return format_html(
            '<a class="govuk-link" href="{}">Delete<span class="govuk-visually-hidden"> {}</span>'
            "</a>",
            reverse("report:paper_delete", args=[self.programme_slug, record.slug]),
            record.title,
        )


def long_or_none(day) -> str:
    return long_date(day) if day else "Not set"


class RiskTable(tables.Table):
    """The risk register: one row per risk (projects.selectors.risks.RiskRow)."""

    reference = tables.Column(verbose_name="Reference", accessor="risk__reference", orderable=False)
    description = tables.Column(
        verbose_name="Description", accessor="risk__description", orderable=False
    )
    project = tables.Column(verbose_name="Project", accessor="project_name", orderable=False)
    likelihood = tables.Column(
        verbose_name="Likelihood", accessor="risk__likelihood", orderable=False, attrs=NUMERIC
    )
    impact = tables.Column(
        verbose_name="Impact", accessor="risk__impact", orderable=False, attrs=NUMERIC
    )
    score = tables.Column(verbose_name="Score", empty_values=(), orderable=False)
    owner = tables.Column(
        verbose_name="Owner", accessor="risk__owner", orderable=False, default="Not named"
    )
    status = tables.Column(verbose_name="Status", empty_values=(), orderable=False)
    next_review = tables.Column(verbose_name="Next review", empty_values=(), orderable=False)
    actions = tables.Column(verbose_name="Actions", empty_values=(), orderable=False)

    class Meta:
        template_name = "components/table.html"
        empty_text = "No risk matches."
        attrs = {"id": "risks"}

    def __init__(self, *args, programme_slug: str, can_edit: bool, **kwargs) -> None:
        self.caption = "The programme's risks: open first, highest score first"
        self.caption_class = "govuk-table__caption--m"
        self.row_header = "reference"
        self.programme_slug = programme_slug
        if not can_edit:
            kwargs["exclude"] = ("actions",)
        super().__init__(*args, **kwargs)

    def render_description(self, record):
        if not record.risk.mitigation:
            return record.risk.description
        return format_html(
            '{}<br><span class="govuk-body-s">Mitigation: {}</span>',
            record.risk.description,
            record.risk.mitigation,
        )

    def render_score(self, record):
        return format_html(
            '{} <strong class="govuk-tag {}">{}</strong>',
            record.score,
            record.band_tag,
            record.band_words,
        )

    def render_status(self, record):
        return record.risk.get_status_display()

    def render_next_review(self, record):
        when = long_or_none(record.risk.next_review)
        if record.past_review:
            return format_html(
                '{}<br><strong class="govuk-tag govuk-tag--red">Review overdue</strong>', when
            )
        return when

    def render_actions(self, record):
        risk = record.risk
        return format_html(
            '<a class="govuk-link" href="{}">Change<span class="govuk-visually-hidden"> risk {}'
            '</span></a><br><a class="govuk-link" href="{}">Delete<span '
            'class="govuk-visually-hidden"> risk {}</span></a>',
            reverse("reports:risk_update", args=[self.programme_slug, risk.pk]),
            risk.reference,
            reverse("reports:risk_delete", args=[self.programme_slug, risk.pk]),
            risk.reference,
        )
