"""The People pages and the invitation's link, as each role and as nobody signed in."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from norfolk_connect.people import services
from norfolk_connect.people.models import AccessChange, Change, Invitation
from projects.models import Membership, Role
from tests.projects.factories import MembershipFactory
from tests.test_permissions import PUBLIC_URLS, changes_data

from .factories import invite

pytestmark = pytest.mark.django_db
User = get_user_model()
GONE = "This invitation link has expired or has already been used"


def url(name: str, people, *args) -> str:
    return reverse(f"people:{name}", args=[people.programme.slug, *args])


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def world_rows() -> tuple:
    return (
        User.objects.count(),
        Membership.objects.count(),
        Invitation.objects.filter(accepted_at__isnull=False).count(),
        AccessChange.objects.count(),
    )


# --- The People page ----------------------------------------------------------------------


def test_the_people_page_lists_members_invitations_and_history(client, people):
    invite(people.partnership, by=people.facilitator)
    client.force_login(people.facilitator)
    response = client.get(url("people", people))
    assert response.status_code == 200
    page = text(response)
    for expected in (
        "fran@norfolk.example",
        "Chief executive",
        "Broadland",
        "Never",
        "ce@broadland.example",
        "Invite a person",
        "Change role",
        "Remove",
        "History of access",
        "Invited",
        "fran",
    ):
        assert expected in page, expected
    assert "olly@elsewhere.example" not in page  # another partnership's member


@pytest.mark.parametrize("who", ["chief_executive", "officer"])
def test_readers_see_the_members_but_no_way_to_change_them(client, people, who):
    invitation = invite(people.partnership, by=people.facilitator).invitation
    client.force_login(getattr(people, who))
    page = text(client.get(url("people", people)))
    assert "fran@norfolk.example" in page
    assert "Invite a person" not in page
    assert "Change role" not in page
    member = people.officer.memberships.get()
    for target in (
        url("invite", people),
        url("invitation_revoke", people, invitation.pk),
        url("member_role", people, member.pk),
        url("member_remove", people, member.pk),
    ):
        assert client.get(target).status_code == 403, target
        assert client.post(target, {"role": "admin"}).status_code == 403, target
    assert Membership.objects.get(pk=member.pk).role == Role.PARTNER_OFFICER
    assert not AccessChange.objects.exclude(what=Change.INVITED).exists()


def test_another_partnerships_invitations_and_members_answer_404(client, people):
    theirs = invite(people.other.partnership, by=people.other_facilitator).invitation
    their_member = people.other_facilitator.memberships.get()
    client.force_login(people.facilitator)
    for target in (
        url("invitation_revoke", people, theirs.pk),
        url("member_role", people, their_member.pk),
        url("member_remove", people, their_member.pk),
        url("member_remove", people, 10**9),
    ):
        assert client.get(target).status_code == 404, target
        assert client.post(target, {"role": "admin"}).status_code == 404, target
    assert Membership.objects.filter(pk=their_member.pk).exists()
    assert Invitation.objects.get(pk=theirs.pk).revoked_at is None
    # Their programme's People page, as our facilitator: not found either.
    other_page = reverse("people:people", args=[people.other.slug])
    assert client.get(other_page).status_code == 404


def test_the_programme_home_links_to_the_people_page(client, people):
    client.force_login(people.chief_executive)
    response = client.get(reverse("projects:programme_home", args=[people.programme.slug]))
    assert url("people", people) in response.content.decode()


# --- Inviting -----------------------------------------------------------------------------


def test_inviting_sends_the_link_which_opens_the_accept_page(
    client, people, django_capture_on_commit_callbacks
):
    client.force_login(people.facilitator)
    assert client.get(url("invite", people)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("invite", people),
            {"name": "Chris Executive", "email": "ce@broadland.example", "role": "chief_executive"},
        )
    assert response.status_code == 302
    assert response.url == url("people", people)
    [message] = mail.outbox
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", message.body).group(1)
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Accept your invitation" in text(page)
    assert people.partnership.name in text(page)
    assert "Chief executive" in text(page)
    assert "no-store" in page["Cache-Control"]


def test_the_invite_form_says_what_is_wrong(client, people):
    client.force_login(people.facilitator)
    empty = text(client.post(url("invite", people), {}))
    assert "Enter the person's full name" in empty
    assert "Enter the person's email address" in empty
    assert "Select the role" in empty
    officer = text(
        client.post(
            url("invite", people),
            {"name": "Pat", "email": "p@example.com", "role": "partner_officer"},
        )
    )
    assert "Select the partner officer's council" in officer
    member = text(
        client.post(
            url("invite", people),
            {"name": "Chris", "email": "Chris@Norfolk.example", "role": "admin"},
        )
    )
    assert "chris@norfolk.example is already a member of the partnership" in member
    invite(people.partnership, by=people.facilitator)
    again = text(
        client.post(
            url("invite", people),
            {"name": "Chris", "email": "ce@broadland.example", "role": "admin"},
        )
    )
    assert "has already been invited" in again
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("Chris\r\nBcc: victim@example.com", "ce@example.com", "Enter the name on one line"),
        ("Chris", "ce@example.com\r\nBcc: victim@example.com", "Enter an email address in the"),
        ("Chris", "ce@example.com%0ABcc:victim@example.com", "Enter an email address in the"),
    ],
)
def test_the_invite_form_refuses_header_injection(client, people, name, email, message):
    client.force_login(people.facilitator)
    response = client.post(
        url("invite", people), {"name": name, "email": email, "role": "chief_executive"}
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_revoking_an_invitation_asks_first_then_stops_its_link(client, people):
    invited = invite(people.partnership, by=people.facilitator)
    client.force_login(people.facilitator)
    confirm = client.get(url("invitation_revoke", people, invited.invitation.pk))
    assert "Revoke the invitation to Chris Executive?" in text(confirm)
    assert client.post(url("invitation_revoke", people, invited.invitation.pk)).status_code == 302
    client.logout()
    assert client.get(invited.url).status_code == 410
    change = AccessChange.objects.get(what=Change.INVITATION_REVOKED)
    assert change.actor == people.facilitator


# --- Roles and removal --------------------------------------------------------------------


def test_changing_a_role_signs_the_member_out_at_once(
    client,
    people,
):
    theirs = Client()
    theirs.force_login(people.chief_executive)
    dashboard = reverse("reports:dashboard", args=[people.programme.slug])
    home = reverse("projects:programme_home", args=[people.programme.slug])
    assert theirs.get(home).status_code == 200
    client.force_login(people.facilitator)
    member = people.chief_executive.memberships.get()
    confirm = text(client.get(url("member_role", people, member.pk)))
    assert "signs chris out at once" in confirm
    response = client.post(url("member_role", people, member.pk), {"role": "admin"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=member.pk).role == Role.ADMIN
    signed_out = theirs.get(dashboard)
    assert signed_out.status_code == 302
    assert signed_out.url.startswith(reverse("login"))


def test_a_partner_officers_role_needs_a_council(client, people):
    client.force_login(people.facilitator)
    member = people.chief_executive.memberships.get()
    response = client.post(url("member_role", people, member.pk), {"role": "partner_officer"})
    assert "Select the partner officer's council" in text(response)
    assert Membership.objects.get(pk=member.pk).role == Role.CHIEF_EXECUTIVE


def test_removing_a_member_signs_them_out_at_once(
    client,
    people,
):
    theirs = Client()
    theirs.force_login(people.officer)
    home = reverse("projects:programme_home", args=[people.programme.slug])
    assert theirs.get(home).status_code == 200
    client.force_login(people.facilitator)
    member = people.officer.memberships.get()
    confirm = text(client.get(url("member_remove", people, member.pk)))
    assert "Remove pat from Norfolk Connect?" in confirm
    assert "They will be signed out at once" in confirm
    response = client.post(url("member_remove", people, member.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    # Their next request is signed out: sent to sign in, not shown the programme.
    signed_out = theirs.get(home)
    assert signed_out.status_code == 302
    assert signed_out.url.startswith(reverse("login"))
    change = AccessChange.objects.get(what=Change.REMOVED)
    assert (change.actor, change.subject) == (people.facilitator, people.officer)


def test_the_last_facilitator_cannot_remove_themselves(client, people):
    client.force_login(people.facilitator)
    me = people.facilitator.memberships.get()
    response = client.post(url("member_remove", people, me.pk))
    assert response.status_code == 409
    assert "You are the partnership's only facilitator" in text(response)
    assert Membership.objects.filter(pk=me.pk).exists()
    role = client.post(url("member_role", people, me.pk), {"role": "chief_executive"})
    assert "only facilitator" in text(role)
    assert Membership.objects.get(pk=me.pk).role == Role.FACILITATOR


def test_a_facilitator_who_is_not_the_last_may_leave_and_is_signed_out(client, people):
    MembershipFactory(partnership=people.partnership, role=Role.FACILITATOR)
    client.force_login(people.facilitator)
    me = people.facilitator.memberships.get()
    response = client.post(url("member_remove", people, me.pk))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get(url("people", people)).status_code == 302


# --- Accepting ----------------------------------------------------------------------------


def test_accepting_sets_a_password_signs_in_and_lands_on_the_dashboard(client, people):
    invited = invite(people.partnership, by=people.facilitator)
    page = text(client.get(invited.url))
    assert 'value="ce@broadland.example"' in page  # the username offered: the email
    response = client.post(
        invited.url,
        {
            "username": "ce@broadland.example",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )
    assert response.status_code == 302
    dashboard = reverse("reports:dashboard", args=[people.programme.slug])
    assert response.url == dashboard
    assert client.get(dashboard).status_code == 200
    user = User.objects.get(username="ce@broadland.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AccessChange.objects.get(what=Change.JOINED).actor == user
    # The link is used: opened again, it says so and writes nothing.
    client.logout()
    before = world_rows()
    again = client.get(invited.url)
    assert again.status_code == 410
    assert GONE in text(again)
    assert world_rows() == before


def test_a_partner_officer_lands_on_their_councils_page(client, people):
    invited = invite(
        people.partnership, by=people.facilitator, role=Role.PARTNER_OFFICER, partner=people.council
    )
    response = client.post(
        invited.url,
        {
            "username": "newpat",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
    )
    assert response.url == reverse("reports:partner", args=[people.programme.slug, "broadland"])


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("", "", "Enter a password"),
        ("a long pass phrase", "", "Enter the password again"),
        ("a long pass phrase", "another pass phrase", "Passwords do not match"),
        ("short", "short", "Password must be 8 characters or more"),
        ("password123", "password123", "Password is too common"),
        ("83749201938", "83749201938", "Password must include a letter or a symbol"),
        ("ce@broadland.example", "ce@broadland.example", "Password must not be like your"),
    ],
)
def test_the_password_is_checked_in_the_services_words(
    client, people, password1, password2, message
):
    invited = invite(people.partnership, by=people.facilitator)
    before = world_rows()
    response = client.post(
        invited.url, {"username": "ce", "password1": password1, "password2": password2}
    )
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "There is a problem" in page
    assert "This password" not in page  # Django's own sentence
    assert world_rows() == before


def test_a_taken_username_is_refused_on_the_page(client, people):
    invited = invite(people.partnership, by=people.facilitator)
    response = client.post(
        invited.url,
        {"username": "fran", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert "That username is taken: choose another" in text(response)


@pytest.mark.parametrize("how", ["expired", "revoked", "used", "unknown", "tampered"])
def test_a_link_that_does_not_work_says_so_and_writes_nothing(client, people, how):
    invited = invite(people.partnership, by=people.facilitator)
    link = invited.url
    if how == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif how == "revoked":
        services.revoke(invitation=invited.invitation, actor=people.facilitator)
    elif how == "used":
        services.accept_with_new_account(
            invitation=invited.invitation, username="first", password="a long pass phrase"
        )
    elif how == "unknown":
        link = reverse("people:invitation_accept", args=[services.new_token()])
    elif how == "tampered":
        link = reverse("people:invitation_accept", args=[invited.token[:-1] + "A"])
    before = world_rows()
    for response in (
        client.get(link),
        client.post(
            link,
            {
                "username": "again",
                "password1": "a long pass phrase",
                "password2": "a long pass phrase",
            },
        ),
    ):
        assert response.status_code == 410
        assert GONE in text(response)
        assert "ask the facilitator who invited you for a new one" in text(response).lower()
    assert world_rows() == before


def test_an_existing_account_is_asked_to_sign_in_then_accepts(client, people):
    invited = invite(people.partnership, by=people.facilitator, email="olly@elsewhere.example")
    page = client.get(invited.url)
    assert "Sign in to accept" in text(page)
    assert f'href="/accounts/login/?next=%2Finvitations%2F{invited.token}%2F"' in text(page)
    # Posting a new account for that address is refused.
    refused = client.post(
        invited.url,
        {"username": "olly2", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert refused.status_code == 409
    assert not User.objects.filter(username="olly2").exists()
    client.force_login(people.other_facilitator)
    assert "Accept and continue" in text(client.get(invited.url))
    response = client.post(invited.url)
    assert response.status_code == 302
    assert response.url == reverse("reports:dashboard", args=[people.programme.slug])
    assert people.other_facilitator.memberships.filter(partnership=people.partnership).exists()


def test_someone_signed_in_as_another_person_cannot_accept(client, people):
    invited = invite(people.partnership, by=people.facilitator)
    client.force_login(people.other_facilitator)
    assert "This invitation is for ce@broadland.example" in text(client.get(invited.url))
    before = world_rows()
    assert client.post(invited.url).status_code == 409
    assert world_rows() == before


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_no_next_sends_anyone_elsewhere(client, people, target):
    invited = invite(people.partnership, by=people.facilitator)
    response = client.post(
        f"{invited.url}?next={target}",
        {
            "username": "ce",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("reports:dashboard", args=[people.programme.slug])
    # And the sign-in the page links to keeps its next on this site.
    signed_out = invite(people.partnership, by=people.facilitator, email="x@example.com")
    client.logout()
    login = client.post(
        f"{reverse('login')}?next={target}",
        {"username": "fran", "password": "correct horse battery", "next": target},
    )
    assert login.status_code == 302
    assert not login.url.startswith(("http", "//", "/\\", "javascript"))
    assert signed_out.invitation.accepted_at is None


def test_every_change_view_is_marked_as_changing_data():
    for name in ("invite", "invitation_revoke", "member_role", "member_remove"):
        assert changes_data(f"people:{name}"), name
    assert not changes_data("people:people")
    assert "people:invitation_accept" in PUBLIC_URLS


def test_the_people_pages_queries_do_not_grow_with_the_people(client, people):
    client.force_login(people.facilitator)
    page = url("people", people)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for n in range(10):
        MembershipFactory(
            partnership=people.partnership, role=Role.PARTNER_OFFICER, partner=people.council
        )
        invite(people.partnership, by=people.facilitator, email=f"p{n}@example.com")
    with CaptureQueriesContext(connection) as many:
        client.get(page)
    assert len(many) == len(few)


def test_changing_your_own_role_signs_you_out(client, people):
    MembershipFactory(partnership=people.partnership, role=Role.FACILITATOR)
    client.force_login(people.facilitator)
    me = people.facilitator.memberships.get()
    assert "Changing your own role signs you out" in text(
        client.get(url("member_role", people, me.pk))
    )
    response = client.post(url("member_role", people, me.pk), {"role": "chief_executive"})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session
    assert Membership.objects.get(pk=me.pk).role == Role.CHIEF_EXECUTIVE


@pytest.mark.django_db(transaction=True)  # the email goes when the invitation commits
def test_a_mail_server_that_is_down_keeps_the_invitation_and_says_so(client, settings):
    """No server error: the invitation is saved, and the facilitator told the email failed."""
    import socket

    from norfolk_connect.people.models import Invitation
    from projects.models import Role as Roles
    from tests.projects.factories import MembershipFactory, ProgrammeFactory, UserFactory

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    programme = ProgrammeFactory()
    facilitator = UserFactory(username="fran")
    MembershipFactory(user=facilitator, partnership=programme.partnership, role=Roles.FACILITATOR)
    client.force_login(facilitator)
    response = client.post(
        reverse("people:invite", args=[programme.slug]),
        {"name": "Chris Executive", "email": "ce@example.org", "role": Roles.CHIEF_EXECUTIVE},
        follow=True,
    )
    assert response.status_code == 200
    assert "could not be sent: the mail server did not take it" in response.content.decode()
    assert Invitation.objects.filter(email="ce@example.org").count() == 1
