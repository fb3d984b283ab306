"""The papers' endpoints: the papers, one paper with its issues, and its PDF as the browser's."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from reports.models import IssuedReport, RenderState, ReportRender
from reports.report.selectors import board_report
from reports.selectors import report_render_fingerprint
from tests.api.world import World, auth, make_world, token_of
from tests.projects.factories import MembershipFactory, PaperFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
WORKLOAD = "norfolk-connect-medium-term-workload"
STORED = b"%PDF-1.7\n% the issued paper, as the board was given it\n%%EOF\n"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def issue(programme, paper, *, pdf: bytes = STORED, meeting: date = date(2004, 6, 18)):
    """An issue of the paper, as report_issue keeps it: its PDF and figures with their hashes."""
    user = MembershipFactory(partnership=programme.partnership).user
    return IssuedReport.objects.create(
        programme=programme,
        paper=paper,
        meeting_date=meeting,
        title=paper.title,
        issued_by=user,
        pdf=pdf,
        pdf_sha256=sha(pdf),
        figures="{}",
        figures_sha256=sha(b"{}"),
    )


@pytest.fixture
def world() -> World:
    return make_world()


def get(client, name, token, *args, **query):
    return client.get(reverse(name, args=args), query, **auth(token))


def test_the_list_has_each_paper_issued_or_draft(client, world):
    workload = world.ours.papers.get(slug=WORKLOAD)
    issue(world.ours, workload)
    review = PaperFactory(programme=world.ours, template="autumn_review", slug="autumn-review")
    response = get(client, "api:papers", world.token(Role.CHIEF_EXECUTIVE), world.ours.slug)
    assert response.status_code == 200
    first, second = response.json()["items"]
    assert (first["slug"], first["kind"], first["issued"], first["issue_count"]) == (
        WORKLOAD,
        "workload",
        True,
        1,
    )
    assert first["last_issued"] == timezone.localdate().isoformat()
    assert first["being_prepared"] is False
    assert (second["slug"], second["issued"], second["being_prepared"]) == (
        review.slug,
        False,
        True,
    )
    assert second["last_issued"] is None
    assert second["pdf_url"] == reverse("api:paper_pdf", args=[world.ours.slug, review.slug])
    assert client.get(second["url"], **auth(world.token())).json()["slug"] == review.slug


def test_a_partner_officer_reads_drafts_as_in_the_browser(client, world):
    """Every role reads every paper in the browser, drafts included: so does the API."""
    token = world.token(Role.PARTNER_OFFICER)
    items = get(client, "api:papers", token, world.ours.slug).json()["items"]
    assert [(item["slug"], item["issued"]) for item in items] == [(WORKLOAD, False)]
    assert get(client, "api:paper", token, world.ours.slug, WORKLOAD).status_code == 200


def test_one_paper_with_its_issues_and_meeting(client, world):
    workload = world.ours.papers.get(slug=WORKLOAD)
    meeting = world.ours.meetings.order_by("date").first()
    workload.for_meeting = meeting
    workload.save()
    issue(world.ours, workload, meeting=meeting.date)
    body = get(client, "api:paper", world.token(), world.ours.slug, WORKLOAD).json()
    assert body["meeting"] == {
        "slug": meeting.slug,
        "body": meeting.body,
        "date": meeting.date.isoformat(),
    }
    assert body["meeting_date"] == "2004-06-18"
    assert [item["meeting_date"] for item in body["issues"]] == ["2004-06-18"]
    assert body["issued"] is True


def test_an_issued_papers_pdf_is_the_stored_file_the_browser_serves(client, world):
    workload = world.ours.papers.get(slug=WORKLOAD)
    issue(world.ours, workload, pdf=b"%PDF-1.7 first issue")
    latest = issue(world.ours, workload, meeting=date(2004, 10, 15))
    token = world.token(Role.CHIEF_EXECUTIVE)
    response = get(client, "api:paper_pdf", token, world.ours.slug, WORKLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == STORED  # the latest issue, never laid out again
    assert response["ETag"]
    # The same bytes the browser gives a chief executive for that issue.
    member = MembershipFactory(partnership=world.ours.partnership, role=Role.CHIEF_EXECUTIVE)
    client.force_login(member.user)
    browser = client.get(reverse("report:issued_pdf", args=[world.ours.slug, latest.pk]))
    assert browser.content == response.content


def test_a_damaged_issued_pdf_is_not_served(client, world):
    workload = world.ours.papers.get(slug=WORKLOAD)
    issued = issue(world.ours, workload)
    IssuedReport.objects.filter(pk=issued.pk).update(pdf=b"%PDF-1.7 changed since")
    response = get(client, "api:paper_pdf", world.token(), world.ours.slug, WORKLOAD)
    assert response.status_code == 503
    assert "no longer matches" in response.json()["detail"]


def test_a_small_drafts_pdf_is_made_now(client):
    programme = ProgrammeFactory()
    paper = PaperFactory(programme=programme)
    token = token_of(MembershipFactory(partnership=programme.partnership, role=Role.ADMIN))
    response = get(client, "api:paper_pdf", token, programme.slug, paper.slug)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@override_settings(REPORT_BACKGROUND_PROJECTS=-1)
def test_a_large_drafts_pdf_comes_only_from_the_workers_render(client):
    programme = ProgrammeFactory()
    paper = PaperFactory(programme=programme)
    token = token_of(MembershipFactory(partnership=programme.partnership))
    address = reverse("api:paper_pdf", args=[programme.slug, paper.slug])
    refused = client.get(address, **auth(token))
    assert refused.status_code == 409  # never laid out in the request
    assert "background" in refused.json()["detail"]
    made = b"%PDF-1.7 made by the worker"
    report = board_report(programme=programme, paper=paper)
    ReportRender.objects.create(
        programme=programme,
        paper=paper,
        state=RenderState.READY,
        finished=timezone.now(),
        fingerprint=report_render_fingerprint(report),
        report_date=report.date,
        pdf=made,
        pdf_sha256=sha(made),
    )
    served = client.get(address, **auth(token))
    assert served.status_code == 200
    assert served.content == made


def test_an_unknown_or_another_partnerships_paper_is_404(client, world):
    PaperFactory(programme=world.theirs, slug="their-paper")
    token = world.token()
    for name in ("api:paper", "api:paper_pdf"):
        for slug in ("no-such-paper", "their-paper"):
            response = get(client, name, token, world.ours.slug, slug)
            assert response.status_code == 404, (name, slug)
            assert response.json() == {"detail": "Not found"}


def test_the_list_comes_a_page_at_a_time(client, world):
    for n in range(4):
        PaperFactory(programme=world.ours, slug=f"progress-{n}")
    page = get(client, "api:papers", world.token(), world.ours.slug, limit=2, offset=2).json()
    assert page["count"] == 5
    assert [item["slug"] for item in page["items"]] == ["progress-1", "progress-2"]


def count_queries(client, address, token) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, **auth(token))
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_same_queries_at_1_and_12_papers(client):
    programme = ProgrammeFactory()
    first = PaperFactory(programme=programme)
    token = token_of(MembershipFactory(partnership=programme.partnership))
    listing = reverse("api:papers", args=[programme.slug])
    one = reverse("api:paper", args=[programme.slug, first.slug])
    client.get(listing, **auth(token))
    counts = []
    for total in (1, 12):
        while programme.papers.count() < total:
            issue(programme, PaperFactory(programme=programme))
        issue(programme, first)
        counts.append((count_queries(client, listing, token), count_queries(client, one, token)))
    assert counts[0] == counts[1] == (4, 6), counts
