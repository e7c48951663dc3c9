from django.core.management.base import BaseCommand, CommandError, no_translations

from wagtail_mentorat import setup


class Command(BaseCommand):
    help = (
        "Creates what the mentoring app needs in this intranet, once: the guides index, the "
        "registration page and the training index under the default site's root page (and "
        "its translations), and the groups Mentoring coordinators, Mentoring editors and "
        "Privacy officer with their permissions. Safe to run again: what is there is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--parent",
            metavar="PAGE_ID",
            help="Create the pages under this page (and its translations) instead of the "
            "default site's root page.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be created, and write nothing.",
        )

    @no_translations  # the output is in English, model names included
    def handle(self, *args, parent=None, dry_run=False, **options):
        try:
            page = setup.parse_page_id(parent) if parent is not None else None
            report = setup.run(parent=page, dry_run=dry_run)
        except setup.SetupError as error:
            raise CommandError(str(error)) from None
        for line in report.lines(dry_run=dry_run):
            self.stdout.write(line)
