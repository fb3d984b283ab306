from django.urls import path

from . import agreement_views, call_views, views

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
    path("calls/", call_views.CallListView.as_view(), name="call_list"),
    path("calls/new/", call_views.CallCreateView.as_view(), name="call_create"),
    path("calls/<slug:call>/", call_views.CallDetailView.as_view(), name="call_detail"),
    path("calls/<slug:call>/cancel/", call_views.CallCancelView.as_view(), name="call_cancel"),
    path(
        "invoices/<int:invoice>/payments/new/",
        call_views.PaymentCreateView.as_view(),
        name="payment_create",
    ),
    path(
        "invoices/<int:invoice>/payments/<int:payment>/delete/",
        call_views.PaymentDeleteView.as_view(),
        name="payment_delete",
    ),
    path("refunds/", call_views.RefundListView.as_view(), name="refund_list"),
    path("refunds/new/", call_views.RefundCreateView.as_view(), name="refund_create"),
    path(
        "refunds/<int:refund>/delete/",
        call_views.RefundDeleteView.as_view(),
        name="refund_delete",
    ),
]
