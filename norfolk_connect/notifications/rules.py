"""Who gets which email, and how: the notifications' rules, pure (no Django, no app).

- Each kind of email concerns some roles of a partnership (``KINDS_FOR_ROLE``); a person chooses,
  for each kind that concerns them, each email as it happens, a weekly digest, or none.
- Recipients are people with an email address; one address gets one email per event however
  many ways it is reached (a facilitator who is also the contact officer), and an address is
  compared without regard to case.
- A sending is attempted at most ``MAX_ATTEMPTS`` times, waiting longer after each failure
  (``retry_delay``); then it is recorded as failed.
- The weekly digest goes out on ``DIGEST_WEEKDAY`` and is keyed by the ISO week, so that a
  second run on the same day (or later that week) sends nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# The kinds of email, and their names on the preferences page.
PAPER_ISSUED = "paper_issued"
INVOICE_ISSUED = "invoice_issued"
INVOICE_OVERDUE = "invoice_overdue"
PHASE_DECIDED = "phase_decided"
MILESTONE_DUE = "milestone_due"
RISK_REVIEW = "risk_review"
DIGEST = "digest"

KIND_LABELS: dict[str, str] = {
    PAPER_ISSUED: "A paper is issued",
    INVOICE_ISSUED: "An invoice is issued",
    INVOICE_OVERDUE: "An invoice is overdue",
    PHASE_DECIDED: "A business case is decided",
    MILESTONE_DUE: "A milestone falls due",
    RISK_REVIEW: "A risk is past its review date",
    DIGEST: "The weekly digest",
}

# The roles of a partnership (projects.models.Role's values) and the kinds that concern each.
# Invoices go to each council's finance contact, who has no account: no role chooses them.
FACILITATOR = "facilitator"
CHIEF_EXECUTIVE = "chief_executive"
PARTNER_OFFICER = "partner_officer"
ADMIN = "admin"
KINDS_FOR_ROLE: dict[str, tuple[str, ...]] = {
    FACILITATOR: (PHASE_DECIDED, MILESTONE_DUE, RISK_REVIEW),
    CHIEF_EXECUTIVE: (PAPER_ISSUED,),
    PARTNER_OFFICER: (),
    ADMIN: (),
}

# How a person gets a kind of email.
IMMEDIATE = "immediate"
WEEKLY = "digest"
NONE = "none"
DELIVERY_LABELS: dict[str, str] = {
    IMMEDIATE: "Each email as it happens",
    WEEKLY: "A weekly digest",
    NONE: "None",
}

# What becomes of one email to one recipient.
SEND = "send"
HOLD = "hold"  # kept for the weekly digest
SKIP = "skip"

MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 60
DIGEST_WEEKDAY = 0  # Monday


@dataclass(frozen=True)
class Member:
    """A member of a partnership, as the rules need them."""

    user_id: int
    email: str
    role: str


@dataclass(frozen=True)
class Recipient:
    """Someone an email goes to: a person with an account (``user_id``) or a contact without."""

    email: str
    user_id: int | None = None


def kinds_for_roles(roles: Iterable[str]) -> list[str]:
    """Return the kinds of email that concern someone with these roles, in the pages' order."""
    wanted = {kind for role in roles for kind in KINDS_FOR_ROLE.get(role, ())}
    return [kind for kind in KIND_LABELS if kind in wanted]


def _distinct(recipients: Iterable[Recipient]) -> list[Recipient]:
    """Keep the first recipient of each address (case aside), and drop empty addresses."""
    seen: set[str] = set()
    kept = []
    for recipient in recipients:
        address = recipient.email.strip().lower()
        if address and address not in seen:
            seen.add(address)
            kept.append(recipient)
    return kept


def members_with_role(members: Iterable[Member], role: str) -> list[Recipient]:
    """Return the members with the role who have an email address, one per address."""
    return _distinct(Recipient(m.email, m.user_id) for m in members if m.role == role)


def paper_recipients(members: Iterable[Member]) -> list[Recipient]:
    """A paper issued goes to the partnership's chief executives."""
    return members_with_role(members, CHIEF_EXECUTIVE)


def facilitator_recipients(members: Iterable[Member], contact_email: str) -> list[Recipient]:
    """Decisions, milestones and risks go to the facilitators and the contact officer.

    The contact officer (the partnership's contact email) is added when set and not already
    one of the facilitators' addresses.
    """
    facilitators = members_with_role(members, FACILITATOR)
    return _distinct([*facilitators, Recipient(contact_email.strip())])


def finance_recipients(finance_email: str) -> list[Recipient]:
    """An invoice, issued or overdue, goes to the council's finance contact, if it has one."""
    return _distinct([Recipient(finance_email.strip())])


def delivery(kind: str, *, has_account: bool, chosen: str | None, opted_out: bool) -> str:
    """Return what becomes of an email of a kind to a recipient: send, hold or skip.

    ``chosen`` is the person's choice for the kind (``None``: not chosen, which is each email
    as it happens); a contact without an account gets each email unless they unsubscribed.
    """
    if opted_out or (has_account and chosen == NONE):
        return SKIP
    if has_account and chosen == WEEKLY and kind != DIGEST:
        return HOLD
    return SEND


def retry_delay(attempts: int) -> int | None:
    """Return the seconds to wait before the next attempt after ``attempts`` failed, or None.

    1, 2, 4, 8 minutes: within a quarter of an hour in all; None once ``MAX_ATTEMPTS`` failed.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    return FIRST_RETRY_SECONDS * 2 ** (attempts - 1)


def digest_due(day: date, weekday: int = DIGEST_WEEKDAY) -> bool:
    """The weekly digest goes out on one day of the week."""
    return day.weekday() == weekday


def digest_key(day: date) -> str:
    """The key of the digest of the day's ISO week: one digest a week to each person."""
    year, week, _ = day.isocalendar()
    return f"digest:{year}-W{week:02d}"


def one_line(text: str) -> str:
    """Return text as one line: every run of whitespace (line breaks too) as one space.

    A subject is built from names; a line break in one must never start a header of its own.
    """
    return " ".join(text.split())
