"""Every message every form of the service can show is written for people, never Django's own.

The test finds every form and formset class in the apps' modules by itself, binds each with
values that break each of its fields in every way a field of its kind can be broken (left
empty, too long, not a number, too small, too large, too many digits or decimal places, not one
of the choices, only spaces, a NUL character, an impossible date...) and reads every message the
form then shows. A message fails when it is, or contains, one of Django's default messages
(collected from Django's own fields, validators, formsets and constraints), or when it breaks
the GOV.UK Design System's rules for error messages (no "valid", no "This field", no "Please",
no full stop at the end, never "None"). A new field added without messages of its own is
therefore caught, as ``test_a_form_with_djangos_messages_is_caught`` shows.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core import validators
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.forms import formsets
from django.test import RequestFactory
from django.utils.functional import Promise

from contributions.agreement_forms import AgreementForm, ConsentForm, MeetingForm
from contributions.agreement_selectors import agreement_form_data
from contributions.call_forms import (
    CallForm,
    ConfirmForm,
    ConfirmingForm,
    PaymentForm,
    RefundForm,
)
from contributions.forms import ContributionForm, PartnerForm, VersionForm
from norfolk_connect.api.forms import TokenForm
from norfolk_connect.forms import SignInForm
from norfolk_connect.notifications.forms import PreferencesForm
from norfolk_connect.notifications.rules import kinds_for_roles
from norfolk_connect.people.forms import AcceptForm, InviteForm, RoleFieldsMixin, RoleForm
from norfolk_connect.twofactor.forms import CodeForm
from projects.delivery_forms import MilestoneForm, StatusForm
from projects.fields import DATE_PARTS, FinancialYearsField, GovukDateField, MoneyField
from projects.filters import ProjectFilter, ProjectFilterForm
from projects.forms import PartnershipForm, ProgrammeCreateForm, ProgrammeSettingsForm
from projects.models import Meeting, Partnership, Programme
from projects.phase_forms import PhaseDecisionForm
from projects.project_forms import (
    MAX_ROWS,
    ROW_KINDS,
    ClaimForm,
    FundingForm,
    PhaseForm,
    PhaseFormSet,
    ProjectForm,
    RowForm,
    RowFormSet,
)
from projects.risk_forms import RiskFilter, RiskFilterForm, RiskForm
from projects.selectors import programme_document
from projects.selectors.spend import project_forecasts
from projects.spend_forms import ForecastsForm, SpendForm
from projects.validators import SlugFormField
from projects.views.project_forms import ProjectDeleteForm
from reports.decisions import DecisionRow
from reports.forms import ScenarioApplyForm, ScenarioForm
from reports.report.forms import DecisionsForm, IssueForm, PaperForm, ReportTextForm
from reports.workbook.forms import ImportForm
from reports.workbook.ledger_forms import LedgerMappingForm, LedgerUploadForm
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import (
    MembershipFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

APPS = ["norfolk_connect", "projects", "contributions", "reports"]
# The admin is Django's own screens for administrators, in Django's own words and look; the
# service's pages never show its forms.
NOT_THE_SERVICES = re.compile(r"(^|\.)(admin|migrations|management|settings|wsgi|asgi)(\.|$)")

# --- Django's own messages ------------------------------------------------------------------

_SENTINEL = 987654


class _Any(dict):
    """Give every parameter a message asks for the same number, to find it again."""

    def __init__(self, value: int) -> None:
        super().__init__()
        self.value = value

    def __missing__(self, key: str) -> int:
        return self.value


def _pattern(template: Any) -> list[re.Pattern]:
    """Return the default message as patterns: each parameter matches any text."""
    patterns = []
    for number in (_SENTINEL, 1):  # 1 gives the singular of a message that has one
        try:
            text = str(template % _Any(number))
        except (TypeError, ValueError, KeyError):
            text = str(template)
        sentinel = str(number) if number != 1 else None
        parts = text.split(sentinel) if sentinel else re.split(r"\b1\b", text)
        if not "".join(parts).strip():
            continue
        patterns.append(re.compile(".+?".join(re.escape(part) for part in parts), re.I))
    return patterns


def _subclasses(base: type) -> Iterator[type]:
    for cls in base.__subclasses__():
        yield cls
        yield from _subclasses(cls)


def django_default_messages() -> list[tuple[str, list[re.Pattern]]]:
    """Collect every message Django writes for a field, validator, formset or constraint."""
    templates: list[Any] = []
    for base in (forms.Field, models.Field):
        for cls in [base, *_subclasses(base)]:
            for klass in cls.__mro__:
                templates.extend(vars(klass).get("default_error_messages", {}).values())
    for value in vars(validators).values():
        if inspect.isclass(value):
            if isinstance(message := vars(value).get("message"), str | Promise):
                templates.append(message)
            if isinstance(messages := vars(value).get("messages"), dict):
                templates.extend(messages.values())
        elif callable(value) and getattr(value, "message", None):
            templates.append(value.message)
    templates.append(validators.ProhibitNullCharactersValidator.message)
    templates.extend(formsets.BaseFormSet.default_error_messages.values())
    templates.extend(auth_forms.AuthenticationForm.error_messages.values())
    templates.append(models.BaseConstraint.default_violation_error_message)
    templates.append(
        "%(model_name)s with this %(field_label)s already exists."
    )  # Model.unique_error_message
    templates.append("%(model_name)s with this %(field_labels)s already exists.")
    found: dict[str, list[re.Pattern]] = {}
    for template in templates:
        text = str(template)
        if text and text not in found:
            found[text] = _pattern(template)
    return list(found.items())


DEFAULTS = django_default_messages()
# The GOV.UK Design System's rules for the words of an error message.
STYLE = [
    (re.compile(r"\bvalid\b", re.I), "says “valid”: say what is wrong instead"),
    (re.compile(r"\bthis field\b", re.I), "says “this field”: name the field"),
    (re.compile(r"\bplease\b", re.I), "says “please”"),
    (re.compile(r"^None\b"), "starts with None"),
    (re.compile(r"\.$"), "ends with a full stop"),
    (re.compile(r"%\(\w+\)"), "has a parameter left unfilled"),
]


def problems_with(message: str) -> list[str]:
    """Return why a message is not one to show people, or nothing."""
    found = []
    for text, patterns in DEFAULTS:
        stripped = text.rstrip(".")
        if message.strip().rstrip(".").lower() == stripped.lower() or any(
            pattern.search(message) for pattern in patterns if len(pattern.pattern) > 12
        ):
            found.append(f"is Django's “{text}”")
            break
    found.extend(reason for pattern, reason in STYLE if pattern.search(message))
    return found


# --- The forms of the service ---------------------------------------------------------------


def service_modules() -> Iterator[Any]:
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if not NOT_THE_SERVICES.search(info.name):
                yield importlib.import_module(info.name)


def discover() -> set[type]:
    """Return every form and formset class the apps declare, or build at import."""
    found: set[type] = set()
    for module in service_modules():
        for value in vars(module).values():
            candidates = value.values() if isinstance(value, dict) else [value]
            for candidate in candidates:
                if (
                    inspect.isclass(candidate)
                    and issubclass(candidate, forms.BaseForm | forms.BaseFormSet)
                    and (
                        candidate.__module__ == module.__name__
                        or candidate.__module__ == "django.forms.formsets"
                    )
                ):
                    found.add(candidate)
    return found


@dataclass
class World:
    """The rows the forms are built against: a programme with a gated phase and partners."""

    programme: Programme
    partnership: Partnership

    @classmethod
    def make(cls) -> World:
        programme = ProgrammeFactory(financial_years=["2004/05"])
        partnership = programme.partnership
        for n in range(2):
            PartnerFactory(partnership=partnership, weight=Decimal(1), population=1000 + n)
        project = ProjectFactory(programme=programme)
        PhaseFactory(project=project, gated=True, number=1)
        MembershipFactory(partnership=partnership)
        return cls(programme=programme, partnership=partnership)

    def phase(self):
        return self.programme.projects.get().phases.get()

    def agreement_rows(self):
        meeting, _ = Meeting.objects.get_or_create(
            programme=self.programme, slug="board-2004-06-18", body="Board", date=date(2004, 6, 18)
        )
        return agreement_form_data(programme=self.programme, meeting=meeting).rows


Builder = Callable[[World, dict, dict], Any]


def _row_formset(kind: str) -> Builder:
    return lambda world, data, files: ROW_KINDS[kind](data)


def _sign_in(world: World, data: dict, files: dict) -> Any:
    return SignInForm(RequestFactory().post("/accounts/login/"), data=data)


BUILDERS: dict[type, Builder | None] = {
    ProgrammeSettingsForm: lambda w, d, f: ProgrammeSettingsForm(d, instance=w.programme),
    PartnershipForm: lambda w, d, f: PartnershipForm(d, instance=w.partnership),
    ProgrammeCreateForm: lambda w, d, f: ProgrammeCreateForm(
        d,
        partnerships=Partnership.objects.filter(pk=w.partnership.pk),
        programmes=Programme.objects.filter(pk=w.programme.pk),
    ),
    PhaseDecisionForm: lambda w, d, f: PhaseDecisionForm(d, phase=w.phase()),
    ProjectForm: lambda w, d, f: ProjectForm(d, programme=w.programme),
    RowForm: None,  # the rows' base: checked as each kind of row
    PhaseForm: lambda w, d, f: PhaseForm(d, row=1),
    FundingForm: lambda w, d, f: FundingForm(d, row=1),
    ClaimForm: lambda w, d, f: ClaimForm(d, row=1),
    RowFormSet: None,  # the formsets' bases: checked as ROW_KINDS' formsets
    PhaseFormSet: None,
    ProjectFilterForm: lambda w, d, f: ProjectFilter(d, partnership=w.partnership).form,
    ProjectDeleteForm: lambda w, d, f: ProjectDeleteForm(d),
    VersionForm: lambda w, d, f: VersionForm(d, instance=w.programme),
    PartnerForm: lambda w, d, f: PartnerForm(d),
    ContributionForm: lambda w, d, f: ContributionForm(d, programme=w.programme),
    MeetingForm: lambda w, d, f: MeetingForm(d),
    AgreementForm: lambda w, d, f: AgreementForm(d, rows=w.agreement_rows()),
    ConsentForm: lambda w, d, f: ConsentForm(d),
    ConfirmingForm: None,  # the base of the forms that ask for confirmation
    CallForm: lambda w, d, f: CallForm(d, programme=w.programme),
    PaymentForm: lambda w, d, f: PaymentForm(d),
    RefundForm: lambda w, d, f: RefundForm(d, programme=w.programme),
    ConfirmForm: lambda w, d, f: ConfirmForm(d),
    PreferencesForm: lambda w, d, f: PreferencesForm(
        d, kinds=kinds_for_roles(["facilitator", "chief_executive"])
    ),
    ScenarioForm: lambda w, d, f: ScenarioForm(
        d, document=programme_document(programme=w.programme)
    ),
    ScenarioApplyForm: lambda w, d, f: ScenarioApplyForm(d),
    ReportTextForm: lambda w, d, f: ReportTextForm(d, instance=_report_text(w)),
    IssueForm: lambda w, d, f: IssueForm(d),
    PaperForm: lambda w, d, f: PaperForm(d, programme=w.programme),
    DecisionsForm: lambda w, d, f: DecisionsForm(d, rows=_recommendations()),
    ImportForm: lambda w, d, f: ImportForm(d, f, may_change_partnership=True),
    LedgerUploadForm: lambda w, d, f: LedgerUploadForm(d, f),
    LedgerMappingForm: lambda w, d, f: LedgerMappingForm(
        d, headings=["Date", "Amount"], header=["Date", "Amount", "Date"]
    ),
    SignInForm: _sign_in,
    CodeForm: lambda w, d, f: CodeForm(d),
    SpendForm: lambda w, d, f: SpendForm(d, project=w.programme.projects.get()),
    ForecastsForm: lambda w, d, f: _forecasts_form(w, d),
    MilestoneForm: lambda w, d, f: MilestoneForm(d, project=w.programme.projects.get()),
    StatusForm: lambda w, d, f: StatusForm(d),
    RiskForm: lambda w, d, f: RiskForm(d, programme=w.programme),
    RiskFilterForm: lambda w, d, f: RiskFilter(d, projects=list(w.programme.projects.all())).form,
    RoleFieldsMixin: None,  # the role and council fields of the two forms below
    InviteForm: lambda w, d, f: InviteForm(d, partnership=w.partnership),
    RoleForm: lambda w, d, f: RoleForm(d, partnership=w.partnership),
    AcceptForm: lambda w, d, f: AcceptForm(d, email="sam@example.com", name="Sam Invited"),
    # A personal access token, made by a facilitator of the partnership (read and write offered).
    TokenForm: lambda w, d, f: TokenForm(d, user=w.partnership.memberships.get().user),
}
for _kind, _formset in ROW_KINDS.items():
    BUILDERS[_formset] = _row_formset(_kind)
# Edit pages build their forms again with an instance: the fields they keep or add then.
EDIT_BUILDERS: dict[type, Builder | None] = {
    ProjectForm: lambda w, d, f: ProjectForm(
        d, programme=w.programme, instance=w.programme.projects.get()
    ),
    PartnerForm: lambda w, d, f: PartnerForm(d, instance=w.partnership.partners.first()),
    CodeForm: lambda w, d, f: CodeForm(d, recovery=False),  # at set-up: the app's code only
    ContributionForm: lambda w, d, f: ContributionForm(
        d, programme=w.programme, instance=ContributionFactory(programme=w.programme)
    ),
}


def _forecasts_form(world: World, data: dict) -> ForecastsForm:
    project = world.programme.projects.get()
    phases, forecasts = project_forecasts(project=project)
    return ForecastsForm(data, project=project, phases=phases, forecasts=forecasts)


def _recommendations():
    """Two recommendations, the second about the contributions, none decided yet."""
    return [
        DecisionRow(number=1, text="The list of projects", contributions=False, decision=None),
        DecisionRow(number=2, text="A contribution", contributions=True, decision=None),
    ]


def _report_text(world: World):
    from projects.models import ReportText

    return ReportText.objects.get_or_create(programme=world.programme)[0]


# --- Breaking each field --------------------------------------------------------------------


def probes(bound_field: forms.Field) -> list[Any]:
    """Return values that break a field of this kind in each way it can be broken."""
    values: list[Any] = ["", " ", "\x00", "x\x00y", "not a value"]
    if isinstance(bound_field, GovukDateField):
        return [
            {},
            {"day": "31", "month": "2", "year": "2004"},
            {"day": "", "month": "2", "year": "2004"},
            {"day": "1", "month": "", "year": ""},
            {"day": "1", "month": "2", "year": "04"},
            {"day": "x", "month": "2", "year": "2004"},
            {"day": "1", "month": "Smarch", "year": "2004"},
            {"day": "1", "month": "13", "year": "2004"},
            {"day": "1", "month": "1", "year": "20040"},
        ]
    if isinstance(bound_field, MoneyField):
        values += ["lots", "-5", "(5)", "1.234", "1" * 13, "9" * 41, "0"]
    if isinstance(bound_field, FinancialYearsField):
        values += ["2004", "2004/06", "2004/05 2004/05", "2004/05, x"]
    if isinstance(bound_field, SlugFormField):
        values += ["Bad Slug", "new", "rows", "x" * 60, "a--b"]
    if isinstance(bound_field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        values += ["1.5", "1e3", "-1", "0", "99999999999999999999", "1.123456789", "\uff11"]
        if bound_field.min_value is not None:
            values.append(str(bound_field.min_value - 1))
        if bound_field.max_value is not None:
            values.append(str(bound_field.max_value + 1))
    if isinstance(bound_field, forms.DecimalField):
        digits = bound_field.max_digits or 10
        places = bound_field.decimal_places or 2
        values += ["9" * (digits + 1), "0." + "1" * (places + 1), "9" * (digits - places + 1)]
    if isinstance(bound_field, forms.ChoiceField | forms.ModelChoiceField):
        values += ["not-a-choice", "999999", "-1"]
    if isinstance(bound_field, forms.EmailField):
        values += ["name@", "@example.com", "name@example", "a" * 250 + "@example.com"]
    if isinstance(bound_field, forms.CharField):
        values += ["two\nlines", "0160", "01603 222222 ext", "+44 (0)1603 222222x"]
    if isinstance(bound_field, forms.CharField) and bound_field.max_length:
        values.append("x" * (bound_field.max_length + 1))
    if isinstance(bound_field, forms.CharField) and not bound_field.max_length:
        values.append("x" * 200_001)
    if isinstance(bound_field, forms.FileField):
        values += [
            SimpleUploadedFile("empty.xlsx", b""),
            SimpleUploadedFile("x" * 300 + ".xlsx", b"data"),
        ]
    return values


def bind(name: str, form_field: forms.Field, value: Any, prefix: str) -> tuple[dict, dict]:
    """Return the data and files a browser would send for this value of the field."""
    key = f"{prefix}-{name}" if prefix else name
    if isinstance(value, dict):  # a date's parts
        return {f"{key}-{part}": value.get(part, "") for part in DATE_PARTS}, {}
    if isinstance(value, SimpleUploadedFile):
        value.seek(0)
        return {}, {key: value}
    if isinstance(form_field, forms.FileField):
        return {key: value}, {}
    return {key: value}, {}


@dataclass
class Checked:
    forms: set[str] = field(default_factory=set)
    fields: set[tuple[str, str]] = field(default_factory=set)
    messages: set[tuple[str, str, str]] = field(default_factory=set)
    failures: set[str] = field(default_factory=set)


def all_messages(built: Any) -> Iterator[tuple[str, str]]:
    """Yield every (field name, message) the form or formset shows."""
    if isinstance(built, forms.BaseFormSet):
        built.is_valid()
        for message in built.non_form_errors():
            yield "(formset)", message
        for form in built.forms:
            yield from all_messages(form)
        return
    built.is_valid()
    for name, messages in built.errors.items():
        for message in messages:
            yield name, message


def _static_messages(form_field: forms.Field) -> Iterator[tuple[str, Any]]:
    """Yield the messages a field declares for what can go wrong with it as it is set up."""
    unused = set()
    if not form_field.required:
        unused.add("required")
    if not isinstance(form_field, forms.DecimalField):
        unused |= {"max_digits", "max_decimal_places", "max_whole_digits"}
    for code, message in form_field.error_messages.items():
        if code not in unused:
            yield code, message
    for validator in form_field.validators:
        code = getattr(validator, "code", None)
        if code and code in form_field.error_messages:
            continue
        if message := getattr(validator, "message", None):
            yield code or type(validator).__name__, message


def check(
    label: str, build: Callable[[dict, dict], Any], checked: Checked, *, formset: bool = False
) -> None:
    """Break every field of the form in every way, and check every message it shows."""
    sample = build({}, {})
    form = sample.empty_form if formset else sample
    prefix = form.prefix or ""
    checked.forms.add(label)

    def judge(field_name: str, message: Any) -> None:
        text = str(message)
        checked.messages.add((label, field_name, text))
        for problem in problems_with(text):
            checked.failures.add(f"{label}.{field_name}: “{text}” {problem}")

    management = {}
    if formset:
        management = {f"{sample.prefix}-TOTAL_FORMS": "1", f"{sample.prefix}-INITIAL_FORMS": "0"}
        prefix = f"{sample.prefix}-0"
        for broken in ({}, {f"{sample.prefix}-TOTAL_FORMS": str(MAX_ROWS + 1),
                           f"{sample.prefix}-INITIAL_FORMS": "0"}):  # fmt: skip
            for name, message in all_messages(build(broken, {})):
                judge(name, message)
    for name, form_field in form.fields.items():
        checked.fields.add((label, name))
        for _code, message in _static_messages(form_field):
            try:
                judge(name, str(message % _Any(5)))  # as shown, its parameters filled in
            except (TypeError, ValueError, KeyError):
                judge(name, str(message))
        for value in probes(form_field):
            data, files = bind(name, form_field, value, prefix)
            for field_name, message in all_messages(build({**management, **data}, files)):
                judge(field_name, message)
    # Left wholly empty, the form and its whole-form checks speak too.
    for field_name, message in all_messages(build(dict(management), {})):
        judge(field_name, message)


def form_label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__name__}"


# --- Tests ----------------------------------------------------------------------------------


def test_every_form_of_the_service_is_checked():
    found = discover()
    missing = sorted(form_label(cls) for cls in found if cls not in BUILDERS)
    assert not missing, f"Say how to build these forms in BUILDERS: {missing}"
    assert {ProjectForm, PartnerForm, IssueForm, SignInForm} <= found


def test_no_form_shows_djangos_words_or_breaks_the_style():
    world = World.make()
    checked = Checked()
    for cls in sorted(discover(), key=form_label):
        formset = issubclass(cls, forms.BaseFormSet)
        for builders in (BUILDERS, EDIT_BUILDERS):
            if (builder := builders.get(cls)) is not None:
                check(
                    form_label(cls),
                    lambda data, files, b=builder: b(world, data, files),
                    checked,
                    formset=formset,
                )
    # A row's messages differ only by the row's number: counted once.
    shapes = {(form, name, re.sub(r"[0-9]+", "#", text)) for form, name, text in checked.messages}
    print(
        f"\nChecked {len(checked.forms)} forms, {len(checked.fields)} fields, "
        f"{len(shapes)} distinct messages against {len(DEFAULTS)} of Django's."
    )
    assert not checked.failures, "\n".join(sorted(checked.failures))
    assert len(checked.forms) >= 20
    assert len(shapes) >= 300


class DjangosWordsForm(forms.Form):
    """A form as Django would write it, with no messages of its own."""

    name = forms.CharField(max_length=10)
    count = forms.IntegerField(min_value=1, max_value=5)
    share = forms.DecimalField(max_digits=4, decimal_places=2)
    colour = forms.ChoiceField(choices=[("red", "Red")])
    slug = forms.SlugField()
    day = forms.DateField()


@pytest.mark.parametrize("field_name", list(DjangosWordsForm.base_fields))
def test_a_form_with_djangos_messages_is_caught(field_name):
    class OneField(forms.Form):
        pass

    OneField.base_fields = {field_name: DjangosWordsForm.base_fields[field_name]}
    checked = Checked()
    check("DjangosWordsForm", lambda data, files: OneField(data, files), checked)
    assert checked.failures, f"Django's messages for {field_name} went unnoticed"


def test_djangos_words_are_recognised_with_their_values_filled_in():
    assert problems_with("This field is required.")
    assert problems_with("Ensure this value is greater than or equal to 1.")
    assert problems_with("Ensure this value has at most 50 characters (it has 51).")
    assert problems_with("Ensure this value has at most 1 character (it has 2).")
    assert problems_with("Select a valid choice. That choice is not one of the available choices.")
    assert problems_with(
        "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."
    )
    assert problems_with("Project with this Programme and Slug already exists.")
    assert problems_with("None: Enter the project's name")
    assert not problems_with("Enter the project's name")
    assert not problems_with("Amount must be £0 or more")
    assert not problems_with("Phase number must be 1 or more")
