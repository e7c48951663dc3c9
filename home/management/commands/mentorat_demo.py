import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from home import demo, demo_mentoring
from home.models import HomePage


class Command(BaseCommand):
    help = "Builds the demo intranet (idempotent) and prints the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            default=os.environ.get("PORT") or "8000",
            help="The port the demo is served on, for the printed addresses (default: the "
            "PORT environment variable, else 8000; `make run PORT=8001` passes it).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Build only if the demo is not there yet (its accounts and home page), as "
            "`make serve` does; print the accounts either way.",
        )

    def handle(self, *args, **options):
        port = str(options["port"]).strip()
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"--port expects a port number (1 to 65535), not {port!r}.")
        users = self.existing_demo_users() if options["once"] else None
        if users is None:
            self.stdout.write("Building the demo intranet…")
            users = demo.build()["users"]
            self.stdout.write(self.style.SUCCESS("Demo intranet ready."))
        else:
            self.stdout.write("The demo intranet is already loaded: not rebuilt.")
        result = {"users": users}
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {demo.DEMO_PASSWORD})")
        width = max(len(a.username) for a in demo.ACCOUNTS) + 1
        for account in demo.ACCOUNTS:
            user = result["users"][account.username]
            name = user.get_full_name()
            self.stdout.write(f"  {account.username:<{width}} {name:<26} {account.role}")
        others = sorted(set(result["users"]) - {a.username for a in demo.ACCOUNTS})
        if others:
            self.stdout.write(f"  More demo staff, same password: {', '.join(others)}")
        self.stdout.write("")
        self.stdout.write(f"Intranet:       http://127.0.0.1:{int(port)}/")
        self.stdout.write(f"Wagtail admin:  http://127.0.0.1:{int(port)}/admin/")

    def existing_demo_users(self):
        """The demo's users by username if a build completed here before, else None."""
        User = get_user_model()
        usernames = [a.username for a in demo.ACCOUNTS]
        usernames += [row[0] for row in demo_mentoring.EXTRA_PEOPLE]
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        home_built = Site.objects.filter(
            root_page__content_type__model=HomePage._meta.model_name,
            root_page__content_type__app_label=HomePage._meta.app_label,
        ).exists()
        if not home_built or any(a.username not in users for a in demo.ACCOUNTS):
            return None
        return users
