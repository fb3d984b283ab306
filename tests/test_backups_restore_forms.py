"""Whatever the forms and the admin accept, the programme file holds: backups always restore.

Each example types values into the real forms (a partnership as the admin takes it, partners,
a new programme and its settings, a project with its rows, contributions) and saves what they
accept through the services. Then every programme's file must read back to the same document,
load back to the same programme, and a backup of them all must restore.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from contributions.forms import ContributionForm, PartnerForm
from contributions.services import contribution_create, partner_create, partner_update
from projects.forms import ProgrammeCreateForm, ProgrammeSettingsForm
from projects.models import Contribution, Membership, Partner, Partnership, Programme, Role
from projects.programme_file import dump_programme, dumps_programme, parse_programme
from projects.project_forms import ProjectEditor
from projects.selectors import programme_document
from projects.services import (
    programme_create,
    programme_load,
    programme_update,
    project_create,
)

pytestmark = pytest.mark.django_db

EXAMPLES = 150  # as the other form fuzzing tests

# Digits and letters of other scripts, which Python's \d and str.isdigit() take as digits.
_FULL_WIDTH = str.maketrans(
    "0123456789,abc",
    "".join(chr(0xFF10 + digit) for digit in range(10)) + "\uff0c\uff41\uff42\uff43",
)
_ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + digit) for digit in range(10)))


def full_width(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def arabic_indic(text: str) -> str:
    return text.translate(_ARABIC_INDIC)


# What people type, the listed oddities always among it.
ODD_SLUGS = [
    "Bad_Slug", "-lead", "a--b", "UPPER", "bad_Slug-X", "lead-", "a b", " spaced ",
    full_width("abc"), "\u00e9-clair", "new", "rows", "x" * 51, "", "under_score", "a\x00b",
    arabic_indic("123"),
]  # fmt: skip
ODD_TEXT = [
    "", " ", "   ", "\t\n", "\u3000", "A\x00B", "x" * 201, " Padded ", "\u00dcn\u00efc\u00f6de",
    "\x01bell", "line\nbreak", "<b>bold</b>", "{cap_per_partner}",
]  # fmt: skip
ODD_YEARS = [
    full_width("2006/07"), "2006/07, " + full_width("2007/08"), "2006/7", "2006/08",
    arabic_indic("2006/07"), "2006/07 2006/07", "", "1999/00", full_width("2006/07,2007/08"),
    "2006-07",
]  # fmt: skip
ODD_AMOUNTS = [
    "", "0", "-0", "\u00a315,000", "(5)", full_width("15"), "15.005", "999999999999.99",
    "1000000000000", "0.01", " 7,000 ",
]  # fmt: skip
ODD_NUMBERS = [
    "", "0", "-1", arabic_indic("1"), "1.0", "124,000", "2147483647", "2147483648", "32767",
    "32768",
]  # fmt: skip
ODD_WEIGHTS = [
    "", "-0", "1e2", "12.5", "100000", "99999.9999", "0.00001", full_width("12"), "NaN", "-1"
]  # fmt: skip
ODD_DATES = [
    "",
    "2004-02-30",
    "0001-01-01",
    "9999-12-31",
    full_width("2004") + "-07-01",
    "01/07/2004",
]


def typed(good: dict, odd: dict) -> st.SearchStrategy[dict[str, str]]:
    """Return a form's entries, well typed but for up to two fields typed oddly.

    Each oddity meets otherwise good entries, so that whenever a form accepts it, it is saved
    and must then back up and restore.
    """

    @st.composite
    def entries(draw) -> dict[str, str]:
        values = draw(st.fixed_dictionaries(good))
        for key in draw(st.lists(st.sampled_from(sorted(odd)), max_size=2, unique=True)):
            values[key] = draw(odd[key])
        return values

    return entries()


def choice(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


good_slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
good_names = st.text(min_size=1, max_size=40).filter(lambda text: text.strip())
good_texts = st.text(max_size=60)
good_years = st.lists(
    st.integers(1990, 2030).map(lambda year: f"{year}/{(year + 1) % 100:02d}"),
    min_size=1,
    max_size=3,
    unique=True,
).map(", ".join)
good_amounts = (
    st.decimals(min_value=0, max_value=10**12 - 1, places=2)
    .map(lambda amount: choice(f"{amount}", f"{amount:,}", f"\u00a3{amount:,}"))
    .flatmap(lambda strategy: strategy)
)
good_counts = st.integers(0, 2**31 - 1).map(str)
good_weights = st.decimals(min_value=0, max_value=Decimal("99999.9999"), places=4).map(str)
early_dates = st.dates(date(1990, 1, 1), date(2009, 12, 31)).map(date.isoformat)
late_dates = st.dates(date(2010, 1, 1), date(2030, 12, 31)).map(date.isoformat)

odd_slugs = st.one_of(st.sampled_from(ODD_SLUGS), st.text(max_size=12))
odd_texts = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=30))
odd_years = st.one_of(st.sampled_from(ODD_YEARS), st.text(max_size=20))
odd_amounts = st.one_of(st.sampled_from(ODD_AMOUNTS), st.text(max_size=15))
odd_counts = st.one_of(st.sampled_from(ODD_NUMBERS), st.integers().map(str))
odd_weights = st.one_of(st.sampled_from(ODD_WEIGHTS), st.decimals().map(str))
odd_dates = st.one_of(st.sampled_from(ODD_DATES), st.dates().map(date.isoformat))

partnership_entries = typed(
    {"slug": good_slugs, "name": good_names, "strategy": good_texts},
    {"slug": odd_slugs, "name": odd_texts, "strategy": odd_texts},
)
partner_entries = typed(
    {
        "name": good_names,
        "slug": good_slugs,
        "contributes": st.just("on"),
        "population": good_counts,
        "weight": good_weights,
        "ieg_grant": good_amounts,
    },
    {
        "name": odd_texts,
        "slug": odd_slugs,
        "contributes": st.just(""),
        "population": odd_counts,
        "weight": odd_weights,
        "ieg_grant": odd_amounts,
    },
)
programme_entries = typed(
    {
        "name": good_names,
        "slug": good_slugs,
        "starts": early_dates,
        "ends": late_dates,
        "financial_years": good_years,
        "apportionment": st.just("equal"),
        "rounding_step": st.decimals(min_value="0.01", max_value=10**6, places=2).map(str),
        "stated_existing_total": good_amounts,
        "stated_extra_total": good_amounts,
    },
    {
        "name": odd_texts,
        "slug": odd_slugs,
        "starts": odd_dates,
        "ends": odd_dates,
        "financial_years": odd_years,
        "apportionment": choice("weights", "population", "other"),
        "rounding_step": odd_amounts,
        "stated_existing_total": odd_amounts,
        "stated_extra_total": odd_amounts,
    },
)
project_entries = typed(
    {
        "name": good_names,
        "slug": good_slugs,
        "description": good_texts,
        "outputs": good_texts,
        "external_project": good_texts,
        "status": choice("proposed", "active", "complete"),
        "phases-0-number": st.integers(1, 50).map(str),
        "phases-0-name": good_names,
        "phases-0-extra_cost": good_amounts,
        "phases-0-decision": choice("pending", "not_proceeding"),
        "phases-0-borne": choice("shared", "individual"),
        "phases-0-note": good_texts,
        "funding-0-source": good_names,
        "funding-0-amount": good_amounts,
        "funding-0-note": good_texts,
        "claims-0-grade": choice("required", "good", "excellent"),
        "claims-0-code": st.one_of(st.just(""), good_names.filter(lambda text: len(text) <= 50)),
    },
    {
        "name": odd_texts,
        "slug": odd_slugs,
        "description": odd_texts,
        "outputs": odd_texts,
        "external_project": odd_texts,
        "status": choice("withdrawn", "other"),
        "phases-0-number": odd_counts,
        "phases-0-name": odd_texts,
        "phases-0-extra_cost": odd_amounts,
        "phases-0-decision": choice("approved", "other"),
        "phases-0-note": odd_texts,
        "funding-0-source": odd_texts,
        "funding-0-amount": odd_amounts,
        "claims-0-grade": choice("", "other"),
        "claims-0-code": odd_texts,
    },
)
contribution_entries = typed(
    {
        "tranche": choice("immediate", "review"),
        "amount": good_amounts,
        "status": st.just("pledged"),
        "pledged_on": early_dates,
        "received_on": late_dates,
        "returned_on": st.just(""),
        "note": good_texts,
    },
    {
        "tranche": choice("other", ""),
        "amount": odd_amounts,
        "status": choice("invoiced", "received", "returned", "other"),
        "pledged_on": odd_dates,
        "received_on": odd_dates,
        "returned_on": odd_dates,
        "note": odd_texts,
    },
)
AdminPartnershipForm = forms.modelform_factory(Partnership, fields=["slug", "name", "strategy"])


def saved(form: forms.BaseForm, save) -> object | None:
    """Save what the form accepts through its service; None when either refuses it."""
    name = type(form).__name__
    if not form.is_valid():
        assert form.errors  # a refusal always says why
        event(f"{name}: refused by the form")
        return None
    try:
        result = save(dict(form.cleaned_data))
    except ValidationError as error:
        assert error.messages
        event(f"{name}: refused by the service")
        return None
    event(f"{name}: saved")
    return result


def project_post(entries: dict[str, str], lead_partner: Partner | None) -> QueryDict:
    """Return the project page's POST: the project, one phase, one funding line, one claim."""
    data = QueryDict(mutable=True)
    for prefix in ("phases", "funding", "claims"):
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update({"funding-0-kind": "local", "funding-0-status": "secured"})
    data.update(entries)
    if lead_partner is not None:
        data["lead_partner"] = str(lead_partner.pk)
    return data


def fill_through_the_forms(
    *,
    partnership_entries,
    partners,
    programme,
    settings_entries,
    project,
    contributions,
    change_entries,
    user,
) -> Partnership:
    """Type every entry into its form and save what is accepted, as a person would."""
    # Partnerships are made in the admin, whose form checks the model's own validators.
    form = AdminPartnershipForm(data=partnership_entries)
    if form.is_valid():
        partnership = form.save()
    else:
        assert form.errors
        partnership = Partnership.objects.create(slug="norfolk", name="Norfolk")
    Membership.objects.create(user=user, partnership=partnership, role=Role.FACILITATOR)
    for entries in partners:
        saved(
            PartnerForm(data=entries),
            lambda data: partner_create(partnership=partnership, data=data, user=user),
        )

    def create(data):
        data.pop("partnership"), data.pop("copy_from")
        return programme_create(partnership=partnership, data=data, user=user)

    created = saved(
        ProgrammeCreateForm(
            data={**programme, "partnership": partnership.pk},
            partnerships=Partnership.objects.filter(pk=partnership.pk),
            programmes=Programme.objects.none(),
        ),
        create,
    )
    if created is None:  # the rest still needs a programme to type into
        created = programme_create(
            partnership=partnership,
            data={
                "name": "Fallback",
                "slug": "fallback",
                "financial_years": ["2004/05"],
                "apportionment": "equal",
            },
            user=user,
        )

    def update(data):
        version = data.pop("version")
        return programme_update(programme=created, data=data, expected_version=version, user=user)

    saved(
        ProgrammeSettingsForm(
            data={**settings_entries, "version": created.version}, instance=created
        ),
        update,
    )
    created.refresh_from_db()
    editor = ProjectEditor(
        programme=created, data=project_post(project, partnership.partners.first())
    )
    if editor.is_valid():
        try:
            project_create(programme=created, **editor.changes(), user=user)
            event("ProjectEditor: saved")
        except ValidationError as error:
            assert error.messages
            event("ProjectEditor: refused by the service")
    else:
        event("ProjectEditor: refused by the form")
    for index, entries in enumerate(contributions):
        partner = partnership.partners.filter(contributes=True).order_by("pk").first()
        years = list(created.financial_years)
        saved(
            ContributionForm(
                data={
                    **entries,
                    "partner": partner.pk if partner else "",
                    "financial_year": years[index % len(years)],
                },
                programme=created,
            ),
            lambda data: contribution_create(programme=created, data=data, user=user),
        )
    # Then a partner is changed, perhaps to stop contributing after it has contributed.
    partner = partnership.partners.order_by("pk").first()
    if partner is not None:

        def change(data):
            version = data.pop("version")
            return partner_update(partner=partner, data=data, expected_version=version, user=user)

        form = PartnerForm(data={**change_entries, "version": partner.version}, instance=partner)
        saved(form, change)
    return partnership


def assert_every_programme_backs_up_and_restores() -> None:
    """Export, read back and load each programme; then back them all up and restore them."""
    files = {}
    for programme in Programme.objects.order_by("slug"):
        document = programme_document(programme=programme, include_report=True)
        text = dumps_programme(document)
        parsed = parse_programme(text)  # raises, listing every problem, if it cannot
        assert dump_programme(parsed) == dump_programme(document)
        loaded = programme_load(document=parsed)
        again = programme_document(programme=loaded, include_report=True)
        assert dump_programme(again) == dump_programme(document)
        files[programme.slug] = text
    with tempfile.TemporaryDirectory() as directory:
        call_command("backup_programmes", directory, stdout=StringIO())
        Contribution.objects.all().delete()
        Programme.objects.all().delete()
        Membership.objects.all().delete()
        Partner.objects.all().delete()
        Partnership.objects.all().delete()
        call_command("restore_programmes", directory, stdout=StringIO())
        assert (Path(directory) / "manifest.json").exists()
    restored = {
        programme.slug: dumps_programme(
            programme_document(programme=programme, include_report=True)
        )
        for programme in Programme.objects.order_by("slug")
    }
    assert restored == files


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    partnership_entries=partnership_entries,
    partners=st.lists(partner_entries, min_size=1, max_size=3),
    programme=programme_entries,
    settings_entries=programme_entries,
    project=project_entries,
    contributions=st.lists(contribution_entries, max_size=2),
    change_entries=partner_entries,
)
def test_whatever_the_forms_accept_backs_up_and_restores(
    db,
    partnership_entries,
    partners,
    programme,
    settings_entries,
    project,
    contributions,
    change_entries,
):
    with transaction.atomic():
        user = get_user_model().objects.create_user("facilitator")
        fill_through_the_forms(
            partnership_entries=partnership_entries,
            partners=partners,
            programme=programme,
            settings_entries=settings_entries,
            project=project,
            contributions=contributions,
            change_entries=change_entries,
            user=user,
        )
        assert_every_programme_backs_up_and_restores()
        transaction.set_rollback(True)


def test_the_admin_partnership_form_takes_only_slugs_the_file_can_hold(db):
    for slug in ["Bad_Slug", "-lead", "a--b", "UPPER", "bad_Slug-X", "x" * 51]:
        form = AdminPartnershipForm(data={"slug": slug, "name": "Norfolk"})
        assert not form.is_valid()
        assert "slug" in form.errors
    form = AdminPartnershipForm(data={"slug": "norfolk", "name": "   "})
    assert not form.is_valid() and "name" in form.errors
    assert AdminPartnershipForm(data={"slug": "norfolk-connect", "name": "Norfolk"}).is_valid()


def test_decimal_weights_and_amounts_round_trip_exactly(db):
    """A weight typed as -0 or 1e2 is stored as a plain number the file can hold."""
    partnership = Partnership.objects.create(slug="norfolk", name="Norfolk")
    for index, typed in enumerate(["-0", "1e2", "0.0001", "99999.9999"]):
        form = PartnerForm(data={"name": f"P{index}", "slug": f"p{index}", "weight": typed})
        assert form.is_valid(), form.errors
        partner_create(partnership=partnership, data=dict(form.cleaned_data), user=None)
    Programme.objects.create(
        partnership=partnership, slug="norfolk-2004", name="N", financial_years=["2004/05"]
    )
    assert_every_programme_backs_up_and_restores()
    assert Decimal(str(Partner.objects.get(slug="p1").weight)) == Decimal("100")
