"""Import spend from a council's ledger export: upload, map the columns, preview, apply.

The uploaded file is kept server-side between the steps (``reports.workbook.ledger_pending``),
never in the page; each step reads it again. The preview is made by the same plan as the
import (``projects.services.ledger_import``), and the import checks that the plan is still the
one previewed: if the programme moved on, it writes nothing and shows the new preview.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from projects.access import ProgrammeMixin
from projects.money.formatting import money
from projects.money.ledger_import import LedgerPlan, headings_of, read_ledger
from projects.programme_file import ProgrammeFileError
from projects.selectors.ledger_import import ledger_mapping
from projects.services import (
    LedgerChangedError,
    ledger_import,
    ledger_mapping_save,
    ledger_plan,
    plan_fingerprint,
)
from reports.workbook.ledger_forms import LedgerMappingForm, LedgerUploadForm
from reports.workbook.ledger_pending import (
    PendingLedger,
    ledger_discard,
    ledger_get,
    ledger_keep,
    ledger_note,
)
from reports.workbook.ledger_upload import LedgerFile, read_ledger_file
from reports.workbook.pending import PendingDirectoryError

logger = logging.getLogger(__name__)

PREVIEW_ROWS_SHOWN = 500  # per list; the counts always cover every row
UNAVAILABLE = (
    "Sorry, ledger imports cannot be checked at the moment because of a problem with the "
    "service. Try again later, or tell your administrator."
)
GONE = (
    "The ledger file is no longer waiting to be imported: it was imported or replaced, or it "
    "was uploaded more than a day ago. Upload it again."
)


def lines_word(count: int) -> str:
    return f"{count:,} spend line{'' if count == 1 else 's'}"


class LedgerUploadView(ProgrammeMixin, FormView):
    """Step 1: upload the ledger export; it is read whole, then kept for the next steps."""

    edits = True
    form_class = LedgerUploadForm
    template_name = "reports/ledger_upload.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            read_ledger_file(content, name=upload.name)
        except ProgrammeFileError as error:
            form.add_error("file", error.problems[0].message)
            return self.form_invalid(form)
        try:
            ledger_keep(
                self.request.session,
                programme=self.programme.slug,
                content=content,
                name=upload.name,
            )
        except PendingDirectoryError as error:
            logger.error("Ledger imports cannot be kept: %s", error)
            form.add_error("file", UNAVAILABLE)
            response = self.form_invalid(form)
            response.status_code = 503
            return response
        return redirect("reports:ledger_map", self.programme.slug)


class PendingLedgerMixin:
    """Find the file kept for this programme's import, and read it again."""

    def pending_file(self) -> tuple[PendingLedger, LedgerFile] | None:
        try:
            pending = ledger_get(self.request.session, programme=self.programme.slug)
        except PendingDirectoryError as error:
            logger.error("Ledger imports cannot be read: %s", error)
            pending = None
        if pending is None:
            return None
        try:
            file = read_ledger_file(pending.content, name=pending.name)
        except ProgrammeFileError:  # the limits were lowered since: the file is read no more
            return None
        return pending, file

    def gone(self):
        messages.error(self.request, GONE)
        return redirect("reports:ledger_upload", self.programme.slug)

    def render_preview(
        self, *, pending: PendingLedger, plan: LedgerPlan, status: int = 200, **extra
    ):
        context = self.get_context_data(
            name=pending.name,
            plan=plan,
            to_add=plan.to_add[:PREVIEW_ROWS_SHOWN],
            to_add_hidden=max(0, len(plan.to_add) - PREVIEW_ROWS_SHOWN),
            duplicates=plan.duplicates[:PREVIEW_ROWS_SHOWN],
            duplicates_hidden=max(0, len(plan.duplicates) - PREVIEW_ROWS_SHOWN),
            refused=plan.refused[:PREVIEW_ROWS_SHOWN],
            refused_hidden=max(0, len(plan.refused) - PREVIEW_ROWS_SHOWN),
            lines_to_add=lines_word(len(plan.to_add)),
            **extra,
        )
        return self.response_class(
            request=self.request,
            template=["reports/ledger_preview.html"],
            context=context,
            using=self.template_engine,
            status=status,
        )


class LedgerMapView(ProgrammeMixin, PendingLedgerMixin, TemplateView):
    """Step 2: choose the column of each field; then step 3, the preview of the import."""

    edits = True
    template_name = "reports/ledger_map.html"

    def form(self, file: LedgerFile, pending: PendingLedger, data=None) -> LedgerMappingForm:
        headings = headings_of(file.header)
        remembered = pending.mapping or ledger_mapping(programme=self.programme)
        initial = {field: column for field, column in remembered.items() if column in headings}
        return LedgerMappingForm(data, headings=headings, header=file.header, initial=initial)

    def render_form(self, form, pending: PendingLedger, file: LedgerFile, status: int = 200):
        context = self.get_context_data(
            form=form,
            name=pending.name,
            headings=headings_of(file.header),
            rows_count=sum(1 for row in file.rows if any(str(v or "").strip() for v in row)),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        kept = self.pending_file()
        if kept is None:
            return self.gone()
        pending, file = kept
        return self.render_form(self.form(file, pending), pending, file)

    def post(self, request, *args, **kwargs):
        kept = self.pending_file()
        if kept is None:
            return self.gone()
        pending, file = kept
        form = self.form(file, pending, request.POST)
        if not form.is_valid():
            return self.render_form(form, pending, file)
        mapping = form.mapping()
        ledger_mapping_save(programme=self.programme, columns=mapping)
        plan = ledger_plan(
            programme=self.programme, read=read_ledger(file.header, file.rows, mapping)
        )
        ledger_note(
            request.session,
            programme=self.programme.slug,
            mapping=mapping,
            fingerprint=plan_fingerprint(plan),
        )
        return self.render_preview(pending=pending, plan=plan)


class LedgerApplyView(ProgrammeMixin, PendingLedgerMixin, TemplateView):
    """Apply the import previewed, all of it in one transaction, if nothing moved since."""

    edits = True
    template_name = "reports/ledger_preview.html"

    def get(self, request, *args, **kwargs):
        return redirect("reports:ledger_upload", self.programme.slug)

    def post(self, request, *args, **kwargs):
        kept = self.pending_file()
        if kept is None:
            return self.gone()
        pending, file = kept
        if not pending.fingerprint:
            return redirect("reports:ledger_map", self.programme.slug)
        read = read_ledger(file.header, file.rows, pending.mapping)
        try:
            plan = ledger_import(
                programme=self.programme,
                read=read,
                expected=pending.fingerprint,
                user=request.user,
            )
        except LedgerChangedError as changed:
            ledger_note(
                request.session,
                programme=self.programme.slug,
                mapping=pending.mapping,
                fingerprint=plan_fingerprint(changed.plan),
            )
            return self.render_preview(
                pending=pending, plan=changed.plan, status=409, conflict_message=str(changed)
            )
        except ValidationError:
            # The preview said so already; it is shown again, as it stands.
            plan = ledger_plan(programme=self.programme, read=read)
            return self.render_preview(pending=pending, plan=plan, status=409)
        ledger_discard(request.session, programme=self.programme.slug)
        skipped = len(plan.duplicates)
        messages.success(
            request,
            f"{lines_word(len(plan.to_add))} of {money(plan.total)} in all imported from "
            f"{pending.name}"
            + (f"; {skipped:,} already recorded or repeated were skipped." if skipped else "."),
        )
        return redirect("projects:project_list", self.programme.slug)
