"""Forms for a programme's meetings, the agreement of a meeting and each council's consent."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from norfolk_connect.forms import WIDGET_CLASSES, GovukFormMixin, text_errors
from projects.fields import GovukDateField, MoneyField
from projects.rules import NAME_MAX_LENGTH

from .agreement_selectors import AgreementFormRow
from .agreements import AgreedFigures, agreement_field

MAX_NOTE = 2000


class MeetingForm(GovukFormMixin, forms.Form):
    """A meeting's body, date and note; its slug is made from the body and date."""

    body = forms.CharField(
        label="Body",
        max_length=NAME_MAX_LENGTH,
        help_text="The body that met, such as Norfolk Chief Executives.",
        error_messages=text_errors("Body", enter="the body that met", max_length=NAME_MAX_LENGTH),
    )
    date = GovukDateField(label="Date of the meeting")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=MAX_NOTE,
        help_text="Optional: the item number, or anything else to remember about it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=text_errors("Note", max_length=MAX_NOTE),
    )


class AgreementForm(GovukFormMixin, forms.Form):
    """Each partner's agreed immediate tranche and cap: two amounts a row."""

    def __init__(self, *args, rows: Sequence[AgreementFormRow], **kwargs) -> None:
        initial = kwargs.pop("initial", None) or {}
        for row in rows:
            slug = row.partner.slug
            initial.setdefault(agreement_field(slug, "immediate"), row.immediate)
            initial.setdefault(agreement_field(slug, "cap"), row.cap)
        super().__init__(*args, initial=initial, **kwargs)
        self.rows = tuple(rows)
        for row in rows:
            name = row.partner.name
            for figure, words in (("immediate", "immediate tranche"), ("cap", "cap")):
                self.fields[agreement_field(row.partner.slug, figure)] = MoneyField(
                    label=f"{name}'s {words}",
                    subject=f"{name}'s {words}",
                    enter=f"{name}'s {words}",
                )
        for field in self.fields.values():  # added after the mixin gave the others theirs
            css = WIDGET_CLASSES.get(type(field.widget).__name__, "")
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()

    def row_fields(self):
        """Yield each row with its two bound fields and their columns' headings, for the page."""
        for row in self.rows:
            slug = row.partner.slug
            yield (
                row,
                (
                    ("Immediate tranche", self[agreement_field(slug, "immediate")]),
                    ("Cap", self[agreement_field(slug, "cap")]),
                ),
            )

    def agreed(self) -> list[AgreedFigures]:
        """Return the figures entered, one per partner, for the service."""
        return [
            AgreedFigures(
                partner=row.partner,
                immediate=self.cleaned_data.get(agreement_field(row.partner.slug, "immediate")),
                cap=self.cleaned_data.get(agreement_field(row.partner.slug, "cap")),
            )
            for row in self.rows
        ]


class ConsentForm(GovukFormMixin, forms.Form):
    """The date and reference of a council's own decision to pay its share."""

    consent_date = GovukDateField(
        label="Date of the council's decision",
        subject="Date of the council's decision",
        enter="the date of the council's decision",
        required=False,
        required_when="a reference is given",
        help_text="For example, 5 7 2004. Leave it empty, with the reference, if no decision "
        "is recorded yet.",
    )
    consent_reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text="The decision, such as Cabinet 5 July 2004 or a delegated decision's number.",
        error_messages=text_errors("Reference", max_length=NAME_MAX_LENGTH),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            "consent_date" not in self.errors
            and not cleaned.get("consent_date")
            and (cleaned.get("consent_reference") or "").strip()
        ):
            self.add_error(
                "consent_date",
                "Enter the date of the council's decision, because a reference is given",
            )
        return cleaned
