import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from projects.models import Membership, Partner, Partnership, Programme, Role
from projects.programme_file import parse_programme
from projects.services import programme_load

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "norfolk-connect-2004.json"
DEMO_PARTNERSHIP = "norfolk-connect"
# username, role, partner council (partner officers only), superuser
DEMO_USERS = [
    ("facilitator", Role.FACILITATOR, None, False),
    ("chief-executive", Role.CHIEF_EXECUTIVE, None, False),
    ("partner-officer", Role.PARTNER_OFFICER, "broadland", False),
    ("admin", Role.ADMIN, None, True),
]
# The demo users' addresses, so that the emails the demo sends (to the console under `make run`)
# have someone to go to: .example is a domain reserved for examples, which reaches nobody.
DEMO_EMAIL_DOMAIN = "norfolk-connect.example"


class Command(BaseCommand):
    help = (
        "Load the Norfolk Connect 2004 demo programme and its demo users. Safe to run again: "
        "the programme is loaded only when absent (or with --reset), and existing users keep "
        "their password unless DJANGO_DEMO_PASSWORD is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="reload the demo programme from its file, discarding changes made to it",
        )

    @transaction.atomic
    def handle(self, *args, reset: bool, **options) -> None:
        document = parse_programme(DEMO_FILE.read_bytes())
        if reset or not Programme.objects.filter(slug=document.programme.slug).exists():
            programme_load(document=document)
            self.stdout.write(f"Loaded the demo programme '{document.programme.slug}'.")
        else:
            self.stdout.write(
                f"The demo programme '{document.programme.slug}' is already loaded "
                "(--reset reloads it)."
            )
        self.ensure_users()

    def ensure_users(self) -> None:
        """Create the demo users and their memberships where they are missing."""
        partnership = Partnership.objects.get(slug=DEMO_PARTNERSHIP)
        chosen = os.environ.get("DJANGO_DEMO_PASSWORD", "")
        generated = None
        User = get_user_model()
        for username, role, partner_slug, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                user = User(username=username, is_staff=superuser, is_superuser=superuser)
            if not user.email:
                user.email = f"{username}@{DEMO_EMAIL_DOMAIN}"
            if chosen:
                user.set_password(chosen)
            elif created:
                generated = generated or secrets.token_urlsafe(12)
                user.set_password(generated)
            user.save()
            partner = (
                Partner.objects.get(partnership=partnership, slug=partner_slug)
                if partner_slug
                else None
            )
            Membership.objects.update_or_create(
                user=user, partnership=partnership, defaults={"role": role, "partner": partner}
            )
        names = ", ".join(username for username, *_ in DEMO_USERS)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Demo users {names} (new ones) have the password: {generated}\n"
                    "It is shown only this once; set DJANGO_DEMO_PASSWORD to choose one."
                )
            )
        elif chosen:
            self.stdout.write(f"Demo users {names} have the password in DJANGO_DEMO_PASSWORD.")
        else:
            self.stdout.write(f"Demo users {names} already exist; their passwords are unchanged.")
