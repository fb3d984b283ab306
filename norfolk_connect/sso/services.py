"""Who a verified email signs in as, and signing them in.

The provider vouches only for an email address. Access comes from the service: the email
must be that of an active user who is already a member of the provider's partnership (or,
once invitations exist, who holds a pending invitation to it). Anyone else is refused, however
genuine their account at the provider.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, login
from django.http import HttpRequest

from norfolk_connect.people.services import accept_pending_invitation

# The session key that says the person signed in through their council's provider; the
# provider's own checks (its two-factor, say) stand in for the service's there.
SIGNED_IN_BY_SSO = "signed_in_by_sso"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def email_is_verified(claims: dict[str, Any]) -> bool:
    """Say whether the provider vouches for the email in these claims.

    That is ``email_verified`` true (OpenID Connect Core, 5.1). Microsoft Entra ID never sends
    it for an organisational account; asked for its optional claim ``xms_edov`` ("email domain
    owner verified"), it says instead that the tenant owns the email's domain. That is taken
    in its place only where the token has no ``email_verified`` at all: a provider that says
    false is believed.
    """
    if "email_verified" in claims:
        return _true(claims["email_verified"])
    return _true(claims.get("xms_edov"))


def _true(value: object) -> bool:
    """A JSON true, or the string "true" or "1" some providers send for one."""
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def user_for_verified_email(partnership: Any, email: str) -> Any | None:
    """Return the user a verified email signs in as to the partnership, or None.

    That is the active user with that email (compared without regard to case) who has a
    membership of the partnership, or, failing one, the person a pending invitation of the
    partnership for that email makes a member. An email shared by two such users matches
    neither: the service cannot tell which of them the person is.
    """
    email = email.strip()
    if not email:
        return None
    users = list(
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True, memberships__partnership=partnership)
        .distinct()[:2]
    )
    if len(users) == 1:
        return users[0]
    if users:
        return None
    # A pending invitation to this partnership for this email is accepted here (the membership
    # it offers goes to the account with that email, or to a new one without a password), and
    # that user signs in. An email with neither a membership nor an invitation signs in no one.
    return accept_pending_invitation(partnership, email)


def sign_in(request: HttpRequest, user: Any) -> None:
    """Sign the user in, noting in the new session that it was by single sign-on."""
    login(request, user, backend=BACKEND)
    request.session[SIGNED_IN_BY_SSO] = True


def signed_in_by_sso(request: HttpRequest) -> bool:
    """Say whether the request's session was signed in through a single sign-on provider."""
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SIGNED_IN_BY_SSO))
