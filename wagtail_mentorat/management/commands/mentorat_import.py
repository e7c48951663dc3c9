"""Import participant profiles from an HR spreadsheet saved as CSV, all or nothing::

    python manage.py mentorat_import personnel.csv --dry-run
    python manage.py mentorat_import personnel.csv

Each error is printed as “ligne N, colonne X : raison” (in the site's language); with any
error nothing is written and the command exits with status 1. The columns are described in
the README (“Importing participants (CSV)”).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail_mentorat.imports import import_profiles


class Command(BaseCommand):
    help = "Import participant profiles from a CSV file (all or nothing); --dry-run to check."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, delimited by “,” or “;”.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every line and count the changes; write nothing.",
        )

    def handle(self, *args, file, dry_run=False, **options):
        try:
            with open(file, "rb") as handle:
                result = import_profiles(handle, dry_run=dry_run)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(
                ngettext(
                    "%(count)s error; nothing was written.",
                    "%(count)s errors; nothing was written.",
                    len(result.errors),
                )
                % {"count": len(result.errors)},
                returncode=1,
            )
        self.stdout.write(result.summary())
