"""The participant dashboard's render time against a plain Wagtail page (issue 5).

A busy mentor (5 pairings, 200 meetings) opens "Mon espace mentorat"; the figure is the
median time of the dashboard divided by the median time of a login-restricted Wagtail
page for the same user, measured in the same run. Goal: at most 2, aim for 1.5.

    .venv/bin/python bench/space_dashboard.py   # builds a scratch SQLite database
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_space .venv/bin/python ...
    (an empty database of your own: the script migrates it and fills it with the demo)
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
scratch = tempfile.mkdtemp(prefix="bench-space-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3"
)
os.environ["DJANGO_SETTINGS_MODULE"] = "intranet.settings.test"

import django  # noqa: E402

django.setup()

from _results import write_section  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = 100


def median_ms(client, *urls):
    """Median time of each URL; requests alternate so that load on the machine hits both."""
    times = {url: [] for url in urls}
    for url in urls:
        client.get(url)  # warm up
    for _ in range(ROUNDS):
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            times[url].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return [statistics.median(times[url]) for url in urls]


def main():
    call_command("migrate", verbosity=0)
    from home import demo
    from wagtail_mentorat import lifecycle
    from wagtail_mentorat.models import Meeting, Pairing, Programme

    built = demo.build()
    users = built["users"]
    programme = Programme.objects.first()
    programme.mentor_capacity = 50
    programme.who_pairs = Programme.WhoPairs.BOTH
    programme.save()
    mentor = users["mentor2"]
    from django.contrib.auth import get_user_model

    from wagtail_mentorat.models import ParticipantProfile

    User = get_user_model()
    now = timezone.now()
    for i in range(5):
        mentee, _ = User.objects.get_or_create(username=f"bench-mentee-{i}")
        ParticipantProfile.objects.get_or_create(
            user=mentee,
            defaults={"superior": users["gestionnaire"], "discipline": "Soins infirmiers"},
        )
        pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"])
        lifecycle.approve_pairing(pairing, users["coordination"])
        Pairing.objects.filter(pk=pairing.pk).update(assigned_at=now - datetime.timedelta(days=300))
        pairing.refresh_from_db()
        lifecycle.record_first_contact(pairing, mentor, now - datetime.timedelta(days=299))
        Meeting.objects.bulk_create(
            Meeting(pairing=pairing, held_at=now - datetime.timedelta(days=j + 1), logged_by=mentor)
            for j in range(40)
        )
    client = Client(SERVER_NAME="localhost")
    client.force_login(mentor)
    dashboard = "/mentorat/"
    plain = built["about"].url
    client.get(dashboard)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        client.get(dashboard)
    dashboard_ms, plain_ms = median_ms(client, dashboard, plain)
    ratio = dashboard_ms / plain_ms
    lines = [
        "## Participant dashboard (issue 5)",
        "",
        f"Busy mentor: 5 pairings, {Meeting.objects.filter(logged_by=mentor).count()} meetings; "
        f"{connection.vendor}; median of {ROUNDS} requests through Django's test client.",
        "",
        "| page | median (ms) |",
        "|---|---|",
        f"| dashboard `/mentorat/` ({len(queries)} queries) | {dashboard_ms:.1f} |",
        f"| plain login-restricted Wagtail page | {plain_ms:.1f} |",
        f"| **ratio** (goal ≤ 2, aim 1.5) | **{ratio:.2f}** |",
    ]
    print("\n".join(lines))
    write_section("space_dashboard", lines)
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
