from django.urls import path

from .views import dashboard, delivery, excel, ledger, partners, risks, scenarios

app_name = "reports"

urlpatterns = [
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("milestones/", delivery.DeliveryView.as_view(), name="delivery"),
    path("partners/<slug:partner>/", partners.PartnerView.as_view(), name="partner"),
    path("scenarios/", scenarios.ScenarioView.as_view(), name="scenarios"),
    path("scenarios/apply/", scenarios.ScenarioApplyView.as_view(), name="scenario_apply"),
    path("programme.xlsx", excel.ProgrammeWorkbookView.as_view(), name="programme_xlsx"),
    path("projects.xlsx", excel.ProjectsWorkbookView.as_view(), name="projects_xlsx"),
    path("programme.json", excel.ProgrammeFileView.as_view(), name="programme_json"),
    path("import/", excel.ImportView.as_view(), name="import"),
    path("import/confirm/", excel.ImportConfirmView.as_view(), name="import_confirm"),
    path("ledger/", ledger.LedgerUploadView.as_view(), name="ledger_upload"),
    path("ledger/columns/", ledger.LedgerMapView.as_view(), name="ledger_map"),
    path("ledger/apply/", ledger.LedgerApplyView.as_view(), name="ledger_apply"),
    path("risks/", risks.RiskRegisterView.as_view(), name="risk_register"),
    path("risks/new/", risks.RiskCreateView.as_view(), name="risk_create"),
    path("risks/<int:risk>/edit/", risks.RiskUpdateView.as_view(), name="risk_update"),
    path("risks/<int:risk>/delete/", risks.RiskDeleteView.as_view(), name="risk_delete"),
]
