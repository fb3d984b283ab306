"""A programme's papers: one board report for each meeting it goes to, each with its own words.

The newest paper is the one being prepared, under "Board report"; every paper's own pages are
under /papers/<paper>/ (reports.urls_report).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from projects.access import ProgrammeMixin
from projects.models import ReportText
from projects.views.programmes import apply_validation_error

from ..report.forms import PaperForm
from ..report.selectors import paper_for, papers_of
from ..services import PaperIssuedError, paper_create, paper_delete
from ..tables import PaperTable


class PaperListView(ProgrammeMixin, TemplateView):
    """Every paper of the programme, oldest first: its kind, meeting and issues."""

    template_name = "reports/paper_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        papers = papers_of(programme=self.programme)
        context["papers"] = papers
        context["table"] = PaperTable(
            papers,
            programme_slug=self.programme.slug,
            can_edit=self.can_edit,
            current=papers[-1] if papers else None,
        )
        return context


class PaperCreateView(ProgrammeMixin, FormView):
    """Add a paper for a meeting, from the first words of its kind."""

    edits = True
    form_class = PaperForm
    template_name = "reports/paper_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "programme": self.programme}

    def form_valid(self, form):
        try:
            paper = paper_create(
                programme=self.programme,
                template=form.cleaned_data["template"],
                meeting=form.cleaned_data["meeting"],
                user=self.request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"“{paper.title}” is added. It is now the board report being prepared: "
            "write its text, then issue it for its meeting.",
        )
        return redirect("report:paper_report_text", self.programme.slug, paper.slug)


class PaperDeleteView(ProgrammeMixin, TemplateView):
    """Confirm, then remove a paper never issued; an issued one is kept."""

    edits = True
    template_name = "reports/paper_delete.html"

    def setup_paper(self) -> ReportText:
        paper = paper_for(programme=self.programme, slug=self.kwargs["paper"])
        if paper is None:
            raise Http404("No such paper")
        return paper

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paper = self.setup_paper()
        context["paper"] = paper
        context["issued"] = paper.issues.exists()
        return context

    def post(self, request, *args, **kwargs):
        paper = self.setup_paper()
        title = paper.title
        try:
            paper_delete(paper=paper, user=request.user)
        except PaperIssuedError as error:
            context = self.get_context_data(refusal=str(error))
            return self.render_to_response(context, status=409)
        messages.success(request, f"“{title}” is deleted.")
        return redirect("report:paper_list", self.programme.slug)
