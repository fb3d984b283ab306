"""Giving and taking away access to a partnership: every change writes its history row with it.

Each function runs in one transaction: the change, its ``AccessChange`` row and (for a removal
or a new role) the end of the person's sessions happen together or not at all. A refusal is a
``ValidationError`` in the service's words, naming the form field it belongs to, and changes
nothing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from norfolk_connect.sessions import end_sessions_of
from projects.history import person_name
from projects.models import Membership, Partner, Partnership, Role
from projects.rules import is_single_line

from .emails import send_invitation
from .models import AccessChange, Change, Invitation

User = get_user_model()

ONLY_FACILITATOR = (
    "{who} the partnership's only facilitator: make someone else a facilitator first, "
    "so that someone can still invite people and change the programme"
)
NAME_ON_ONE_LINE = "Enter the name on one line, without line breaks"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"

logger = logging.getLogger(__name__)


def hash_token(token: str) -> str:
    """Return the SHA-256 of an invitation's token, in hex: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    """Return a new invitation token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def display_name(user: Any) -> str:
    return person_name(user) if user is not None else ""


def record(
    *,
    partnership: Partnership,
    what: str,
    actor: Any | None,
    email: str,
    name: str = "",
    subject: Any | None = None,
    role_before: str = "",
    role_after: str = "",
    partner: Partner | None = None,
    invitation: Invitation | None = None,
    note: str = "",
) -> AccessChange:
    """Write one row of the access history."""
    return AccessChange.objects.create(
        partnership=partnership,
        what=what,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        subject=subject,
        email=email,
        name=name,
        role_before=role_before,
        role_after=role_after,
        partner=partner,
        invitation=invitation,
        note=note,
    )


def _check_role(partnership: Partnership, role: str, partner: Partner | None) -> Partner | None:
    """Return the partner council the role needs (none but for a partner officer), or refuse."""
    if role not in Role.values:
        raise ValidationError({"role": "Select the role"})
    if role != Role.PARTNER_OFFICER:
        return None
    if partner is None:
        raise ValidationError({"partner": "Select the partner officer's council"})
    if partner.partnership_id != partnership.pk:
        raise ValidationError({"partner": "Select a council of this partnership"})
    return partner


def _lock(partnership: Partnership) -> None:
    """Serialise the changes to one partnership's people (two facilitators at once, say)."""
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()


def invite(
    *,
    partnership: Partnership,
    name: str,
    email: str,
    role: str,
    partner: Partner | None,
    invited_by: Any,
    link: Callable[[str], str],
    now: datetime | None = None,
) -> Invitation:
    """Invite a person to the partnership; email them the link after the transaction commits.

    ``link`` turns the token into the absolute URL of the invitation's page: the token itself
    is not kept anywhere but in that email.
    """
    now = now or timezone.now()
    name = name.strip()
    email = normalise_email(email)
    if not is_single_line(name):
        raise ValidationError({"name": NAME_ON_ONE_LINE})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": EMAIL_FORMAT}) from None
    partner = _check_role(partnership, role, partner)
    token = new_token()
    with transaction.atomic():
        _lock(partnership)
        if Membership.objects.filter(partnership=partnership, user__email__iexact=email).exists():
            raise ValidationError(
                {
                    "email": f"{email} is already a member of the partnership: change their role "
                    "on the People page instead"
                }
            )
        if pending_invitations(partnership, now=now).filter(email__iexact=email).exists():
            raise ValidationError(
                {
                    "email": f"{email} has already been invited and the link has not expired: "
                    "revoke that invitation first to send a new one"
                }
            )
        invitation = Invitation(
            partnership=partnership,
            email=email,
            name=name,
            role=role,
            partner=partner,
            token_hash=hash_token(token),
            expires_at=now + timedelta(days=settings.INVITATION_DAYS),
            invited_by=invited_by,
            created=now,
        )
        invitation.full_clean()
        invitation.save()
        record(
            partnership=partnership,
            what=Change.INVITED,
            actor=invited_by,
            email=email,
            name=name,
            role_after=role,
            partner=partner,
            invitation=invitation,
        )
        transaction.on_commit(partial(email_invitation, invitation, link(token)))
    return invitation


def email_invitation(invitation: Invitation, url: str) -> None:
    """Send the invitation's email, noting on it whether the mail server took it.

    A mail server that is down or refuses the address must not undo the saved invitation nor
    end in a server error: the page tells the facilitator, who can revoke it and invite again.
    """
    try:
        send_invitation(invitation, url)
    except (smtplib.SMTPException, OSError, BadHeaderError, ValueError) as error:
        logger.warning("The invitation %s could not be emailed: %s", invitation.pk, error)
        invitation.email_failed = True
    else:
        invitation.email_failed = False


def pending_invitations(
    partnership: Partnership, *, now: datetime | None = None
) -> QuerySet[Invitation]:
    """The partnership's invitations whose links still work."""
    return Invitation.objects.filter(
        partnership=partnership,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now or timezone.now(),
    )


def revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    """Stop an invitation's link working; refuse one already accepted."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise ValidationError(f"{locked.email} has already accepted this invitation")
        if locked.revoked_at is not None:
            return locked  # revoked already, in another tab: nothing more to do
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record(
            partnership=locked.partnership,
            what=Change.INVITATION_REVOKED,
            actor=actor,
            email=locked.email,
            name=locked.name,
            role_before=locked.role,
            partner=locked.partner,
            invitation=locked,
        )
    return locked


def _keeps_a_facilitator(membership: Membership, actor: Any) -> None:
    """Refuse to take the partnership's last facilitator away."""
    if membership.role != Role.FACILITATOR:
        return
    others = Membership.objects.filter(
        partnership_id=membership.partnership_id, role=Role.FACILITATOR
    ).exclude(pk=membership.pk)
    if not others.exists():
        who = (
            "You are"
            if actor is not None and actor.pk == membership.user_id
            else (f"{display_name(membership.user)} is")
        )
        raise ValidationError(ONLY_FACILITATOR.format(who=who))


def change_role(
    *, membership: Membership, role: str, partner: Partner | None, actor: Any
) -> Membership:
    """Give a member another role (and council); sign them out everywhere at once."""
    with transaction.atomic():
        _lock(membership.partnership)
        locked = (
            Membership.objects.select_related("user", "partnership")
            .filter(pk=membership.pk)
            .first()
        )
        if locked is None:
            raise ValidationError("This person is no longer a member of the partnership")
        partner = _check_role(locked.partnership, role, partner)
        if locked.role == role and locked.partner_id == (partner.pk if partner else None):
            return locked  # nothing changes: no history, no signing out
        if role != Role.FACILITATOR:
            _keeps_a_facilitator(locked, actor)
        before = locked.role
        locked.role = role
        locked.partner = partner
        locked.save(update_fields=["role", "partner"])
        record(
            partnership=locked.partnership,
            what=Change.ROLE_CHANGED,
            actor=actor,
            subject=locked.user,
            email=locked.user.email,
            name=display_name(locked.user),
            role_before=before,
            role_after=role,
            partner=partner,
        )
        end_sessions_of(locked.user)
    return locked


def remove(*, membership: Membership, actor: Any) -> None:
    """Take a member out of the partnership and sign them out everywhere at once.

    Their account stays (they may belong to another partnership, and the history names them);
    it no longer reaches this partnership's programmes.
    """
    with transaction.atomic():
        _lock(membership.partnership)
        locked = (
            Membership.objects.select_related("user", "partnership", "partner")
            .filter(pk=membership.pk)
            .first()
        )
        if locked is None:
            return  # removed already, in another tab
        _keeps_a_facilitator(locked, actor)
        record(
            partnership=locked.partnership,
            what=Change.REMOVED,
            actor=actor,
            subject=locked.user,
            email=locked.user.email,
            name=display_name(locked.user),
            role_before=locked.role,
            partner=locked.partner,
        )
        locked.delete()
        end_sessions_of(locked.user)


# --- Accepting an invitation ---------------------------------------------------------------


def find_pending(token: str, *, now: datetime | None = None) -> Invitation | None:
    """Return the invitation whose link this is, if it still works, or None."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("partnership", "partner")
        .filter(token_hash=hash_token(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_pending(now) else None


def account_for(email: str) -> Any | None:
    """Return the existing account with this email address, if there is one."""
    return User.objects.filter(email__iexact=email).order_by("pk").first()


class InvitationGone(Exception):
    """The link has expired, or was used or revoked, meanwhile (in another tab, say)."""


def _lock_pending(invitation_pk: int) -> Invitation:
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("partnership", "partner")
        .get(pk=invitation_pk)
    )
    if not locked.is_pending():
        raise InvitationGone
    return locked


def _join(invitation: Invitation, user: Any, *, note: str = "") -> Membership:
    """Make the user a member as the invitation says; mark it used; write the history row."""
    if Membership.objects.filter(user=user, partnership=invitation.partnership).exists():
        raise ValidationError(
            "You are already a member of this partnership: sign in to use the service"
        )
    membership = Membership.objects.create(
        user=user,
        partnership=invitation.partnership,
        role=invitation.role,
        partner=invitation.partner,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(
        partnership=invitation.partnership,
        what=Change.JOINED,
        actor=user,
        subject=user,
        email=invitation.email,
        name=invitation.name,
        role_after=invitation.role,
        partner=invitation.partner,
        invitation=invitation,
        note=note,
    )
    return membership


def accept_with_new_account(
    *, invitation: Invitation, username: str, password: str
) -> tuple[AbstractBaseUser, Membership]:
    """Create the invited person's account and membership; the link is used up.

    Two tabs accepting at once: the second waits for the first's lock, then finds the
    invitation used and raises ``InvitationGone``; one account and one membership are made.
    """
    try:
        with transaction.atomic():
            locked = _lock_pending(invitation.pk)
            if account_for(locked.email) is not None:
                raise ValidationError(
                    "You already have an account with this email address: sign in to accept"
                )
            if User.objects.filter(username__iexact=username).exists():
                raise ValidationError({"username": "That username is taken: choose another"})
            user = User(username=username, email=locked.email, first_name=locked.name)
            user.set_password(password)
            user.save()
            membership = _join(locked, user)
    except IntegrityError:  # the same username chosen at the same moment in another tab
        raise ValidationError({"username": "That username is taken: choose another"}) from None
    return user, membership


def accept_as_user(*, invitation: Invitation, user: Any) -> Membership:
    """Add the membership to the signed-in person's own account; the link is used up."""
    with transaction.atomic():
        locked = _lock_pending(invitation.pk)
        if normalise_email(user.email or "") != locked.email:
            raise ValidationError(
                f"This invitation is for {locked.email}: sign out, then open the link again "
                "and sign in as that person"
            )
        return _join(locked, user)


def accept_pending_invitation(partnership: Partnership, email: str) -> Any | None:
    """Accept the partnership's pending invitation for a verified email: for single sign-on.

    Single sign-on calls this once the identity provider has vouched for the email address.
    It returns the user (an existing account with that address, or a new one without a
    password, which signs in by single sign-on only) now a member of the partnership, or None
    when no invitation for that address is pending (nothing is then written). Someone already
    a member is simply returned, the invitation left as it is.
    """
    email = normalise_email(email)
    with transaction.atomic():
        invitation = (
            pending_invitations(partnership)
            .select_for_update()
            .filter(email__iexact=email)
            .order_by("-created", "-pk")
            .first()
        )
        if invitation is None:
            return None
        user = account_for(email)
        if user is not None and not user.is_active:
            return None  # an account switched off stays off
        if user is None:
            username = (
                email
                if not User.objects.filter(username__iexact=email).exists()
                else (f"{email}-{secrets.token_hex(3)}")
            )
            user = User(username=username[:150], email=email, first_name=invitation.name)
            user.set_unusable_password()
            user.save()
        if Membership.objects.filter(user=user, partnership=partnership).exists():
            return user
        _join(invitation, user, note="by single sign-on")
    return user


# --- Changes made in the Django admin ------------------------------------------------------

ADMIN_NOTE = "in the admin"


@dataclass(frozen=True)
class MembershipsBefore:
    """The memberships of some partnerships as they were before the admin saved a form."""

    partnership_ids: frozenset[int]
    memberships: dict[int, Membership]


def _memberships_of(partnership_ids: frozenset[int]) -> dict[int, Membership]:
    found = Membership.objects.filter(partnership_id__in=partnership_ids).select_related(
        "user", "partnership", "partner"
    )
    return {membership.pk: membership for membership in found}


def memberships_before(partnership_ids: set[int]) -> MembershipsBefore:
    """Note the partnerships' memberships before the admin changes them (admin_changes_record)."""
    ids = frozenset(pk for pk in partnership_ids if pk is not None)
    return MembershipsBefore(partnership_ids=ids, memberships=_memberships_of(ids))


def admin_changes_record(*, before: MembershipsBefore, actor: Any) -> None:
    """Write the access history of what the admin changed since ``before``, as the People page
    writes its own: a membership added is "Joined", a new role "Role changed", one deleted
    "Removed", each noted "in the admin"; whoever lost or changed access is signed out.

    The admin saves memberships without the People page's service, so this compares the rows
    afterwards instead: a membership moved to another person or partnership reads as the old
    one removed and a new one joined. Call it inside the admin's transaction.
    """
    after = _memberships_of(before.partnership_ids)
    for pk, old in before.memberships.items():
        new = after.get(pk)
        if new is not None and (new.user_id, new.partnership_id) == (
            old.user_id,
            old.partnership_id,
        ):
            if (new.role, new.partner_id) != (old.role, old.partner_id):
                _admin_row(new, Change.ROLE_CHANGED, actor, role_before=old.role)
                end_sessions_of(new.user)
            continue
        _admin_row(old, Change.REMOVED, actor, role_before=old.role)
        end_sessions_of(old.user)
        if new is not None:
            _admin_row(new, Change.JOINED, actor)
    for pk, new in after.items():
        if pk not in before.memberships:
            _admin_row(new, Change.JOINED, actor)


def _admin_row(membership: Membership, what: str, actor: Any, *, role_before: str = "") -> None:
    removed = what == Change.REMOVED
    record(
        partnership=membership.partnership,
        what=what,
        actor=actor,
        subject=membership.user,
        email=membership.user.email,
        name=display_name(membership.user),
        role_before=role_before,
        role_after="" if removed else membership.role,
        partner=membership.partner,
        note=ADMIN_NOTE,
    )
