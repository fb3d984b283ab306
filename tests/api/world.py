"""Two partnerships with every kind of record, for the API's tests: ours and theirs.

Each is the seed programme with what followed the June 2004 meeting (tests.after_the_meeting):
calls and invoices, payments, a refund, spend, forecasts, milestones, statuses and risks (an
issued paper is the tests' own to make). Invoice numbers and slugs differ between the two, so
that a test reaching for the other partnership's record by its id or slug is refused as the
API refuses it (404).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from norfolk_connect.api import services
from norfolk_connect.api.models import Scope
from projects.models import Membership, Partner, Programme, Role
from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting
from tests.projects.factories import MembershipFactory


@dataclass
class World:
    ours: Programme
    theirs: Programme

    def member(self, role: str = Role.FACILITATOR, partner: str = "broadland") -> Membership:
        """A new member of our partnership; a partner officer works for ``partner``."""
        council = None
        if role == Role.PARTNER_OFFICER:
            council = Partner.objects.get(partnership=self.ours.partnership, slug=partner)
        return MembershipFactory(partnership=self.ours.partnership, role=role, partner=council)

    def token(self, role: str = Role.FACILITATOR, scope: str = Scope.READ, **kwargs) -> str:
        """A token of a new member of our partnership with the role."""
        membership = self.member(role, **kwargs)
        return token_of(membership, scope)


def token_of(membership: Membership, scope: str = Scope.READ) -> str:
    return services.token_create(
        user=membership.user,
        partnership=membership.partnership,
        name="Ledger",
        scope=scope,
        days=30,
    )[1]


def programme_of(partnership_slug: str, programme_slug: str, invoice_start: str) -> Programme:
    content = after_the_meeting()
    content["partnership"]["slug"] = partnership_slug
    content["programme"]["slug"] = programme_slug
    if invoice_start != "NC":
        for call in content["calls"]:
            for invoice in call["invoices"]:
                invoice["number"] = invoice["number"].replace("NC", invoice_start)
    return programme_load(document=parse_programme(json.dumps(content)))


def make_world() -> World:
    ours = programme_of("norfolk-connect", "norfolk-connect-2004", "NC")
    theirs = programme_of("elsewhere", "elsewhere-2004", "EW")
    return World(ours=ours, theirs=theirs)


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
