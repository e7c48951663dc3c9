import csv
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from wagtail_mentorat.matching import adapter
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
        result, by_mentee, mentors = adapter.propose_cohort(chosen)
        if not mentors:
            raise CommandError(f"The programme {chosen.name!r} has no mentors: nothing to propose.")
        rows = [
            {
                "request": by_mentee[x.id].pk,
                "mentee": x.name,
                "mentor_id": y.id,
                "mentor": y.name,
                "score": round(score, 1),
            }
            for x, y, score in result.pairs
        ]
        unmatched = [
            {"request": by_mentee[x.id].pk, "mentee": x.name, "reason": why}
            for x, why in result.unmatched
        ]
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "programme": chosen.name,
                        "total_fit": round(result.total, 1),
                        "pairs": rows,
                        "unmatched": unmatched,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        writer = csv.writer(self.stdout)
        writer.writerow(["request", "mentee", "mentor_id", "mentor", "score", "unmatched_reason"])
        for row in rows:
            writer.writerow(
                [row["request"], row["mentee"], row["mentor_id"], row["mentor"], row["score"], ""]
            )
        for row in unmatched:
            writer.writerow([row["request"], row["mentee"], "", "", "", row["reason"]])
