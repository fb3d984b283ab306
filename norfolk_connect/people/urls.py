from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("programmes/<slug:slug>/people/", views.PeopleView.as_view(), name="people"),
    path("programmes/<slug:slug>/people/invite/", views.InviteView.as_view(), name="invite"),
    path(
        "programmes/<slug:slug>/people/invitations/<int:invitation>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        "programmes/<slug:slug>/people/members/<int:member>/role/",
        views.MemberRoleView.as_view(),
        name="member_role",
    ),
    path(
        "programmes/<slug:slug>/people/members/<int:member>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    # Public: the person invited has no account yet. The token is the only key (its SHA-256
    # is what the database holds); a link that does not work answers 410 and reveals nothing.
    path("invitations/<str:token>/", views.AcceptView.as_view(), name="invitation_accept"),
]
