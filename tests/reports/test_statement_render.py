"""A large partner's statement is made into a PDF by the worker, as a large report is.

The worker is the real one (django-tasks' database backend, `db_worker --batch`); tests that
run it use a transactional database, as the worker commits as it goes.
"""

from __future__ import annotations

import io
import signal
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from projects.models import Partner, Programme
from reports.models import RenderState, StatementRender
from reports.renders import report_render_finish
from reports.report.selectors import statement_for
from reports.report.statements import statement_fingerprint
from reports.services import statement_render_request
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import MembershipFactory, ProgrammeFactory

DEMO = "norfolk-connect-2004"
OWN = "broadland"  # the demo partner officer's council
OTHER = "norwich"
TODAY = date(2004, 6, 24)


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


@pytest.fixture
def large(settings, demo) -> Programme:
    """The demo programme, its statements now over the size for background PDFs."""
    settings.PDF_BACKGROUND_WORK = 100  # the demo's statements are estimated at 250
    return demo


def signed_in(client, username: str = "partner-officer"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def run_worker() -> None:
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def url(name: str, partner: str = OWN, *args, slug: str = DEMO) -> str:
    return reverse(f"report:{name}", args=[slug, partner, *args])


def partner(programme: Programme, slug: str) -> Partner:
    return Partner.objects.get(partnership=programme.partnership, slug=slug)


def made(programme: Programme, slug: str) -> StatementRender:
    """A ready render of the partner's statement."""
    render, _ = statement_render_request(
        programme=programme, partner=partner(programme, slug), fingerprint="f" * 64, user=None
    )
    report_render_finish(
        render=render, pdf=b"%PDF-1.7 " + slug.encode(), fingerprint="f" * 64, report_date=TODAY
    )
    return render


@pytest.mark.django_db
def test_a_small_statement_is_made_in_the_request(client, demo):
    response = signed_in(client).get(url("statement_pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert not StatementRender.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_statement_goes_to_the_worker_and_is_downloaded_from_its_page(client, large):
    signed_in(client)
    # The PDF's address sends the member to the page that asks the worker for it.
    response = client.get(url("statement_pdf"))
    assert response.status_code == 302
    assert response.url == url("statement_renders")
    page = client.get(response.url).content.decode()
    assert "This statement is too long to make into a PDF while you wait" in page
    assert "Prepare the statement as a PDF" in page
    assert not StatementRender.objects.exists()  # asking for the page queues nothing

    queued = client.post(url("statement_renders"))
    render = StatementRender.objects.get()
    assert queued.url == url("statement_render", OWN, render.pk)
    assert render.partner.slug == OWN
    assert render.requested_by.username == "partner-officer"
    task = DBTaskResult.objects.get()
    assert task.task_path == "reports.tasks.render_partner_statement"
    assert task.args_kwargs == {"args": [str(render.pk)], "kwargs": {}}
    progress = client.get(queued.url).content.decode()
    assert "The PDF is being prepared" in progress
    assert "Waiting for the worker to start: 0% done" in progress
    assert 'hx-trigger="every 2s"' in progress
    assert client.get(url("statement_render_pdf", OWN, render.pk)).url == queued.url

    run_worker()
    render.refresh_from_db()
    assert (render.state, render.stage, render.percent) == (RenderState.READY, "Ready", 100)
    assert render.intact
    statement = statement_for(programme=large, partner=render.partner)
    assert render.fingerprint == statement_fingerprint(statement)
    assert render.report_date == statement.date
    done = client.get(queued.url).content.decode()
    assert "The PDF is ready" in done
    assert "hx-trigger" not in done
    download = client.get(url("statement_render_pdf", OWN, render.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="{DEMO}-statement-{OWN}-{statement.date:%Y-%m-%d}.pdf"'
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(download.content)).pages)
    assert "Statement for Broadland" in " ".join(text.split())

    # Unchanged: the same PDF, from its address and from asking again; nothing more queued.
    assert client.get(url("statement_pdf")).url == url("statement_render_pdf", OWN, render.pk)
    again = client.post(url("statement_renders"), follow=True)
    assert again.redirect_chain[0][0] == queued.url
    assert "The statement has not changed since this PDF was made" in again.content.decode()
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_htmx_gets_the_statements_progress_only_when_it_has_moved(client, large):
    signed_in(client).post(url("statement_renders"))
    render = StatementRender.objects.get()
    page = url("statement_render", OWN, render.pk)
    htmx = {"HTTP_HX_REQUEST": "true"}
    fragment = client.get(page, **htmx).content.decode()
    assert "<html" not in fragment
    assert f'hx-get="{page}?seen=queued-0"' in fragment
    assert client.get(page, {"seen": "queued-0"}, **htmx).status_code == 204


# Who may see a statement's render: its own council's officers and the partnership.


@pytest.mark.django_db
def test_the_statement_render_pages_need_a_sign_in(client, large):
    render = made(large, OWN)
    for address in (
        url("statement_renders"),
        url("statement_render", OWN, render.pk),
        url("statement_render_pdf", OWN, render.pk),
    ):
        for response in (client.get(address), client.post(address)):
            assert response.status_code == 302, address
            assert response.url.startswith(reverse("login")), address
    assert StatementRender.objects.count() == 1


@pytest.mark.django_db
def test_a_partner_officer_sees_only_their_own_councils_renders(client, large):
    ours, theirs = made(large, OWN), made(large, OTHER)
    signed_in(client)
    assert client.get(url("statement_render", OWN, ours.pk)).status_code == 200
    assert client.get(url("statement_render_pdf", OWN, ours.pk)).content.endswith(b"broadland")
    # Another council's statement: refused, whatever the render.
    for name, args in (
        ("statement_renders", ()),
        ("statement_render", (theirs.pk,)),
        ("statement_render_pdf", (theirs.pk,)),
    ):
        assert client.get(url(name, OTHER, *args)).status_code == 403
        assert client.post(url(name, OTHER, *args)).status_code == 403
    # Another council's render under their own council's address: not found.
    for name in ("statement_render", "statement_render_pdf"):
        response = client.get(url(name, OWN, theirs.pk))
        assert response.status_code == 404
        assert b"norwich" not in response.content
    assert StatementRender.objects.count() == 2
    # The partnership's other members may see every council's.
    signed_in(client, "chief-executive")
    assert client.get(url("statement_render", OTHER, theirs.pk)).status_code == 200


@pytest.mark.django_db
def test_another_partnerships_statement_renders_answer_404(client, large):
    ours = made(large, OWN)
    other = ProgrammeFactory(slug="elsewhere")
    stranger = PartnerFactory(partnership=other.partnership, slug="stranger")
    theirs, _ = statement_render_request(
        programme=other, partner=stranger, fingerprint="e" * 64, user=None
    )
    outsider = MembershipFactory(partnership=other.partnership).user
    client.force_login(outsider)
    for name in ("statement_render", "statement_render_pdf"):
        assert client.get(url(name, OWN, ours.pk)).status_code == 404
        assert client.get(url(name, OWN, ours.pk, slug="elsewhere")).status_code == 404
        assert client.get(url(name, "stranger", ours.pk, slug="elsewhere")).status_code == 404
    assert client.post(url("statement_renders")).status_code == 404
    signed_in(client, "facilitator")
    for name in ("statement_render", "statement_render_pdf"):
        assert client.get(url(name, OWN, theirs.pk)).status_code == 404
        assert client.get(url(name, "stranger", theirs.pk)).status_code == 404
        assert client.get(url(name, "stranger", theirs.pk, slug="elsewhere")).status_code == 404
    assert StatementRender.objects.count() == 2


@pytest.mark.django_db
def test_the_admin_lists_statement_renders_without_letting_them_be_changed(client, large):
    render = made(large, OWN)
    client.force_login(get_user_model().objects.create_superuser("root", password="x" * 20))
    listing = client.get(reverse("admin:reports_statementrender_changelist"))
    change = client.post(
        reverse("admin:reports_statementrender_change", args=[render.pk]), {"stage": "tampered"}
    )
    assert listing.status_code == 200
    assert "Broadland" in listing.content.decode()
    assert change.status_code == 403
    render.refresh_from_db()
    assert render.stage != "tampered"
