"""The forms of two-factor sign-in: a code, and a confirmation."""

from __future__ import annotations

from django import forms

from norfolk_connect.forms import GovukFormMixin

from . import services

MAX_CODE_LENGTH = 40


class CodeForm(GovukFormMixin, forms.Form):
    """A code from the authenticator app or, where ``recovery`` is allowed, a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=MAX_CODE_LENGTH,
        strip=True,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter a code of 6 digits",
            "null_characters_not_allowed": "Enter a code of 6 digits",
        },
    )

    def __init__(self, *args, recovery: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        field = self.fields["code"]
        field.widget.attrs.update(
            {
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        )
        if recovery:
            field.help_text = (
                "The 6-digit code your authenticator app shows now, or one of your recovery codes"
            )
            field.error_messages["max_length"] = "Enter a code of 6 digits, or a recovery code"
        else:
            field.help_text = "The 6-digit code your authenticator app shows now"
            field.widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        code = services.normalised(self.cleaned_data["code"])
        if services.is_totp_code(code) or (self.recovery and services.is_recovery_code(code)):
            return code
        if self.recovery:
            raise forms.ValidationError(
                "Enter a code of 6 digits, or a recovery code of 12 letters and numbers",
                code="format",
            )
        raise forms.ValidationError("Enter a code of 6 digits", code="format")

    def refuse(self) -> None:
        """Say that the code is well formed but not right (a service's refusal)."""
        self.add_error(
            "code",
            forms.ValidationError(
                "That code is wrong or has expired: enter the code your app shows now",
                code="wrong",
            ),
        )
