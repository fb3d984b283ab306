"""Write a programme as the canonical programme file."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from ..money.document import (
    FORMAT,
    REPORT_TEXT_FIELDS,
    ContributionData,
    PartnerData,
    PhaseData,
    ProgrammeDocument,
    ProjectData,
)
from ..money.vocabulary import (
    Apportionment,
    Borne,
    ContributionStatus,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    ProjectStatus,
    Tranche,
)

_PENNY = Decimal("0.01")


def dump_programme(document: ProgrammeDocument) -> dict[str, Any]:
    """Return the canonical programme file of a document, as JSON-ready data."""
    partnership = document.partnership
    programme = document.programme
    dumped: dict[str, Any] = {
        "format": FORMAT,
        "partnership": {
            "slug": partnership.slug,
            "name": partnership.name,
            "strategy": partnership.strategy,
        },
        "programme": {
            "slug": programme.slug,
            "name": programme.name,
            "starts": _dump_date(programme.starts),
            "ends": _dump_date(programme.ends),
            "financial_years": list(programme.financial_years),
            "apportionment": Apportionment(programme.apportionment).value,
            "rounding_step": _dump_amount(programme.rounding_step),
            "stated": {
                "existing_total": _dump_amount(programme.stated_existing_total),
                "extra_total": _dump_amount(programme.stated_extra_total),
            },
        },
        "partners": [_dump_partner(partner) for partner in document.partners],
        "projects": [_dump_project(project) for project in document.projects],
        "contributions": [_dump_contribution(item) for item in document.contributions],
    }
    # The report's text is an optional key added after the format was fixed: written only when
    # the programme has one, so files without it stay exactly as they were.
    if document.report is not None:
        dumped["report"] = {key: getattr(document.report, key) for key in REPORT_TEXT_FIELDS}
    return dumped


def dumps_programme(document: ProgrammeDocument) -> str:
    """Return the canonical programme file of a document as text."""
    return json.dumps(dump_programme(document), indent=2, ensure_ascii=False) + "\n"


def _dump_partner(partner: PartnerData) -> dict[str, Any]:
    dumped: dict[str, Any] = {
        "slug": partner.slug,
        "name": partner.name,
        "contributes": partner.contributes,
        "population": partner.population,
        "weight": None if partner.weight is None else _plain_decimal(partner.weight),
    }
    # Optional, beyond the format's example: written only when recorded.
    if partner.ieg_grant is not None:
        dumped["ieg_grant"] = _dump_amount(partner.ieg_grant)
    return dumped


def _dump_project(project: ProjectData) -> dict[str, Any]:
    return {
        "slug": project.slug,
        "name": project.name,
        "description": project.description,
        "outputs": project.outputs,
        "external_project": project.external_project,
        "supports_strategy": project.supports_strategy,
        "lead_partner": project.lead_partner,
        "status": ProjectStatus(project.status).value,
        "outcome_claims": [
            {"grade": Grade(claim.grade).value, "code": claim.code}
            for claim in project.outcome_claims
        ],
        "funding": [
            {
                "source": line.source,
                "kind": FundingKind(line.kind).value,
                "amount": _dump_amount(line.amount),
                "status": FundingStatus(line.status).value,
                "note": line.note,
            }
            for line in project.funding
        ],
        "phases": [_dump_phase(phase) for phase in project.phases],
    }


def _dump_phase(phase: PhaseData) -> dict[str, Any]:
    dumped: dict[str, Any] = {
        "number": phase.number,
        "name": phase.name,
        "extra_cost": _dump_amount(phase.extra_cost),
        "gated": phase.gated,
        "decision": Decision(phase.decision).value,
        "borne": Borne(phase.borne).value,
        "note": phase.note,
    }
    # Like a contribution's dates, the decision's date and note appear only once there is one.
    if phase.decided_on is not None:
        dumped["decided_on"] = _dump_date(phase.decided_on)
    if phase.decision_note:
        dumped["decision_note"] = phase.decision_note
    return dumped


def _dump_contribution(contribution: ContributionData) -> dict[str, Any]:
    dumped: dict[str, Any] = {
        "partner": contribution.partner,
        "financial_year": contribution.financial_year,
        "tranche": Tranche(contribution.tranche).value,
        "amount": _dump_amount(contribution.amount),
        "status": ContributionStatus(contribution.status).value,
    }
    # Dates and note go beyond the format's example, so they appear only when they say something.
    for key in ("pledged_on", "invoiced_on", "received_on", "returned_on"):
        if getattr(contribution, key) is not None:
            dumped[key] = _dump_date(getattr(contribution, key))
    if contribution.note:
        dumped["note"] = contribution.note
    return dumped


def _dump_amount(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(_PENNY):f}"


def _dump_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _plain_decimal(value: Decimal) -> str:
    # normalize() alone would write 100 as "1E+2".
    return f"{value.normalize():f}"
