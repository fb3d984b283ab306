"""The preferences form: for each kind of email that concerns the person, how they get it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from norfolk_connect.forms import choice_errors

from . import rules

RADIOS = {"class": "govuk-radios__input"}


class PreferencesForm(forms.Form):
    """A set of radios per kind: each email as it happens, a weekly digest, or none."""

    def __init__(
        self,
        *args: Any,
        kinds: Sequence[str],
        current: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        for kind in kinds:
            label = rules.KIND_LABELS[kind]
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=list(rules.DELIVERY_LABELS.items()),
                initial=current.get(kind, rules.IMMEDIATE),
                widget=forms.RadioSelect(attrs=RADIOS),
                error_messages=choice_errors(
                    label, select=f"how you want emails when {label[0].lower()}{label[1:]}"
                ),
            )
