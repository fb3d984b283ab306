"""The import page's form: one file, a workbook or a programme file."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from norfolk_connect.forms import GovukFormMixin
from projects.programme_file import ProgrammeFileError

from .export import CONTENT_TYPE
from .safety import check_upload_size


class ImportForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Workbook (.xlsx) or programme file (.json)",
        help_text="The programme's workbook after editing it in Excel or LibreOffice, or a "
        "programme file. Nothing changes until you have checked what the import will do.",
        widget=forms.FileInput(attrs={"accept": f".xlsx,.json,{CONTENT_TYPE},application/json"}),
        error_messages={
            "required": "Select a workbook (.xlsx) or programme file (.json) to import",
            "empty": "The selected file is empty",
            "invalid": "Select a workbook (.xlsx) or programme file (.json) to import",
            "missing": "Select a workbook (.xlsx) or programme file (.json) to import",
            "max_length": "The selected file's name must be %(max)d characters or less",
            "contradiction": "Select a file to import, or nothing",
        },
    )

    change_partnership = forms.BooleanField(
        label="Also change the partnership's name and strategy to the file's",
        help_text="They are shared by all the partnership's programmes. Without this, a "
        "programme file's partnership name and strategy are shown but not imported.",
        required=False,
    )

    def __init__(self, *args, may_change_partnership: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offered only to those who may change the partnership itself.
        if not may_change_partnership:
            del self.fields["change_partnership"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload_size(upload.size)
        except ProgrammeFileError as error:
            raise ValidationError(error.problems[0].message) from error
        return upload
