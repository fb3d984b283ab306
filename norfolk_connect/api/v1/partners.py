"""Partners: each council's position, from the same functions as the partners page and a
council's own page, so that every amount equals the page's to the penny.

A partner officer reads the list of every council, as on the partners page, but only their own
council's position: another council's answers 404, where its page refuses them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from contributions.agreed import AgreedRow
from contributions.selectors import partners_page, partnership_partner
from projects.access import own_council
from projects.money.shares import PartnerPosition
from projects.selectors.contacts import finance_person, lead_officer
from reports.report.selectors import statement_for
from reports.report.statements import InvoiceLine

from .common import MONEY_FIELD, Page, answers, money_text, own_programme
from .projects import PersonOut

router = Router(tags=["Partners"])


class PositionOut(Schema):
    """A contributing council's shares of the extra cost, its recommended tranches and its
    money, worked out from the programme as it is now."""

    share_min: str = Field(description=f"Its exact share of the committed minimum. {MONEY_FIELD}")
    share_max: str = Field(description=f"Its exact share of the maximum. {MONEY_FIELD}")
    immediate: str = Field(
        description="Its immediate tranche, what it is asked for now: its share of the minimum, "
        f"rounded up to the programme's step. {MONEY_FIELD}"
    )
    cap: str = Field(
        description="Its cap, the most it can be asked for: its share of the maximum, rounded "
        f"up to the step. {MONEY_FIELD}"
    )
    later_at_most: str = Field(
        description="What it may be asked for after its immediate tranche, only after a "
        f"further decision: the rest up to its cap. {MONEY_FIELD}"
    )
    pledged: str = Field(
        description=f"What it has pledged: pledged, invoiced or received. {MONEY_FIELD}"
    )
    received: str = Field(description=f"What it has paid in. {MONEY_FIELD}")
    outstanding: str = Field(description=f"Pledged and not yet received. {MONEY_FIELD}")


class AgreedOut(Schema):
    """What a council agreed at the board's latest agreement, and its money since."""

    agreed_immediate: str = Field(description=f"Its agreed immediate tranche. {MONEY_FIELD}")
    agreed_cap: str = Field(description=f"Its agreed cap. {MONEY_FIELD}")
    proposed_immediate: str = Field(
        description="Its immediate tranche worked out from the programme now (proposed), "
        f"beside the agreed one. {MONEY_FIELD}"
    )
    proposed_cap: str = Field(
        description=f"Its cap worked out from the programme now (proposed). {MONEY_FIELD}"
    )
    invoiced: str = Field(description=f"What it has been invoiced. {MONEY_FIELD}")
    paid: str = Field(description=f"What it has paid on its invoices. {MONEY_FIELD}")
    credited: str = Field(description=f"Credits given to it. {MONEY_FIELD}")
    owed: str = Field(
        description="What it owes: invoiced less paid and credited; negative when it is in "
        f"credit. {MONEY_FIELD}"
    )
    in_credit: str = Field(
        description=f"How far it is in credit (it owes less than nothing), else 0. {MONEY_FIELD}"
    )
    overdue: str = Field(description=f"What is owed past its invoices' due dates. {MONEY_FIELD}")
    uncalled: str = Field(
        description=f"What of its agreed cap it has not been invoiced for yet. {MONEY_FIELD}"
    )
    next_due: dt.date | None = Field(
        description="When its next payment falls due, YYYY-MM-DD; null when nothing is due."
    )
    consent_date: dt.date | None = Field(
        description="When its consent to the agreement was recorded; null when not yet."
    )
    consent_reference: str = Field(
        description="The reference of its consent (a minute, a decision); empty when none."
    )


def _money_of(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: money_text(getattr(row, name)) for name in names}


def position_of(position: PartnerPosition | None) -> dict | None:
    if position is None:
        return None
    return _money_of(
        position,
        (
            "share_min",
            "share_max",
            "immediate",
            "cap",
            "later_at_most",
            "pledged",
            "received",
            "outstanding",
        ),
    )


def agreed_of(row: AgreedRow | None) -> dict | None:
    if row is None:
        return None
    return {
        **_money_of(
            row,
            (
                "agreed_immediate",
                "agreed_cap",
                "proposed_immediate",
                "proposed_cap",
                "invoiced",
                "paid",
                "credited",
                "owed",
                "in_credit",
                "overdue",
                "uncalled",
            ),
        ),
        "next_due": row.next_due,
        "consent_date": row.consent_date,
        "consent_reference": row.consent_reference,
    }


class PartnerOut(Schema):
    """A council of the partnership and where it stands in the programme, as the partners
    page shows it."""

    slug: str = Field(description="The council's short name, used in the API's addresses.")
    name: str = Field(description="The council's name.")
    contributes: bool = Field(description="Whether it shares the programme's extra cost.")
    population: int | None = Field(description="Its population; null when not recorded.")
    weight: str | None = Field(
        description="Its agreed weight, as a decimal string without trailing zeros; null when "
        "none is agreed."
    )
    own: bool = Field(description="Whether it is the council of the token's partner officer.")
    position: PositionOut | None = Field(
        description="Its shares, tranches and money; null when it does not contribute, or the "
        "shares cannot be worked out (see `figures_problem`)."
    )
    agreed: AgreedOut | None = Field(
        description="What it agreed and its money since; null before the board's agreement is "
        "recorded, or when it is not part of it."
    )
    figures_problem: str = Field(
        description="Why the partners' shares cannot be worked out; empty when they can."
    )


class InvoiceOut(Schema):
    """One of the council's invoices: what it was asked for, by when, and what it has paid."""

    number: str = Field(description="The invoice's number.")
    tranche: str = Field(description="The tranche it asks for, as the page names it.")
    financial_year: str = Field(description="The financial year it is for, such as 2004/05.")
    issued: dt.date = Field(description="The day it was issued, YYYY-MM-DD.")
    due: dt.date = Field(description="The day payment is due, YYYY-MM-DD.")
    amount: str = Field(description=f"What it asks for. {MONEY_FIELD}")
    paid: str = Field(description=f"What has been paid on it. {MONEY_FIELD}")
    owed: str = Field(description=f"What is still to pay on it. {MONEY_FIELD}")
    overdue: bool = Field(description="Whether it is past its due date with money still to pay.")


def invoice_of(line: InvoiceLine) -> dict:
    return {
        "number": line.number,
        "tranche": line.tranche,
        "financial_year": line.financial_year,
        "issued": line.issued,
        "due": line.due,
        **_money_of(line, ("amount", "paid", "owed")),
        "overdue": line.overdue,
    }


class PartnerDetailOut(Schema):
    """One council's position in the programme, as its own page and statement show it."""

    slug: str = Field(description="The council's short name, used in the API's addresses.")
    name: str = Field(description="The council's name.")
    contributes: bool = Field(description="Whether it shares the programme's extra cost.")
    own: bool = Field(description="Whether it is the council of the token's partner officer.")
    as_of: dt.date = Field(description="The day the figures are worked out for: today.")
    figures_problem: str = Field(
        description="Why its shares cannot be worked out; empty when they can."
    )
    position: PositionOut | None = Field(
        description="What it is asked for now and at most; null when it does not contribute or "
        "its shares cannot be worked out."
    )
    pledged: str = Field(
        description=f"What it has pledged: pledged, invoiced or received. {MONEY_FIELD}"
    )
    received: str = Field(description=f"What it has paid in. {MONEY_FIELD}")
    outstanding: str = Field(description=f"Pledged, not yet received. {MONEY_FIELD}")
    agreed: AgreedOut | None = Field(
        description="What it agreed and its money since; null before an agreement."
    )
    agreed_by: str = Field(
        description="Who agreed it and when, as the page says it; empty before an agreement."
    )
    invoices: list[InvoiceOut] = Field(description="Its invoices, oldest first.")
    spent: str = Field(
        description="Its part of the programme's spend so far, in proportion to what it has "
        f"put in. {MONEY_FIELD}"
    )
    lead_officer: PersonOut | None = Field(
        description="Its lead officer for the partnership's work; null when not recorded."
    )
    finance_contact: PersonOut | None = Field(
        description="Its finance contact, to whom its invoices go; null when not recorded."
    )


@router.get(
    "/programmes/{slug}/partners",
    response=answers(list[PartnerOut]),
    url_name="partners",
    summary="List the councils and where each stands",
    description=(
        "The partnership's councils in their agreed order, a page at a time, each with its "
        "shares, tranches and money in the programme and, once the board's agreement is "
        "recorded, what it agreed, has been invoiced, has paid, owes and has overdue: the "
        "figures of the partners page. 404 when the token's partnership has no programme with "
        "this slug."
    ),
)
@paginate(Page)
def partners(request: HttpRequest, slug: str) -> Any:
    programme = own_programme(request, slug)
    council = own_council(request.api_membership)  # type: ignore[attr-defined]
    page = partners_page(programme=programme, own_partner=council.slug if council else None)
    positions = {row.slug: row.position for row in page.positions}
    agreed = {row.slug: row for row in page.agreed.rows} if page.agreed else {}
    return [
        {
            "slug": row.partner.slug,
            "name": row.partner.name,
            "contributes": row.partner.contributes,
            "population": row.partner.population,
            "weight": row.weight or None,
            "own": council is not None and row.partner.pk == council.pk,
            "position": position_of(positions.get(row.partner.slug)),
            "agreed": agreed_of(agreed.get(row.partner.slug)),
            "figures_problem": page.figures_problem,
        }
        for row in page.partners
    ]


@router.get(
    "/programmes/{slug}/partners/{partner}",
    response=answers(PartnerDetailOut),
    url_name="partner",
    summary="One council's position",
    description=(
        "One council's position in the programme, as its own page shows it: what it is asked "
        "for, has pledged and paid, what it agreed, was invoiced, owes and has overdue, and its "
        "invoices. A partner officer reads only their own council's. 404 when the partnership "
        "has no council with this slug, or the token's partnership no such programme."
    ),
)
def partner(request: HttpRequest, slug: str, partner: str) -> Any:
    programme = own_programme(request, slug)
    membership = request.api_membership  # type: ignore[attr-defined]
    found = partnership_partner(partnership=programme.partnership, slug=partner)
    council = own_council(membership)
    # As the council's page: a partner officer sees only their own council (there a 403).
    if found is None or (council is not None and council.pk != found.pk):
        raise Http404("No such partner")
    statement = statement_for(programme=programme, partner=found)
    return {
        "slug": found.slug,
        "name": found.name,
        "contributes": statement.contributes,
        "own": council is not None,
        "as_of": statement.date,
        "figures_problem": statement.figures_problem,
        "position": position_of(statement.position),
        "pledged": money_text(statement.totals.promised),
        "received": money_text(statement.totals.received),
        "outstanding": money_text(statement.totals.outstanding),
        "agreed": agreed_of(statement.agreed),
        "agreed_by": statement.agreed_by,
        "invoices": [invoice_of(line) for line in statement.invoices],
        "spent": money_text(statement.part_total),
        "lead_officer": lead_officer(found),
        "finance_contact": finance_person(found),
    }
