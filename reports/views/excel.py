"""Downloads of a programme (workbook, projects table, programme file) and the import of one."""

from __future__ import annotations

import io
import logging

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView, View

from projects.access import ProgrammeMixin
from projects.filters import ProjectFilter
from projects.money.document import ProgrammeDocument
from projects.money.figures import figures_and_missing_basis
from projects.programme_file import Problem, ProgrammeFileError, dumps_programme
from projects.programme_file.problems import FILE_PATH
from projects.selectors import programme_document, projects_for_table
from projects.services import (
    ImportConflictError,
    ProgrammeLoadError,
    programme_as_imported,
    programme_import,
    programme_import_check,
    programme_state,
)
from projects.tables import ProjectTable
from reports.workbook.diffing import (
    FieldChange,
    ImportPreview,
    preview_import,
    withhold_partnership,
)
from reports.workbook.export import (
    CONTENT_TYPE,
    write_programme_workbook,
    write_projects_table_workbook,
)
from reports.workbook.forms import ImportForm
from reports.workbook.importing import read_upload, sheet_of
from reports.workbook.pending import (
    PendingDirectoryError,
    PendingImport,
    pending_discard,
    pending_get,
    pending_restate,
    pending_save,
)

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
UNAVAILABLE = (
    "Sorry, imports cannot be checked at the moment because of a problem with the service. "
    "Try again later, or tell your administrator."
)
PREVIEW_ROWS_SHOWN = 500  # per section; the counts always cover every row


def attachment(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    """Return a download of the content under the file name."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ProgrammeWorkbookView(ProgrammeMixin, View):
    """The whole programme as a workbook: its tables, partners' shares and figures."""

    def get(self, request, *args, **kwargs):
        document = programme_document(programme=self.programme)
        # The figures as the dashboard has them, even when the shares cannot be worked out.
        figures, missing_basis = figures_and_missing_basis(document)
        stream = io.BytesIO()
        write_programme_workbook(
            document=document, figures=figures, stream=stream, missing_basis=missing_basis
        )
        return attachment(
            stream.getvalue(), filename=f"{self.programme.slug}.xlsx", content_type=CONTENT_TYPE
        )


class ProjectsWorkbookView(ProgrammeMixin, View):
    """The projects table as on screen: the same filters and sort, from the query string."""

    def get(self, request, *args, **kwargs):
        filterset = ProjectFilter(
            request.GET or None,
            queryset=projects_for_table(programme=self.programme),
            request=request,
            partnership=self.programme.partnership,
        )
        # As the table's page does: filters that do not make sense keep no project.
        valid = not filterset.is_bound or filterset.is_valid()
        projects = filterset.qs if valid else filterset.queryset.none()
        table = ProjectTable(
            projects, programme_slug=self.programme.slug, order_by=request.GET.get("sort")
        )
        stream = io.BytesIO()
        write_projects_table_workbook(
            projects=table.data.data.iterator(chunk_size=1000),
            strategy=self.programme.partnership.strategy,
            filters=self.described_filters(filterset, table) if valid else [],
            stream=stream,
        )
        return attachment(
            stream.getvalue(),
            filename=f"{self.programme.slug}-projects.xlsx",
            content_type=CONTENT_TYPE,
        )

    @staticmethod
    def described_filters(filterset: ProjectFilter, table: ProjectTable) -> list[tuple[str, str]]:
        """Say which filters and sort the download was made with, as the page labels them."""
        described = []
        if filterset.is_bound:
            for name, field in filterset.form.fields.items():
                value = filterset.form.cleaned_data.get(name)
                if value in (None, "", False):
                    continue
                choices = dict(getattr(field, "choices", ()))
                shown = "Yes" if value is True else str(choices.get(value, value))
                described.append((str(field.label), shown))
        for order in table.order_by or ():
            column = table.columns[order.bare]
            direction = "descending" if order.is_descending else "ascending"
            described.append(("Sorted by", f"{column.verbose_name} ({direction})"))
        return described


class ProgrammeFileView(ProgrammeMixin, View):
    """The programme file (partnership-programme/1), as ``export_programme`` writes it."""

    def get(self, request, *args, **kwargs):
        document = programme_document(programme=self.programme, include_papers=True)
        text = dumps_programme(document)
        return attachment(
            text, filename=f"{self.programme.slug}.json", content_type=JSON_CONTENT_TYPE
        )


class ImportPreviewMixin:
    """Render the preview of a checked file, or the import page listing its problems."""

    preview_template = "reports/import_preview.html"
    problems_template = "reports/import.html"

    def render_preview(
        self, *, preview: ImportPreview, token: str | None, name: str, status: int = 200, **extra
    ):
        listed = [
            {
                "section": section,
                "rows": section.rows[:PREVIEW_ROWS_SHOWN],
                "hidden": max(0, len(section.rows) - PREVIEW_ROWS_SHOWN),
            }
            for section in preview.sections
        ]
        context = self.get_context_data(
            preview=preview, listed_sections=listed, token=token, name=name, **extra
        )
        return self.response_class(
            request=self.request,
            template=[self.preview_template],
            context=context,
            using=self.template_engine,
            status=status,
        )

    def render_problems(
        self, *, problems: list[Problem], name: str, form=None, status: int = 200, **extra
    ):
        count = len(problems)
        message = (
            f"{name} cannot be imported: {count} problem{'' if count == 1 else 's'}, listed "
            "below. Nothing has been changed."
        )
        if form is None:
            form = ImportForm()
        else:
            form.add_error("file", message)
        context = self.get_context_data(
            form=form, problems=problems, problems_message=message, name=name, **extra
        )
        return self.response_class(
            request=self.request,
            template=[self.problems_template],
            context=context,
            using=self.template_engine,
            status=status,
        )


def load_problems(problems: list[Problem], *, workbook: bool) -> list[Problem]:
    """Place a load's problems where a person can find them: in a workbook, on their sheet."""
    if not workbook:
        return problems
    # Where a load's problem (named by its place in the programme file) is found in a workbook.
    return [
        Problem(sheet_of(problem.path) or problem.path, problem.message) for problem in problems
    ]


def may_change_partnership(request) -> bool:
    """Return whether the user may change a partnership's name and strategy, as in the admin."""
    # The admin is where a partnership is changed otherwise; whoever it admits may here too.
    return admin.site.has_permission(request) and request.user.has_perm(
        "projects.change_partnership"
    )


class ImportView(ProgrammeMixin, ImportPreviewMixin, FormView):
    """Upload a workbook or programme file: check all of it, then preview what it changes."""

    edits = True
    form_class = ImportForm
    template_name = "reports/import.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["may_change_partnership"] = may_change_partnership(self.request)
        return kwargs

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        name = upload.name
        current = programme_as_imported(programme=self.programme)
        try:
            document = read_upload(upload.read(), name=name, current=current)
        except ProgrammeFileError as error:
            return self.render_problems(problems=error.problems, name=name, form=form)
        withheld: tuple[FieldChange, ...] = ()
        if not form.cleaned_data.get("change_partnership"):
            document, withheld = withhold_partnership(current, document)
        problems = programme_import_check(programme=self.programme, document=document)
        if problems:
            workbook = not name.lower().endswith(".json")
            return self.render_problems(
                problems=load_problems(problems, workbook=workbook), name=name, form=form
            )
        return self.preview(current=current, document=document, name=name, withheld=withheld)

    def preview(
        self,
        *,
        current: ProgrammeDocument,
        document: ProgrammeDocument,
        name: str,
        withheld: tuple[FieldChange, ...],
    ):
        preview = preview_import(current, document)
        token = None
        if preview.has_changes:
            try:
                token = pending_save(
                    self.request.session,
                    programme=self.programme.slug,
                    document=document,
                    state=programme_state(current),
                    name=name,
                    summary=preview.summary(),
                )
            except PendingDirectoryError as error:
                # The server's set-up is at fault, not the file: say so, and log why.
                logger.error("Imports cannot wait for confirmation: %s", error)
                return self.render_problems(
                    problems=[Problem(FILE_PATH, UNAVAILABLE)], name=name, status=503
                )
        return self.render_preview(
            preview=preview,
            token=token,
            name=name,
            withheld=withheld,
            may_change_partnership=may_change_partnership(self.request),
        )


class ImportConfirmView(ProgrammeMixin, ImportPreviewMixin, TemplateView):
    """Apply a previewed import, all of it in one transaction, if the programme is unchanged."""

    edits = True
    template_name = "reports/import_preview.html"

    def get(self, request, *args, **kwargs):
        return redirect("reports:import", self.programme.slug)

    def post(self, request, *args, **kwargs):
        try:
            pending = pending_get(
                request.session, programme=self.programme.slug, token=request.POST.get("token", "")
            )
        except PendingDirectoryError as error:
            # Checked before anything is written: the server's set-up is at fault, not the file.
            logger.error("Imports cannot be confirmed: %s", error)
            return self.render_problems(
                problems=[Problem(FILE_PATH, UNAVAILABLE)], name="The import", status=503
            )
        if pending is None:
            messages.error(
                request,
                "That import is no longer waiting to be confirmed: it was applied or cancelled, "
                "or it was checked more than a day ago. Upload the file again.",
            )
            return redirect("reports:import", self.programme.slug)
        try:
            programme_import(
                programme=self.programme,
                document=pending.document,
                expected_state=pending.state,
                user=request.user,
            )
        except ImportConflictError as error:
            return self.preview_again(pending, str(error))
        except ProgrammeLoadError as error:
            pending_discard(request.session, token=pending.token)
            workbook = not pending.name.lower().endswith(".json")
            return self.render_problems(
                problems=load_problems(error.problems, workbook=workbook),
                name=pending.name,
                status=409,
            )
        pending_discard(request.session, token=pending.token)
        messages.success(request, f"{pending.name} is imported: {pending.summary}.")
        return redirect("projects:programme_home", self.programme.slug)

    def preview_again(self, pending: PendingImport, conflict: str):
        """Preview the same file against the programme as it is now, and say why."""
        current = programme_as_imported(programme=self.programme)
        problems = programme_import_check(programme=self.programme, document=pending.document)
        if problems:
            pending_discard(self.request.session, token=pending.token)
            workbook = not pending.name.lower().endswith(".json")
            return self.render_problems(
                problems=load_problems(problems, workbook=workbook), name=pending.name, status=409
            )
        preview = preview_import(current, pending.document)
        token: str | None = pending.token
        if preview.has_changes:
            pending_restate(
                self.request.session,
                token=pending.token,
                state=programme_state(current),
                summary=preview.summary(),
            )
        else:
            pending_discard(self.request.session, token=pending.token)
            token = None
        return self.render_preview(
            preview=preview, token=token, name=pending.name, status=409, conflict_message=conflict
        )
