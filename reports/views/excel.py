"""Placeholder views, replaced as the pages are built."""

from django.views.generic import TemplateView

from projects.access import ProgrammeMixin


class _Placeholder(ProgrammeMixin, TemplateView):
    template_name = "placeholder.html"


class ProgrammeWorkbookView(_Placeholder):
    pass


class ProjectsWorkbookView(_Placeholder):
    pass


class ProgrammeFileView(_Placeholder):
    pass


class ImportView(_Placeholder):
    edits = True


class ImportConfirmView(_Placeholder):
    edits = True
