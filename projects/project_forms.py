"""The project form and the inline formsets of its phases, funding lines and outcome claims.

The forms read and check what a person typed; the service in projects.services.projects
writes it. A page is one ``ProjectEditor``: the project form plus one formset per kind of row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict

from norfolk_connect.forms import (
    HIDDEN_ERRORS,
    TAMPERED,
    GovukFormMixin,
    choice_errors,
    number_errors,
    text_errors,
)
from projects.models import Partner

from .fields import MoneyField, email_field, person_name_field
from .models import FundingLine, OutcomeClaim, Phase, Programme, Project
from .money.vocabulary import Decision, ProjectStatus
from .rules import CODE_MAX_LENGTH, NAME_MAX_LENGTH, PHASE_NUMBER_MAX, PHASE_NUMBER_MIN
from .services.projects import (
    ROW_FIELDS,
    ProjectRefusal,
    RefusalPath,
    RowChange,
)

MAX_ROWS = 200  # rows of one kind on one page; far more than any project has
TEXT_LIMIT = 5000  # characters in a description, outputs or note
HIDDEN_NUMBER_ERRORS = HIDDEN_ERRORS
# A row's messages name their row, beside the field and in the error summary alike:
# "Enter the name of phase 2". RowForm puts the row's name where a message says ROW.
ROW = "{row}"


def _text_area(subject: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=text_errors(subject, max_length=TEXT_LIMIT),
    )


class ProjectForm(GovukFormMixin, forms.ModelForm):
    """A project's own fields, and the version it was edited from.

    Its slug, which names it in web addresses and the programme file, is made from its name
    when it is added (``project_create``) and stays as it is.
    """

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages=text_errors(
            "Project name", enter="the project's name", max_length=NAME_MAX_LENGTH
        ),
    )
    description = _text_area("Description")
    outputs = _text_area("Outputs")
    lead_partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="None",
        error_messages=choice_errors("Lead partner", select="a lead partner of the partnership"),
    )
    lead_name = person_name_field(
        "Project lead",
        subject="Project lead's name",
        help_text="The officer who leads the project's work.",
    )
    lead_email = email_field("Project lead's email address")
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages=HIDDEN_NUMBER_ERRORS,
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "outputs",
            "external_project",
            "supports_strategy",
            "lead_partner",
            "lead_name",
            "lead_email",
            "status",
        ]
        error_messages = {
            "external_project": text_errors(
                "National or external project", max_length=NAME_MAX_LENGTH
            ),
            "status": choice_errors("Status", select="the project's status"),
        }

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["lead_partner"].queryset = Partner.objects.filter(
            partnership_id=programme.partnership_id
        )
        strategy = programme.partnership.strategy
        self.fields["supports_strategy"].label = (
            f"Supports {strategy}" if strategy else "Supports the partnership's strategy"
        )
        self.fields["supports_strategy"].help_text = ""
        self.fields["status"].help_text = (
            "Money follows the phases' decisions; a withdrawn project's phases must all be "
            "“not proceeding”."
        )
        if self.instance.pk:
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        else:
            del self.fields["version"]

    def _post_clean(self) -> None:
        # The service validates the model; the form only reads and checks the fields.
        pass

    def project_data(self) -> dict[str, Any]:
        """Return the cleaned project fields, without the version."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self._meta.fields and name in self.fields
        }


class RowForm(GovukFormMixin, forms.ModelForm):
    """One row of a formset: knows its place, to label it and to name it in the error summary."""

    noun = "row"
    id = forms.IntegerField(
        label="Row reference",
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
        error_messages=HIDDEN_NUMBER_ERRORS,
    )

    def __init__(self, *args, row: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.row = row
        self.legend = f"{self.noun.capitalize()} {row + 1}" if row is not None else self.noun
        name = f"{self.noun} {row + 1}" if row is not None else f"this {self.noun}"
        for field in self.fields.values():
            field.error_messages = {
                code: message.replace(ROW, name) if isinstance(message, str) else message
                for code, message in field.error_messages.items()
            }

    def _post_clean(self) -> None:
        # The service validates the rows; the form only reads and checks the fields.
        pass


class PhaseForm(RowForm):
    noun = "phase"
    number = forms.IntegerField(
        label="Phase number",
        error_messages=number_errors(
            f"Phase number of {ROW}", minimum=PHASE_NUMBER_MIN, maximum=PHASE_NUMBER_MAX
        ),
        min_value=PHASE_NUMBER_MIN,
        max_value=PHASE_NUMBER_MAX,
        help_text="Such as 1 for the investigation and business case, 2 for implementation.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    extra_cost = MoneyField(
        label="Extra cost",
        subject=f"Extra cost of {ROW}",
        required=False,
        help_text="New money needed from the partners, such as £7,000. Leave empty when the "
        "cost is to be confirmed (TBC).",
    )
    note = _text_area(f"Note on {ROW}")

    def has_changed(self) -> bool:
        """A new row holding only the number it was given is still blank, and is left out."""
        if self.empty_permitted:
            return any(name != "number" for name in self.changed_data)
        return super().has_changed()

    class Meta:
        model = Phase
        fields = list(ROW_FIELDS["phases"])
        help_texts = {"decision": "Record a business case decision with its date on the "
                      "project page."}  # fmt: skip
        error_messages = {
            "name": text_errors(f"Name of {ROW}", max_length=NAME_MAX_LENGTH),
            "gated": {},
            "decision": choice_errors(f"Decision on {ROW}"),
            "borne": choice_errors(f"Cost borne of {ROW}", select=f"who bears the cost of {ROW}"),
        }


class FundingForm(RowForm):
    noun = "funding line"
    amount = MoneyField(label="Amount", subject=f"Amount of {ROW}", help_text="Such as £15,000.")
    note = _text_area(f"Note on {ROW}")

    class Meta:
        model = FundingLine
        fields = list(ROW_FIELDS["funding"])
        help_texts = {"source": "Where the money comes from, such as ODPM grant."}
        error_messages = {
            "source": text_errors(
                f"Source of {ROW}",
                enter=f"where the money of {ROW} comes from",
                max_length=NAME_MAX_LENGTH,
            ),
            "kind": choice_errors(f"Kind of {ROW}"),
            "status": choice_errors(f"Status of {ROW}"),
        }


class ClaimForm(RowForm):
    noun = "outcome claim"

    class Meta:
        model = OutcomeClaim
        fields = list(ROW_FIELDS["claims"])
        error_messages = {
            "grade": choice_errors(f"Grade of {ROW}"),
            "code": text_errors(f"Outcome code of {ROW}", max_length=CODE_MAX_LENGTH),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        grade = self.fields["grade"]
        grade.choices = [("", "Choose a grade"), *grade.choices[1:]]


class RowFormSet(forms.BaseFormSet):
    """Rows of one kind; each row may be removed, and a blank extra row is ignored."""

    kind = ""  # as the row URL names it
    default_prefix = ""  # also the service's keyword for these rows
    add_label = ""
    default_error_messages = {
        "missing_management_form": TAMPERED,
        "too_many_forms": "Enter at most %(num)d rows; save, then add more",
        "too_few_forms": "Enter at least %(num)d rows",
    }

    @classmethod
    def get_default_prefix(cls) -> str:
        return cls.default_prefix

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "row": index}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        delete = form.fields[forms.formsets.DELETION_FIELD_NAME]
        delete.label = f"Remove this {form.noun}"
        delete.widget.attrs["class"] = "govuk-checkboxes__input"

    def blank_form(self, index: int) -> forms.Form:
        """Return the empty row at this index, as "add another" appends it."""
        form = self.form(
            **self.get_form_kwargs(index),
            auto_id=self.auto_id,
            prefix=self.add_prefix(index),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.form_renderer,
        )
        self.add_fields(form, index)
        return form

    @property
    def tampered(self) -> bool:
        """Whether the hidden row counts were missing or nonsense (so no row can be trusted)."""
        if not self.is_bound:
            return False
        management = self.management_form
        if not management.is_valid():
            return True
        total = management.cleaned_data[forms.formsets.TOTAL_FORM_COUNT]
        initial = management.cleaned_data[forms.formsets.INITIAL_FORM_COUNT]
        return total < 0 or initial < 0 or initial > total

    def clean(self) -> None:
        if self.tampered:
            raise ValidationError(TAMPERED)
        # A removed row is not otherwise checked, but its reference must still be readable.
        for form in self.forms:
            if self._should_delete_form(form) and "id" in form.errors:
                raise ValidationError(TAMPERED)

    def kept_forms(self) -> list[forms.Form]:
        """Return the rows that will be saved: not removed, and not a blank extra row."""
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form)
            and not (form.empty_permitted and not form.has_changed())
        ]

    def changes(self) -> tuple[list[RowChange], list[forms.Form]]:
        """Return the rows for the service, and the form each came from (in the same order)."""
        rows: list[RowChange] = []
        sources: list[forms.Form] = []
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            pk = cleaned.get("id")
            if self._should_delete_form(form):
                if pk is not None:
                    rows.append(RowChange(pk=pk, delete=True))
                    sources.append(form)
                continue
            if form.empty_permitted and not form.has_changed():
                continue
            data = {name: cleaned[name] for name in form._meta.fields if name in cleaned}
            rows.append(RowChange(pk=pk, data=data))
            sources.append(form)
        return rows, sources


def next_phase_number(numbers: Iterable[object]) -> int | None:
    """Return the number a new phase is given: 1 for the first, else one more than the highest.

    The numbers are those already on the page, as stored or as typed; any that is not a phase
    number is passed over. None when the highest is already the last number a phase may have:
    the person then types one, and the form checks it as any other.
    """
    used = [number for number in map(_phase_number, numbers) if number is not None]
    number = max(used, default=PHASE_NUMBER_MIN - 1) + 1
    return number if number <= PHASE_NUMBER_MAX else None


def _phase_number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        text = value.strip()
        if len(text) > len(str(PHASE_NUMBER_MAX)):
            return None
        number = int(text)
    else:
        return None
    return number if PHASE_NUMBER_MIN <= number <= PHASE_NUMBER_MAX else None


class PhaseFormSet(RowFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None and not self.is_bound and index >= self.initial_form_count():
            # A new project's first row, say: numbered on from the rows before it.
            numbers = [row.get("number") for row in self.initial or []]
            first = next_phase_number(numbers)
            offset = index - self.initial_form_count()
            if first is not None and first + offset <= PHASE_NUMBER_MAX:
                kwargs["initial"] = {"number": first + offset}
        return kwargs

    def clean(self) -> None:
        super().clean()
        first_row: dict[int, int] = {}
        for form in self.forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            number = form.cleaned_data.get("number")
            if number is None:
                continue
            if number in first_row:
                form.add_error(
                    "number",
                    f"Phase number of phase {form.row + 1} is already used by phase "
                    f"{first_row[number] + 1}; give each phase its own number",
                )
            else:
                first_row[number] = form.row


def _formset(
    form: type[RowForm], *, kind: str, prefix: str, add_label: str, base=RowFormSet
) -> type[RowFormSet]:
    formset = forms.formset_factory(
        form,
        formset=base,
        extra=0,
        can_delete=True,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )
    formset.kind, formset.default_prefix, formset.add_label = kind, prefix, add_label
    return formset


# The formset of each kind of row, by the name the row URL uses for the kind.
ROW_KINDS: dict[str, type[RowFormSet]] = {
    formset.kind: formset
    for formset in [
        _formset(
            PhaseForm,
            kind="phase",
            prefix="phases",
            add_label="Add another phase",
            base=PhaseFormSet,
        ),
        _formset(
            FundingForm, kind="funding", prefix="funding", add_label="Add another funding line"
        ),
        _formset(ClaimForm, kind="claim", prefix="claims", add_label="Add another outcome claim"),
    ]
}


def add_button_name(kind: str) -> str:
    """Name the submit button that adds a row of this kind without JavaScript."""
    return f"add_{kind}"


def blank_row(kind: str, index: int, numbers: Iterable[object] = ()) -> RowForm:
    """Return an empty row of this kind at this index, for htmx to append.

    A phase is numbered on from the phase numbers already on the page.
    """
    form = ROW_KINDS[kind]().blank_form(index)
    if kind == "phase":
        form.initial["number"] = next_phase_number(numbers)
    return form


class ProjectEditor:
    """The whole page: the project form and its formsets, bound, checked and saved together."""

    def __init__(
        self,
        *,
        programme: Programme,
        project: Project | None = None,
        data: QueryDict | None = None,
        rows: dict[str, list[dict]] | None = None,
    ) -> None:
        self.programme = programme
        self.project = project
        self.adding: str | None = None
        if data is not None:
            self.adding = next((kind for kind in ROW_KINDS if add_button_name(kind) in data), None)
            if self.adding:
                data = _with_one_more_row(data, ROW_KINDS[self.adding].default_prefix)
        self.form = ProjectForm(data, programme=programme, instance=project)
        self.formsets: dict[str, RowFormSet] = {}
        for kind, formset_class in ROW_KINDS.items():
            formset = formset_class(data, initial=(rows or {}).get(formset_class.default_prefix))
            if data is None and project is None:
                formset.extra = 1  # a new project starts with one empty row of each kind
            self.formsets[kind] = formset
        self._sources: dict[str, list[forms.Form]] = {}
        # A tampered page is judged, not held: its rows cannot be trusted to be shown again.
        if self.adding and not self.tampered:
            self._hold_errors()

    @property
    def phases(self) -> RowFormSet:
        return self.formsets["phase"]

    @property
    def funding(self) -> RowFormSet:
        return self.formsets["funding"]

    @property
    def claims(self) -> RowFormSet:
        return self.formsets["claim"]

    @property
    def tampered(self) -> bool:
        return any(formset.tampered for formset in self.formsets.values())

    @property
    def has_errors(self) -> bool:
        if not self.form.is_bound:
            return False
        return bool(self.form.errors) or any(
            formset.total_error_count() for formset in self.formsets.values()
        )

    def is_valid(self) -> bool:
        """Check every form and formset, and the rules that span them."""
        # Every part is checked, not only up to the first invalid one, so that the error
        # summary lists every problem at once.
        valid = self.form.is_valid()
        valid = all([formset.is_valid() for formset in self.formsets.values()]) and valid
        status = self.form.cleaned_data.get("status")
        if status == ProjectStatus.WITHDRAWN:
            going_ahead = [
                form
                for form in self.phases.kept_forms()
                if form.cleaned_data.get("decision") != Decision.NOT_PROCEEDING
            ]
            if going_ahead:
                rows = ", ".join(str(form.row + 1) for form in going_ahead)
                self.form.add_error(
                    "status",
                    "A withdrawn project's phases must all be “not proceeding”; change the "
                    f"decision on phase {rows} or choose another status",
                )
                valid = False
        return valid

    def changes(self) -> dict[str, Any]:
        """Return the service's keyword arguments: the project's data and its rows by kind."""
        arguments: dict[str, Any] = {"data": self.form.project_data()}
        for formset in self.formsets.values():
            rows, sources = formset.changes()
            arguments[formset.prefix] = rows
            self._sources[formset.prefix] = sources
        return arguments

    @property
    def expected_version(self) -> int:
        return self.form.cleaned_data["version"]

    def apply_errors(self, error: ValidationError) -> None:
        """Show a service's refusal on the fields and rows it names."""
        if isinstance(error, ProjectRefusal):
            for problem in error.problems:
                self._apply_problem(problem.path, problem.message)
            return
        # A plain ValidationError names the project's own fields, or none.
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            self.form.add_error(key if key in self.form.fields else None, messages)

    def _apply_problem(self, path: RefusalPath, message: str) -> None:
        """Put one message on the row and field its path names, else on the project's form."""
        if len(path) >= 2 and isinstance(path[1], int):
            sources = self._sources.get(str(path[0]))
            if sources is not None and 0 <= path[1] < len(sources):
                form = sources[path[1]]
                name = path[2] if len(path) > 2 else None
                field = name if isinstance(name, str) and name in form.fields else None
                # The service's words name no row: say which, beside the field and in the
                # error summary alike.
                form.add_error(None if field == "id" else field, [f"{form.legend}: {message}"])
                return
        name = path[0] if len(path) == 1 else None
        field = name if isinstance(name, str) and name in self.form.fields else None
        self.form.add_error(field, [message])

    def _hold_errors(self) -> None:
        """Show the entries as typed without judging them: the person is adding a row."""
        for form in [self.form, *(f for fs in self.formsets.values() for f in fs.forms)]:
            form._errors = ErrorDict(renderer=form.renderer)
        for formset in self.formsets.values():
            formset._errors = [form.errors for form in formset.forms]
            formset._non_form_errors = ErrorList(renderer=formset.renderer)


def _with_one_more_row(data: QueryDict, prefix: str) -> QueryDict:
    """Return the submitted data with one more row of the formset counted."""
    data = data.copy()
    key = f"{prefix}-{forms.formsets.TOTAL_FORM_COUNT}"
    total = data.get(key, "")
    # ASCII digits, and few of them: Python refuses to read an integer of over 4,300 digits,
    # and str.isdigit() takes superscripts int() cannot read.
    if total.isascii() and total.isdigit() and len(total) <= 4 and int(total) < MAX_ROWS:
        data[key] = str(int(total) + 1)
        if prefix == ROW_KINDS["phase"].default_prefix:
            number = next_phase_number(
                data.get(f"{prefix}-{row}-number") for row in range(int(total))
            )
            data[f"{prefix}-{total}-number"] = "" if number is None else str(number)
    return data


def project_rows(project: Project) -> dict[str, list[dict]]:
    """Return the project's rows as the formsets' initial data, in three queries."""
    return {
        "phases": [_row_initial(row, "phases") for row in project.phases.all()],
        "funding": [_row_initial(row, "funding") for row in project.funding_lines.all()],
        "claims": [_row_initial(row, "claims") for row in project.outcome_claims.all()],
    }


def _row_initial(row, kind: str) -> dict[str, Any]:
    return {"id": row.pk, **{name: getattr(row, name) for name in ROW_FIELDS[kind]}}
