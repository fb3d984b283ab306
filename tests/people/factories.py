"""Invitations made as a facilitator makes them, the token kept for the test to use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from norfolk_connect.people import services
from norfolk_connect.people.models import Invitation
from projects.models import Partner, Partnership, Role


@dataclass
class Invited:
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return reverse("people:invitation_accept", args=[self.token])


def invite(
    partnership: Partnership,
    *,
    by: Any,
    email: str = "ce@broadland.example",
    name: str = "Chris Executive",
    role: str = Role.CHIEF_EXECUTIVE,
    partner: Partner | None = None,
    **kwargs: Any,
) -> Invited:
    tokens: list[str] = []

    def link(token: str) -> str:
        tokens.append(token)
        return f"https://testserver/invitations/{token}/"

    invitation = services.invite(
        partnership=partnership,
        name=name,
        email=email,
        role=role,
        partner=partner,
        invited_by=by,
        link=link,
        **kwargs,
    )
    return Invited(invitation, tokens[0])
