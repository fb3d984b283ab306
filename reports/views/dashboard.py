"""Placeholder views, replaced as the pages are built."""

from django.views.generic import TemplateView

from projects.access import ProgrammeMixin


class _Placeholder(ProgrammeMixin, TemplateView):
    template_name = "placeholder.html"


class DashboardView(_Placeholder):
    pass
