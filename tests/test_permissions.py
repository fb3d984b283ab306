"""The permissions matrix, generated from the URLconf so that no new page can be forgotten.

Every URL is requested anonymously and as each role, with GET and POST. Whether a view changes
data is read from the view itself (``ProgrammeMixin.edits``), so a new change view is checked
for 403 without anyone remembering to add it here.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from uuid import UUID

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.text import slugify

from norfolk_connect.people.models import Invitation
from norfolk_connect.people.services import hash_token, new_token
from projects.models import (
    Agreement,
    Contribution,
    Invoice,
    Meeting,
    Milestone,
    Partner,
    PartnerAgreement,
    Programme,
    Risk,
    Role,
    Spend,
    StatusUpdate,
)
from reports.models import IssuedReport, RenderState, ReportRender, StatementRender, sha256_hex
from tests.contributions.factories import ContributionFactory
from tests.contributions.money import money_world
from tests.projects.factories import (
    MembershipFactory,
    PaperFactory,
    PhaseFactory,
    ProgrammeFactory,
    paper_of,
)

pytestmark = pytest.mark.django_db

SKIPPED_NAMESPACES = {"admin"}  # Django's own admin, with its own staff checks
ACCOUNT_URLS = {"login", "logout", "password_change", "password_change_done",
                "password_reset", "password_reset_done", "password_reset_confirm",
                "password_reset_complete",
                # The signed-in person's own email preferences: no programme, only their own
                # choices (tests/notifications/test_preferences.py).
                "account_notifications",
                # Two-factor sign-in (tests/twofactor): the code and set-up pages come between
                # the password and being signed in, so need none but a pending sign-in; the rest
                # (and the account page) need a login and belong to no programme.
                "twofactor:verify", "twofactor:setup", "twofactor:recovery_codes",
                "twofactor:new_recovery_codes", "twofactor:turn_off", "account",
                # The person's own API access tokens (list, make, revoke: another person's token
                # answers 404) and the API's page for developers: a login, no programme
                # (tests/api/test_tokens.py).
                "account_tokens", "account_token_create", "account_token_revoke",
                "api_docs"}  # fmt: skip
PUBLIC_URLS = {
    "health",  # for load balancers: says "ok", reveals nothing
    # An invitation's link: the person has no account yet. The token in it is the only key;
    # a link that does not work answers 410 and writes nothing (tests/people/test_views.py).
    "people:invitation_accept",
    # The unsubscribe link of an email, followed without signing in: its signed token names one
    # address and one kind of email, and is the only permission (a GET only asks; a POST
    # unsubscribes). Abuse: tests/test_abuse.py and tests/notifications/test_preferences.py.
    "notifications:unsubscribe",
}
# Single sign-on is how a signed-out person signs in: its start (a partnership's provider) and
# the provider's callback are public by design; tests/sso/test_flow.py has their abuse tests
# (state, replay, another partnership's slug, open redirects, unknown emails).
SSO_URLS = {"sso:start", "sso:callback"}
PUBLIC_URLS |= SSO_URLS
QUERY = {"projects:project_form_row": "?index=1"}
EDITORS = {Role.FACILITATOR, Role.ADMIN}
# Change views a partner officer may use on their own council's record (projects.access
# can_record_payment): the URLs here name the demo partner officer's council's (Broadland's)
# invoice, so they get the editors' answers; on another council's invoice they get 403
# (test_a_partner_officer_records_payments_on_their_own_councils_invoices_only).
OWN_COUNCIL_CHANGES = {"contributions:payment_create"}
ROLES = [Role.FACILITATOR, Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER, Role.ADMIN]
USERNAMES = {
    Role.FACILITATOR: "facilitator",
    Role.CHIEF_EXECUTIVE: "chief-executive",
    Role.PARTNER_OFFICER: "partner-officer",
    Role.ADMIN: "admin",
}


def named_patterns(patterns=None, prefix="", converters=frozenset()):
    """Yield the namespaced name, the pattern and all its URL arguments, for every URL."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        arguments = converters | set(pattern.pattern.converters)
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from named_patterns(pattern.url_patterns, namespace, arguments)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", (pattern, frozenset(arguments))


PATTERNS = dict(named_patterns())
# The API (/api/v1/) signs in no one: each request carries a personal access token, and one
# without answers 401 (JSON), not a redirect; its OpenAPI document describes it and holds no
# data. tests/api/test_api.py has its own matrix (no token, each role, another partnership,
# revoked and expired tokens), and fails on an endpoint it does not know.
API_URLS = {name for name in PATTERNS if name.startswith("api:")}
PUBLIC_URLS |= API_URLS
ALL_NAMES = sorted(set(PATTERNS) - ACCOUNT_URLS - PUBLIC_URLS)


def arguments(name: str) -> frozenset[str]:
    return PATTERNS[name][1]


def kwargs_for(name: str, programme: Programme, contribution: Contribution) -> dict:
    """Fill a URL's arguments with objects of the given programme."""
    issued = programme.issued_reports.order_by("pk").last()
    # The partner's invoice in the programme's latest call, with a payment (money_world).
    invoice = (
        Invoice.objects.filter(call__programme=programme, partner=contribution.partner)
        .order_by("pk")
        .last()
    )
    project = programme.projects.order_by("position").last().slug
    values = {
        "slug": programme.slug,
        "project": project,
        "number": 1,
        "kind": "phase",
        "partner": contribution.partner.slug,
        # The latest meeting, whose agreement stands and takes the councils' consent.
        "meeting": getattr(programme.meetings.order_by("date", "pk").last(), "slug", "none"),
        "pk": issued.pk if name.startswith("report:issued") and issued else contribution.pk,
        "render": getattr(
            (
                programme.statement_renders.filter(partner=contribution.partner)
                if name.startswith("report:statement_render")
                else programme.report_renders
            )
            .order_by("created")
            .last(),
            "pk",
            UUID(int=0),
        ),
        "call": invoice.call.slug if invoice else "no-call",
        "invoice": invoice.pk if invoice else 0,
        "payment": getattr(invoice and invoice.payments.order_by("pk").last(), "pk", 0),
        "refund": getattr(programme.refunds.order_by("pk").last(), "pk", 0),
        "paper": getattr(programme.papers.order_by("pk").last(), "slug", "none"),
        "spend": getattr(
            Spend.objects.filter(phase__project__slug=project).order_by("pk").last(), "pk", 0
        ),
        "milestone": getattr(
            Milestone.objects.filter(project__programme=programme, project__slug=project)
            .order_by("pk")
            .last(),
            "pk",
            0,
        ),
        "risk": getattr(programme.risks.order_by("pk").last(), "pk", 0),
        "invitation": getattr(
            Invitation.objects.filter(partnership=programme.partnership).order_by("pk").last(),
            "pk",
            0,
        ),
        # The partnership's last member (the demo's administrator): not the only facilitator.
        "member": getattr(programme.partnership.memberships.order_by("pk").last(), "pk", 0),
    }
    return {key: values[key] for key in arguments(name)}


@pytest.fixture
def world(monkeypatch):
    """The demo programme with a contribution, and another partnership's programme."""
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    demo = Programme.objects.get(slug="norfolk-connect-2004")
    # Broadland: the demo partner officer's council, whose statement they may read.
    contribution = ContributionFactory(
        programme=demo, partner=Partner.objects.get(slug="broadland", partnership=demo.partnership)
    )
    pdf, figures = b"%PDF-1.7 issued", "{}"
    IssuedReport.objects.create(
        programme=demo,
        paper=paper_of(demo),
        meeting_date=date(2004, 6, 24),
        title="Norfolk Connect Medium Term Workload",
        issued_by=get_user_model().objects.get(username="facilitator"),
        pdf=pdf,
        pdf_sha256=sha256_hex(pdf),
        figures=figures,
        figures_sha256=sha256_hex(figures.encode()),
    )
    other = ProgrammeFactory(slug="elsewhere-2004")
    for programme in (demo, other):  # a PDF made by the background worker for each
        ReportRender.objects.create(
            programme=programme,
            fingerprint="0" * 64,
            state=RenderState.READY,
            pdf=pdf,
            pdf_sha256=sha256_hex(pdf),
            report_date=date(2004, 6, 24),
        )
    PaperFactory(programme=other, slug="elsewhere-paper")
    other_project = PhaseFactory(project__programme=other, project__slug="elsewhere").project
    assert other_project.programme == other
    other_contribution = ContributionFactory(programme=other)
    # A statement's PDF made by the worker, of the partner each programme's URLs name.
    for programme, partner in ((demo, contribution.partner), (other, other_contribution.partner)):
        StatementRender.objects.create(
            programme=programme,
            partner=partner,
            fingerprint="0" * 64,
            state=RenderState.READY,
            pdf=pdf,
            pdf_sha256=sha256_hex(pdf),
            report_date=date(2004, 6, 24),
        )
    # A meeting with an agreement for each programme, naming the partner each programme's URLs
    # name; the other programme's meeting has a slug of its own, so that under our programme
    # it names no meeting of ours.
    for programme, partner, body in (
        (demo, contribution.partner, "Norfolk Chief Executives"),
        (other, other_contribution.partner, "Elsewhere Board"),
    ):
        meeting = Meeting.objects.create(
            programme=programme,
            slug=f"{slugify(body)}-2004-06-18",
            body=body,
            date=date(2004, 6, 18),
        )
        agreement = Agreement.objects.create(meeting=meeting)
        PartnerAgreement.objects.create(
            agreement=agreement, partner=partner, immediate="10000.00", cap="30000.00"
        )
    # A call with an invoice, a payment and a refund in each, of the partner the URLs name.
    for programme, partner in ((demo, contribution.partner), (other, other_contribution.partner)):
        money_world(programme, partner)
    # A spend line on each programme's project the URLs name (kwargs_for).
    for programme in (demo, other):
        spend_line(programme)
    # A milestone and a status on each programme's project the URLs name (kwargs_for).
    for programme in (demo, other):
        delivery_records(programme)
        risk_of(programme)
    # Slugs are unique in a programme only: the other's call has one ours has not.
    other.calls.update(slug="elsewhere-call")
    MembershipFactory(partnership=other.partnership)
    for programme in (demo, other):  # an invitation not yet accepted, in each partnership
        invitation_of(programme)
    return demo, contribution, other, other_contribution


def invitation_of(programme: Programme) -> Invitation:
    """An invitation to the programme's partnership, its link not yet used."""
    return Invitation.objects.create(
        partnership=programme.partnership,
        email=f"invited@{programme.slug}.example",
        name="Sam Invited",
        role=Role.CHIEF_EXECUTIVE,
        token_hash=hash_token(new_token()),
        expires_at=timezone.now() + timedelta(days=7),
    )


def spend_line(programme: Programme) -> Spend:
    """A spend line on the first phase of the programme's last project, which the URLs name."""
    project = programme.projects.order_by("position").last()
    return Spend.objects.create(
        phase=project.phases.order_by("number").first(),
        date=date(2004, 9, 30),
        amount="1200.00",
        reference="PO 17",
    )


def delivery_records(programme: Programme) -> Milestone:
    """A milestone, late, and an amber status on the programme's last project."""
    project = programme.projects.order_by("position").last()
    today = timezone.localdate()
    StatusUpdate.objects.create(
        project=project, status="amber", date=today - timedelta(days=30), reason="Supplier late"
    )
    return Milestone.objects.create(
        project=project, name="Gateway live", baseline=today - timedelta(days=14)
    )


def risk_of(programme: Programme) -> Risk:
    """A risk to the programme's last project, which the URLs name, its review overdue."""
    return Risk.objects.create(
        programme=programme,
        project=programme.projects.order_by("position").last(),
        reference="R1",
        description="Suppliers cannot deliver the gateway in time",
        likelihood=4,
        impact=4,
        owner="Programme manager",
        mitigation="Agree milestones with two suppliers",
        next_review=date(2004, 9, 30),
    )


def url_for(name, programme, contribution):
    return reverse(name, kwargs=kwargs_for(name, programme, contribution)) + QUERY.get(name, "")


def changes_data(name):
    view = resolve_view(name)
    return bool(getattr(view, "edits", False))


def resolve_view(name):
    callback = PATTERNS[name][0].callback
    return getattr(callback, "view_class", callback)


def test_the_matrix_covers_the_programme_pages():
    assert "projects:programme_home" in ALL_NAMES
    assert "reports:partner" in ALL_NAMES  # a partner officer's first page
    assert {"report:statement_renders", "report:statement_render_pdf"} <= set(ALL_NAMES)
    assert "projects:project_update" in ALL_NAMES
    assert "contributions:contribution_update" in ALL_NAMES
    assert {"contributions:agreement", "contributions:consent_update"} <= set(ALL_NAMES)
    assert changes_data("contributions:agreement_record")
    assert not changes_data("contributions:agreement")
    assert changes_data("projects:project_update")
    for name in ("milestone_create", "milestone_update", "milestone_delete", "status_set"):
        assert changes_data(f"projects:{name}"), name
    assert not changes_data("reports:delivery")
    assert not changes_data("projects:project_list")
    # Spend and the pot: read by every member; the world has a spend line and a payment on it.
    assert "projects:programme_spend" in ALL_NAMES
    assert not changes_data("projects:programme_spend")


@pytest.mark.parametrize("name", ALL_NAMES)
def test_anonymous_users_are_sent_to_sign_in(client, world, name):
    demo, contribution, *_ = world
    url = url_for(name, demo, contribution)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_each_role_gets_what_it_may(client, world, name, role):
    demo, contribution, *_ = world
    client.force_login(get_user_model().objects.get(username=USERNAMES[role]))
    url = url_for(name, demo, contribution)
    before = Contribution.objects.count(), Programme.objects.get(pk=demo.pk).version
    get = client.get(url)
    post = client.post(url, {})
    own_council = name in OWN_COUNCIL_CHANGES and role == Role.PARTNER_OFFICER
    if name == "projects:programme_create" or changes_data(name):
        if role in EDITORS or own_council:
            assert get.status_code in {200, 302}, url
            assert post.status_code in {200, 302, 400, 405, 409}, url
        else:
            assert get.status_code == 403, url
            assert post.status_code == 403, url
            assert (
                Contribution.objects.count(),
                Programme.objects.get(pk=demo.pk).version,
            ) == before
    else:
        assert get.status_code in {200, 302}, url
        assert post.status_code in {200, 302, 405}, url


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", [n for n in ALL_NAMES if "slug" in arguments(n)])
def test_another_partnerships_objects_answer_404(client, world, name, role):
    _, _, other, other_contribution = world
    client.force_login(get_user_model().objects.get(username=USERNAMES[role]))
    url = url_for(name, other, other_contribution)
    assert client.get(url).status_code == 404, url
    assert client.post(url, {}).status_code == 404, url


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in ALL_NAMES
        if {
            "pk",
            "project",
            "partner",
            "render",
            "meeting",
            "call",
            "invoice",
            "payment",
            "refund",
            "spend",
            "milestone",
            "risk",
            "invitation",
            "member",
        }
        & arguments(n)
    ],
)
def test_another_programmes_ids_under_our_programme_answer_404(client, world, name):
    """Our programme's URL with the other partnership's project, partner, meeting and so on."""
    demo, _, other, other_contribution = world
    client.force_login(get_user_model().objects.get(username="facilitator"))
    kwargs = kwargs_for(name, other, other_contribution)
    kwargs["slug"] = demo.slug
    url = reverse(name, kwargs=kwargs) + QUERY.get(name, "")
    assert client.get(url).status_code == 404, url
    assert client.post(url, {}).status_code == 404, url
    assert resolve(reverse(name, kwargs=kwargs)).url_name


def test_a_partner_officer_records_payments_on_their_own_councils_invoices_only(client, world):
    demo, contribution, *_ = world
    assert changes_data("contributions:payment_create")
    assert resolve_view("contributions:payment_create").own_council_edits
    client.force_login(get_user_model().objects.get(username="partner-officer"))
    own = url_for("contributions:payment_create", demo, contribution)
    assert client.get(own).status_code == 200
    own_invoice = Invoice.objects.filter(call__programme=demo).order_by("pk").last()
    invoice = Invoice.objects.create(
        call=own_invoice.call,
        partnership=demo.partnership,
        number="NC-9999",
        partner=Partner.objects.filter(partnership=demo.partnership)
        .exclude(pk=contribution.partner.pk)
        .first(),
        amount="100.00",
    )
    address = reverse("contributions:payment_create", args=[demo.slug, invoice.pk])
    before = invoice.payments.count()
    assert client.get(address).status_code == 403
    response = client.post(address, {"date": "2004-09-30", "amount": "1.00"})
    assert response.status_code == 403
    assert invoice.payments.count() == before
    # Removing a payment stays the editors'.
    payment_delete = url_for("contributions:payment_delete", demo, contribution)
    assert client.get(payment_delete).status_code == 403


def test_the_public_urls_are_those_declared(client, db):
    assert set(PATTERNS) - set(ALL_NAMES) - ACCOUNT_URLS == PUBLIC_URLS
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.content == b"ok"
    # Public, yet they give nothing away: no partnership without a provider, no sign-in
    # without one under way in the session, and nothing but GET.
    start = reverse("sso:start", kwargs={"slug": "no-such-partnership"})
    assert client.get(start).status_code == 404
    assert client.get(reverse("sso:callback")).status_code == 400
    assert client.post(reverse("sso:callback"), {}).status_code == 405
