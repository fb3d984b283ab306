"""The forms of the People pages and of accepting an invitation, in the service's words."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from norfolk_connect.forms import GovukFormMixin, choice_errors, text_errors
from projects.models import Partner, Partnership, Role
from projects.validators import validate_single_line

from .models import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH

USERNAME_MAX_LENGTH = 150
PASSWORD_MAX_LENGTH = 128
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"

ROLE_HINTS = {
    Role.FACILITATOR.value: "Runs the programme: changes its data and invites people.",
    Role.ADMIN.value: "Changes the programme's data, as a facilitator does.",
    Role.CHIEF_EXECUTIVE.value: "Reads everything, starting at the dashboard; changes nothing.",
    Role.PARTNER_OFFICER.value: "Reads their council's page and statement, and the programme; "
    "changes nothing.",
}

# Django's password validators speak in sentences of their own ("This password is too
# common."): the service says what to do instead, in GOV.UK's way.
PASSWORD_MESSAGES = {
    "password_too_short": "Password must be {min_length} characters or more",
    "password_too_similar": "Password must not be like your username, name or email address",
    "password_too_common": "Password is too common: choose one that is harder to guess",
    "password_entirely_numeric": "Password must include a letter or a symbol, not only numbers",
}


def password_messages(error: ValidationError) -> list[str]:
    """Say each of Django's password refusals in the service's words."""
    said = []
    for item in error.error_list:
        template = PASSWORD_MESSAGES.get(item.code or "")
        if template is not None:
            said.append(template.format(**(item.params or {})))
        else:  # a validator added later: its own words, at least without the full stop
            said.append(" ".join(str(message).rstrip(".") for message in item.messages))
    return said


class RoleFieldsMixin(forms.Form):
    """A role, and the council when the role is a partner officer's."""

    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages=choice_errors("Role", select="the role"),
    )
    partner = forms.ModelChoiceField(
        label="Council",
        required=False,
        queryset=Partner.objects.none(),
        empty_label="Select the council",
        help_text="For a partner officer only: the council they work for, whose page they "
        "see first.",
        error_messages=choice_errors("Council", select="the partner officer's council"),
    )
    choice_hints = ROLE_HINTS

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(partnership=partnership).order_by(
            "name"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.PARTNER_OFFICER:
            if not cleaned.get("partner") and "partner" not in self.errors:
                self.add_error("partner", "Select the partner officer's council")
        else:
            cleaned["partner"] = None
        return cleaned


class InviteForm(GovukFormMixin, RoleFieldsMixin):
    name = forms.CharField(
        label="Full name",
        max_length=NAME_MAX_LENGTH,
        validators=[validate_single_line],
        help_text="As it should appear in the email and on the People page.",
        error_messages=text_errors(
            "Full name", enter="the person's full name", max_length=NAME_MAX_LENGTH
        ),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="The invitation link is sent here.",
        error_messages={
            **text_errors(
                "Email address", enter="the person's email address", max_length=EMAIL_MAX_LENGTH
            ),
            "invalid": EMAIL_FORMAT,
        },
    )
    field_order = ["name", "email", "role", "partner"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        days = settings.INVITATION_DAYS
        self.fields[
            "email"
        ].help_text = (
            f"The invitation link is sent here. It works once, for {days} day{'s' * (days != 1)}."
        )


class RoleForm(GovukFormMixin, RoleFieldsMixin):
    """A member's new role: a confirmation page, as the change signs them out."""


class AcceptForm(GovukFormMixin, forms.Form):
    """The invited person's username and password, the password typed twice."""

    username = forms.CharField(
        label="Username",
        max_length=USERNAME_MAX_LENGTH,
        validators=[
            UnicodeUsernameValidator(
                message="Username must contain only letters, numbers and the characters @ . + - _",
            )
        ],
        help_text="You sign in with it. Your email address will do.",
        error_messages=text_errors("Username", enter="a username", max_length=USERNAME_MAX_LENGTH),
    )
    password1 = forms.CharField(
        label="Password",
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only numbers, and not a common password.",
        error_messages=text_errors("Password", enter="a password", max_length=PASSWORD_MAX_LENGTH),
    )
    password2 = forms.CharField(
        label="Confirm password",
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages=text_errors(
            "Confirm password", enter="the password again", max_length=PASSWORD_MAX_LENGTH
        ),
    )

    def __init__(self, *args, email: str, name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.name = name
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Passwords do not match: type the same password twice")
        elif first:
            user = get_user_model()(
                username=cleaned.get("username") or self.email,
                email=self.email,
                first_name=self.name,
            )
            try:
                password_validation.validate_password(first, user)
            except ValidationError as error:
                for message in password_messages(error):
                    self.add_error("password1", message)
        return cleaned
