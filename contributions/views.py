"""Placeholder views, replaced as the pages are built."""

from django.views.generic import TemplateView

from projects.access import ProgrammeMixin


class _Placeholder(ProgrammeMixin, TemplateView):
    template_name = "placeholder.html"


class PartnerListView(_Placeholder):
    pass


class PartnerCreateView(_Placeholder):
    pass


class PartnerUpdateView(_Placeholder):
    pass


class PartnerDeleteView(_Placeholder):
    pass


class ContributionCreateView(_Placeholder):
    pass


class ContributionUpdateView(_Placeholder):
    pass


class ContributionDeleteView(_Placeholder):
    pass
