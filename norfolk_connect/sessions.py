"""Session lifetimes: when a session started, and ending every session of a deactivated user.

Sessions are rows in the database (``SESSION_ENGINE`` is the database backend), so a user's
sessions are found by decoding them; there are as many as people signed in, a few hundred at
most, and this only runs when an account is deactivated.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"  # when a request last moved the session's idle limit on

User = get_user_model()


def session_keys_of(user: Any) -> list[str]:
    """Return the keys of the unexpired sessions in which the user is signed in."""
    user_id = str(user.pk)
    sessions = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    return [
        session.session_key
        for session in sessions.iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == user_id
    ]


def end_sessions_of(user: Any) -> int:
    """Delete every session in which the user is signed in; return how many there were."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = session_keys_of(user)
    for key in keys:
        # Through the session store, so a cache in front of the database forgets it too.
        store(session_key=key).delete()
    return len(keys)


@receiver(user_logged_in)
def remember_sign_in_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs) -> None:
    """Note in the new session when the user signed in, for SessionLifetimeMiddleware."""
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


@receiver(pre_save, sender=User)
def notice_deactivation(sender: Any, instance: Any, **kwargs) -> None:
    """Mark a user being switched from active to inactive, for the receiver after the save."""
    instance._being_deactivated = (
        instance.pk is not None
        and not instance.is_active
        and sender.objects.filter(pk=instance.pk, is_active=True).exists()
    )


@receiver(post_save, sender=User)
def end_sessions_on_deactivation(sender: Any, instance: Any, **kwargs) -> None:
    """Sign a deactivated user out everywhere at once, not only at their next request."""
    if getattr(instance, "_being_deactivated", False):
        instance._being_deactivated = False
        end_sessions_of(instance)
