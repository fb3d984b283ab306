"""A partner council's own page: where it stands in the programme, and its statement a click away.

It is a partner officer's first page. The partnership's facilitators, administrators and chief
executives may open any partner's page; a partner officer only their own council's (403), as
with the statement.
"""

from __future__ import annotations

from django.views.generic import TemplateView

from projects.access import ProgrammeMixin, can_record_payment, own_council
from projects.selectors.contacts import finance_person, lead_officer

from ..report.selectors import invoice_ids, statement_for
from .statements import StatementMixin


class PartnerView(ProgrammeMixin, StatementMixin, TemplateView):
    template_name = "reports/partner.html"
    refusal = "You can only see your own council's page."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner"] = self.partner
        context["own"] = self.partner == own_council(self.membership)
        context["people"] = [
            ("Lead officer", lead_officer(self.partner), "lead-officer"),
            ("Finance contact", finance_person(self.partner), "finance-contact"),
        ]
        statement = statement_for(programme=self.programme, partner=self.partner)
        context["statement"] = statement
        ids = (
            invoice_ids(programme=self.programme, partner=self.partner)
            if statement.invoices
            else {}
        )
        context["invoices"] = [(line, ids.get(line.number)) for line in statement.invoices]
        # A link to record a payment against each invoice still owing, for those who may: the
        # editors, and the council's own partner officer (its finance contact).
        context["records_payments"] = can_record_payment(
            self.membership, partner_id=self.partner.pk
        )
        return context
