"""URL roots: the admin, sign-in, and the programmes with their sections."""

from django.contrib import admin
from django.urls import include, path

from . import views
from .notifications import views as notification_views
from .twofactor import views as twofactor_views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    # Sign-in speaks in the service's words, offers the councils' own sign-in services (single
    # sign-on, norfolk_connect/sso) and asks for a code where two-factor sign-in is on
    # (norfolk_connect/twofactor); the rest of the accounts' pages are Django's.
    path("accounts/login/", twofactor_views.SignInView.as_view(), name="login"),
    path("accounts/sso/", include("norfolk_connect.sso.urls")),
    path("accounts/two-factor/", include("norfolk_connect.twofactor.urls")),
    path("account/", twofactor_views.account, name="account"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The signed-in person's own email preferences; the emails' unsubscribe links.
    path(
        "account/notifications/",
        notification_views.PreferencesView.as_view(),
        name="account_notifications",
    ),
    path("email/", include("norfolk_connect.notifications.urls")),
    # The API (/api/v1/, a token in each request), its page for developers, and each person's
    # own tokens' pages (/account/tokens/).
    path("", include("norfolk_connect.api.urls")),
    path("programmes/<slug:slug>/", include("contributions.urls")),
    path("programmes/<slug:slug>/", include("reports.urls")),
    path("programmes/<slug:slug>/", include("reports.urls_report")),
    # The people of a partnership, and the public link of an invitation.
    path("", include("norfolk_connect.people.urls")),
    path("", include("projects.urls")),
]
