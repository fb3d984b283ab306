"""Writes of the notifications: queueing an event's emails, choices, unsubscribing, the digest.

An event's emails are written when it happens and kept (``Sending``), one per recipient; the
background worker sends each (``tasks.send_sending``), queued once the event's transaction
has committed, so that an event undone sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import mail, rules
from .models import OptOut, Preference, Sending, SendingState
from .tasks import enqueue

logger = logging.getLogger(__name__)

# A queued email whose task was lost (the worker's queue emptied, say) is queued again after:
STALE_AFTER = timedelta(minutes=15)
# The lengths of the record's words (models.Sending): longer words are cut, with an ellipsis.
LIMITS = {"subject": 300, "summary": 500, "note": 300}


def _enqueue_on_commit(sending_id: int) -> None:
    transaction.on_commit(lambda: enqueue(sending_id))


def _chosen(user_id: int, kind: str) -> str | None:
    return (
        Preference.objects.filter(user_id=user_id, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )


def _opted_out(email: str, kind: str) -> bool:
    return OptOut.objects.filter(email__iexact=email, kind=kind).exists()


@transaction.atomic
def queue_email(
    *,
    kind: str,
    key: str,
    recipients: Iterable[rules.Recipient],
    subject: str,
    context: Mapping[str, Any],
    summary: str = "",
    link: str = "",
    nobody: str = "",
) -> list[Sending]:
    """Write an event's email to each recipient and queue those to send now.

    ``key`` names the event: an address that already has an email of it gets nothing more. A
    person who chose the weekly digest gets it there; one who chose none, or unsubscribed,
    nothing, recorded as not sent with the reason. With no recipient at all, one record says
    so, in the words of ``nobody``.
    """
    made = []
    recipients = list(recipients)
    if not recipients:
        sending = _create(
            kind=kind,
            key=key,
            recipient_email="",
            user_id=None,
            subject=rules.one_line(subject),
            summary=rules.one_line(summary),
            link=link,
            state=SendingState.SKIPPED,
            note=rules.one_line(nobody or "Nobody to send it to")[:300],
        )
        return [sending] if sending else []
    for recipient in recipients:
        email = recipient.email.strip().lower()
        if Sending.objects.filter(key=key, recipient_email=email).exists():
            continue
        chosen = _chosen(recipient.user_id, kind) if recipient.user_id else None
        what = rules.delivery(
            kind,
            has_account=recipient.user_id is not None,
            chosen=chosen,
            opted_out=_opted_out(email, kind),
        )
        written = mail.write(
            kind,
            subject=subject,
            email=email,
            context=dict(context),
            has_account=recipient.user_id is not None,
        )
        sending = _create(
            kind=kind,
            key=key,
            recipient_email=email,
            user_id=recipient.user_id,
            subject=written.subject,
            summary=rules.one_line(summary),
            link=link,
            body_text=written.text,
            body_html=written.html,
            state={
                rules.SEND: SendingState.QUEUED,
                rules.HOLD: SendingState.HELD,
                rules.SKIP: SendingState.SKIPPED,
            }[what],
            note="Unsubscribed, or chose no emails of this kind" if what == rules.SKIP else "",
        )
        if sending is None:
            continue
        made.append(sending)
        if sending.state == SendingState.QUEUED:
            _enqueue_on_commit(sending.pk)
    return made


def _create(**fields: Any) -> Sending | None:
    """Create a sending, or return None if another run made the same one meanwhile."""
    for name, limit in LIMITS.items():  # names are long; the record's fields are bounded
        value = fields.get(name, "")
        if len(value) > limit:
            fields[name] = value[: limit - 1] + "…"
    try:
        with transaction.atomic():
            return Sending.objects.create(**fields)
    except IntegrityError:
        return None


# Each person's choices


def preferences_of(user: Any, kinds: Iterable[str]) -> dict[str, str]:
    """Return how the person gets each kind: as chosen, else each email as it happens."""
    chosen = dict(
        Preference.objects.filter(user=user, kind__in=list(kinds)).values_list("kind", "delivery")
    )
    return {kind: chosen.get(kind, rules.IMMEDIATE) for kind in kinds}


@transaction.atomic
def preferences_save(*, user: Any, choices: Mapping[str, str]) -> None:
    """Save how the person gets each kind; choosing to get one again undoes an unsubscribe."""
    for kind, delivery in choices.items():
        if kind not in rules.KIND_LABELS or delivery not in rules.DELIVERY_LABELS:
            raise ValueError(f"Not a kind or delivery: {kind} {delivery}")
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
        if delivery != rules.NONE and user.email:
            OptOut.objects.filter(email__iexact=user.email, kind=kind).delete()
        if delivery == rules.WEEKLY and user.email:  # a digest chosen again: send it again
            OptOut.objects.filter(email__iexact=user.email, kind=rules.DIGEST).delete()


@transaction.atomic
def unsubscribe(*, email: str, kind: str) -> None:
    """Stop emails of a kind to an address, from the link in one of them (no sign-in).

    The people with that address have their choice for the kind set to none, so that their
    page says so; the weekly digest's link stops the digest, and what was kept for it.
    """
    try:
        with transaction.atomic():
            OptOut.objects.get_or_create(email=email.lower(), kind=kind)
    except IntegrityError:
        pass  # unsubscribed twice at once: once is enough
    users = get_user_model().objects.filter(email__iexact=email)
    for user in users:
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": rules.NONE})
        if kind == rules.DIGEST:
            Preference.objects.filter(user=user, delivery=rules.WEEKLY).update(delivery=rules.NONE)
    held = Sending.objects.filter(recipient_email__iexact=email, state=SendingState.HELD)
    if kind != rules.DIGEST:
        held = held.filter(kind=kind)
    held.update(state=SendingState.SKIPPED, note="Unsubscribed before the weekly digest")


# The weekly digest


@transaction.atomic
def digest_send(*, today: date) -> int:
    """Send the weekly digest on its day to each person with emails kept for it.

    Keyed by the ISO week: a second run that week finds the digest made and sends nothing
    more; what is kept after it waits for the next week's. Returns how many were queued.
    """
    if not rules.digest_due(today):
        return 0
    key = rules.digest_key(today)
    held = (
        Sending.objects.select_for_update()
        .filter(state=SendingState.HELD)
        .order_by("recipient_email", "created", "pk")
    )
    by_address: dict[str, list[Sending]] = {}
    for item in held:
        by_address.setdefault(item.recipient_email, []).append(item)
    queued = 0
    for email, items in by_address.items():
        if Sending.objects.filter(key=key, recipient_email=email).exists():
            continue  # this week's went out already; these wait for next week's
        count = len(items)
        subject = f"Your weekly digest: {count} update{'' if count == 1 else 's'}"
        written = mail.write(
            rules.DIGEST, subject=subject, email=email, context={"items": items, "day": today}
        )
        digest = _create(
            kind=rules.DIGEST,
            key=key,
            recipient_email=email,
            user_id=items[0].user_id,
            subject=written.subject,
            body_text=written.text,
            body_html=written.html,
            state=SendingState.QUEUED,
        )
        if digest is None:
            continue
        Sending.objects.filter(pk__in=[item.pk for item in items]).update(
            state=SendingState.DIGESTED, digest=digest
        )
        _enqueue_on_commit(digest.pk)
        queued += 1
    return queued


def requeue_stale(*, now: datetime | None = None) -> int:
    """Queue again the emails still waiting long after they were queued: a lost task.

    The worker sends a sending only from the queued state, so queueing it twice never sends
    it twice.
    """
    before = (now or timezone.now()) - STALE_AFTER
    stale = Sending.objects.filter(state=SendingState.QUEUED).filter(
        Q(retry_at__isnull=True, created__lt=before) | Q(retry_at__lt=before)
    )
    ids = list(stale.values_list("pk", flat=True))
    for pk in ids:
        enqueue(pk)
    return len(ids)
