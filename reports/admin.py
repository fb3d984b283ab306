"""Report text may be edited in the admin; issued reports and PDF jobs may only be looked at."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import ReportText

from .models import IssuedReport, ReportRender, StatementRender


@admin.register(ReportText)
class ReportTextAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "title", "meeting", "version"]
    list_select_related = ["programme"]
    readonly_fields = ["version"]


@admin.register(IssuedReport)
class IssuedReportAdmin(admin.ModelAdmin):
    """Read-only: an issued report is what the board was given and never changes."""

    list_display = ["title", "programme", "meeting_date", "issued_at", "issued_by", "pdf_sha256"]
    list_filter = ["programme"]
    list_select_related = ["programme", "issued_by"]
    fields = [
        "programme",
        "title",
        "meeting_date",
        "issued_at",
        "issued_by",
        "pdf_sha256",
        "figures_sha256",
        "figures",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The list never needs the PDF's bytes.
        return super().get_queryset(request).defer("pdf")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportRender)
class ReportRenderAdmin(admin.ModelAdmin):
    """Read-only: the board reports' PDFs made by the background worker, to see what failed."""

    list_display = ["programme", "state", "stage", "percent", "requested_by", "created", "finished"]
    list_filter = ["state", "programme"]
    list_select_related = ["programme", "requested_by"]
    fields = [
        "programme",
        "requested_by",
        "state",
        "stage",
        "percent",
        "created",
        "started",
        "finished",
        "report_date",
        "fingerprint",
        "pdf_sha256",
        "error",
        "task_id",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatementRender)
class StatementRenderAdmin(ReportRenderAdmin):
    """Read-only: the partners' statements made into PDFs by the worker, to see what failed."""

    list_display = ["programme", "partner", "state", "stage", "percent", "created", "finished"]
    list_filter = ["state", "programme"]
    list_select_related = ["programme", "partner"]
    fields = ["partner", *ReportRenderAdmin.fields]
    readonly_fields = fields
