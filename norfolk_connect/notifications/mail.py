"""An email as it is written and sent: its parts from the templates, its unsubscribe link.

Templates live in ``templates/email/``: ``<kind>.txt`` and ``<kind>.html`` for each kind,
extending ``base.txt`` and ``base.html`` (simple HTML styled inline, as mail clients need, in
the service's GOV.UK look).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from . import rules

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def absolute_url(path: str) -> str:
    """Return the site's address for a path: links in emails are read outside the site."""
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(email: str, kind: str) -> str:
    """Return the signed token of an unsubscribe link: the address and the kind of email."""
    return signing.dumps({"e": email.strip().lower(), "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """Return the address and kind a token names, or None if it was not made here."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    email, kind = data.get("e"), data.get("k")
    if not isinstance(email, str) or kind not in rules.KIND_LABELS:
        return None
    return email, kind


def unsubscribe_url(email: str, kind: str) -> str:
    return absolute_url(
        reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(email, kind)})
    )


@dataclass(frozen=True)
class Written:
    subject: str
    text: str
    html: str


def write(
    kind: str, *, subject: str, email: str, context: dict[str, Any], has_account: bool = True
) -> Written:
    """Write an email of a kind to an address from its templates.

    Only a person with an account is offered the page of their choices; anyone may unsubscribe.
    """
    subject = rules.one_line(subject)
    full = {
        **context,
        "subject": subject,
        "kind_label": rules.KIND_LABELS[kind],
        "unsubscribe_url": unsubscribe_url(email, kind),
        "preferences_url": absolute_url(reverse("account_notifications")) if has_account else "",
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    return Written(
        subject=subject,
        text=render_to_string(f"email/{kind}.txt", full),
        html=render_to_string(f"email/{kind}.html", full),
    )


def message(*, subject: str, text: str, html: str, to: str, kind: str) -> EmailMultiAlternatives:
    """Return the email to send: plain text with an HTML alternative, and how to unsubscribe.

    The subject is made one line again here, whatever was stored: no name can add a header.
    """
    link = unsubscribe_url(to, kind)
    email = EmailMultiAlternatives(
        subject=rules.one_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{link}>",
            # One click from the mail client (RFC 8058): a POST to the link, no page shown.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(html, "text/html")
    return email
