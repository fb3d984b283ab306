from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from projects.models import Partner, Programme, Role
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import MembershipFactory, ProgrammeFactory, UserFactory

PASSWORD = "correct horse battery"


@dataclass
class People:
    programme: Programme
    council: Partner
    facilitator: Any
    chief_executive: Any
    officer: Any
    other: Programme
    other_facilitator: Any

    @property
    def partnership(self):
        return self.programme.partnership


@pytest.fixture
def people(db) -> People:
    """A programme with a facilitator, a chief executive and a partner officer; another's."""
    programme = ProgrammeFactory(slug="norfolk-connect-2004")
    partnership = programme.partnership
    council = PartnerFactory(partnership=partnership, name="Broadland", slug="broadland")
    facilitator = MembershipFactory(
        partnership=partnership,
        role=Role.FACILITATOR,
        user=UserFactory(username="fran", email="fran@norfolk.example", first_name="Fran"),
    ).user
    chief = MembershipFactory(
        partnership=partnership,
        role=Role.CHIEF_EXECUTIVE,
        user=UserFactory(username="chris", email="chris@norfolk.example"),
    ).user
    officer = MembershipFactory(
        partnership=partnership,
        role=Role.PARTNER_OFFICER,
        partner=council,
        user=UserFactory(username="pat", email="pat@broadland.example"),
    ).user
    other = ProgrammeFactory(slug="elsewhere-2004")
    other_facilitator = MembershipFactory(
        partnership=other.partnership,
        user=UserFactory(username="olly", email="olly@elsewhere.example"),
    ).user
    return People(programme, council, facilitator, chief, officer, other, other_facilitator)
