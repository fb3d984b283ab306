"""Inviting, revoking, changing roles, removing, accepting: each change and its history row."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from norfolk_connect.people import services
from norfolk_connect.people.emails import SUBJECT, recipient
from norfolk_connect.people.models import AccessChange, Change, Invitation
from norfolk_connect.sessions import session_keys_of
from projects.models import Membership, Role
from tests.contributions.factories import PartnerFactory

from .factories import invite

pytestmark = pytest.mark.django_db
User = get_user_model()


def signed_in(user) -> str:
    """Make a session in which the user is signed in; return its key."""
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


# --- Inviting ------------------------------------------------------------------------------


def test_an_invitation_keeps_only_the_tokens_hash_and_expires_in_a_week(people, settings):
    before = timezone.now()
    invited = invite(people.partnership, by=people.facilitator, email=" CE@Broadland.Example ")
    invitation = invited.invitation
    assert invitation.email == "ce@broadland.example"
    assert len(invited.token) >= 43
    assert invitation.token_hash == hashlib.sha256(invited.token.encode()).hexdigest()
    assert invited.token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    days = timedelta(days=settings.INVITATION_DAYS)
    assert before + days <= invitation.expires_at <= timezone.now() + days
    assert invitation.invited_by == people.facilitator
    change = AccessChange.objects.get(what=Change.INVITED)
    assert (change.actor, change.email, change.role_after, change.invitation) == (
        people.facilitator,
        "ce@broadland.example",
        Role.CHIEF_EXECUTIVE,
        invitation,
    )
    assert change.actor_name == "fran"


def test_the_email_goes_once_the_invitation_is_saved(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invited = invite(people.partnership, by=people.facilitator, name="Chris Ö'Brien")
    assert mail.outbox == []  # not before the transaction commits
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.subject == SUBJECT.format(partnership=invited.invitation.partnership.name)
    assert message.to == ["=?utf-8?q?Chris_=C3=96=27Brien?= <ce@broadland.example>"]
    link = f"https://testserver/invitations/{invited.token}/"
    assert link in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert f'href="{link}"' in html
    assert people.partnership.name in message.body
    assert "chief executive" in message.body


def test_no_email_when_the_invitation_is_refused(people, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError),
    ):
        invite(people.partnership, by=people.facilitator, email="chris@norfolk.example")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("name", "email", "field"),
    [
        ("Chris\r\nBcc: victim@example.com", "ce@example.com", "name"),
        ("Chris\nExecutive", "ce@example.com", "name"),
        ("Chris\u2028Executive", "ce@example.com", "name"),
        ("Chris", "ce@example.com\nBcc: victim@example.com", "email"),
        ("Chris", "ce@example.com\r\nSubject: hi", "email"),
        ("Chris", "ce@example.com>, victim@example.com", "email"),
        ("Chris", "not an address", "email"),
    ],
)
def test_header_injection_in_the_name_or_email_is_refused(people, name, email, field):
    with pytest.raises(ValidationError) as refused:
        invite(people.partnership, by=people.facilitator, name=name, email=email)
    assert field in refused.value.message_dict
    assert not Invitation.objects.exists()
    assert not AccessChange.objects.exists()


def test_the_recipient_is_one_encoded_header_line():
    assert recipient("Smith, Jo", "jo@example.com") == '"Smith, Jo" <jo@example.com>'
    with pytest.raises(ValueError):
        recipient("Jo\nBcc: x@example.com", "jo@example.com")


def test_a_member_or_a_pending_invitation_cannot_be_invited_again(people):
    with pytest.raises(ValidationError, match="already a member"):
        invite(people.partnership, by=people.facilitator, email="CHRIS@norfolk.example")
    invite(people.partnership, by=people.facilitator)
    with pytest.raises(ValidationError, match="already been invited"):
        invite(people.partnership, by=people.facilitator, email="Ce@Broadland.example")
    # Another partnership may invite the same person.
    invite(people.other.partnership, by=people.other_facilitator)
    assert Invitation.objects.count() == 2


def test_an_expired_or_revoked_invitation_can_be_sent_again(people):
    old = invite(people.partnership, by=people.facilitator).invitation
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    again = invite(people.partnership, by=people.facilitator).invitation
    services.revoke(invitation=again, actor=people.facilitator)
    invite(people.partnership, by=people.facilitator)
    assert Invitation.objects.count() == 3


def test_a_partner_officer_needs_a_council_of_the_same_partnership(people):
    with pytest.raises(ValidationError) as refused:
        invite(people.partnership, by=people.facilitator, role=Role.PARTNER_OFFICER)
    assert refused.value.message_dict == {"partner": ["Select the partner officer's council"]}
    theirs = PartnerFactory(partnership=people.other.partnership)
    with pytest.raises(ValidationError, match="council of this partnership"):
        invite(people.partnership, by=people.facilitator, role=Role.PARTNER_OFFICER, partner=theirs)
    invited = invite(
        people.partnership,
        by=people.facilitator,
        role=Role.PARTNER_OFFICER,
        partner=people.council,
    )
    assert invited.invitation.partner == people.council
    # Another role's council is dropped rather than kept.
    chief = invite(
        people.partnership, by=people.facilitator, email="x@example.com", partner=people.council
    )
    assert chief.invitation.partner is None


# --- Revoking ------------------------------------------------------------------------------


def test_revoking_stops_the_link_and_is_in_the_history(people):
    invited = invite(people.partnership, by=people.facilitator)
    services.revoke(invitation=invited.invitation, actor=people.facilitator)
    assert services.find_pending(invited.token) is None
    change = AccessChange.objects.get(what=Change.INVITATION_REVOKED)
    assert (change.actor, change.email) == (people.facilitator, "ce@broadland.example")
    services.revoke(invitation=invited.invitation, actor=people.facilitator)  # twice: once
    assert AccessChange.objects.filter(what=Change.INVITATION_REVOKED).count() == 1


def test_an_accepted_invitation_cannot_be_revoked(people):
    invited = invite(people.partnership, by=people.facilitator)
    services.accept_with_new_account(
        invitation=invited.invitation, username="ce", password="a long pass phrase"
    )
    with pytest.raises(ValidationError, match="already accepted"):
        services.revoke(invitation=invited.invitation, actor=people.facilitator)


# --- Roles and removal ---------------------------------------------------------------------


def test_changing_a_role_ends_the_members_sessions_and_is_in_the_history(people):
    key = signed_in(people.chief_executive)
    other_key = signed_in(people.officer)
    membership = people.chief_executive.memberships.get()
    services.change_role(
        membership=membership,
        role=Role.PARTNER_OFFICER,
        partner=people.council,
        actor=people.facilitator,
    )
    membership.refresh_from_db()
    assert (membership.role, membership.partner) == (Role.PARTNER_OFFICER, people.council)
    assert not SessionStore().exists(key)
    assert SessionStore().exists(other_key)
    change = AccessChange.objects.get(what=Change.ROLE_CHANGED)
    assert (change.actor, change.subject, change.role_before, change.role_after) == (
        people.facilitator,
        people.chief_executive,
        Role.CHIEF_EXECUTIVE,
        Role.PARTNER_OFFICER,
    )
    assert change.partner == people.council


def test_the_same_role_again_changes_nothing(people):
    key = signed_in(people.chief_executive)
    membership = people.chief_executive.memberships.get()
    services.change_role(
        membership=membership, role=Role.CHIEF_EXECUTIVE, partner=None, actor=people.facilitator
    )
    assert SessionStore().exists(key)
    assert not AccessChange.objects.exists()


def test_removing_a_member_ends_their_sessions_and_is_in_the_history(people):
    key = signed_in(people.officer)
    services.remove(membership=people.officer.memberships.get(), actor=people.facilitator)
    assert not Membership.objects.filter(user=people.officer).exists()
    assert session_keys_of(people.officer) == []
    assert not SessionStore().exists(key)
    change = AccessChange.objects.get(what=Change.REMOVED)
    assert (change.actor, change.subject, change.email, change.role_before, change.partner) == (
        people.facilitator,
        people.officer,
        "pat@broadland.example",
        Role.PARTNER_OFFICER,
        people.council,
    )
    # The account stays: the history names it, and it may belong elsewhere.
    assert User.objects.filter(pk=people.officer.pk, is_active=True).exists()


def test_the_last_facilitator_cannot_be_removed_or_given_another_role(people):
    me = people.facilitator.memberships.get()
    with pytest.raises(ValidationError, match="You are the partnership's only facilitator"):
        services.remove(membership=me, actor=people.facilitator)
    with pytest.raises(ValidationError, match="only facilitator"):
        services.change_role(
            membership=me, role=Role.CHIEF_EXECUTIVE, partner=None, actor=people.facilitator
        )
    admin = Membership.objects.create(
        user=User.objects.create(username="ada"), partnership=people.partnership, role=Role.ADMIN
    )
    with pytest.raises(ValidationError, match="Fran is the partnership's only facilitator"):
        services.remove(membership=me, actor=admin.user)
    assert not AccessChange.objects.exists()
    services.change_role(
        membership=people.chief_executive.memberships.get(),
        role=Role.FACILITATOR,
        partner=None,
        actor=people.facilitator,
    )
    services.remove(membership=me, actor=people.facilitator)  # now another facilitator stays
    assert not Membership.objects.filter(user=people.facilitator).exists()


# --- Accepting -----------------------------------------------------------------------------


def test_accepting_creates_the_account_and_membership_and_uses_the_link(people):
    invited = invite(
        people.partnership,
        by=people.facilitator,
        role=Role.PARTNER_OFFICER,
        partner=people.council,
    )
    user, membership = services.accept_with_new_account(
        invitation=invited.invitation, username="chris-e", password="a long pass phrase"
    )
    assert user.check_password("a long pass phrase")
    assert (user.email, user.first_name) == ("ce@broadland.example", "Chris Executive")
    assert (membership.partnership, membership.role, membership.partner) == (
        people.partnership,
        Role.PARTNER_OFFICER,
        people.council,
    )
    invited.invitation.refresh_from_db()
    assert invited.invitation.accepted_by == user
    assert invited.invitation.accepted_at is not None
    change = AccessChange.objects.get(what=Change.JOINED)
    assert (change.actor, change.subject, change.role_after) == (
        user,
        user,
        Role.PARTNER_OFFICER,
    )
    assert services.find_pending(invited.token) is None


def test_two_tabs_accepting_at_once_make_one_membership(people):
    """Both tabs loaded the invitation; the second finds it used once it has the lock."""
    invited = invite(people.partnership, by=people.facilitator)
    stale = Invitation.objects.get(pk=invited.invitation.pk)
    services.accept_with_new_account(
        invitation=invited.invitation, username="first", password="a long pass phrase"
    )
    with pytest.raises(services.InvitationGone):
        services.accept_with_new_account(
            invitation=stale, username="second", password="a long pass phrase"
        )
    assert not User.objects.filter(username="second").exists()
    assert Membership.objects.filter(partnership=people.partnership).count() == 4
    assert AccessChange.objects.filter(what=Change.JOINED).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks to wait on")
def test_two_requests_accepting_at_the_same_moment_make_one_membership(people):
    invited = invite(people.partnership, by=people.facilitator)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(username: str) -> None:
        start.wait()
        try:
            services.accept_with_new_account(
                invitation=invited.invitation, username=username, password="a long pass phrase"
            )
            outcomes.append("joined")
        except services.InvitationGone:
            outcomes.append("gone")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("tab-1", "tab-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["gone", "joined"]
    assert User.objects.filter(username__startswith="tab-").count() == 1
    assert AccessChange.objects.filter(what=Change.JOINED).count() == 1


@pytest.mark.parametrize("how", ["used", "expired", "revoked", "unknown", "empty", "huge"])
def test_a_link_that_does_not_work_is_not_found_and_writes_nothing(people, how):
    invited = invite(people.partnership, by=people.facilitator)
    token = invited.token
    if how == "used":
        services.accept_with_new_account(
            invitation=invited.invitation, username="ce", password="a long pass phrase"
        )
    elif how == "expired":
        Invitation.objects.update(expires_at=timezone.now())
    elif how == "revoked":
        services.revoke(invitation=invited.invitation, actor=people.facilitator)
    elif how == "unknown":
        token = services.new_token()
    elif how == "empty":
        token = ""
    elif how == "huge":
        token = token * 100
    assert services.find_pending(token) is None


def test_an_expired_invitation_cannot_be_accepted_even_from_an_open_page(people):
    invited = invite(people.partnership, by=people.facilitator)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(services.InvitationGone):
        services.accept_with_new_account(
            invitation=invited.invitation, username="ce", password="a long pass phrase"
        )
    assert not User.objects.filter(username="ce").exists()


def test_a_taken_username_is_refused(people):
    invited = invite(people.partnership, by=people.facilitator)
    with pytest.raises(ValidationError) as refused:
        services.accept_with_new_account(
            invitation=invited.invitation, username="FRAN", password="a long pass phrase"
        )
    assert refused.value.message_dict == {"username": ["That username is taken: choose another"]}
    assert services.find_pending(invited.token) is not None


def test_an_existing_account_accepts_as_itself(people):
    """Someone already a member elsewhere is invited: the membership is added to their account."""
    invited = invite(people.partnership, by=people.facilitator, email="Olly@Elsewhere.example")
    with pytest.raises(ValidationError, match="already have an account"):
        services.accept_with_new_account(
            invitation=invited.invitation, username="olly2", password="a long pass phrase"
        )
    wrong = re.escape("This invitation is for olly@elsewhere.example")
    with pytest.raises(ValidationError, match=wrong):
        services.accept_as_user(invitation=invited.invitation, user=people.chief_executive)
    membership = services.accept_as_user(
        invitation=invited.invitation, user=people.other_facilitator
    )
    assert membership.user == people.other_facilitator
    assert membership.role == Role.CHIEF_EXECUTIVE
    assert people.other_facilitator.memberships.count() == 2


# --- Single sign-on's way in ---------------------------------------------------------------


def test_single_sign_on_accepts_a_pending_invitation_for_a_new_person(people):
    invite(people.partnership, by=people.facilitator)
    user = services.accept_pending_invitation(people.partnership, "CE@broadland.example")
    assert user is not None
    assert (user.username, user.email, user.has_usable_password()) == (
        "ce@broadland.example",
        "ce@broadland.example",
        False,
    )
    assert user.memberships.get().role == Role.CHIEF_EXECUTIVE
    change = AccessChange.objects.get(what=Change.JOINED)
    assert (change.actor, change.note) == (user, "by single sign-on")
    # Used: a second sign-in finds no invitation, and the member is not joined twice.
    assert services.accept_pending_invitation(people.partnership, "ce@broadland.example") is None


def test_single_sign_on_adds_the_membership_to_an_existing_account(people):
    invite(people.partnership, by=people.facilitator, email="olly@elsewhere.example")
    user = services.accept_pending_invitation(people.partnership, "olly@elsewhere.example")
    assert user == people.other_facilitator
    assert user.memberships.count() == 2


@pytest.mark.parametrize("how", ["none", "expired", "revoked", "other_partnership"])
def test_single_sign_on_without_a_pending_invitation_writes_nothing(people, how):
    if how != "none":
        invited = invite(people.partnership, by=people.facilitator)
        if how == "expired":
            Invitation.objects.update(expires_at=timezone.now())
        elif how == "revoked":
            services.revoke(invitation=invited.invitation, actor=people.facilitator)
    before = (User.objects.count(), Membership.objects.count(), AccessChange.objects.count())
    partnership = people.other.partnership if how == "other_partnership" else people.partnership
    assert services.accept_pending_invitation(partnership, "ce@broadland.example") is None
    after = (User.objects.count(), Membership.objects.count(), AccessChange.objects.count())
    assert after == before


def test_single_sign_on_does_not_switch_a_deactivated_account_back_on(people):
    invite(people.partnership, by=people.facilitator, email="olly@elsewhere.example")
    User.objects.filter(pk=people.other_facilitator.pk).update(is_active=False)
    assert services.accept_pending_invitation(people.partnership, "olly@elsewhere.example") is None
    assert people.other_facilitator.memberships.count() == 1


def test_the_html_email_escapes_the_name(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(people.partnership, by=people.facilitator, name='<a href="https://evil">x</a>')
    [message] = mail.outbox
    [(html, _)] = message.alternatives
    assert '<a href="https://evil">' not in html
    assert "&lt;a href=" in html
