"""Who may see and change what: a user reaches a programme only through their membership.

Another partnership's programme answers 404 (its existence is not revealed); a member whose
role may not change data gets 403 on any view that changes it. A PermissionDenied's message is
shown on the 403 page (templates/403.html), so it is written for the person refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from .models import Membership, Partner, Programme, Role

EDITOR_ROLES = frozenset({Role.FACILITATOR, Role.ADMIN})


def can_edit(membership: Membership | None) -> bool:
    """Return whether the member may change the partnership's data."""
    return membership is not None and membership.role in EDITOR_ROLES


def own_council(membership: Membership | None) -> Partner | None:
    """Return the partner council of a partner officer's membership, or None for other roles."""
    if membership is None or membership.role != Role.PARTNER_OFFICER:
        return None
    return membership.partner  # fetched with the membership (select_related)


def can_record_payment(membership: Membership | None, *, partner_id: int) -> bool:
    """Return whether the member may record a payment against an invoice to this council.

    Editors may against any invoice; a partner officer (their council's finance contact) only
    against their own council's. Every other change stays the editors'.
    """
    if can_edit(membership):
        return True
    council = own_council(membership)
    return council is not None and council.pk == partner_id


def can_change_anything(membership: Membership | None) -> bool:
    """Return whether the member may make any change at all: an editor, or a partner officer
    (payments against their own council's invoices, ``can_record_payment``)."""
    return can_edit(membership) or own_council(membership) is not None


def landing_url(programme_slug: str, membership: Membership) -> str:
    """Return the member's first page of the programme: the page that answers their question.

    A partner officer reads their council's page (what it is asked for, has pledged and paid),
    a chief executive the dashboard (the figures the board decides on), and those who keep the
    programme its home, which leads with what needs doing.
    """
    council = own_council(membership)
    if council is not None:
        return reverse("reports:partner", args=[programme_slug, council.slug])
    if membership.role == Role.CHIEF_EXECUTIVE:
        return reverse("reports:dashboard", args=[programme_slug])
    return reverse("projects:programme_home", args=[programme_slug])


def programme_and_membership(user, slug: str) -> tuple[Programme, Membership]:
    """Return the programme with this slug and the user's membership of its partnership, or 404."""
    membership = (
        Membership.objects.select_related("partnership", "partner")
        .filter(user=user, partnership__programmes__slug=slug)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such programme")
    programme = Programme.objects.get(slug=slug)
    programme.partnership = membership.partnership  # already fetched: saves a query per page
    return programme, membership


class ProgrammeMixin:
    """Resolve ``slug`` to a programme the user belongs to; require an editor when ``edits``."""

    edits = False  # True on every view that changes data (its GET shows the form to do so)
    # True on a change view a partner officer may also use on their own council's record: the
    # view decides once it has found the record (recording a payment, can_record_payment).
    own_council_edits = False
    programme: Programme
    membership: Membership

    def dispatch(self, request, *args, **kwargs):
        self.programme, self.membership = programme_and_membership(request.user, kwargs["slug"])
        may_try = self.own_council_edits and own_council(self.membership) is not None
        if self.edits and not self.can_edit and not may_try:
            raise PermissionDenied("Only the partnership's facilitators can change its data.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def can_edit(self) -> bool:
        return can_edit(self.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            programme=self.programme,
            membership=self.membership,
            can_edit=self.can_edit,
            own_council=own_council(self.membership),
            programme_navigation=programme_navigation(
                self.programme, self.request, membership=self.membership
            ),
        )
        return context


# A partner officer's own council's page and statement: "Your council" in their navigation.
COUNCIL_PAGES = {"partner", "statement", "statement_renders", "statement_render"}


def programme_navigation(programme: Programme, request, *, membership: Membership) -> list[dict]:
    """Return the programme's navigation items, marking the section being viewed.

    A partner officer's first item is their own council's page; the pages of their council's
    statement are marked as that section rather than the board report's.
    """
    current = request.resolver_match.url_name if request.resolver_match else ""
    council = own_council(membership)
    sections = [
        ("Overview", "projects:programme_home", {"programme_home"}),
        ("Dashboard", "reports:dashboard", {"dashboard"}),
        ("Scenarios", "reports:scenarios", {"scenarios", "scenario_apply"}),
        (
            "Board report",
            "report:report",
            {"report", "report_text", "report_issue", "issued_list", "report_changes",
             "statement", "renders", "render", "paper_list", "paper_create", "paper_delete",
             "paper_report", "paper_report_text", "paper_report_issue", "paper_issued_list",
             "paper_report_changes", "paper_renders", "decisions", "paper_decisions"},
        ),
        (
            "Projects",
            "projects:project_list",
            {"project_list", "project_detail", "project_create", "project_update",
             "project_delete", "phase_decision",
             # A project's milestones and status are changed from its page.
             "milestone_create", "milestone_update", "milestone_delete", "status_set"},
        ),
        # Delivery: the programme's milestones and status, its spend and the pot, and the risk
        # register, one section with a navigation of its own, so that the row stays one line.
        (
            "Delivery",
            "reports:delivery",
            {"delivery", "programme_spend", "risk_register", "risk_create", "risk_update",
             "risk_delete"},
        ),
        (
            "Partners",
            "contributions:partner_list",
            {"partner_list", "partner", "partner_create", "partner_update", "partner_delete",
             "contribution_create", "contribution_update", "contribution_delete",
             # The money the partners are asked for and pay, once the board has agreed it.
             "call_list", "call_create", "call_detail", "call_cancel", "payment_create",
             "payment_delete", "refund_list", "refund_create", "refund_delete"},
        ),
        (
            "Meetings",
            "contributions:meeting_list",
            {"meeting_list", "meeting_create", "meeting_update", "meeting_delete", "agreement",
             "agreement_record", "consent_update"},
        ),
    ]  # fmt: skip
    if can_edit(membership):
        sections.append(("Import", "reports:import", {"import", "import_confirm"}))
        # Settings: the programme's, the partnership's details and its people (invitations,
        # roles, removals), one section with a navigation of its own.
        sections.append(
            (
                "Settings",
                "projects:programme_settings",
                {"programme_settings", "partnership_details", "people", "invite",
                 "invitation_revoke", "member_role", "member_remove"},
            )
        )  # fmt: skip
    items = [
        {"label": label, "url": reverse(name, args=[programme.slug]), "current": current in names}
        for label, name, names in sections
    ]
    if council is not None:
        for item in items:
            item["current"] = item["current"] and current not in COUNCIL_PAGES
        items.insert(
            0,
            {
                "label": "Your council",
                "url": reverse("reports:partner", args=[programme.slug, council.slug]),
                "current": current in COUNCIL_PAGES,
            },
        )
    return items
