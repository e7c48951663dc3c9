"""The daily reminder sweep over 50,000 active pairings (issue 6).

Fills a database with 50,000 active pairings (bulk_create), a fifth of them quiet, a sixth
near their end, mid-term reviews due here and there, then times ``mentorat_remind``'s sweep
with django-tasks-db's database backend (tasks enqueued, not run). Goals: under 30 s;
a number of queries that grows with batches, not with pairings; the second run writes and
enqueues nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_notif \\
        .venv/bin/python bench/notifications_sweep.py
    (an empty database of your own: the script migrates it; without the variable, a
    scratch SQLite file)  BENCH_PAIRINGS=5000 for a quick run.
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
scratch = tempfile.mkdtemp(prefix="bench-notif-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3"
)
os.environ["DJANGO_SETTINGS_MODULE"] = "intranet.settings.test"

import django  # noqa: E402

django.setup()

from _results import write_section  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

PAIRINGS = int(os.environ.get("BENCH_PAIRINGS", "50000"))
MENTORS = PAIRINGS // 10
MANAGERS = max(PAIRINGS // 100, 1)
BATCH = 5000


def fill():
    from django.contrib.auth import get_user_model

    from wagtail_mentorat.models import (
        Meeting,
        MemberRole,
        Pairing,
        PairingMember,
        ParticipantProfile,
        Programme,
    )

    User = get_user_model()
    if Pairing.objects.filter(state="active").count() >= PAIRINGS:
        return False
    now = timezone.now()
    today = timezone.localdate()
    programme, _created = Programme.objects.get_or_create(name="Banc d'essai")

    def users(prefix, count):
        User.objects.bulk_create(
            [
                User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org", password="!")
                for i in range(count)
            ],
            batch_size=BATCH,
        )
        return list(
            User.objects.filter(username__startswith=prefix)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    managers = users("gest", MANAGERS)
    mentors = users("ment", MENTORS)
    mentees = users("mtee", PAIRINGS)
    ParticipantProfile.objects.bulk_create(
        [
            ParticipantProfile(user_id=uid, superior_id=managers[i % MANAGERS])
            for i, uid in enumerate(mentees)
        ],
        batch_size=BATCH,
    )
    started = now - datetime.timedelta(weeks=10)
    rows = []
    for i in range(PAIRINGS):
        end = today + datetime.timedelta(days=i % 180)
        rows.append(
            Pairing(
                programme=programme,
                state="active",
                assigned_at=started,
                first_contact_at=started,
                start_date=started.date(),
                planned_end=end,
                midterm_review_due=today + datetime.timedelta(days=(i % 120) - 20),
            )
        )
    Pairing.objects.bulk_create(rows, batch_size=BATCH)
    pairing_ids = list(Pairing.objects.order_by("pk").values_list("pk", flat=True))
    PairingMember.objects.bulk_create(
        [
            member
            for i, pk in enumerate(pairing_ids)
            for member in (
                PairingMember(pairing_id=pk, user_id=mentees[i], role=MemberRole.MENTEE),
                PairingMember(
                    pairing_id=pk, user_id=mentors[i % MENTORS], role=MemberRole.PRIMARY_MENTOR
                ),
            )
        ],
        batch_size=BATCH,
    )
    # Four in five pairings met last week; the others are quiet.
    Meeting.objects.bulk_create(
        [
            Meeting(pairing_id=pk, held_at=now - datetime.timedelta(days=7))
            for i, pk in enumerate(pairing_ids)
            if i % 5
        ],
        batch_size=BATCH,
    )
    return True


def main():
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    built = fill()
    fill_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no planner statistics yet; a live database has.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from django_tasks_db.models import DBTaskResult

    from wagtail_mentorat.notifications import conf
    from wagtail_mentorat.notifications.models import Notification
    from wagtail_mentorat.notifications.reminders import sweep

    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    figures = []
    for label in ("first run", "second run"):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = sweep()
            seconds = time.perf_counter() - start
        figures.append((label, seconds, len(queries), result))
        print(
            f"{label}: {seconds:.1f} s, {len(queries)} queries, {result.batches} batches, "
            f"{result.created} reminders written, {result.enqueued} enqueued, "
            f"{DBTaskResult.objects.count()} tasks in the queue"
        )
    vendor = connection.vendor
    lines = [
        "## Daily reminder sweep (issue 6)",
        "",
        f"{PAIRINGS:,} active pairings ({vendor}), batches of {conf.batch_size()}; "
        "django-tasks-db backend (tasks enqueued, not run); data "
        + (f"built in {fill_seconds:.0f} s with bulk_create." if built else "reused from a run."),
        "",
        "| run | time (s) | queries | batches | reminders written | enqueued |",
        "|---|---|---|---|---|---|",
    ]
    for label, seconds, count, result in figures:
        lines.append(
            f"| {label} | {seconds:.1f} | {count} | {result.batches} | {result.created:,} | "
            f"{result.enqueued:,} |"
        )
    lines += ["", "Goal: under 30 s; queries grow with batches, not pairings; second run 0."]
    write_section("notifications_sweep", lines)


if __name__ == "__main__":
    # The production task backend: each enqueue writes a task row.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        main()
