from django.urls import include, path

from .views import delivery, programmes, project_forms, project_pages, spend

app_name = "projects"

programme_patterns = [
    path("", programmes.ProgrammeHomeView.as_view(), name="programme_home"),
    path("settings/", programmes.ProgrammeSettingsView.as_view(), name="programme_settings"),
    path("partnership/", programmes.PartnershipDetailsView.as_view(), name="partnership_details"),
    path("spend/", spend.ProgrammeSpendView.as_view(), name="programme_spend"),
    path("projects/", project_pages.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", project_forms.ProjectCreateView.as_view(), name="project_create"),
    path(
        "projects/rows/<str:kind>/",
        project_forms.ProjectFormRowView.as_view(),
        name="project_form_row",
    ),
    path(
        "projects/<slug:project>/",
        project_pages.ProjectDetailView.as_view(),
        name="project_detail",
    ),
    path(
        "projects/<slug:project>/edit/",
        project_forms.ProjectUpdateView.as_view(),
        name="project_update",
    ),
    path(
        "projects/<slug:project>/delete/",
        project_forms.ProjectDeleteView.as_view(),
        name="project_delete",
    ),
    path(
        "projects/<slug:project>/phases/<int:number>/decision/",
        project_pages.PhaseDecisionView.as_view(),
        name="phase_decision",
    ),
    path(
        "projects/<slug:project>/spend/",
        spend.ProjectSpendView.as_view(),
        name="project_spend",
    ),
    path(
        "projects/<slug:project>/spend/new/",
        spend.SpendCreateView.as_view(),
        name="spend_create",
    ),
    path(
        "projects/<slug:project>/spend/<int:spend>/delete/",
        spend.SpendDeleteView.as_view(),
        name="spend_delete",
    ),
    path(
        "projects/<slug:project>/forecasts/",
        spend.ForecastsView.as_view(),
        name="forecasts_update",
    ),
    path(
        "projects/<slug:project>/milestones/new/",
        delivery.MilestoneCreateView.as_view(),
        name="milestone_create",
    ),
    path(
        "projects/<slug:project>/milestones/<int:milestone>/",
        delivery.MilestoneUpdateView.as_view(),
        name="milestone_update",
    ),
    path(
        "projects/<slug:project>/milestones/<int:milestone>/delete/",
        delivery.MilestoneDeleteView.as_view(),
        name="milestone_delete",
    ),
    path(
        "projects/<slug:project>/status/",
        delivery.StatusSetView.as_view(),
        name="status_set",
    ),
]

urlpatterns = [
    path("", programmes.HomeView.as_view(), name="home"),
    path("programmes/", programmes.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/new/", programmes.ProgrammeCreateView.as_view(), name="programme_create"),
    path("programmes/<slug:slug>/", include(programme_patterns)),
]
