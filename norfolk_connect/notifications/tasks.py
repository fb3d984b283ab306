"""Sending an email, by the background worker (django-tasks, run by ``manage.py db_worker``).

A sending is claimed by moving it from queued to being sent in one statement, so that two
workers (or a task queued twice) never send it twice. A failure to reach the mail server is
tried again later, waiting longer each time (``rules.retry_delay``); after the last attempt the
sending is recorded as failed, with the error.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from . import mail, rules
from .models import Sending, SendingState

logger = logging.getLogger(__name__)


def enqueue(sending_id: int, *, run_after: datetime | None = None) -> None:
    """Queue the sending of one email for the worker, after ``run_after`` if given."""
    queued = send_sending
    if run_after is not None and queued.get_backend().supports_defer:
        queued = queued.using(run_after=run_after)
    queued.enqueue(sending_id)


@task()
def send_sending(sending_id: int) -> str:
    """Send one recorded email; return what became of it."""
    return deliver(sending_id)


def deliver(sending_id: int) -> str:
    """Make one attempt at sending a queued email; queue the next attempt if it fails."""
    claimed = Sending.objects.filter(pk=sending_id, state=SendingState.QUEUED).update(
        state=SendingState.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "not queued"  # sent, failed or being sent already; or removed
    sending = Sending.objects.get(pk=sending_id)
    try:
        mail.message(
            subject=sending.subject,
            text=sending.body_text,
            html=sending.body_html,
            to=sending.recipient_email,
            kind=sending.kind,
        ).send()
    except (smtplib.SMTPException, OSError) as error:  # the server: it may answer later
        return _failed(sending, error)
    except Exception as error:  # the message itself (an address refused): never better later
        return _failed(sending, error, again=False)
    sending.state = SendingState.SENT
    sending.sent_at = timezone.now()
    sending.last_error = ""
    sending.save(update_fields=["state", "sent_at", "last_error"])
    return SendingState.SENT


def _failed(sending: Sending, error: BaseException, *, again: bool = True) -> str:
    """Record a failed attempt; queue another after a while, or give up after the last."""
    sending.last_error = f"Attempt {sending.attempts}: {type(error).__name__}: {error}"[:2000]
    delay = rules.retry_delay(sending.attempts) if again else None
    logger.warning("Email %s not sent: %s", sending.pk, sending.last_error)
    if delay is None:
        sending.state = SendingState.FAILED
        sending.save(update_fields=["state", "last_error"])
        return SendingState.FAILED
    sending.state = SendingState.QUEUED
    sending.retry_at = timezone.now() + timedelta(seconds=delay)
    sending.save(update_fields=["state", "last_error", "retry_at"])
    enqueue(sending.pk, run_after=sending.retry_at)
    return SendingState.QUEUED
