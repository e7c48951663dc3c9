from django.core.management.base import BaseCommand

from home import demo


class Command(BaseCommand):
    help = "Builds the demo intranet (idempotent) and prints the demo accounts."

    def handle(self, *args, **options):
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
        self.stdout.write("Intranet:       http://127.0.0.1:8000/")
        self.stdout.write("Wagtail admin:  http://127.0.0.1:8000/admin/")
