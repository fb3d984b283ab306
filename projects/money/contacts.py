"""The named people a paper, a page or an invoice gives: who to ask, who to send to.

Pure Python: it reads any object with the fields' names (a model or the programme file's
plain data), so the papers, the pages and the notifications word them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The contact officer's role as the seed's papers give it (section 6 of the board paper).
CONTACT_OFFICER_ROLE = "Partnership Facilitator"


@dataclass(frozen=True)
class ContactOfficer:
    """The person a paper names at its end, to ask about it."""

    name: str
    telephone: str = ""
    email: str = ""
    role: str = CONTACT_OFFICER_ROLE

    @property
    def line(self) -> str:
        """Return the paper's last line: "Contact officer: Name, Partnership Facilitator, ..."."""
        parts = [self.name, self.role]
        if self.telephone:
            parts.append(f"telephone {self.telephone}")
        if self.email:
            parts.append(f"email {self.email}")
        return f"Contact officer: {', '.join(parts)}"


@dataclass(frozen=True)
class Person:
    """A named person with their email address; either may be empty, not both."""

    name: str
    email: str

    @property
    def address(self) -> str:
        """Return how an email's To line names them: "Jane Smith <jane@example.com>"."""
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.email


def contact_officer_of(partnership: Any) -> ContactOfficer | None:
    """Return the partnership's contact officer, or None when no name is recorded."""
    name = (partnership.contact_name or "").strip()
    if not name:
        return None
    return ContactOfficer(
        name=name,
        telephone=(partnership.contact_telephone or "").strip(),
        email=(partnership.contact_email or "").strip(),
    )


def person_of(name: str | None, email: str | None) -> Person | None:
    """Return the person the two fields record, or None when both are empty."""
    name, email = (name or "").strip(), (email or "").strip()
    return Person(name, email) if name or email else None
