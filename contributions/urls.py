from django.urls import path

from . import views

app_name = "contributions"

urlpatterns = [
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", views.PartnerCreateView.as_view(), name="partner_create"),
    path("partners/<slug:partner>/edit/", views.PartnerUpdateView.as_view(), name="partner_update"),
    path(
        "partners/<slug:partner>/delete/", views.PartnerDeleteView.as_view(), name="partner_delete"
    ),
    path("contributions/new/", views.ContributionCreateView.as_view(), name="contribution_create"),
    path(
        "contributions/<int:pk>/edit/",
        views.ContributionUpdateView.as_view(),
        name="contribution_update",
    ),
    path(
        "contributions/<int:pk>/delete/",
        views.ContributionDeleteView.as_view(),
        name="contribution_delete",
    ),
]
