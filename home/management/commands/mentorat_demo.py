import os

from django.core.management.base import BaseCommand, CommandError

from home import demo


class Command(BaseCommand):
    help = "Builds the demo intranet (idempotent) and prints the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            default=os.environ.get("PORT") or "8000",
            help="The port the demo is served on, for the printed addresses (default: the "
            "PORT environment variable, else 8000; `make run PORT=8001` passes it).",
        )

    def handle(self, *args, **options):
        port = str(options["port"]).strip()
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"--port expects a port number (1 to 65535), not {port!r}.")
        self.stdout.write("Building the demo intranet…")
        result = demo.build()
        self.stdout.write(self.style.SUCCESS("Demo intranet ready."))
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
