"""The participant dashboard's render time against a plain Wagtail page (issues 5 and 20).

A busy mentor (5 pairings, 200 meetings) opens "Mon espace mentorat"; the figure is the
median time of the dashboard divided by the median time of a login-restricted Wagtail
page for the same user, measured in the same run: requests alternate between the two
pages, so that whatever else loads the machine loads both. Goal (issue 20): a ratio of
at most 1.5 and at most 10 queries for the whole dashboard request.

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
if __name__ == "__main__":
    scratch = tempfile.mkdtemp(prefix="bench-space-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "intranet.settings.test"

    import django

    django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = 100
PAIRINGS = 5
MEETINGS_PER_PAIRING = 40
GOAL_RATIO = 1.5
GOAL_QUERIES = 10


def build():
    """Migrate, load the demo, give ``mentor2`` a busy caseload; returns (mentor, plain url)."""
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from home import demo
    from wagtail_mentorat import lifecycle
    from wagtail_mentorat.models import Meeting, Pairing, ParticipantProfile, Programme

    built = demo.build()
    users = built["users"]
    programme = Programme.objects.first()
    programme.mentor_capacity = 50
    programme.who_pairs = Programme.WhoPairs.BOTH
    programme.save()
    mentor = users["mentor2"]
    User = get_user_model()
    now = timezone.now()
    for i in range(PAIRINGS):
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
            for j in range(MEETINGS_PER_PAIRING)
        )
    return mentor, built["about"].url


def shape(mentor):
    """What the dashboard of ``mentor`` actually shows, counted from the database."""
    from wagtail_mentorat.models import Meeting, MentoringRequest, MentorOffer, Pairing

    pairings = Pairing.objects.filter(members__user=mentor)
    return {
        "pairings": pairings.count(),
        "meetings": Meeting.objects.filter(pairing__in=pairings).count(),
        "open requests": MentoringRequest.objects.filter(
            mentee=mentor, status=MentoringRequest.Status.OPEN
        ).count(),
        "offers": MentorOffer.objects.filter(mentor=mentor).count(),
    }


def captured(client, url):
    """The SQL of one request to ``url``."""
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        assert client.get(url).status_code == 200
    return queries


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
    from _results import write_section

    mentor, plain = build()
    client = Client(SERVER_NAME="localhost")
    client.force_login(mentor)
    dashboard = "/mentorat/"
    for url in (dashboard, plain):  # warm the caches (site, registration page, menu)
        client.get(url)
    dashboard_queries = len(captured(client, dashboard))
    plain_queries = len(captured(client, plain))
    dashboard_ms, plain_ms = median_ms(client, dashboard, plain)
    ratio = dashboard_ms / plain_ms
    ran = ", ".join(f"{n} {what}" for what, n in shape(mentor).items())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    met = ratio <= GOAL_RATIO and dashboard_queries <= GOAL_QUERIES
    lines = [
        "## Participant dashboard (issues 5 and 20)",
        "",
        f"Busy mentor's dashboard as run: {ran}; {connection.vendor}; "
        f"{os.cpu_count()} cores, load average {load} at the end (the machine may be busy: "
        f"the {ROUNDS} rounds alternate the two pages, so both see the same load); median "
        "through Django's test client, caches warm.",
        "",
        "| page | queries | median (ms) |",
        "|---|---|---|",
        f"| dashboard `/mentorat/` | {dashboard_queries} | {dashboard_ms:.1f} |",
        f"| plain login-restricted Wagtail page | {plain_queries} | {plain_ms:.1f} |",
        f"| **ratio** (goal ≤ {GOAL_RATIO}, ≤ {GOAL_QUERIES} queries) | | **{ratio:.2f}** |",
        "",
        f"Goal {'met' if met else 'NOT met'}.",
    ]
    print("\n".join(lines))
    write_section("space_dashboard", lines)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
