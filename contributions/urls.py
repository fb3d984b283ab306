from django.urls import path

from . import agreement_views, views

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
    path("meetings/", agreement_views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", agreement_views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<slug:meeting>/", agreement_views.AgreementView.as_view(), name="agreement"),
    path(
        "meetings/<slug:meeting>/edit/",
        agreement_views.MeetingUpdateView.as_view(),
        name="meeting_update",
    ),
    path(
        "meetings/<slug:meeting>/delete/",
        agreement_views.MeetingDeleteView.as_view(),
        name="meeting_delete",
    ),
    path(
        "meetings/<slug:meeting>/agreement/",
        agreement_views.AgreementRecordView.as_view(),
        name="agreement_record",
    ),
    path(
        "meetings/<slug:meeting>/consent/<slug:partner>/",
        agreement_views.ConsentUpdateView.as_view(),
        name="consent_update",
    ),
]
