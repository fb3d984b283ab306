"""Who a partnership, a council or a project names: the papers', the pages' and the
notifications' one way of reading the contact fields.

Each reads the fields of the row it is given and runs no query.
"""

from __future__ import annotations

from ..models import Partner, Partnership, Project
from ..money.contacts import ContactOfficer, Person, contact_officer_of, person_of


def contact_officer(partnership: Partnership) -> ContactOfficer | None:
    """Return the contact officer the partnership's papers end with, or None if none is named."""
    return contact_officer_of(partnership)


def finance_contact(partner: Partner) -> tuple[str, str] | None:
    """Return (name, email) of the council's finance contact, to whom its invoices go.

    None when neither is recorded. Either may be "" when only the other is: a caller that
    sends an invoice needs the email and must check it.
    """
    person = finance_person(partner)
    return None if person is None else (person.name, person.email)


def finance_person(partner: Partner) -> Person | None:
    """Return the council's finance contact as a Person, or None when none is recorded."""
    return person_of(partner.finance_contact_name, partner.finance_contact_email)


def lead_officer(partner: Partner) -> Person | None:
    """Return the council's lead officer for the partnership's work, or None."""
    return person_of(partner.lead_officer_name, partner.lead_officer_email)


def project_lead(project: Project) -> Person | None:
    """Return the officer who leads the project's work, or None."""
    return person_of(project.lead_name, project.lead_email)
