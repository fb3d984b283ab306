"""Money written as the board papers write it, for pages, messages, reports and labels alike."""

from __future__ import annotations

from decimal import Decimal

PENNY = Decimal("0.01")


def money(value: Decimal | None, tbc: str = "") -> str:
    """Show an amount as the seed does: £15,000, with pence only where present; None as ``tbc``."""
    if value is None:
        return tbc
    value = Decimal(value).quantize(PENNY)
    sign = "-" if value < 0 else ""
    pounds, pence = f"{abs(value):.2f}".split(".")
    whole = f"{sign}£{int(pounds):,}"
    return whole if pence == "00" else f"{whole}.{pence}"


def weight_text(weight: Decimal | None) -> str:
    """Show an agreed weight as typed: 12.5 rather than 12.5000; nothing when there is none."""
    if weight is None:
        return ""
    text = f"{weight:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
