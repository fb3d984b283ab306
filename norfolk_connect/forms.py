"""One way of rendering every form: GOV.UK Frontend markup, with an error summary.

And the words of its error messages, as the GOV.UK Design System writes them: "Enter the
project's name", "Amount must be £0 or more", "Select the partner". Every field of the
service's forms says what went wrong in its own words; Django's defaults ("This field is
required.") are never shown, and a test walks every form to keep it so.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
    "Textarea": "govuk-textarea",
    "Select": "govuk-select",
    "CheckboxInput": "govuk-checkboxes__input",
    "ClearableFileInput": "govuk-file-upload",
    "FileInput": "govuk-file-upload",
}

# A hidden value that cannot be wrong unless the page was tampered with or is very old.
TAMPERED = (
    "This form was changed in a way it cannot be read: reload the page and make your changes again"
)


def the(subject: str) -> str:
    """Return how a message names a field after a verb: "Decision date" → "the decision date"."""
    first, _, rest = subject.partition(" ")
    # Keep initialisms as they are: "IEG grant" stays "the IEG grant".
    first = first if first.isupper() and len(first) > 1 else first.lower()
    return f"the {first}{' ' + rest if rest else ''}"


def text_errors(subject: str, *, enter: str | None = None, max_length: int | None = None):
    """Return a text field's messages: "Enter the name", "Name must be 200 characters or less"."""
    messages = {
        "required": f"Enter {enter or the(subject)}",
        "null_characters_not_allowed": f"{subject} must not contain the NUL character (\\u0000)",
    }
    if max_length is not None:
        messages["max_length"] = f"{subject} must be {max_length:,} characters or less"
    return messages


def choice_errors(subject: str, *, select: str | None = None) -> dict[str, str]:
    """Return the messages of a list or radios: "Select the partner"."""
    select = select or the(subject)
    return {
        "required": f"Select {select}",
        "invalid_choice": f"Select {select} from the list",
        "invalid_pk_value": f"Select {select} from the list",
    }


def number_errors(
    subject: str,
    *,
    enter: str | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    whole: bool = True,
) -> dict[str, str]:
    """Return the messages of a number: "Phase number must be 1 or more"."""
    messages = {
        "required": f"Enter {enter or the(subject)}",
        "invalid": f"{subject} must be a {'whole ' if whole else ''}number",
    }
    if minimum is not None:
        messages["min_value"] = f"{subject} must be {minimum:,} or more"
    if maximum is not None:
        messages["max_value"] = f"{subject} must be {maximum:,} or less"
    return messages


HIDDEN_ERRORS = {
    code: TAMPERED
    for code in ("required", "invalid", "min_value", "max_value", "max_length", "invalid_choice")
}


def _not_a_choice(field: forms.ModelChoiceField):
    def refuse_nul(value) -> None:
        if "\x00" in str(value):
            raise forms.ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            )

    return refuse_nul


class GovukFormMixin:
    """Give every widget its GOV.UK Frontend class, and mark fields that have errors."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(field, forms.ModelChoiceField):
                # Django refuses a NUL in a choice in words of its own; it is simply not one
                # of the choices.
                field.validate_no_null_characters = _not_a_choice(field)
            css = WIDGET_CLASSES.get(type(widget).__name__, "")
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{css} {existing}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_errors()

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        if getattr(self, "cleaned_data", None) is not None:
            self._mark_errors()  # a service's refusal, added after the form was checked

    def _mark_errors(self) -> None:
        for name, errors in self.errors.as_data().items():
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if hasattr(widget, "show_errors"):
                widget.show_errors(errors)  # a date input marks only the parts in error
                continue
            base = WIDGET_CLASSES.get(type(widget).__name__, "").split(" ")[0]
            if (
                base
                and base != "govuk-checkboxes__input"
                and "--error" not in widget.attrs["class"]
            ):
                widget.attrs["class"] += f" {base}--error"


class SignInForm(GovukFormMixin, AuthenticationForm):
    """Sign in with a username and password, told what is wrong in the service's words."""

    error_messages = {
        "invalid_login": "Enter a correct username and password; both are case-sensitive",
        "inactive": "This account cannot sign in; ask your partnership's administrator",
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages = {
            **text_errors("Username", enter="your username", max_length=150),
        }
        self.fields["password"].error_messages = {**text_errors("Password", enter="your password")}
        self.fields["username"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-one-half", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs["class"] = "govuk-input govuk-!-width-one-half"

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            # Shown at the username, where the error summary's link goes.
            self.add_error("username", error)
            return self.cleaned_data


class ConfirmingForm(GovukFormMixin, forms.Form):
    """A form whose change may need confirming: it carries the key of what was confirmed."""

    confirmed = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        max_length=64,
        error_messages={**HIDDEN_ERRORS, "null_characters_not_allowed": TAMPERED},
    )
