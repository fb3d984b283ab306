"""Write a programme as the canonical programme file."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from ..money.document import (
    AGREEMENT,
    CALL,
    CONTRIBUTION,
    DECISION,
    FORECAST,
    FORMAT,
    FORMAT_1,
    FUNDING,
    INVOICE,
    MEETING,
    MILESTONE,
    OUTCOME_CLAIM,
    PAPER,
    PARTNER,
    PARTNER_AGREEMENT,
    PARTNERSHIP,
    PAYMENT,
    PHASE,
    PROGRAMME,
    PROJECT,
    REFUND,
    REPORT_TEXT,
    RISK,
    SPEND,
    STATUS_UPDATE,
    AgreementData,
    CallData,
    PaperData,
    PartnerAgreementData,
    ProgrammeDocument,
    ProjectData,
)
from ..money.schema import MONEY_KINDS, Entity, FieldSpec, Kind

_PENNY = Decimal("0.01")
_STATED_TOTALS = ("stated_existing_total", "stated_extra_total")
_CONSENT = ("consent_date", "consent_reference")


def dump_programme(document: ProgrammeDocument) -> dict[str, Any]:
    """Return the canonical programme file of a document, as JSON-ready data."""
    programme = document.programme
    after = after_the_meeting(document)
    dumped: dict[str, Any] = {
        # A programme with no record after the meeting and no paper but the one being prepared
        # is written as it always was.
        "format": FORMAT if after or document.papers else FORMAT_1,
        "partnership": _dump(PARTNERSHIP, document.partnership),
        "programme": {
            **_dump(PROGRAMME, programme, leave_out=_STATED_TOTALS),
            "stated": {
                "existing_total": _dump_amount(programme.stated_existing_total),
                "extra_total": _dump_amount(programme.stated_extra_total),
            },
        },
        "partners": [_dump(PARTNER, partner) for partner in document.partners],
        "projects": [_dump_project(project) for project in document.projects],
        "contributions": [_dump(CONTRIBUTION, item) for item in document.contributions],
    }
    # The report's text is an optional key added after the format was fixed: written only when
    # the programme has one, so files without it stay exactly as they were. Every paper, when
    # the document has them, is written under "papers" instead.
    if document.report is not None and not document.papers:
        dumped["report"] = _dump(REPORT_TEXT, document.report)
    if after:
        dumped.update(
            {
                "meetings": [_dump(MEETING, meeting) for meeting in document.meetings],
                "agreements": [_dump_agreement(item) for item in document.agreements],
                "calls": [_dump_call(call) for call in document.calls],
                "refunds": [_dump(REFUND, refund) for refund in document.refunds],
                "spend": [_dump(SPEND, item) for item in document.spend],
                "forecasts": [_dump(FORECAST, item) for item in document.forecasts],
                "milestones": [_dump(MILESTONE, item) for item in document.milestones],
                "status_updates": [_dump(STATUS_UPDATE, item) for item in document.status_updates],
                "risks": [_dump(RISK, item) for item in document.risks],
            }
        )
    if document.papers:
        dumped["papers"] = [_dump_paper(paper) for paper in document.papers]
    return dumped


def _dump_paper(paper: PaperData) -> dict[str, Any]:
    return {
        **_dump(PAPER, paper),
        "text": _dump(REPORT_TEXT, paper.text),
        "decisions": [_dump(DECISION, decision) for decision in paper.decisions],
    }


def after_the_meeting(document: ProgrammeDocument) -> bool:
    """Return whether the programme holds any record after the meeting (format 2's keys)."""
    return any(
        (
            document.meetings,
            document.agreements,
            document.calls,
            document.refunds,
            document.spend,
            document.forecasts,
            document.milestones,
            document.status_updates,
            document.risks,
        )
    )


def _dump_agreement(agreement: AgreementData) -> dict[str, Any]:
    return {
        **_dump(AGREEMENT, agreement),
        "per_partner": [_dump_partner_agreement(part) for part in agreement.per_partner],
    }


def _dump_partner_agreement(part: PartnerAgreementData) -> dict[str, Any]:
    consent = None
    if part.consent_date is not None:
        consent = {"date": _dump_date(part.consent_date), "reference": part.consent_reference}
    return {**_dump(PARTNER_AGREEMENT, part, leave_out=_CONSENT), "consent": consent}


def _dump_call(call: CallData) -> dict[str, Any]:
    return {
        **_dump(CALL, call),
        "invoices": [
            {
                **_dump(INVOICE, invoice),
                "payments": [_dump(PAYMENT, payment) for payment in invoice.payments],
            }
            for invoice in call.invoices
        ],
    }


def dumps_programme(document: ProgrammeDocument) -> str:
    """Return the canonical programme file of a document as text."""
    return json.dumps(dump_programme(document), indent=2, ensure_ascii=False) + "\n"


def _dump_project(project: ProjectData) -> dict[str, Any]:
    return {
        **_dump(PROJECT, project),
        "outcome_claims": [_dump(OUTCOME_CLAIM, claim) for claim in project.outcome_claims],
        "funding": [_dump(FUNDING, line) for line in project.funding],
        "phases": [_dump(PHASE, phase) for phase in project.phases],
    }


def _dump(entity: Entity, record: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return a record's declared fields in file order, each written as its kind is."""
    dumped: dict[str, Any] = {}
    for spec in entity.fields:
        value = getattr(record, spec.key)
        if spec.key in leave_out or (spec.sparse and (value is None or value == "")):
            # Keys beyond the format's example appear only once they say something.
            continue
        dumped[spec.key] = _dump_value(spec, value)
    return dumped


def _dump_value(spec: FieldSpec, value: Any) -> Any:
    if spec.kind in MONEY_KINDS:
        return _dump_amount(value)
    if spec.kind == Kind.DATE:
        return _dump_date(value)
    if spec.kind == Kind.CHOICE and spec.choices is not None:
        return spec.choices(value).value
    if spec.kind == Kind.WEIGHT:
        return None if value is None else _plain_decimal(value)
    if spec.kind == Kind.FINANCIAL_YEARS:
        return list(value)
    return value


def _dump_amount(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(_PENNY):f}"


def _dump_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _plain_decimal(value: Decimal) -> str:
    # normalize() alone would write 100 as "1E+2".
    return f"{value.normalize():f}"
