"""Recording what a meeting resolved on each recommendation of its paper."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from contributions.agreement_selectors import long_date
from projects.access import ProgrammeMixin
from projects.money.formatting import money

from ..decisions import (
    NO_MEETING,
    RecommendationsChangedError,
    decisions_page,
    decisions_record,
)
from ..report.forms import DecisionsForm
from .report import PaperMixin


class DecisionsView(ProgrammeMixin, PaperMixin, FormView):
    """The decision on each recommendation of a paper; agreeing the contributions records the
    meeting's agreement."""

    edits = True
    form_class = DecisionsForm
    template_name = "reports/decisions.html"

    def get_page(self):
        if not hasattr(self, "_page"):
            self._page = decisions_page(programme=self.programme, paper=self.paper)
        return self._page

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rows": self.get_page().rows}

    def get_initial(self):
        return {"fingerprint": self.get_page().fingerprint}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = self.get_page()
        context["no_meeting"] = NO_MEETING if self.paper.for_meeting is None else ""
        return context

    def form_valid(self, form):
        try:
            outcome = decisions_record(
                programme=self.programme,
                paper=self.paper,
                entries=form.entries(),
                expected_fingerprint=form.cleaned_data["fingerprint"],
                user=self.request.user,
            )
        except RecommendationsChangedError as error:
            del self._page  # the recommendations as they are now, with their fingerprint
            form = self.get_form_class()(
                data={**self.request.POST.dict(), "fingerprint": self.get_page().fingerprint},
                rows=self.get_page().rows,
            )
            form.is_valid()
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        meeting = self.paper.for_meeting
        assert meeting is not None  # the service refuses a paper without one
        said = f"The decisions of {meeting.body}, {long_date(meeting.date)}, are recorded."
        if outcome.agreement is not None:
            parts = list(outcome.agreement.partners.all())
            immediate = sum((part.immediate for part in parts), Decimal(0))
            cap = sum((part.cap for part in parts), Decimal(0))
            messages.success(
                self.request,
                f"{said} The meeting's agreement is recorded as recommended: "
                f"{money(immediate)} immediately and up to {money(cap)} in all, from "
                f"{len(parts)} councils. Record each council's consent when it is given.",
            )
            return redirect("contributions:agreement", self.programme.slug, meeting.slug)
        if outcome.amend_agreement:
            messages.success(
                self.request,
                f"{said} Now record the contributions the meeting agreed: each council's "
                "immediate tranche and cap, as amended.",
            )
            return redirect("contributions:agreement_record", self.programme.slug, meeting.slug)
        messages.success(self.request, said)
        return redirect(self.paper_url("report"))
