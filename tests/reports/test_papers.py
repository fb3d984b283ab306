"""Papers: a board report for each meeting, each with its own words, issues and changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from projects.models import BoardDecision, Meeting, PaperTemplate, Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS
from projects.selectors import programme_document
from projects.services import programme_load
from projects.services.import_plan import programme_import_plan
from projects.services.loading import programme_import_write
from reports.models import IssuedReport
from reports.report.selectors import board_report, paper_for, report_fingerprint
from reports.services import paper_create, report_issue
from tests.dates import date_parts
from tests.projects.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
JUNE = date(2004, 6, 18)
OCTOBER = date(2004, 10, 14)


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


def user(username: str = "facilitator"):
    return get_user_model().objects.get(username=username)


def signed_in(client, username: str = "facilitator"):
    client.force_login(user(username))
    return client


def meeting(programme: Programme, day: date) -> Meeting:
    return Meeting.objects.create(
        programme=programme,
        slug=f"norfolk-chief-executives-{day.isoformat()}",
        body="Norfolk Chief Executives",
        date=day,
    )


def issue(programme: Programme, paper: ReportText, day: date) -> IssuedReport:
    report = board_report(programme=programme, paper=paper, on=day, issued=True)
    return report_issue(
        programme=programme,
        paper=paper,
        meeting_date=day,
        expected_fingerprint=report_fingerprint(report),
        user=user(),
    )


def autumn_review(programme: Programme) -> ReportText:
    return paper_create(
        programme=programme,
        template=PaperTemplate.AUTUMN_REVIEW,
        meeting=meeting(programme, OCTOBER),
        user=user(),
    )


def test_the_seed_paper_is_the_programmes_first_and_only_paper(client, demo):
    june = ReportText.objects.get(programme=demo)
    assert june.slug == "norfolk-connect-medium-term-workload"
    assert june.template == PaperTemplate.WORKLOAD
    page = unescape(signed_in(client).get(reverse("report:paper_list", args=[DEMO])).text)
    assert "Norfolk Connect Medium Term Workload" in page and "Being prepared" in page


def test_a_new_paper_from_its_template_becomes_the_one_being_prepared(client, demo):
    october = meeting(demo, OCTOBER)
    response = signed_in(client).post(
        reverse("report:paper_create", args=[DEMO]),
        {"template": "autumn_review", "meeting": october.pk},
    )
    paper = ReportText.objects.get(programme=demo, template=PaperTemplate.AUTUMN_REVIEW)
    assert response.status_code == 302
    assert response["Location"] == reverse("report:paper_report_text", args=[DEMO, paper.slug])
    assert paper.slug == "autumn-review-paper-2004-10"
    assert paper.for_meeting == october
    assert paper.meeting == "Norfolk Chief Executives"  # the heading names the meeting's body
    assert paper.title == "Norfolk Connect medium term workload: autumn review"
    # The board report is now the autumn review, its figures the programme's as they stand.
    page = unescape(client.get(reverse("report:report", args=[DEMO])).text)
    assert "autumn review" in page and "Norfolk Chief Executives, 14 October 2004" in page
    # Its background points to the agreed figures, not the recommendation's placeholders.
    assert "the rest subject to this review" in page
    assert "£30,000" in page  # the recommendation, worked out now
    # The June paper keeps its words, under its own address.
    june = ReportText.objects.get(programme=demo, template=PaperTemplate.WORKLOAD)
    page = unescape(client.get(reverse("report:paper_report", args=[DEMO, june.slug])).text)
    assert "Norfolk Connect Medium Term Workload" in page
    assert "The list of medium term work to be carried out as suggested" in page


def test_each_paper_keeps_its_own_text(client, demo):
    june = ReportText.objects.get(programme=demo)
    autumn = autumn_review(demo)
    data = {field: getattr(june, field) for field in REPORT_TEXT_FIELDS}
    response = signed_in(client).post(
        reverse("report:paper_report_text", args=[DEMO, june.slug]),
        {**data, "summary": "The June paper, corrected.", "version": june.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("report:paper_report", args=[DEMO, june.slug])
    june.refresh_from_db()
    autumn.refresh_from_db()
    assert june.summary == "The June paper, corrected."
    assert autumn.summary.startswith("This report reviews the business cases")


def test_each_paper_has_its_own_archive_and_changes_since(client, demo):
    june = ReportText.objects.get(programme=demo)
    issued_june = issue(demo, june, JUNE)
    assert issued_june.paper == june
    autumn = autumn_review(demo)
    signed_in(client)
    june_archive = client.get(reverse("report:paper_issued_list", args=[DEMO, june.slug])).text
    autumn_archive = client.get(reverse("report:issued_list", args=[DEMO])).text
    assert "18 June 2004" in june_archive
    assert "18 June 2004" not in autumn_archive and "No report has been issued" in autumn_archive
    # Never issued, the autumn review is compared with what the board last saw: June's paper.
    changes = client.get(reverse("report:report_changes", args=[DEMO])).context["page"]
    assert changes.last_issued == issued_june
    issued_autumn = issue(demo, autumn, OCTOBER)
    changes = client.get(reverse("report:report_changes", args=[DEMO])).context["page"]
    assert changes.last_issued == issued_autumn
    june_changes = client.get(reverse("report:paper_report_changes", args=[DEMO, june.slug]))
    assert june_changes.context["page"].last_issued == issued_june
    page = unescape(client.get(reverse("report:paper_list", args=[DEMO])).text)
    assert page.count("1 time") == 2


def test_the_issue_form_offers_the_papers_meeting_date(client, demo):
    autumn = autumn_review(demo)
    response = signed_in(client).get(reverse("report:paper_report_issue", args=[DEMO, autumn.slug]))
    assert response.context["form"].initial["meeting_date"] == OCTOBER


def test_an_unsaved_first_paper_is_saved_when_issued():
    programme = ProgrammeFactory()
    facilitator = get_user_model().objects.create(username="f")
    report = board_report(programme=programme, on=JUNE, issued=True)
    issued = report_issue(
        programme=programme,
        meeting_date=JUNE,
        expected_fingerprint=report_fingerprint(report),
        user=facilitator,
    )
    paper = ReportText.objects.get(programme=programme)
    assert issued.paper == paper and paper.title == programme.name


def test_a_paper_never_issued_is_deleted_after_confirming(client, demo):
    autumn = autumn_review(demo)
    signed_in(client)
    url = reverse("report:paper_delete", args=[DEMO, autumn.slug])
    assert "Delete paper" in client.get(url).text
    response = client.post(url)
    assert response.status_code == 302
    assert not ReportText.objects.filter(pk=autumn.pk).exists()
    # The June paper is the one being prepared again.
    assert paper_for(programme=demo).template == PaperTemplate.WORKLOAD


def test_an_issued_paper_is_never_deleted(client, demo):
    june = ReportText.objects.get(programme=demo)
    issue(demo, june, JUNE)
    response = signed_in(client).post(reverse("report:paper_delete", args=[DEMO, june.slug]))
    assert response.status_code == 409
    assert "it was issued to a meeting" in unescape(response.text)
    assert ReportText.objects.filter(pk=june.pk).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "template", "Select what kind of paper it is"),
        ({"template": "minutes"}, "template", "Select what kind of paper it is from the list"),
        (
            {"template": "progress", "meeting": "999999"},
            "meeting",
            "Select one of the programme's meetings from the list",
        ),
        (
            {"template": "progress", "meeting": "x"},
            "meeting",
            "Select one of the programme's meetings from the list",
        ),
    ],
)
def test_a_bad_paper_is_refused_with_a_message_and_nothing_is_saved(
    client, demo, data, field, message
):
    response = signed_in(client).post(reverse("report:paper_create", args=[DEMO]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert ReportText.objects.filter(programme=demo).count() == 1


def test_another_programmes_meeting_is_refused(client, demo):
    other = ProgrammeFactory()
    elsewhere = meeting(other, OCTOBER)
    response = signed_in(client).post(
        reverse("report:paper_create", args=[DEMO]),
        {"template": "progress", "meeting": elsewhere.pk},
    )
    assert response.context["form"].errors["meeting"] == [
        "Select one of the programme's meetings from the list"
    ]
    assert ReportText.objects.filter(programme=demo).count() == 1


def test_an_unknown_paper_answers_404(client, demo):
    response = signed_in(client).get(reverse("report:paper_report", args=[DEMO, "no-such-paper"]))
    assert response.status_code == 404


def test_the_papers_page_reads_the_same_queries_for_1_and_20_papers(
    client, demo, django_assert_num_queries
):
    signed_in(client)
    url = reverse("report:paper_list", args=[DEMO])
    client.get(url)
    with django_assert_num_queries(5) as few:  # session, user, membership, programme, papers
        client.get(url)
    june = ReportText.objects.get(programme=demo)
    issue(demo, june, JUNE)
    for _ in range(19):
        paper_create(programme=demo, template=PaperTemplate.PROGRESS, meeting=None, user=user())
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).text
    assert page.count("Progress report") >= 19


def test_a_chief_executive_reads_papers_but_cannot_add_one(client, demo):
    signed_in(client, "chief-executive")
    assert client.get(reverse("report:paper_list", args=[DEMO])).status_code == 200
    assert "Add a paper" not in client.get(reverse("report:paper_list", args=[DEMO])).text
    assert client.get(reverse("report:paper_create", args=[DEMO])).status_code == 403


def test_issuing_a_paper_with_a_date_form(client, demo):
    autumn = autumn_review(demo)
    signed_in(client)
    url = reverse("report:paper_report_issue", args=[DEMO, autumn.slug])
    fingerprint = client.get(url).context["form"].initial["fingerprint"]
    response = client.post(url, {**date_parts("meeting_date", OCTOBER), "fingerprint": fingerprint})
    assert response.status_code == 302
    assert response["Location"] == reverse("report:paper_issued_list", args=[DEMO, autumn.slug])
    assert IssuedReport.objects.get().paper == autumn


@pytest.mark.parametrize("how", ["replaced whole", "updated in place"])
def test_a_paper_keeps_its_meeting_when_the_programme_is_loaded_again(demo, how):
    autumn = autumn_review(demo)
    document = programme_document(programme=demo, include_report=True)
    # A changed note rewrites every meeting, each under its slug.
    meetings = tuple(replace(m, note="Minutes agreed.") for m in document.meetings)
    document = replace(document, meetings=meetings)
    if how == "replaced whole":
        programme_load(document=document, user=user())
    else:
        plan = programme_import_plan(programme=demo, document=document)
        assert plan.after_the_meeting is not None
        programme_import_write(plan=plan, user=user())
    autumn.refresh_from_db()
    assert autumn.for_meeting is not None
    assert autumn.for_meeting.note == "Minutes agreed."
    assert autumn.for_meeting.slug == "norfolk-chief-executives-2004-10-14"


def text_data(paper: ReportText, **changes) -> dict:
    data = {field: getattr(paper, field) for field in REPORT_TEXT_FIELDS}
    return {**data, "version": paper.version, "for_meeting": "", **changes}


def test_the_seed_paper_is_set_to_its_june_meeting_on_its_text_form(client, demo):
    june_meeting = meeting(demo, JUNE)
    paper = ReportText.objects.get(programme=demo)
    response = signed_in(client).post(
        reverse("report:report_text", args=[DEMO]),
        text_data(paper, for_meeting=june_meeting.pk),
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.for_meeting == june_meeting
    page = unescape(client.get(reverse("report:report", args=[DEMO])).text)
    assert "medium term workload paper for Norfolk Chief Executives, 18 June 2004" in page
    issue_form = client.get(reverse("report:report_issue", args=[DEMO]))
    assert issue_form.context["form"].initial["meeting_date"] == JUNE


def test_another_programmes_meeting_is_refused_on_the_text_form(client, demo):
    elsewhere = meeting(ProgrammeFactory(), JUNE)
    paper = ReportText.objects.get(programme=demo)
    response = signed_in(client).post(
        reverse("report:report_text", args=[DEMO]), text_data(paper, for_meeting=elsewhere.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["for_meeting"] == [
        "Select one of the programme's meetings from the list"
    ]
    paper.refresh_from_db()
    assert paper.for_meeting is None and paper.version == 1


def test_a_paper_never_issued_is_deleted_with_its_decisions(client, demo):
    autumn = autumn_review(demo)
    BoardDecision.objects.create(paper=autumn, number=1, text="To note", resolution="agreed")
    response = signed_in(client).post(reverse("report:paper_delete", args=[DEMO, autumn.slug]))
    assert response.status_code == 302
    assert not BoardDecision.objects.exists()
