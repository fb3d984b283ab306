"""Send the reminders by email: invoices overdue, milestones falling due, risks past review,
and the weekly digest on its day. Safe to run as often as wanted (twice a day, say): each
event's email goes once to each recipient, and the digest once a week.

The emails are written here and sent by the background worker (``manage.py db_worker``).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from norfolk_connect.notifications.services import digest_send, requeue_stale
from projects.notifications import reminders


class Command(BaseCommand):
    help = (
        "Send the reminders by email (overdue invoices, milestones falling due, risks past "
        "their review date) and the weekly digest on its day; nothing is sent twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="The day to send them as of, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("Enter the date as YYYY-MM-DD, such as 2026-12-07") from error
        with transaction.atomic():
            found = reminders(today=today)
            digests = digest_send(today=today)
        requeued = requeue_stale()
        self.stdout.write(
            f"Reminders as of {today:%-d %B %Y}: {found.overdue} overdue invoices, "
            f"{found.milestones} milestones falling due, {found.risks} risks past review; "
            f"{digests} weekly digests; {requeued} emails queued again."
        )
