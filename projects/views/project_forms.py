"""Placeholder views, replaced as the pages are built."""

from django.views.generic import TemplateView

from projects.access import ProgrammeMixin


class _Placeholder(ProgrammeMixin, TemplateView):
    template_name = "placeholder.html"


class ProjectCreateView(_Placeholder):
    pass


class ProjectUpdateView(_Placeholder):
    pass


class ProjectDeleteView(_Placeholder):
    pass


class ProjectFormRowView(_Placeholder):
    pass
