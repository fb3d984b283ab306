"""The invitation's email: plain text and HTML, the link built by the caller.

One function, so that it can move to wherever the service's other emails are sent from.
"""

from __future__ import annotations

from email.utils import formataddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils import timezone

from projects.history import person_name

if TYPE_CHECKING:
    from .models import Invitation

# The subject names the partnership; the service's own name is the same for every partnership.
SUBJECT = "You are invited to {partnership}'s programme manager"


def recipient(name: str, email: str) -> str:
    """Return the To address, "Name <email>", quoted and encoded so it is one header line.

    The name and address were refused at the form if they held a line break; this still
    encodes whatever is left (sanitize_address raises on a line break rather than pass it).
    """
    return sanitize_address(formataddr((name, email)), settings.DEFAULT_CHARSET)


def send_invitation(invitation: Invitation, url: str) -> None:
    """Email the invited person their link, in plain text and in HTML."""
    context = {
        "invitation": invitation,
        "url": url,
        "partnership": invitation.partnership,
        "role": invitation.get_role_display(),
        "expires": timezone.localtime(invitation.expires_at),
        "invited_by": person_name(invitation.invited_by) if invitation.invited_by else "",
    }
    message = EmailMultiAlternatives(
        subject=SUBJECT.format(partnership=invitation.partnership.name),
        body=render_to_string("people/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient(invitation.name, invitation.email)],
    )
    message.attach_alternative(
        render_to_string("people/email/invitation.html", context), "text/html"
    )
    message.send()
