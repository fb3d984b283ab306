"""The form that makes a personal access token, in the service's words."""

from __future__ import annotations

from typing import Any

from django import forms

from norfolk_connect.forms import GovukFormMixin, choice_errors, text_errors
from projects.access import can_change_anything, can_edit
from projects.models import Membership, Partnership

from .models import Scope
from .services import EXPIRY_DAYS

NAME_MAX_LENGTH = 100
READ_WRITE_REFUSED = (
    "Select read only: your role in that partnership can read its data but not change it"
)


class TokenForm(GovukFormMixin, forms.Form):
    """A token's name, partnership, scope and lifetime.

    Only the partnerships the person belongs to are offered; read-and-write only when their
    role in one of them may change some of its data (a partner officer: their own council's
    payments), and refused for a partnership where it may not.
    """

    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        help_text="What the token is for, so that you know it later: the system that uses it.",
        error_messages=text_errors(
            "Name", enter="a name for the token", max_length=NAME_MAX_LENGTH
        ),
    )
    partnership = forms.ModelChoiceField(
        label="Partnership",
        queryset=Partnership.objects.none(),
        empty_label=None,
        error_messages=choice_errors("Partnership"),
    )
    scope = forms.ChoiceField(
        label="What it may do",
        choices=[(Scope.READ.value, "Read only")],
        error_messages=choice_errors("What it may do", select="what the token may do"),
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(days, f"{days} days") for days in EXPIRY_DAYS],
        initial=90,
        error_messages=choice_errors("Expires after", select="when the token expires"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        memberships = list(
            Membership.objects.filter(user=user)
            .select_related("partnership", "partner")
            .order_by("partnership__name")
        )
        self.writer_of = {m.partnership_id for m in memberships if can_change_anything(m)}
        payments_only = [m for m in memberships if can_change_anything(m) and not can_edit(m)]
        partnerships: Any = self.fields["partnership"]
        partnerships.queryset = Partnership.objects.filter(
            pk__in=[m.partnership_id for m in memberships]
        ).order_by("name")
        if self.writer_of:
            scope: Any = self.fields["scope"]
            scope.choices = [*scope.choices, (Scope.READ_WRITE.value, "Read and write")]
            scope.help_text = (
                "Read and write only where your role may change the partnership's data."
            )
            if payments_only:
                councils = ", ".join(m.partner.name for m in payments_only if m.partner)
                scope.help_text += (
                    f" As a partner officer ({councils}), a read-and-write token records only "
                    "payments against your own council's invoices."
                )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name for the token", code="required")
        if "\n" in name or "\r" in name:
            raise forms.ValidationError("Enter the token's name on one line", code="line_break")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        partnership = cleaned.get("partnership")
        if (
            partnership is not None
            and cleaned.get("scope") == Scope.READ_WRITE
            and partnership.pk not in self.writer_of
        ):
            self.add_error("scope", READ_WRITE_REFUSED)
        return cleaned
