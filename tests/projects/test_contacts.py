"""Named people: the contact officer, each council's lead officer and finance contact, each
project's lead. Every way in checks them alike; the papers, pages and invoices name them."""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import replace
from datetime import date
from html import unescape
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from contributions.forms import PartnerForm
from projects.forms import PartnershipForm
from projects.models import Partner, Partnership, Programme, Project, Role
from projects.money.contacts import ContactOfficer
from projects.money.document import FORMAT_1
from projects.money.figures import compute_figures
from projects.money.vocabulary import PaperTemplate
from projects.programme_file import (
    ProgrammeFileError,
    dump_programme,
    dumps_programme,
    parse_programme,
)
from projects.project_forms import ProjectForm
from projects.selectors import programme_document
from projects.selectors.contacts import contact_officer, finance_contact, lead_officer
from projects.services import programme_load
from reports.report.content import board_report_from_document
from reports.report.pdf import render_pdf, report_html
from reports.workbook.export import write_programme_workbook
from reports.workbook.importing import read_workbook
from tests.contributions.money import agreed_programme, raise_call
from tests.projects.factories import MembershipFactory
from tests.projects.test_programme_file import seed_dict

pytestmark = pytest.mark.django_db
DEMO = "norfolk-connect-2004"
LINE = "Contact officer: Tim Anderson, Partnership Facilitator, telephone 01603 224279"
EMAIL = "Enter an email address in the correct format, like name@example.com"


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(json.dumps(data))
    return [str(problem) for problem in caught.value.problems]


def flat(text: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


def with_contacts() -> dict[str, Any]:
    content = seed_dict()
    content["partnership"]["contact_email"] = "tim.anderson@norfolk.gov.uk"
    content["partners"][2].update(
        lead_officer_name="Sam Lead",
        lead_officer_email="sam.lead@broadland.gov.uk",
        finance_contact_name="Fran Finance",
        finance_contact_email="fran.finance@broadland.gov.uk",
    )
    content["projects"][0].update(lead_name="Pat Project", lead_email="pat@example.com")
    return content


# The programme file


def test_the_demo_names_the_seeds_contact_officer_and_no_one_else() -> None:
    document = parse_programme(json.dumps(seed_dict()))
    assert document.partnership.contact_name == "Tim Anderson"
    assert document.partnership.contact_telephone == "01603 224279"
    assert document.partnership.contact_email == ""
    assert all(not p.finance_contact_name and not p.lead_officer_name for p in document.partners)
    assert all(not p.lead_name for p in document.projects)


def test_the_contacts_are_read_and_written_back_in_their_place() -> None:
    document = parse_programme(json.dumps(with_contacts()))
    assert document.partners[2].finance_contact_email == "fran.finance@broadland.gov.uk"
    assert document.projects[0].lead_name == "Pat Project"
    assert parse_programme(dumps_programme(document)) == document
    dumped = dump_programme(document)
    # In the declared order, after the keys the format had; empty ones left out.
    assert list(dumped["partnership"]) == [
        "slug",
        "name",
        "strategy",
        "contact_name",
        "contact_email",
        "contact_telephone",
    ]
    assert list(dumped["partners"][2])[-4:] == [
        "lead_officer_name",
        "lead_officer_email",
        "finance_contact_name",
        "finance_contact_email",
    ]
    assert "lead_officer_name" not in dumped["partners"][0]
    assert "lead_name" not in dumped["projects"][1]


def test_a_format_1_file_may_carry_the_contacts_without_a_new_version() -> None:
    content = with_contacts()
    for key in ("meetings", "agreements", "calls", "refunds", "spend", "forecasts"):
        content.pop(key, None)
    for key in ("milestones", "status_updates", "risks"):
        content.pop(key, None)
    content["format"] = FORMAT_1
    document = parse_programme(json.dumps(content))
    assert document.partnership.contact_email == "tim.anderson@norfolk.gov.uk"
    assert dump_programme(document)["format"] == FORMAT_1


@pytest.mark.parametrize(
    ("where", "key", "value", "message"),
    [
        ("partnership", "contact_name", "Tim\nAnderson", "must be on one line"),
        ("partnership", "contact_name", "   ", "not only spaces"),
        ("partnership", "contact_name", "x" * 201, "at most 200 characters"),
        ("partnership", "contact_email", "tim@", "must be an email address such as"),
        ("partnership", "contact_telephone", "call me", "must be a telephone number such as"),
        ("partnership", "contact_telephone", "0160", "must be a telephone number such as"),
        ("partnership", "contact_telephone", 1603222222, "must be a string"),
        ("partners[2]", "finance_contact_email", "fran at broadland", "must be an email"),
        ("partners[2]", "lead_officer_name", "Sam\r\nLead", "must be on one line"),
        ("partners[2]", "finance_contact_name", "Fran\u2028Finance", "must be on one line"),
        ("projects[0]", "lead_email", "a" * 250 + "@example.com", "at most 254 characters"),
        ("projects[0]", "lead_name", None, "must be a string"),
    ],
)
def test_a_bad_contact_is_refused_at_its_path(where, key, value, message) -> None:
    content = seed_dict()
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", where)
    assert match is not None
    target = content[match.group(1)]
    if match.group(2) is not None:
        target = target[int(match.group(2))]
    target[key] = value
    problems = problems_of(content)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{where}.{key}: "), problems
    assert message in problems[0]


def test_the_file_and_the_forms_take_the_same_telephone_numbers() -> None:
    partnership = Partnership(slug="p", name="P")
    for number, good in (
        ("01603 222222", True),
        ("+44 (0)1603 222222", True),
        ("01603 222222 ext. 123", True),
        ("01603-222-222", True),
        ("phone me", False),
        ("12345", False),
    ):
        content = seed_dict()
        content["partnership"]["contact_telephone"] = number
        form = PartnershipForm({"contact_telephone": number}, instance=partnership)
        assert form.is_valid() is good, number
        if good:
            parse_programme(json.dumps(content))
        else:
            assert problems_of(content)


def test_a_load_then_an_export_gives_the_contacts_back() -> None:
    document = parse_programme(json.dumps(with_contacts()))
    programme = programme_load(document=document)
    again = programme_document(programme=programme, include_papers=True)
    assert again.partnership == document.partnership
    assert again.partners == document.partners
    assert again.projects[0].lead_email == "pat@example.com"
    assert dumps_programme(again) == dumps_programme(document)
    partnership = Partnership.objects.get()
    assert partnership.contact_name == "Tim Anderson"


def test_a_workbook_import_keeps_the_contacts_it_has_no_columns_for() -> None:
    document = parse_programme(json.dumps(with_contacts()))
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=compute_figures(document, date(2004, 12, 1)), stream=stream
    )
    read = read_workbook(stream.getvalue(), current=document)
    assert read.partnership == document.partnership
    assert read.partners[2].finance_contact_name == "Fran Finance"
    assert read.projects[0].lead_name == "Pat Project"
    assert read.partners == document.partners
    assert [p.lead_email for p in read.projects] == [p.lead_email for p in document.projects]


# The selectors


def test_the_selectors_read_the_rows_fields() -> None:
    partnership = Partnership(name="P", contact_name=" Tim Anderson ", contact_telephone="01603")
    assert contact_officer(partnership) == ContactOfficer("Tim Anderson", telephone="01603")
    assert contact_officer(Partnership(name="P")) is None
    partner = Partner(name="Broadland", finance_contact_email="fran@example.com")
    assert finance_contact(partner) == ("", "fran@example.com")
    partner.finance_contact_name = "Fran Finance"
    assert finance_contact(partner) == ("Fran Finance", "fran@example.com")
    assert finance_contact(Partner(name="Breckland")) is None
    assert lead_officer(Partner(name="Breckland")) is None
    officer = ContactOfficer("Tim Anderson", "01603 224279", "tim@example.com")
    assert officer.line == f"{LINE}, email tim@example.com"


# The forms


def test_the_partner_form_checks_its_people(partnership_world) -> None:
    partner = partnership_world
    data = {
        "name": partner.name,
        "contributes": "on",
        "version": partner.version,
        "lead_officer_name": "Sam\nLead",
        "lead_officer_email": "sam@",
        "finance_contact_name": "Fran Finance",
        "finance_contact_email": "fran@example.com",
    }
    form = PartnerForm(data, instance=partner)
    assert not form.is_valid()
    assert form.errors["lead_officer_name"] == [
        "Enter the lead officer's name on one line, without line breaks"
    ]
    assert form.errors["lead_officer_email"] == [EMAIL]
    assert "finance_contact_email" not in form.errors


def test_the_project_form_takes_the_project_lead(partnership_world) -> None:
    programme = Programme.objects.get()
    form = ProjectForm(
        {"name": "Portal", "status": "proposed", "lead_name": "Pat", "lead_email": "pat@"},
        programme=programme,
    )
    assert not form.is_valid()
    assert form.errors["lead_email"] == [EMAIL]


@pytest.fixture
def partnership_world():
    _, partners = agreed_programme(2)
    return partners[0]


def signed_in(client, programme, role=Role.FACILITATOR, partner=None):
    membership = MembershipFactory(partnership=programme.partnership, role=role, partner=partner)
    client.force_login(membership.user)
    return membership


def test_a_partners_people_are_saved_and_shown_on_its_page(client) -> None:
    programme, partners = agreed_programme(2)
    partner = partners[0]
    signed_in(client, programme)
    url = reverse("contributions:partner_update", args=[programme.slug, partner.slug])
    page = client.get(url).content.decode()
    assert "<legend" in page and "Finance contact" in page and "Lead officer" in page
    response = client.post(
        url,
        {
            "name": partner.name,
            "contributes": "on",
            "version": partner.version,
            "lead_officer_name": "Sam Lead",
            "lead_officer_email": "sam@example.com",
            "finance_contact_name": "Fran Finance",
            "finance_contact_email": "fran@example.com",
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert finance_contact(partner) == ("Fran Finance", "fran@example.com")
    page = client.get(reverse("reports:partner", args=[programme.slug, partner.slug]))
    text = page.content.decode()
    assert 'href="mailto:fran@example.com"' in text
    assert 'href="mailto:sam@example.com"' in text
    assert "Sam Lead" in flat(text)


def test_a_bad_email_on_the_partner_form_changes_nothing(client) -> None:
    programme, partners = agreed_programme(1)
    partner = partners[0]
    signed_in(client, programme)
    url = reverse("contributions:partner_update", args=[programme.slug, partner.slug])
    response = client.post(
        url,
        {
            "name": partner.name,
            "contributes": "on",
            "version": partner.version,
            "finance_contact_email": "fran",
        },
    )
    assert response.status_code == 200
    assert EMAIL in flat(response.content.decode())
    partner.refresh_from_db()
    assert partner.finance_contact_email == ""


def test_the_partnership_details_page_saves_the_contact_officer(client) -> None:
    programme, _ = agreed_programme(1)
    signed_in(client, programme)
    home = client.get(reverse("projects:programme_home", args=[programme.slug]))
    url = reverse("projects:partnership_details", args=[programme.slug])
    assert url in home.content.decode()
    bad = client.post(url, {"contact_name": "Tim", "contact_telephone": "ring me"})
    assert bad.status_code == 200
    assert "Enter a telephone number in the correct format" in flat(bad.content.decode())
    response = client.post(
        url,
        {
            "strategy": "Not a field of this page",
            "contact_name": "Tim Anderson",
            "contact_telephone": "01603 224279",
            "contact_email": "tim@example.com",
        },
    )
    assert response.status_code == 302
    partnership = Partnership.objects.get(pk=programme.partnership_id)
    assert (partnership.contact_name, partnership.contact_telephone) == (
        "Tim Anderson",
        "01603 224279",
    )
    assert partnership.strategy != "Not a field of this page"  # the admin's to change


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER])
def test_only_a_facilitator_edits_the_partnership_details(client, role) -> None:
    programme, partners = agreed_programme(1)
    signed_in(client, programme, role, partners[0] if role == Role.PARTNER_OFFICER else None)
    url = reverse("projects:partnership_details", args=[programme.slug])
    assert client.post(url, {"contact_name": "Mallory"}).status_code == 403
    assert Partnership.objects.get(pk=programme.partnership_id).contact_name == ""


def test_the_project_page_shows_its_lead(client) -> None:
    programme, _ = agreed_programme(1)
    project = Project.objects.create(
        programme=programme, slug="portal", name="Portal", lead_name="Pat Project"
    )
    signed_in(client, programme, Role.CHIEF_EXECUTIVE)
    page = client.get(reverse("projects:project_detail", args=[programme.slug, project.slug]))
    assert "Project lead Pat Project" in flat(page.content.decode())


# The papers


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


def test_the_demos_board_report_names_the_contact_officer_once(client, demo) -> None:
    """The seed's section 6 names Tim Anderson in its own words: the line would repeat them."""
    client.force_login(get_user_model().objects.get(username="chief-executive"))
    text = flat(client.get(reverse("report:report", args=[DEMO])).content.decode())
    assert text.count("Tim Anderson") == 1
    assert LINE not in text


def test_a_paper_whose_words_name_someone_else_ends_with_the_contact_officer(demo) -> None:
    Partnership.objects.filter(programmes=demo).update(contact_name="Pat Facilitator")
    document = programme_document(programme=demo, include_report=True)
    report = board_report_from_document(document, on=date(2004, 12, 1))
    text = flat(report_html(report))
    line = "Contact officer: Pat Facilitator, Partnership Facilitator, telephone 01603 224279"
    assert line in text
    # In the seed's section 6, after its own words.
    assert text.index("6. Contact Officers") < text.index("Tim Anderson") < text.index(line)


@pytest.mark.parametrize("template", [PaperTemplate.WORKLOAD, PaperTemplate.PROGRESS])
def test_each_paper_ends_with_the_line_in_html_and_pdf(demo, template) -> None:
    document = programme_document(programme=demo, include_report=True)
    partnership = replace(document.partnership, contact_email="tim@example.com")
    document = replace(document, partnership=partnership)
    # Words without a contact officers section still end with the line, in a section of its own.
    assert document.report is not None
    document = replace(document, report=replace(document.report, contact_officers=""))
    report = board_report_from_document(document, on=date(2004, 12, 1), template=template)
    assert report.sections[-1].key == "contact_officers"
    html = report_html(report)
    assert 'href="mailto:tim@example.com"' in html
    assert f"{LINE}, email tim@example.com" in flat(html)
    reader = PdfReader(io.BytesIO(render_pdf(html)))
    pdf_text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert f"{LINE}, email tim@example.com" in pdf_text


def test_a_paper_without_a_contact_officer_has_no_line(demo) -> None:
    document = programme_document(programme=demo)
    document = replace(document, partnership=replace(document.partnership, contact_name=""))
    report = board_report_from_document(document, on=date(2004, 12, 1))
    assert report.contact is None
    assert "Contact officer:" not in flat(report_html(report))


# Invoices


def test_the_invoices_are_addressed_to_the_finance_contact(client) -> None:
    programme, partners = agreed_programme(2)
    Partner.objects.filter(pk=partners[0].pk).update(
        finance_contact_name="Fran Finance", finance_contact_email="fran@example.com"
    )
    call = raise_call(programme)
    signed_in(client, programme)
    page = client.get(reverse("contributions:call_detail", args=[programme.slug, call.slug]))
    html = page.content.decode()
    text = flat(html)
    assert "Fran Finance, Council 0" in text
    assert 'href="mailto:fran@example.com"' in html
    # Council 1 has no finance contact: the facilitator is told, with the way to add one.
    assert "Add Council 1's finance contact so the invoice can be sent to them" in text
    edit = reverse("contributions:partner_update", args=[programme.slug, partners[1].slug])
    assert edit in html
    assert "Add Council 0's" not in text

    invoice = call.invoices.get(partner=partners[0])
    pdf = client.get(reverse("report:invoice_pdf", args=[programme.slug, invoice.pk]))
    reader = PdfReader(io.BytesIO(pdf.content))
    pdf_text = " ".join(reader.pages[0].extract_text().split())
    assert "To Fran Finance, Council 0 fran@example.com" in pdf_text


def test_a_reader_is_not_warned_about_finance_contacts(client) -> None:
    programme, _ = agreed_programme(1)
    call = raise_call(programme)
    signed_in(client, programme, Role.CHIEF_EXECUTIVE)
    page = client.get(reverse("contributions:call_detail", args=[programme.slug, call.slug]))
    assert "finance contact" not in flat(page.content.decode())


def test_a_finance_contact_without_an_email_is_still_warned_of(client) -> None:
    programme, partners = agreed_programme(1)
    Partner.objects.filter(pk=partners[0].pk).update(finance_contact_name="Fran Finance")
    call = raise_call(programme)
    signed_in(client, programme)
    page = client.get(reverse("contributions:call_detail", args=[programme.slug, call.slug]))
    text = flat(page.content.decode())
    assert "Fran Finance, Council 0" in text
    assert "Add the email address of Council 0's finance contact" in text


def test_seed_dict_is_not_changed_by_the_tests() -> None:
    assert copy.deepcopy(seed_dict())["partnership"]["contact_name"] == "Tim Anderson"


def test_an_import_withholds_the_partnerships_name_but_not_its_contact_officer() -> None:
    from reports.workbook.diffing import preview_import, withhold_partnership

    current = parse_programme(json.dumps(seed_dict()))
    new = replace(
        current,
        partnership=replace(
            current.partnership, name="Another name", contact_telephone="01603 222222"
        ),
    )
    kept, withheld = withhold_partnership(current, new)
    assert [change.field for change in withheld] == ["Partnership name"]
    assert kept.partnership.name == current.partnership.name
    assert kept.partnership.contact_telephone == "01603 222222"
    preview = preview_import(current, kept)
    labels = [
        change.field
        for section in preview.sections
        for row in section.rows
        for change in row.changes
    ]
    assert labels == ["Contact officer's telephone"]


# Measured, the same with 1 or 8 councils: the session, the user, the membership and the
# programme with its partnership; the save adds its transaction and one update of the row.
PARTNERSHIP_PAGE_QUERIES = 4
PARTNERSHIP_SAVE_QUERIES = 7


def test_the_partnership_details_page_costs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
) -> None:
    programme, _ = agreed_programme(8)
    signed_in(client, programme)
    url = reverse("projects:partnership_details", args=[programme.slug])
    with django_assert_max_num_queries(PARTNERSHIP_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(PARTNERSHIP_SAVE_QUERIES):
        assert client.post(url, {"contact_name": "Tim Anderson"}).status_code == 302


@pytest.mark.parametrize("total", ["9" * 4301, "\u00b2"])
def test_adding_a_row_with_an_unreadable_count_is_no_server_error(total) -> None:
    # Found by the fuzzed forms once the project form had its lead: the count of rows sent
    # back is read only when it is a few ASCII digits.
    from django.http import QueryDict

    from projects.project_forms import _with_one_more_row

    data = QueryDict(mutable=True)
    data["phases-TOTAL_FORMS"] = total
    assert _with_one_more_row(data, "phases")["phases-TOTAL_FORMS"] == total
