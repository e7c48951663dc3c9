import json

from django.core.management.base import BaseCommand

from wagtail_mentorat.privacy import retention


class Command(BaseCommand):
    help = (
        "Anonymise closed pairings and destroy inactive profiles and training records past "
        "their retention period (A-2.1 s. 73), with their log entries, revisions, search "
        "index entries, outbox rows, read-access rows, login-attempt records and the page "
        "history of people who are not intranet editors. Legal holds are respected. The "
        "incident register is never purged. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        result = retention.run(dry_run=dry_run)
        self.stdout.write(json.dumps(result.as_dict(), indent=2, sort_keys=True))
