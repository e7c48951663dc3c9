import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from wagtail_mentorat.matching.export import cohort_table, write_csv
from wagtail_mentorat.models import Programme


class Command(BaseCommand):
    help = (
        "Prints the optimal cohort proposal of a programme (nothing is assigned): "
        "mentorat_propose PROGRAMME --format csv|json, PROGRAMME being its id or slugified name."
    )

    def add_arguments(self, parser):
        parser.add_argument("programme")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, programme, format, **options):
        chosen = None
        for candidate in Programme.objects.all():
            if programme in (str(candidate.pk), slugify(candidate.name)):
                chosen = candidate
        if chosen is None:
            names = ", ".join(slugify(p.name) for p in Programme.objects.all())
            raise CommandError(f"Unknown programme {programme!r}. Known: {names}")
        table = cohort_table(chosen)
        if table is None:
            raise CommandError(f"The programme {chosen.name!r} has no mentors: nothing to propose.")
        if format == "json":
            self.stdout.write(json.dumps(table, ensure_ascii=False, indent=2))
        else:
            write_csv(table, self.stdout)
