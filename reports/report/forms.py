"""Forms for the board report's text and for issuing it to a meeting."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import forms

from norfolk_connect.forms import TAMPERED, GovukFormMixin, choice_errors, text_errors
from projects.fields import GovukDateField
from projects.models import Meeting, PaperTemplate, Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS, REPORT_TEXT_MAX_LENGTH, REPORT_WORDS
from projects.money.placeholders import placeholder_problems
from projects.money.vocabulary import Resolution
from projects.report_text import report_text_problems

STALE = "This page is out of date: open it again, then make your change"
SECTION_ROWS = {"summary": 3, "alternative_options": 4, "contact_officers": 3}
_SECTION_NUMBER = re.compile(r"([0-9]+)\. ")


def section_name(label: str) -> str:
    """Return how an error names a section: "Section 3" for "3. Risks and Benefits"."""
    number = _SECTION_NUMBER.match(label)
    return f"Section {number.group(1)}" if number else f"The {label.lower()}"


class ReportTextForm(GovukFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ReportText
        fields = ["for_meeting", *REPORT_TEXT_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        # Only the programme's own meetings may be chosen.
        meeting = self.fields["for_meeting"]
        assert isinstance(meeting, forms.ModelChoiceField)
        meetings = Meeting.objects.filter(programme_id=self.instance.programme_id)
        meeting.queryset = meetings.order_by("-date", "-pk")
        meeting.label = "Which meeting is it for?"
        meeting.empty_label = "No meeting recorded yet"
        meeting.help_text = "Meetings are added on the Meetings page. Issuing offers its date."
        meeting.error_messages = choice_errors("Meeting", select="one of the programme's meetings")
        self.fields["version"].error_messages = {
            key: STALE for key in ("required", "invalid", "min_value", "max_value")
        }
        for name, field in self.fields.items():
            if name != "version" and isinstance(field, forms.CharField):
                length = getattr(field, "max_length", None) or REPORT_TEXT_MAX_LENGTH
                subject = str(field.label)
                if isinstance(field.widget, forms.Textarea):
                    subject = section_name(subject)  # "Section 3", not "3. Risks and Benefits"
                field.error_messages = text_errors(subject, max_length=length)
            if isinstance(field.widget, forms.Textarea):
                field.max_length = REPORT_TEXT_MAX_LENGTH
                field.widget.attrs["rows"] = SECTION_ROWS.get(name, 10)
                field.widget.attrs["spellcheck"] = "true"
        self.fields["item_number"].widget.attrs["class"] += " govuk-input--width-10"

    def clean(self):
        cleaned = super().clean()
        for name in REPORT_WORDS:
            text = cleaned.get(name) or ""
            bounds = self.bounds_problems(name, text)
            for problem in bounds:
                self.add_error(name, problem)
            if not bounds:  # placeholders are checked once the text is short enough to read
                for problem in placeholder_problems(text):
                    self.add_error(name, problem)
        return cleaned

    def bounds_problems(self, name: str, text: str) -> list[str]:
        """Return why a section's text is too long or too deeply nested to save, in words."""
        if not isinstance(self.fields[name].widget, forms.Textarea):
            return []
        subject = section_name(str(self.fields[name].label))
        return [f"{subject} {problem}" for problem in report_text_problems(text)]

    def stored_problems(self) -> list[str]:
        """Return why the text as saved cannot be shown as written, for the facilitator to fix."""
        return [
            problem
            for name in REPORT_WORDS
            for problem in self.bounds_problems(name, getattr(self.instance, name) or "")
        ]

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass


class IssueForm(GovukFormMixin, forms.Form):
    meeting_date = GovukDateField(
        label="Date of the meeting",
        subject="Meeting date",
        enter="the date of the meeting",
        help_text="For example, 27 9 2004. The report is issued for this meeting; its date goes "
        "on every page.",
    )
    fingerprint = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            code: TAMPERED for code in ("required", "max_length", "null_characters_not_allowed")
        },
    )


PAPER_HINTS = {
    PaperTemplate.WORKLOAD.value: "Recommends the programme's projects and the partners' "
    "contributions, as the first paper did.",
    PaperTemplate.AUTUMN_REVIEW.value: "Reports the business cases that came back, which phases "
    "proceed, and what the partners are asked for now.",
    PaperTemplate.PROGRESS.value: "Says how the money and the work have gone since the last "
    "meeting.",
}


class PaperForm(GovukFormMixin, forms.Form):
    """A new paper: what kind it is (its first words) and the meeting it goes to."""

    template = forms.ChoiceField(
        label="What kind of paper is it?",
        choices=PaperTemplate.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages=choice_errors("Kind of paper", select="what kind of paper it is"),
    )
    meeting = forms.ModelChoiceField(
        label="Which meeting is it for?",
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="No meeting recorded yet",
        help_text="Meetings are added on the Meetings page.",
        error_messages=choice_errors("Meeting", select="one of the programme's meetings"),
    )

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Meeting.objects.filter(programme=programme).order_by("-date", "-pk")

    def choice_hints(self) -> dict[str, str]:
        return PAPER_HINTS


RESOLUTION_NOTE_MAX = 2000


class DecisionsForm(GovukFormMixin, forms.Form):
    """The resolution and a note on each recommendation of a paper, a radio group each."""

    fingerprint = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            code: TAMPERED for code in ("required", "max_length", "null_characters_not_allowed")
        },
    )

    def __init__(self, *args, rows: Sequence, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = tuple(rows)
        for row in self.rows:
            decision = row.decision
            subject = f"Recommendation {row.number}"
            self.fields[f"resolution_{row.number}"] = forms.ChoiceField(
                label=f"{row.number}. {row.text}",
                choices=Resolution.choices,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
                initial=decision.resolution if decision else None,
                error_messages=choice_errors(
                    subject, select=f"what was decided on {subject.lower()}"
                ),
            )
            self.fields[f"note_{row.number}"] = forms.CharField(
                label=f"Note on recommendation {row.number}",
                required=False,
                max_length=RESOLUTION_NOTE_MAX,
                initial=decision.note if decision else "",
                help_text="Optional: the amendment, or why it was deferred or rejected.",
                widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
                error_messages=text_errors(
                    f"The note on {subject.lower()}", max_length=RESOLUTION_NOTE_MAX
                ),
            )

    def entries(self) -> dict[int, tuple[str, str]]:
        """Return each recommendation's resolution and note, by number, for the service."""
        return {
            row.number: (
                self.cleaned_data[f"resolution_{row.number}"],
                self.cleaned_data.get(f"note_{row.number}", ""),
            )
            for row in self.rows
        }

    def row_fields(self):
        """Yield each recommendation with its radios and note, for the page."""
        for row in self.rows:
            yield row, self[f"resolution_{row.number}"], self[f"note_{row.number}"]
