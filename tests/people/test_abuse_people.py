"""Abuse of the People pages and of the public invitation link: never a 500, nothing written.

The invitation's link is public (tests/test_permissions.py declares it), so anything may be
sent to it: any token, any form, signed in or not.
"""

from __future__ import annotations

from string import ascii_letters, digits

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import given
from hypothesis import strategies as st

from norfolk_connect.people.models import AccessChange, Invitation
from projects.models import Membership
from tests.test_abuse import (
    NASTY_TEXT,
    fuzz_settings,
    page_form,
    rolled_back,
    submissions,
)

from .factories import invite

pytestmark = pytest.mark.django_db


def rows() -> tuple:
    return (
        sorted(map(repr, Invitation.objects.values_list())),
        sorted(map(repr, AccessChange.objects.values_list())),
        sorted(map(repr, Membership.objects.values_list())),
    )


TOKENS = st.one_of(
    st.text(alphabet=ascii_letters + digits + "-_", min_size=1, max_size=200),
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="/"),
        min_size=1,
        max_size=60,
    ),
)


def test_any_token_answers_410_never_500_and_writes_nothing(client, people):
    invite(people.partnership, by=people.facilitator)
    before = rows()

    @fuzz_settings(max_examples=60)
    @given(token=TOKENS)
    def check(token):
        try:
            url = reverse("people:invitation_accept", args=[token])
        except NoReverseMatch:
            return
        with rolled_back():
            for response in (client.get(url), client.post(url, {"username": "x"})):
                # 400: a NUL, refused by RefuseNulMiddleware before any view.
                assert response.status_code in {400, 404, 410}, (url, response.status_code)
            assert rows() == before

    check()


def test_the_accept_form_fuzzed_never_gives_a_server_error(client, people):
    invited = invite(people.partnership, by=people.facilitator)
    form = page_form(client.get(invited.url).content.decode())
    before = rows()

    @fuzz_settings(max_examples=40)
    @given(data=submissions(form, {"username": "sam"}))
    def check(data):
        with rolled_back():
            response = client.post(invited.url, data)
            assert response.status_code < 500, data
            if response.status_code != 302:
                assert rows() == before
            client.logout()

    check()


def test_the_invite_form_fuzzed_never_gives_a_server_error(client, people):
    client.force_login(people.facilitator)
    url = reverse("people:invite", args=[people.programme.slug])
    form = page_form(client.get(url).content.decode())
    before = rows()

    @fuzz_settings(max_examples=40)
    @given(
        data=submissions(form, {"name": "Sam", "email": "sam@example.com", "role": "admin"}),
        name=NASTY_TEXT,
    )
    def check(data, name):
        data = {**data, "name": [name]} if name.startswith(("\r", "\n")) else data
        with rolled_back():
            response = client.post(url, data)
            assert response.status_code < 500, data
            if response.status_code != 302:
                assert rows() == before

    check()


def test_any_member_or_invitation_id_not_ours_answers_404(client, people):
    """Ids of another partnership, or of nothing, under our programme."""
    client.force_login(people.facilitator)
    theirs = invite(people.other.partnership, by=people.other_facilitator).invitation.pk
    their_member = people.other_facilitator.memberships.get().pk
    partnership = people.partnership
    ours = set(Membership.objects.filter(partnership=partnership).values_list("pk", flat=True))
    ours |= set(Invitation.objects.filter(partnership=partnership).values_list("pk", flat=True))
    before = rows()

    @fuzz_settings(max_examples=20)
    @given(pk=st.one_of(st.sampled_from([theirs, their_member]), st.integers(0, 10**30)))
    def check(pk):
        if pk in ours:
            return
        for name, key in (
            ("member_role", "member"),
            ("member_remove", "member"),
            ("invitation_revoke", "invitation"),
        ):
            url = reverse(f"people:{name}", kwargs={"slug": people.programme.slug, key: pk})
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"role": "admin"}).status_code == 404, url
        assert rows() == before

    check()
