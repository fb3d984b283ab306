"""Who may see and change what: a user reaches a programme only through their membership.

Another partnership's programme answers 404 (its existence is not revealed); a member whose
role may not change data gets 403 on any view that changes it. A PermissionDenied's message is
shown on the 403 page (templates/403.html), so it is written for the person refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from .models import Membership, Programme, Role

EDITOR_ROLES = frozenset({Role.FACILITATOR, Role.ADMIN})


def can_edit(membership: Membership | None) -> bool:
    """Return whether the member may change the partnership's data."""
    return membership is not None and membership.role in EDITOR_ROLES


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
    programme: Programme
    membership: Membership

    def dispatch(self, request, *args, **kwargs):
        self.programme, self.membership = programme_and_membership(request.user, kwargs["slug"])
        if self.edits and not self.can_edit:
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
            programme_navigation=programme_navigation(
                self.programme, self.request, can_edit=self.can_edit
            ),
        )
        return context


def programme_navigation(programme: Programme, request, *, can_edit: bool) -> list[dict]:
    """Return the programme's navigation items, marking the section being viewed."""
    current = request.resolver_match.url_name if request.resolver_match else ""
    sections = [
        ("Overview", "projects:programme_home", {"programme_home"}),
        ("Dashboard", "reports:dashboard", {"dashboard"}),
        ("Scenarios", "reports:scenarios", {"scenarios", "scenario_apply"}),
        (
            "Board report",
            "report:report",
            {"report", "report_text", "report_issue", "issued_list", "report_changes",
             "statement", "renders", "render"},
        ),
        (
            "Projects",
            "projects:project_list",
            {"project_list", "project_detail", "project_create", "project_update",
             "project_delete", "phase_decision"},
        ),
        (
            "Partners",
            "contributions:partner_list",
            {"partner_list", "partner_create", "partner_update", "partner_delete",
             "contribution_create", "contribution_update", "contribution_delete"},
        ),
    ]  # fmt: skip
    if can_edit:
        sections.append(("Import", "reports:import", {"import", "import_confirm"}))
        sections.append(("Settings", "projects:programme_settings", {"programme_settings"}))
    return [
        {"label": label, "url": reverse(name, args=[programme.slug]), "current": current in names}
        for label, name, names in sections
    ]
