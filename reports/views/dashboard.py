"""The dashboard: where a programme's money stands, for every member of the partnership."""

from django.utils import timezone
from django.views.generic import TemplateView

from projects.access import ProgrammeMixin
from projects.selectors.delivery import delivery_summary
from projects.selectors.pot import dashboard_spend
from projects.selectors.risks import top_risks

from ..selectors import programme_dashboard


class DashboardView(ProgrammeMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner = self.membership.partner  # fetched with the membership
        context["dashboard"] = programme_dashboard(
            programme=self.programme, own_partner=partner.slug if partner else None
        )
        context["spend"] = dashboard_spend(
            programme=self.programme, figures=context["dashboard"].figures
        )
        # Projects by status and the milestones late or due soon: 2 queries, whatever the size.
        context["delivery"] = delivery_summary(programme=self.programme, as_of=timezone.localdate())
        context["top_risks"] = top_risks(programme=self.programme, as_of=timezone.localdate())
        return context
