"""The programme's milestones and status: each project's status, the timeline, what is late."""

from __future__ import annotations

from django.utils import timezone
from django.views.generic import TemplateView

from projects.access import ProgrammeMixin
from projects.selectors.delivery import ProgrammeDelivery, programme_delivery

from ..timeline_chart import TimelineMilestone, TimelineProject, timeline_chart


def timeline_projects(delivery: ProgrammeDelivery) -> list[TimelineProject]:
    """Return the projects and their milestones as the timeline takes them."""
    return [
        TimelineProject(
            name=project.name,
            status=status.status if status else None,
            milestones=tuple(
                TimelineMilestone(
                    name=row.milestone.name,
                    baseline=row.milestone.baseline,
                    forecast=row.milestone.forecast,
                    actual=row.milestone.actual,
                )
                for row in rows
            ),
        )
        for project, status, rows in delivery.projects
    ]


class DeliveryView(ProgrammeMixin, TemplateView):
    """Every project's status and milestones, on a timeline and in tables: 2 queries."""

    template_name = "reports/delivery.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        delivery = programme_delivery(programme=self.programme, as_of=today)
        late_or_due = sorted(
            (
                (project, row)
                for project, _, rows in delivery.projects
                for row in rows
                if not row.dates.reached and (row.dates.late or row.dates.due_soon)
            ),
            key=lambda item: (item[1].dates.expected, item[1].milestone.baseline),
        )
        context.update(
            delivery=delivery,
            late_or_due=late_or_due,
            chart=timeline_chart(timeline_projects(delivery), as_of=today),
            today=today,
        )
        return context
