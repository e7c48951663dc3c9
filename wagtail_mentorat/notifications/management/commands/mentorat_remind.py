"""The daily sweep: every due reminder written to the outbox once, and sent.

Run it from cron or a systemd timer, e.g. every day at 7:00::

    0 7 * * *  cd /srv/intranet && .venv/bin/python manage.py mentorat_remind

and, so that retries go out on a task backend that cannot defer (``--outbox``, cheap)::

    */5 * * * *  cd /srv/intranet && .venv/bin/python manage.py mentorat_remind --outbox

Running it twice, or on two machines at once, sends nothing twice; after a missed day it
catches up once.
"""

from django.core.management.base import BaseCommand

from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.reminders import sweep


class Command(BaseCommand):
    help = "Write and send the mentoring reminders that are due (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--outbox",
            action="store_true",
            help="Only flush the outbox: retries due and rows whose task was lost.",
        )

    def handle(self, *args, outbox_only=False, **options):
        if options.get("outbox") or outbox_only:
            count = outbox.flush()
            self.stdout.write(f"outbox: {count} notification(s) enqueued")
            return
        result = sweep()
        self.stdout.write(
            "reminders: {created} written, {enqueued} enqueued, {retried} retried, "
            "{stuck} interrupted, {pairings} pairings in {batches} batches, "
            "{fallbacks} unanswered assignment(s) passed to the next mentor".format(
                **result.as_dict()
            )
        )
