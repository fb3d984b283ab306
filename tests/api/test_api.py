"""The API under /api/v1/: tokens only, its own partnership only, JSON errors, fixed queries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from norfolk_connect.api import services
from norfolk_connect.api.models import AccessToken, Scope
from projects.models import Invoice, Membership, Milestone, Payment, Programme, Role, Spend
from reports.models import IssuedReport
from tests.api.money_and_delivery import a_milestone, an_invoice
from tests.api.world import World, make_world
from tests.api.world import auth as world_auth
from tests.conftest import SEED_FILE
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import (
    MembershipFactory,
    PaperFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.test_permissions import API_URLS

pytestmark = pytest.mark.django_db
ROLES = [Role.FACILITATOR, Role.ADMIN, Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER]
# Every endpoint that reads, with its arguments for a programme of tests.api.world (ours or
# theirs); a new one fails test_every_endpoint_is_in_the_matrix.
ENDPOINTS: dict[str, Callable[[Programme], dict]] = {
    "api:programmes": lambda programme: {},
    "api:programme_figures": lambda programme: {"slug": programme.slug},
    "api:invoices": lambda programme: {"slug": programme.slug},
    "api:invoice": lambda programme: {"slug": programme.slug, "invoice": an_invoice(programme).pk},
    "api:payments": lambda programme: {"slug": programme.slug},
    "api:spend": lambda programme: {"slug": programme.slug},
    "api:milestones": lambda programme: {"slug": programme.slug},
    "api:milestone": lambda programme: {
        "slug": programme.slug,
        "milestone": a_milestone(programme).pk,
    },
    "api:risks": lambda programme: {"slug": programme.slug},
    "api:projects": lambda programme: {"slug": programme.slug},
    "api:project": lambda programme: {"slug": programme.slug, "project": first_project(programme)},
    "api:partners": lambda programme: {"slug": programme.slug},
    "api:partner": lambda programme: {"slug": programme.slug, "partner": own_partner(programme)},
    "api:papers": lambda programme: {"slug": programme.slug},
    "api:paper": lambda programme: {"slug": programme.slug, "paper": first_paper(programme)},
    "api:paper_pdf": lambda programme: {"slug": programme.slug, "paper": issued_paper(programme)},
}


def first_project(programme: Programme) -> str:
    """A project of the programme: the world's first, or a new one for a programme without."""
    project = programme.projects.order_by("position", "pk").first()
    return (project or ProjectFactory(programme=programme)).slug


def own_partner(programme: Programme) -> str:
    """A council every role of the test may read: the world's partner officers' (Broadland),
    else a partner officer's own, else the partnership's first (made if it has none)."""
    partners = programme.partnership.partners
    officer = Membership.objects.filter(partnership=programme.partnership, partner__isnull=False)
    found = (
        partners.filter(slug="broadland").first()
        or partners.filter(pk__in=officer.values("partner")).order_by("pk").first()
        or partners.order_by("position", "pk").first()
        or PartnerFactory(partnership=programme.partnership)
    )
    return found.slug


def first_paper(programme: Programme) -> str:
    """A paper of the programme: the world's first, or a new one for a programme without."""
    paper = programme.papers.order_by("pk").first()
    return (paper or PaperFactory(programme=programme)).slug


def issued_paper(programme: Programme) -> str:
    """A paper of the programme with an issue: its PDF is the stored file, made in no request
    (a draft's is laid out in the request, tests/api/test_read_papers.py)."""
    paper = programme.papers.get(slug=first_paper(programme))
    if not paper.issues.exists():
        pdf = b"%PDF-1.7 issued"
        IssuedReport.objects.create(
            programme=programme,
            paper=paper,
            meeting_date=date(2004, 6, 18),
            title=paper.title,
            issued_by=MembershipFactory(partnership=programme.partnership).user,
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            figures="{}",
            figures_sha256=hashlib.sha256(b"{}").hexdigest(),
        )
    return paper.slug


# The endpoints that name no record: they list the token's partnership's own.
OWN_LISTS = {"api:programmes"}
# Every endpoint that writes: its method, its arguments and a body it accepts from an editor.
WRITES: dict[str, tuple[str, Callable[[Programme], dict], Callable[[Programme], dict]]] = {
    "api:payment_record": (
        "post",
        lambda programme: {
            "slug": programme.slug,
            # Norwich's invoice, unpaid (tests.api.world; NC-0007 or EW-0007).
            "invoice": Invoice.objects.get(call__programme=programme, number__endswith="-0007").pk,
        },
        lambda programme: {"date": "2005-01-14", "amount": "100.00", "reference": "BACS 1"},
    ),
    "api:spend_record": (
        "post",
        lambda programme: {"slug": programme.slug},
        lambda programme: {
            "lines": [
                {
                    "project": "further-info-points",
                    "phase": 1,
                    "date": "2005-01-14",
                    "amount": "10.00",
                    "reference": "PO-1",
                }
            ]
        },
    ),
    "api:milestone_update": (
        "patch",
        lambda programme: {
            "slug": programme.slug,
            "milestone": Milestone.objects.filter(project__programme=programme)
            .order_by("pk")
            .first()
            .pk,
        },
        lambda programme: {"actual": "2004-10-01"},
    ),
}
# Not endpoints with data: the document describing them, and ninja's root (404).
DOCUMENTS = {"api:openapi-json", "api:api-root"}


def make(membership, scope=Scope.READ) -> str:
    return services.token_create(
        user=membership.user,
        partnership=membership.partnership,
        name="Ledger",
        scope=scope,
        days=30,
    )[1]


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def url(name: str, programme: Programme) -> str:
    return reverse(name, kwargs=ENDPOINTS[name](programme))


def member(role=Role.FACILITATOR, programme=None):
    programme = programme or ProgrammeFactory(financial_years=["2004/05"])
    partner = None
    if role == Role.PARTNER_OFFICER:
        partner = PartnerFactory(partnership=programme.partnership)
    membership = MembershipFactory(partnership=programme.partnership, role=role, partner=partner)
    return programme, membership


def test_every_endpoint_is_in_the_matrix():
    assert set(ENDPOINTS) | set(WRITES) | DOCUMENTS == API_URLS


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_every_endpoint_of_its_own_partnership(client, world, name, role):
    response = client.get(
        reverse(name, kwargs=ENDPOINTS[name](world.ours)), **world_auth(world.token(role))
    )
    assert response.status_code == 200, response.content
    assert response["ETag"]


@pytest.mark.parametrize("name", sorted(set(ENDPOINTS) - OWN_LISTS))
def test_another_partnerships_records_are_404(client, world, name):
    kwargs = ENDPOINTS[name](world.theirs)
    response = client.get(reverse(name, kwargs=kwargs), **world_auth(world.token()))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_revoked_and_expired_tokens_read_nothing(client, world, name):
    address = reverse(name, kwargs=ENDPOINTS[name](world.ours))
    token = world.token()
    stored = AccessToken.objects.get(prefix=token.split("_")[1])
    stored.revoked_at = timezone.now()
    stored.save()
    assert client.get(address, **world_auth(token)).status_code == 401
    stored.revoked_at = None
    stored.expires_at = timezone.now() - timedelta(seconds=1)
    stored.save()
    assert client.get(address, **world_auth(token)).status_code == 401


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_no_token_is_401_json_and_asks_for_a_bearer(client, name):
    programme, _ = member()
    basic = {"HTTP_AUTHORIZATION": "Basic eDp5"}
    for headers in ({}, auth("nonsense"), auth("ncp_00000000_secret"), basic):
        response = client.get(url(name, programme), **headers)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "token" in response.json()["detail"]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_a_session_cookie_alone_is_refused(client, name):
    programme, membership = member()
    client.force_login(membership.user)
    response = client.get(url(name, programme))
    assert response.status_code == 401


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_with_a_read_token(client, name, role):
    programme, membership = member(role)
    response = client.get(url(name, programme), **auth(make(membership)))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_a_revoked_or_expired_token_is_refused(client, name):
    programme, membership = member()
    token = make(membership)
    stored = AccessToken.objects.get()
    stored.revoked_at = timezone.now()
    stored.save()
    assert client.get(url(name, programme), **auth(token)).status_code == 401
    stored.revoked_at = None
    stored.expires_at = timezone.now() - timedelta(seconds=1)
    stored.save()
    assert client.get(url(name, programme), **auth(token)).status_code == 401
    Membership.objects.filter(pk=membership.pk).delete()
    stored.expires_at = timezone.now() + timedelta(days=1)
    stored.save()
    assert client.get(url(name, programme), **auth(token)).status_code == 401


def test_another_partnerships_programme_is_404_json(client):
    programme, membership = member()
    other, _ = member()
    token = make(membership)
    listed = client.get(reverse("api:programmes"), **auth(token)).json()["items"]
    assert [row["slug"] for row in listed] == [programme.slug]
    for slug in (other.slug, "no-such-programme"):
        response = client.get(reverse("api:programme_figures", args=[slug]), **auth(token))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found"}


def test_the_programmes_list(client):
    programme, membership = member()
    response = client.get(reverse("api:programmes"), **auth(make(membership)))
    assert response.json() == {
        "count": 1,
        "limit": 100,
        "offset": 0,
        "items": [{"slug": programme.slug, "name": programme.name, "financial_years": ["2004/05"]}],
    }


def test_the_figures_are_the_commands_json_for_the_demo(client):
    call_command("load_programme", str(SEED_FILE), stdout=StringIO())
    programme = Programme.objects.get(slug="norfolk-connect-2004")
    membership = MembershipFactory(partnership=programme.partnership, role=Role.CHIEF_EXECUTIVE)
    out = StringIO()
    call_command("programme_figures", programme.slug, "--json", stdout=out)
    response = client.get(
        reverse("api:programme_figures", args=[programme.slug]), **auth(make(membership))
    )
    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())
    assert isinstance(response.json()["existing_total"], str)  # money as a decimal string


def test_the_programmes_list_takes_the_same_queries_at_any_size(client):
    programme, membership = member()
    token = make(membership)
    client.get(reverse("api:programmes"), **auth(token))  # the token's last use written
    counts = []
    for extra in (1, 30):
        for _ in range(extra):
            ProgrammeFactory(partnership=programme.partnership)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("api:programmes"), **auth(token))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == 4, counts  # the token, the membership, the count, the page


def test_the_openapi_document_is_3_1_and_served_without_a_token(client):
    response = client.get(reverse("api:openapi-json"))
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert operations and all(op.get("summary") and op.get("description") for op in operations)
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_developers_page_lists_the_endpoints(client):
    _, membership = member()
    client.force_login(membership.user)
    page = client.get(reverse("api_docs")).content.decode()
    assert "/api/v1/programmes/{slug}/figures" in page
    assert reverse("account_tokens") in page


def test_other_addresses_and_methods_answer_json(client):
    programme, membership = member()
    headers = auth(make(membership))
    for address in ("/api/v1/", "/api/v1/nope", "/api/v1/programmes/x/figures/more"):
        response = client.get(address, **headers)
        assert response.status_code == 404, address
        assert response.json() == {"detail": "Not found"}
    client = type(client)(enforce_csrf_checks=True)
    for address in (reverse("api:programmes"), url("api:programme_figures", programme)):
        response = client.post(address, {}, **headers)
        assert response.status_code == 405  # not a CSRF refusal: the API reads no cookie
        assert response["Allow"] == "GET"
        assert "use GET" in response.json()["detail"]


def test_the_developers_page_shows_code_as_code(client):
    _, membership = member()
    client.force_login(membership.user)
    page = client.get(reverse("api_docs")).content.decode()
    assert "`" not in page
    assert (
        '<code class="app-break-anywhere">manage.py programme_figures &lt;slug&gt; --json</code>'
        in page
    )


# The writes: who may make each, and that nothing is written when refused.


def send(client, name: str, programme: Programme, token: str | None, *, kwargs_of=None):
    method, kwargs, body = WRITES[name]
    address = reverse(name, kwargs=(kwargs_of or kwargs)(programme))
    headers = world_auth(token) if token else {}
    return getattr(client, method)(
        address, json.dumps(body(programme)), content_type="application/json", **headers
    )


def history_rows() -> int:
    return sum(model.history.count() for model in (Payment, Spend, Milestone))


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_is_refused_to_whom_it_should_be(client, world, name):
    before = history_rows()
    assert send(client, name, world.ours, None).status_code == 401
    read = send(client, name, world.ours, world.token(Role.FACILITATOR, Scope.READ))
    assert read.status_code == 403
    assert "reads only" in read.json()["detail"]
    chief = world.token(Role.CHIEF_EXECUTIVE, Scope.READ)
    assert send(client, name, world.ours, chief).status_code == 403
    editor = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    # Another partnership's programme, and its record under our programme's slug.
    assert send(client, name, world.theirs, editor).status_code == 404
    kwargs = WRITES[name][1]
    ours_with_theirs = lambda programme: {**kwargs(world.theirs), "slug": world.ours.slug}  # noqa: E731
    if set(kwargs(world.ours)) != {"slug"}:
        response = send(client, name, world.ours, editor, kwargs_of=ours_with_theirs)
        assert response.status_code == 404
    revoked = world.token(Role.FACILITATOR, Scope.READ_WRITE)
    AccessToken.objects.filter(prefix=revoked.split("_")[1]).update(revoked_at=timezone.now())
    assert send(client, name, world.ours, revoked).status_code == 401
    assert history_rows() == before
    response = send(client, name, world.ours, editor)
    assert response.status_code in {200, 201}, response.content
    assert history_rows() > before


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ADMIN])
def test_each_editor_makes_every_write(client, world, name, role):
    response = send(client, name, world.ours, world.token(role, Scope.READ_WRITE))
    assert response.status_code in {200, 201}, response.content
