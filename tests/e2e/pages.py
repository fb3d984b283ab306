"""Every page of the service, by URL name, for the browser checks and `make screenshots`."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from projects.models import (
    Agreement,
    Contribution,
    Meeting,
    Partner,
    PartnerAgreement,
    Programme,
    ReportText,
)
from reports.models import RenderState, ReportRender, StatementRender, sha256_hex
from tests.contributions.money import money_world
from tests.test_permissions import (
    ALL_NAMES,
    QUERY,
    delivery_records,
    invitation_of,
    kwargs_for,
    risk_of,
    spend_line,
)

# Downloads (PDF, spreadsheets, programme files) are not pages to look at.
DOWNLOADS = (".pdf", ".xlsx", ".json")


def pages_to_scan() -> dict[str, str]:
    """Return the URL of every page of the demo programme, by URL name, adding what they show.

    Every name of the permissions matrix is here, so that a new page is checked without anyone
    remembering to add it; the demo gets a contribution, a board report's PDF, a statement
    waiting for the worker and a meeting with its agreement, so that the pages about them have
    one to show.
    """
    programme = Programme.objects.get(slug="norfolk-connect-2004")
    contribution = Contribution.objects.create(
        programme=programme,
        partner=Partner.objects.get(slug="broadland"),
        financial_year="2004/05",
        tranche="immediate",
        amount="10000.00",
        status="received",
    )
    ReportRender.objects.create(  # a board report's PDF made by the background worker
        programme=programme,
        fingerprint="0" * 64,
        state=RenderState.READY,
        pdf=b"%PDF-1.7",
        pdf_sha256=sha256_hex(b"%PDF-1.7"),
        report_date=date(2004, 6, 24),
    )
    StatementRender.objects.create(  # a statement's PDF made by the worker, still waiting
        programme=programme, partner=contribution.partner, fingerprint="0" * 64
    )
    # The June meeting and its agreement, Broadland's consent recorded: the meeting pages' data.
    meeting = Meeting.objects.create(
        programme=programme,
        slug="norfolk-chief-executives-2004-06-18",
        body="Norfolk Chief Executives",
        date=date(2004, 6, 18),
        note="Item 5",
    )
    # The seed's paper went to it: its decisions' page has the recommendations to decide on.
    ReportText.objects.filter(programme=programme).update(for_meeting=meeting)
    agreement = Agreement.objects.create(meeting=meeting)
    for partner in Partner.objects.filter(partnership=programme.partnership, contributes=True):
        PartnerAgreement.objects.create(
            agreement=agreement,
            partner=partner,
            immediate="10000.00",
            cap="30000.00",
            consent_date=date(2004, 7, 5) if partner.slug == "broadland" else None,
            consent_reference="Cabinet 5 July 2004" if partner.slug == "broadland" else "",
        )
    # The money after the board decides: an agreement, a call partly paid, and a refund.
    money_world(programme, contribution.partner)
    spend_line(programme)  # the spend page lists it, with a link to remove it
    delivery_demo(programme)  # statuses and milestones for the pages and the timeline
    risk_of(programme)  # the register, the dashboard and the project's page show it
    invitation_of(programme)  # the People page lists it, with a link to revoke it
    urls = {
        name: reverse(name, kwargs=kwargs_for(name, programme, contribution)) + QUERY.get(name, "")
        for name in ALL_NAMES
        if name != "projects:project_form_row"  # a fragment for htmx, not a page
    }
    urls["account_notifications"] = reverse("account_notifications")  # the person's own page
    # The signed-in person's own pages, outside any programme (the matrix's ACCOUNT_URLS): their
    # account, and setting up two-factor sign-in, which nobody in the demo has yet.
    urls["account"] = reverse("account")
    urls["twofactor:setup"] = reverse("twofactor:setup")
    # The person's API access tokens (one made, so that the list and its revoke page show it),
    # making one, and the API's page for developers.
    token = api_token_of(programme)
    urls["account_tokens"] = reverse("account_tokens")
    urls["account_token_create"] = reverse("account_token_create")
    if token is not None:
        urls["account_token_revoke"] = reverse("account_token_revoke", args=[token.pk])
    urls["api_docs"] = reverse("api_docs")
    return {name: url for name, url in urls.items() if not url.endswith(DOWNLOADS)}


def api_token_of(programme: Programme):
    """Give the demo's facilitator an API access token, or None if the demo has no facilitator."""
    from norfolk_connect.api.services import token_create
    from projects.models import Membership, Role

    membership = (
        Membership.objects.filter(partnership=programme.partnership, role=Role.FACILITATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    token, _ = token_create(
        user=membership.user,
        partnership=programme.partnership,
        name="Finance system",
        scope="read",
        days=90,
    )
    return token


def delivery_demo(programme: Programme) -> None:
    """Give the demo's projects statuses and milestones about today: reached, late, due, ahead.

    The last project (the one the URLs name) has the permissions matrix's milestone and status.
    """
    from datetime import timedelta

    from django.utils import timezone

    from projects.models import Milestone, StatusUpdate

    today = timezone.localdate()
    delivery_records(programme)
    statuses = ["green", "amber", "red", "green", "amber"]
    for index, project in enumerate(programme.projects.order_by("position")[:5]):
        StatusUpdate.objects.create(
            project=project,
            status="green",
            date=today - timedelta(days=120),
            reason="Started on time and within budget.",
        )
        if statuses[index] != "green":
            StatusUpdate.objects.create(
                project=project,
                status=statuses[index],
                date=today - timedelta(days=10),
                reason="The supplier has delivered the design late; a recovery plan is agreed.",
            )
        phase = project.phases.order_by("number").first()
        start = today - timedelta(days=150 - 20 * index)
        Milestone.objects.create(
            project=project,
            phase=phase,
            name="Design signed off",
            baseline=start,
            actual=start + timedelta(days=7 * (index % 2)),
        )
        pilot = today + timedelta(days=5 * index)
        Milestone.objects.create(
            project=project,
            name="Pilot with two councils",
            baseline=pilot,
            forecast=pilot + timedelta(days=21 * (index % 3)),
        )
        Milestone.objects.create(
            project=project,
            name="Live in all seven councils",
            baseline=today + timedelta(days=120 + 15 * index),
        )
