"""The forms of a ledger import: the file, then which of its columns holds each field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from norfolk_connect.forms import WIDGET_CLASSES, GovukFormMixin
from projects.money.ledger_import import FIELDS, REQUIRED_FIELDS, field_problems
from projects.programme_file import ProgrammeFileError

from .export import CONTENT_TYPE
from .safety import check_upload_size

CHOOSE = "Choose a column"
NOT_IN_FILE = "Not in the file"

HELP = {
    "date": "Dates written as 30/09/2004 or 2004-09-30, or a workbook's dates.",
    "amount": "More than £0, in pounds and pence, such as £1,200.50.",
    "reference": "Such as the invoice or payment number: a line imported twice is recognised "
    "by its reference and amount.",
    "project": "The project's name or its short name (slug), as the programme has it.",
    "phase": "The phase's number, such as 2.",
    "supplier": "Optional.",
    "description": "What the money bought. Optional.",
}


class LedgerUploadForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Ledger export (.csv or .xlsx)",
        help_text="A CSV file saved as CSV UTF-8, or an Excel workbook, with a row of headings "
        "and a row per spend line. Nothing is recorded until you have checked the preview.",
        widget=forms.FileInput(attrs={"accept": f".csv,.xlsx,text/csv,{CONTENT_TYPE}"}),
        error_messages={
            "required": "Select a ledger export (.csv or .xlsx) to import",
            "empty": "The selected file is empty",
            "invalid": "Select a ledger export (.csv or .xlsx) to import",
            "missing": "Select a ledger export (.csv or .xlsx) to import",
            "max_length": "The selected file's name must be %(max)d characters or less",
            "contradiction": "Select a file to import, or nothing",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload_size(upload.size)
        except ProgrammeFileError as error:
            raise ValidationError(error.problems[0].message) from error
        return upload


class LedgerMappingForm(GovukFormMixin, forms.Form):
    """A list per field of a spend line, offering the file's headings."""

    def __init__(self, *args, headings: list[str], header: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        for field, label in FIELDS.items():
            required = field in REQUIRED_FIELDS
            empty = CHOOSE if required else NOT_IN_FILE
            self.fields[field] = forms.ChoiceField(
                label=f"{label} column",
                required=required,
                choices=[("", empty), *((heading, heading) for heading in headings)],
                help_text=HELP[field],
                error_messages={
                    "required": f"Choose the column that holds the {label.lower()}",
                    "invalid_choice": f"Choose the {label.lower()} column from the list",
                },
            )
            self.fields[field].widget.attrs["class"] = WIDGET_CLASSES["Select"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        mapping = self.mapping()
        for field, problem in field_problems(self.header, mapping):
            self.add_error(field, problem)
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {field: self.cleaned_data.get(field) or "" for field in FIELDS}
