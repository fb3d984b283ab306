"""A programme file in format 2: the seed with the June 2004 agreement and what followed.

Every record after the meeting is here: two meetings, each with an agreement; the immediate
call (eight invoices of £10,000), paid by most councils, Broadland in two instalments and
Norwich not at all; the review call after the autumn meeting; a refund and a credit; spend on
a committed phase and a forecast.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "norfolk-connect-2004.json"
PARTNERS = [
    "norfolk-county",
    "breckland",
    "broadland",
    "great-yarmouth",
    "kings-lynn-west-norfolk",
    "north-norfolk",
    "norwich",
    "south-norfolk",
]


def seed() -> dict[str, Any]:
    return json.loads(SEED.read_text())


def invoice(number: int, partner: str, amount: str, *payments: tuple[str, str, str]) -> dict:
    return {
        "number": f"NC-{number:04d}",
        "partner": partner,
        "amount": amount,
        "payments": [
            {"date": day, "amount": paid, "reference": reference}
            for day, paid, reference in payments
        ],
    }


def after_the_meeting() -> dict[str, Any]:
    """Return the seed as a format 2 file holding every kind of record after the meeting."""
    content = copy.deepcopy(seed())
    content["format"] = "partnership-programme/2"
    # The autumn review: Authentication phase 2 does not proceed.
    for project in content["projects"]:
        if project["slug"] == "authentication-gateway":
            project["phases"][1]["decision"] = "not_proceeding"
    content["meetings"] = [
        {
            "slug": "chief-executives-2004-06",
            "body": "Norfolk Chief Executives",
            "date": "2004-06-18",
            "note": "Item 5",
        },
        {
            "slug": "chief-executives-2004-10",
            "body": "Norfolk Chief Executives",
            "date": "2004-10-15",
            "note": "",
        },
    ]
    consent = {"date": "2004-07-05", "reference": "Cabinet 5 July 2004"}
    content["agreements"] = [
        {
            "meeting": "chief-executives-2004-06",
            "per_partner": [
                {
                    "partner": slug,
                    "immediate": "10000.00",
                    "cap": "30000.00",
                    "consent": consent if slug == "broadland" else None,
                }
                for slug in PARTNERS
            ],
        },
        {
            "meeting": "chief-executives-2004-10",
            "per_partner": [
                {"partner": slug, "immediate": "10000.00", "cap": "20000.00", "consent": None}
                for slug in PARTNERS
            ],
        },
    ]
    immediate = []
    for number, slug in enumerate(PARTNERS, start=1):
        if slug == "broadland":
            paid = [("2004-07-20", "5000.00", "BACS 1"), ("2004-08-02", "5000.00", "BACS 2")]
        elif slug == "norwich":
            paid = []
        elif slug == "breckland":
            paid = [("2004-07-30", "2500.50", "Cheque 11")]
        else:
            paid = [("2004-07-28", "10000.00", f"BACS {number}")]
        immediate.append(invoice(number, slug, "10000.00", *paid))
    content["calls"] = [
        {
            "slug": "immediate-2004",
            "tranche": "immediate",
            "financial_year": "2004/05",
            "issued": "2004-07-01",
            "due": "2004-07-31",
            "invoices": immediate,
        },
        {
            "slug": "review-2004",
            "tranche": "review",
            "financial_year": "2004/05",
            "issued": "2004-11-01",
            "due": "2004-11-30",
            "invoices": [
                invoice(9, "norfolk-county", "3333.33", ("2004-11-20", "3333.33", "BACS 9")),
                invoice(10, "south-norfolk", "3333.34"),
            ],
        },
    ]
    content["refunds"] = [
        {
            "partner": "north-norfolk",
            "date": "2004-11-05",
            "amount": "1250.00",
            "kind": "refund",
            "reason": "Authentication phase 2 did not proceed",
        },
        {
            "partner": "norfolk-county",
            "date": "2004-11-05",
            "amount": "0.01",
            "kind": "credit",
            "reason": "Rounding",
        },
    ]
    content["spend"] = [
        {
            "project": "further-info-points",
            "phase": 1,
            "date": "2004-09-30",
            "amount": "1200.00",
            "supplier": "Kiosk Ltd",
            "reference": "PO 17",
            "description": "Kiosks for the libraries",
        }
    ]
    content["forecasts"] = [
        {
            "project": "further-info-points",
            "phase": 1,
            "financial_year": "2005/06",
            "amount": "800.00",
        }
    ]
    content["milestones"] = [
        {
            "project": "authentication-gateway",
            "phase": 1,
            "name": "Gateway live for the first council",
            "baseline": "2004-12-31",
            "forecast": "2005-02-28",
            "actual": None,
        },
        {
            "project": "further-info-points",
            "phase": None,
            "name": "Kiosks installed",
            "baseline": "2004-09-30",
            "forecast": None,
            "actual": "2004-10-08",
        },
    ]
    content["status_updates"] = [
        {
            "project": "authentication-gateway",
            "date": "2004-09-01",
            "status": "green",
            "reason": "Started on time",
        },
        {
            "project": "authentication-gateway",
            "date": "2004-11-01",
            "status": "amber",
            "reason": "The gateway's supplier is two months late",
        },
    ]
    content["risks"] = [
        *copy.deepcopy(RISKS),
        {
            "reference": "R3",
            "project": "authentication-gateway",
            "description": "The national gateway changes its interface",
            "likelihood": 2,
            "impact": 4,
            "owner": "Project manager",
            "mitigation": "Follow the national releases",
            "status": "closed",
            "next_review": None,
        },
    ]
    return content


# The seed's section 3 names two risks; the demo holds them as data, in the seed's words.
RISKS = [
    {
        "reference": "3.1",
        "project": None,
        "description": "Joint solutions are either impractical, or would be more expensive or "
        "take significantly longer to do than individual ones",
        "likelihood": 2,
        "impact": 4,
        "owner": "Norfolk Connect programme board",
        "mitigation": "The projects have already been evaluated against that, and the two "
        "stage process should mitigate it",
        "status": "open",
        "next_review": "2004-10-15",
    },
    {
        "reference": "3.2",
        "project": None,
        "description": "ODPM may not consider we are doing enough to meet the priority "
        "outcomes and withhold or claw back IEG money",
        "likelihood": 2,
        "impact": 5,
        "owner": "Norfolk Connect programme board",
        "mitigation": "Working in partnership on the priority outcomes",
        "status": "open",
        "next_review": "2004-10-15",
    },
]
