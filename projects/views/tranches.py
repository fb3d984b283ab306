"""Saving a change that moves the partners' tranches only once the facilitator has seen how."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..services import TrancheCheck, fingerprint, save_checking_tranches

T = TypeVar("T")

# The hidden field that carries the confirmed change's fingerprint back with the entries.
CONFIRM_FIELD = "confirm_tranches"


class TrancheConfirmMixin:
    """Save a change at once unless it moves a partner's immediate tranche or cap.

    Such a change is not saved: the form comes back with the entries kept, a banner saying how
    the tranches would move, and a button that sends the change's fingerprint to save it. If
    the data changed meanwhile so that the change would now move them differently, it asks
    again. Put it before the view class in the bases; it needs ``self.programme``.
    """

    tranche_check: TrancheCheck | None = None

    def save_or_ask(self, save: Callable[[], T]) -> TrancheCheck[T]:
        """Run the save; keep it only if it moves no tranche or its move was confirmed."""
        confirmed = self.request.POST.get(CONFIRM_FIELD, "")[:64]
        self.tranche_check = save_checking_tranches(
            programme=self.programme, save=save, confirmed=confirmed
        )
        return self.tranche_check

    def with_tranches(self, text: str) -> str:
        """Add to a success message how the saved change moved the tranches, if it did."""
        check = self.tranche_check
        if check is None or not check.change:
            return text
        return " ".join([text, *check.change.sentences(past=True)])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = self.tranche_check
        if check is not None and not check.saved:
            context["tranche_change"] = check.change
            context["tranche_confirm_field"] = CONFIRM_FIELD
            context["tranche_fingerprint"] = fingerprint(check.change)
            context["tranche_asked_again"] = bool(self.request.POST.get(CONFIRM_FIELD))
        return context
