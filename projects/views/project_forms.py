"""Views that add, edit and delete a project with its phases, funding lines and outcome claims."""

from __future__ import annotations

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from ..access import ProgrammeMixin
from ..history import ConcurrentEditError
from ..models import Project
from ..project_forms import (
    HIDDEN_NUMBER_ERRORS,
    MAX_ROWS,
    ROW_KINDS,
    ProjectEditor,
    blank_row,
    project_rows,
)
from ..selectors import deletion_impact
from ..services import project_create, project_delete, project_update
from .tranches import TrancheConfirmMixin


class ProjectEditorMixin(TrancheConfirmMixin, ProgrammeMixin):
    """Show the project page's form; validate a submission, or add the row asked for."""

    edits = True
    template_name = "projects/project_form.html"
    project: Project | None = None

    def render_editor(self, editor: ProjectEditor, *, status: int = 200, **context):
        return self.render_to_response(
            self.get_context_data(editor=editor, project=self.project, **context), status=status
        )

    def checked_editor(self, request) -> tuple[ProjectEditor, HttpResponse | None]:
        """Bind the submission; return a response instead when it cannot be saved as it is."""
        editor = ProjectEditor(programme=self.programme, project=self.project, data=request.POST)
        if editor.tampered:
            editor.is_valid()  # puts the problem in the error summary
            return editor, self.render_editor(editor, status=400)
        if editor.adding:
            return editor, self.render_editor(editor)
        if not editor.is_valid():
            return editor, self.render_editor(editor)
        return editor, None


class ProjectCreateView(ProjectEditorMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        return self.render_editor(ProjectEditor(programme=self.programme))

    def post(self, request, *args, **kwargs):
        editor, response = self.checked_editor(request)
        if response:
            return response
        try:
            check = self.save_or_ask(
                lambda: project_create(
                    programme=self.programme, **editor.changes(), user=request.user
                )
            )
        except ValidationError as error:
            editor.apply_errors(error)
            return self.render_editor(editor)
        if not check.saved:
            return self.render_editor(editor)
        project = check.result
        messages.success(request, self.with_tranches(f"The project “{project.name}” is added."))
        return redirect("projects:project_detail", self.programme.slug, project.slug)


class ProjectUpdateView(ProjectEditorMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        self.project_slug = kwargs["project"]
        return super().dispatch(request, *args, **kwargs)

    def get_project(self) -> Project:
        return get_object_or_404(Project, programme=self.programme, slug=self.project_slug)

    def get(self, request, *args, **kwargs):
        self.project = self.get_project()
        editor = ProjectEditor(
            programme=self.programme, project=self.project, rows=project_rows(self.project)
        )
        return self.render_editor(editor)

    def post(self, request, *args, **kwargs):
        self.project = self.get_project()
        editor, response = self.checked_editor(request)
        if response:
            return response
        try:
            check = self.save_or_ask(
                lambda: project_update(
                    # A copy: the service changes the project it is given, and if it refuses
                    # (or the change waits for confirmation), the page shows it as stored.
                    project=copy.copy(self.project),
                    **editor.changes(),
                    expected_version=editor.expected_version,
                    user=request.user,
                )
            )
        except ConcurrentEditError as error:
            return self.conflict(request, error)
        except ValidationError as error:
            editor.apply_errors(error)
            return self.render_editor(editor)
        if not check.saved:
            return self.render_editor(editor)
        project = check.result
        messages.success(request, self.with_tranches(f"The project “{project.name}” is saved."))
        return redirect("projects:project_detail", self.programme.slug, project.slug)

    def conflict(self, request, error: ConcurrentEditError):
        """Show what the other person changed, keeping the entries, now against their version."""
        current = (
            Project.objects.filter(pk=self.project.pk).values_list("version", flat=True).first()
        )
        if current is None:
            messages.error(
                request,
                f"The project “{self.project.name}” was deleted by someone else while you were "
                "editing it; nothing you entered has been saved.",
            )
            return redirect("projects:project_list", self.programme.slug)
        data = request.POST.copy()
        # Saving again now is a choice made having seen their changes, so it may go ahead.
        data["version"] = str(current)
        editor = ProjectEditor(programme=self.programme, project=self.project, data=data)
        editor.is_valid()
        return self.render_editor(editor, status=409, conflict=error)


class ProjectFormRowView(ProgrammeMixin, TemplateView):
    """Return one blank row of a formset for htmx to append, with the row count moved on."""

    edits = True
    template_name = "projects/partials/_formset_row_added.html"

    def get(self, request, *args, **kwargs):
        kind = kwargs["kind"]
        if kind not in ROW_KINDS:
            raise Http404("No such kind of row")
        index = request.GET.get("index", "")
        if not (index.isascii() and index.isdigit() and len(index) <= 4) or int(index) >= MAX_ROWS:
            return HttpResponseBadRequest("The row number must be a whole number below 200.")
        index = int(index)
        # The phase numbers already on the page, which the button sends (hx-include).
        prefix = ROW_KINDS[kind].default_prefix
        numbers = [
            value
            for name, value in list(request.GET.items())[: MAX_ROWS + 1]
            if name.startswith(f"{prefix}-") and name.endswith("-number")
        ]
        context = self.get_context_data(
            row=blank_row(kind, index, numbers),
            kind=kind,
            prefix=ROW_KINDS[kind].default_prefix,
            add_label=ROW_KINDS[kind].add_label,
            total=index + 1,
        )
        return self.render_to_response(context)


class ProjectDeleteForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages=HIDDEN_NUMBER_ERRORS,
    )


class ProjectDeleteView(TrancheConfirmMixin, ProgrammeMixin, TemplateView):
    """Ask before deleting a project, saying what goes with it; delete only on POST."""

    edits = True
    template_name = "projects/project_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        self.project_slug = kwargs["project"]
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form: ProjectDeleteForm, *, status: int = 200, **context):
        return self.render_to_response(
            self.get_context_data(
                project=self.project,
                form=form,
                impact=deletion_impact(self.project, self.programme),
                **context,
            ),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        self.project = self.get_project()
        return self.render_page(ProjectDeleteForm(initial={"version": self.project.version}))

    def post(self, request, *args, **kwargs):
        self.project = self.get_project()
        form = ProjectDeleteForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            check = self.save_or_ask(
                lambda: project_delete(
                    project=copy.copy(self.project),
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                )
            )
        except ConcurrentEditError as error:
            current = Project.objects.filter(pk=self.project.pk).first()
            if current is None:
                messages.info(
                    request, f"The project “{self.project.name}” was deleted by someone else."
                )
                return redirect("projects:project_list", self.programme.slug)
            self.project = current
            return self.render_page(
                ProjectDeleteForm(initial={"version": self.project.version}),
                status=409,
                conflict=error,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_page(form, status=400)
        if not check.saved:
            return self.render_page(form)
        messages.success(
            request, self.with_tranches(f"The project “{self.project.name}” is deleted.")
        )
        return redirect("projects:project_list", self.programme.slug)

    def get_project(self) -> Project:
        return get_object_or_404(Project, programme=self.programme, slug=self.project_slug)
