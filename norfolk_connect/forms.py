"""One way of rendering every form: GOV.UK Frontend markup, with an error summary."""

from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Render forms and fields with the project's GOV.UK templates."""

    form_template_name = "components/forms/form.html"
    field_template_name = "components/forms/field.html"
    formset_template_name = "components/forms/formset.html"


WIDGET_CLASSES = {
    "TextInput": "govuk-input",
    "NumberInput": "govuk-input",
    "EmailInput": "govuk-input",
    "URLInput": "govuk-input",
    "PasswordInput": "govuk-input",
    "DateInput": "govuk-input govuk-input--width-10",
    "Textarea": "govuk-textarea",
    "Select": "govuk-select",
    "CheckboxInput": "govuk-checkboxes__input",
    "ClearableFileInput": "govuk-file-upload",
    "FileInput": "govuk-file-upload",
}


class GovukFormMixin:
    """Give every widget its GOV.UK Frontend class, and mark fields that have errors."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.DateInput):
                # A browser date picker shows only ISO dates, whatever the site's locale.
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            css = WIDGET_CLASSES.get(type(widget).__name__, "")
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{css} {existing}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                base = WIDGET_CLASSES.get(type(widget).__name__, "").split(" ")[0]
                if base and base != "govuk-checkboxes__input":
                    widget.attrs["class"] += f" {base}--error"
