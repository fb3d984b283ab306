"""The report's text and the partners' IEG grants in the programme file: optional keys."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import Partner, Programme, ReportText
from projects.money.document import REPORT_WORDS, PartnerData, ReportTextData
from projects.money.placeholders import placeholder_problems
from projects.programme_file import ProgrammeFileError, dump_programme, parse_programme
from projects.selectors import programme_document
from projects.services import ProgrammeLoadError, programme_copy, programme_load
from tests.conftest import SEED_FILE
from tests.reports.seed import seed_document


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(json.dumps(data))
    return [str(problem) for problem in caught.value.problems]


def test_the_demo_file_carries_the_seeds_report_text(seed_dict):
    report = parse_programme(SEED_FILE.read_bytes()).report
    assert report.meeting == "Norfolk Chief Executives"
    assert report.title == "Norfolk Connect Medium Term Workload"
    assert report.report_by == "Colin Bland, Chief Executive Broadland District Council"
    assert "{cap_per_partner}" in report.recommendations
    assert "{immediate_per_partner}" in report.recommendations
    assert "end {programme_ends}" in report.project_list
    # Every placeholder it uses is one the report knows.
    for key in REPORT_WORDS:
        assert placeholder_problems(seed_dict["report"][key]) == [], key
    # The paper as the board knows it: without the charts appendix.
    assert seed_dict["report"]["include_charts"] is False
    assert report.include_charts is False
    # The seed's own figures are not typed into it: they come from the data.
    assert "£30,000" not in json.dumps(seed_dict["report"], ensure_ascii=False)


def test_a_file_without_the_keys_is_written_without_them():
    document = seed_document()
    dumped = dump_programme(document)
    assert "report" not in dumped
    assert all("ieg_grant" not in partner for partner in dumped["partners"])


def test_the_keys_are_written_when_set_and_read_back():
    document = seed_document()
    document = replace(
        document,
        partners=(
            replace(document.partners[0], ieg_grant=Decimal("500000")),
            *document.partners[1:],
        ),
        report=ReportTextData(title="T", recommendations="Up to {cap_per_partner}."),
    )
    dumped = dump_programme(document)
    assert dumped["partners"][0]["ieg_grant"] == "500000.00"
    assert list(dumped)[-1] == "report"
    assert dumped["report"]["title"] == "T"
    assert parse_programme(json.dumps(dumped)) == replace(
        document,
        partners=(
            replace(document.partners[0], ieg_grant=Decimal("500000.00")),
            *document.partners[1:],
        ),
    )


def test_bad_report_and_ieg_values_are_named_at_their_path(seed_dict):
    seed_dict["report"]["titel"] = "typo"
    seed_dict["report"]["summary"] = 5
    seed_dict["report"]["title"] = "x" * 201
    seed_dict["partners"][0]["ieg_grant"] = "-1.00"
    seed_dict["partners"][1]["ieg_grant"] = "lots"
    assert problems_of(seed_dict) == [
        "partners[0].ieg_grant: must not be negative",
        'partners[1].ieg_grant: must be an amount in pounds such as "15000.00"',
        "report: unknown key 'titel' (did you mean 'title'?)",
        "report.title: must be at most 200 characters long (it has 201)",
        "report.summary: must be a string, not 5",
    ]


def test_a_report_from_before_the_charts_choice_is_read_without_charts(seed_dict):
    del seed_dict["report"]["include_charts"]
    assert parse_programme(json.dumps(seed_dict)).report.include_charts is False


def test_the_charts_choice_is_a_yes_or_no(seed_dict):
    seed_dict["report"]["include_charts"] = "yes"
    assert problems_of(seed_dict) == ["report.include_charts: must be true or false, not 'yes'"]


def test_a_report_that_is_not_an_object_is_refused(seed_dict):
    seed_dict["report"] = "words"
    assert problems_of(seed_dict) == ["report: must be an object, not 'words'"]


# Loading and exporting


@pytest.mark.django_db
def test_loading_stores_the_text_and_exporting_gives_it_back(tmp_path, seed_dict):
    call_command("load_programme", str(SEED_FILE), stdout=StringIO(), stderr=StringIO())
    programme = Programme.objects.get(slug="norfolk-connect-2004")
    text = ReportText.objects.get(programme=programme)
    assert text.title == "Norfolk Connect Medium Term Workload" and text.version == 1
    out = StringIO()
    call_command("export_programme", programme.slug, stdout=out)
    assert json.loads(out.getvalue()) == seed_dict


@pytest.mark.django_db
def test_the_charts_choice_is_stored_and_exported_round_trip(seed_dict):
    seed_dict["report"]["include_charts"] = True
    programme = programme_load(document=parse_programme(json.dumps(seed_dict)))
    assert ReportText.objects.get(programme=programme).include_charts is True
    document = programme_document(programme=programme, include_report=True)
    assert document.report.include_charts is True
    assert dump_programme(document)["report"]["include_charts"] is True
    # Loading the file with the choice taken back changes it, and only it.
    seed_dict["report"]["include_charts"] = False
    programme_load(document=parse_programme(json.dumps(seed_dict)))
    text = ReportText.objects.get(programme=programme)
    assert (text.include_charts, text.version) == (False, 2)


@pytest.mark.django_db
def test_reloading_replaces_the_text_and_keeps_its_history():
    document = parse_programme(SEED_FILE.read_bytes())
    programme = programme_load(document=document)
    programme_load(document=replace(document, report=replace(document.report, title="Again")))
    text = ReportText.objects.get(programme=programme)
    assert (text.title, text.version) == ("Again", 2)
    assert text.history.count() == 2


@pytest.mark.django_db
def test_a_file_without_report_text_keeps_the_stored_text():
    document = parse_programme(SEED_FILE.read_bytes())
    programme = programme_load(document=document)
    programme_load(document=replace(document, report=None))
    assert ReportText.objects.get(programme=programme).title == document.report.title


@pytest.mark.django_db
def test_an_unknown_placeholder_in_a_file_refuses_the_whole_load():
    document = parse_programme(SEED_FILE.read_bytes())
    bad = replace(document, report=replace(document.report, recommendations="Up to {capp}."))
    with pytest.raises(ProgrammeLoadError) as caught:
        programme_load(document=bad)
    assert str(caught.value.problems[0]).startswith(
        "report.recommendations: {capp} is not a placeholder the report knows."
    )


@pytest.mark.django_db
def test_ieg_grants_are_loaded_and_read_back():
    document = seed_document()
    partners = tuple(
        replace(p, ieg_grant=Decimal("500000.00")) if p.slug == "broadland" else p
        for p in document.partners
    )
    programme = programme_load(document=replace(document, partners=partners))
    assert Partner.objects.get(slug="broadland").ieg_grant == Decimal("500000.00")
    read = programme_document(programme=programme)
    assert next(p for p in read.partners if p.slug == "broadland").ieg_grant == Decimal("500000.00")
    assert read.report is None  # only asked for, it costs a query
    assert programme_document(programme=programme, include_report=True).report is None


@pytest.mark.django_db
def test_a_copied_programme_starts_from_the_same_words(django_user_model):
    source = programme_load(document=parse_programme(SEED_FILE.read_bytes()))
    user = django_user_model.objects.create(username="copier")
    copy = programme_copy(
        source=source,
        data={
            "slug": "norfolk-connect-2006",
            "name": "Norfolk Connect 2006",
            "financial_years": ["2006/07"],
            "apportionment": "equal",
        },
        user=user,
    )
    assert ReportText.objects.get(programme=copy).recommendations == (
        ReportText.objects.get(programme=source).recommendations
    )


def test_partner_data_has_no_grant_by_default():
    assert PartnerData(slug="a", name="A").ieg_grant is None
