"""Import a CSV file, all or nothing: participant profiles (the default), a cohort's
mentoring requests, or the areas of expertise::

    python manage.py mentorat_import personnel.csv --dry-run
    python manage.py mentorat_import personnel.csv
    python manage.py mentorat_import domaines.csv --kind areas
    python manage.py mentorat_import demandes.csv --kind requests --by coordination

Requests are opened in the name of a coordinator (``--by``, their username): the rules
check that they coordinate each line's programme. Each error is printed as “ligne N,
colonne X : raison” (in the site's language); with any error nothing is written and the
command exits with status 1. The columns are described in the documentation
(integration/reference, "Importing participants (CSV)").
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail_mentorat import rules
from wagtail_mentorat.imports import import_profiles
from wagtail_mentorat.imports.areas import import_areas
from wagtail_mentorat.imports.requests import import_requests


class Command(BaseCommand):
    help = (
        "Import a CSV file, all or nothing: people (default), requests or areas of "
        "expertise (--kind); --dry-run to check."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, delimited by “,” or “;”.")
        parser.add_argument("--kind", choices=["people", "requests", "areas"], default="people")
        parser.add_argument(
            "--by", help="For requests: the username of the coordinator who opens them."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every line and count the changes; write nothing.",
        )

    def handle(self, *args, file, kind="people", by=None, dry_run=False, **options):
        coordinator = None
        if kind == "requests":
            User = get_user_model()
            coordinator = User.objects.filter(**{User.USERNAME_FIELD: by or ""}).first()
            if not rules.is_coordinator(coordinator):
                raise CommandError(
                    _("Requests are opened by a coordinator: give their username with --by.")
                )
        try:
            with open(file, "rb") as handle:
                if kind == "requests":
                    result = import_requests(handle, coordinator, dry_run=dry_run)
                elif kind == "areas":
                    result = import_areas(handle, dry_run=dry_run)
                else:
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
