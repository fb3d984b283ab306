"""Forms for a programme's settings and for starting a new programme."""

from __future__ import annotations

from django import forms

from norfolk_connect.forms import HIDDEN_ERRORS, GovukFormMixin, choice_errors, text_errors

from .fields import (
    DATE_HINT,
    FinancialYearsField,
    GovukDateField,
    MoneyField,
    email_field,
    person_name_field,
    telephone_field,
)
from .models import Partnership, Programme
from .rules import NAME_MAX_LENGTH


class PartnershipForm(GovukFormMixin, forms.ModelForm):
    """The contact officer the partnership's papers name.

    The partnership's name and strategy are changed only by those who may change the
    partnership itself (the admin, or a programme file's import by them).
    """

    contact_name = person_name_field(
        "Name",
        subject="Contact officer's name",
        help_text="Usually the partnership facilitator. Papers end with “Contact officer: "
        "name, Partnership Facilitator, telephone …”.",
    )
    contact_telephone = telephone_field("Telephone number", help_text="Such as 01603 222222.")
    contact_email = email_field("Email address", subject="Contact officer's email address")

    # The contact officer's fields, shown together in a fieldset.
    CONTACT = ("contact_name", "contact_telephone", "contact_email")

    class Meta:
        model = Partnership
        fields = ["contact_name", "contact_telephone", "contact_email"]

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass

    @property
    def contact_fields(self) -> list:
        return [self[name] for name in self.CONTACT]


class ProgrammeSettingsForm(GovukFormMixin, forms.ModelForm):
    starts = GovukDateField(label="Start date", subject="Programme start date", required=False)
    ends = GovukDateField(
        label="End date",
        subject="Programme end date",
        required=False,
        help_text=f"{DATE_HINT}. Leave the start and end empty if they are not settled.",
    )
    financial_years = FinancialYearsField(
        help_text="The UK local government years it spans, separated by commas, "
        "such as 2004/05, 2005/06."
    )
    rounding_step = MoneyField(
        required=False,
        subject="Rounding step",
        error_messages={"negative": "Rounding step must be more than £0, or leave it empty"},
        help_text="Each partner's immediate tranche and cap are rounded up to this, such as "
        "£10,000. Leave empty for no rounding.",
    )
    stated_existing_total = MoneyField(
        label="Stated existing resource total",
        required=False,
        help_text="As typed on the paper, so that a mismatch with the computed total shows.",
    )
    stated_extra_total = MoneyField(
        label="Stated extra cost total",
        required=False,
        help_text="As typed on the paper; compared with the computed maximum.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=HIDDEN_ERRORS)

    class Meta:
        model = Programme
        fields = [
            "name",
            "starts",
            "ends",
            "financial_years",
            "apportionment",
            "rounding_step",
            "stated_existing_total",
            "stated_extra_total",
        ]
        error_messages = {
            "name": text_errors(
                "Programme name", enter="the programme's name", max_length=NAME_MAX_LENGTH
            ),
            "apportionment": choice_errors("Apportionment method", select="how costs are shared"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.fields["rounding_step"].widget.attrs["class"] += " govuk-input--width-10"

    def clean_rounding_step(self):
        step = self.cleaned_data["rounding_step"]
        if step is not None and step <= 0:
            raise forms.ValidationError("Rounding step must be more than £0, or leave it empty")
        return step

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and starts > ends:
            self.add_error("ends", "Programme end date must be the same as or after its start date")
        return cleaned

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass


class ProgrammeCreateForm(ProgrammeSettingsForm):
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        empty_label=None,
        error_messages=choice_errors("Partnership", select="the partnership it belongs to"),
    )
    copy_from = forms.ModelChoiceField(
        queryset=Programme.objects.none(),
        required=False,
        label="Copy the projects of",
        empty_label="Nothing: start an empty programme",
        help_text="Projects, phases, funding and outcome claims are copied; contributions "
        "and phase decisions are not.",
        error_messages=choice_errors("Programme to copy", select="a programme to copy"),
    )
    version = None

    field_order = ["partnership", "name", "copy_from"]

    def __init__(self, *args, partnerships, programmes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        self.fields["copy_from"].queryset = programmes
        only = list(partnerships[:2])
        if len(only) == 1:
            self.fields["partnership"].widget = forms.HiddenInput()
            self.initial.setdefault("partnership", only[0].pk)

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("copy_from")
        partnership = cleaned.get("partnership")
        if source and partnership and source.partnership_id != partnership.pk:
            self.add_error("copy_from", "Select a programme of the same partnership to copy")
        return cleaned
