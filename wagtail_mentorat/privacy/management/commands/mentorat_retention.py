import json

from django.core.management.base import BaseCommand

from wagtail_mentorat.privacy import retention


class Command(BaseCommand):
    help = (
        "Anonymise closed pairings and destroy inactive profiles past their retention period "
        "(A-2.1 s. 73), with their log entries, search index entries, outbox rows and "
        "login-attempt records. Legal holds are respected. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        result = retention.run(dry_run=dry_run)
        self.stdout.write(json.dumps(result.as_dict(), indent=2, sort_keys=True))
