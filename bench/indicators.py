"""The quality indicators dashboard on a large dataset (issues 9 and 20).

100,000 pairings and 1,000,000 meetings (plus requests, members, agreements and their
acceptances, reviews, objectives, help requests and extensions) over five programmes and
five years, generated in PostgreSQL with ``INSERT ... SELECT generate_series``. The
measured programme holds half the pairings (10,000 a year, 100,000 meetings a year) and
every mentor in its pool. The figure is the median time of the dashboard for that
programme and 2024 through Django's test client (the whole admin page), against a plain
login-restricted Wagtail page timed in the same rounds (requests alternate, so that the
machine's load hits both), and of ``metrics.compute`` alone, the CSV export and the admin
home with its attention panel. Goal (issue 20): the page's median at most 300 ms, with a
fixed number of queries. The three slowest queries of ``metrics.compute`` are recorded
with their ``EXPLAIN (ANALYZE, BUFFERS)``.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_indicators"
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_indicators \\
        .venv/bin/python bench/indicators.py [--regenerate] [--no-write]

The data is generated once and kept in that database: later runs reuse it (a few
seconds instead of minutes; ``--regenerate`` to start again). ``--no-write`` prints
without rewriting bench/RESULTS.md.
"""

import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_indicators"
)
os.environ["DJANGO_SETTINGS_MODULE"] = "intranet.settings.test"

import django  # noqa: E402

django.setup()

from _results import write_section  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PAIRINGS = 100_000
MEETINGS_PER_PAIRING = 10
MENTEES = 20_000
MENTORS = 2_000
PROGRAMMES = 5
ROUNDS = 9
GOAL_MS = 300
EXPLAINED = 3
YEAR = 2024


def insert_select(model, exprs, from_sql):
    """INSERT INTO model's table (every concrete column) SELECT the given SQL expressions,
    defaults for the other non-null columns and NULL for the rest."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in exprs:
            values.append(exprs[field.name])
        elif field.null:
            values.append("NULL")
        elif field.has_default():
            default = field.get_default()
            if isinstance(default, bool):
                values.append("TRUE" if default else "FALSE")
            elif isinstance(default, int | float):
                values.append(str(default))
            elif isinstance(default, dict | list):
                values.append(f"'{json.dumps(default)}'::jsonb")
            else:
                values.append("'" + str(default).replace("'", "''") + "'")
        elif isinstance(field, models.CharField | models.TextField):
            values.append("''")
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} {from_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def generate():
    from wagtail_mentorat.models import (
        Agreement,
        AgreementAcceptance,
        AgreementObjective,
        ExpertiseArea,
        Extension,
        HelpRequest,
        Meeting,
        MentoringRequest,
        ObjectiveAttainment,
        Pairing,
        PairingMember,
        ParticipantProfile,
        Programme,
        ProgressReview,
    )

    User = get_user_model()
    started = time.perf_counter()
    with transaction.atomic():
        programmes = [
            Programme.objects.create(name=f"Bench programme {i}") for i in range(PROGRAMMES)
        ]
        first = programmes[0].pk
        User.objects.bulk_create(
            [User(username=f"bench-mentee-{i}", password="!") for i in range(MENTEES)]
            + [User(username=f"bench-mentor-{i}", password="!") for i in range(MENTORS)],
            batch_size=5000,
        )
        mentee0 = User.objects.get(username="bench-mentee-0").pk
        mentor0 = User.objects.get(username="bench-mentor-0").pk
        # The ids of one bulk insert are consecutive: the SQL below relies on it.
        assert User.objects.get(username=f"bench-mentee-{MENTEES - 1}").pk == mentee0 + MENTEES - 1
        assert User.objects.get(username=f"bench-mentor-{MENTORS - 1}").pk == mentor0 + MENTORS - 1
        sites = [f"Site {i}" for i in range(10)]
        ParticipantProfile.objects.bulk_create(
            [
                ParticipantProfile(
                    user_id=mentee0 + i,
                    site=sites[i % 10],
                    unit=f"Unité {i % 40}",
                    years_experience=1,
                )
                for i in range(MENTEES)
            ]
            + [
                ParticipantProfile(
                    user_id=mentor0 + i,
                    site=sites[i % 10],
                    unit=f"Unité {i % 40}",
                    years_experience=12,
                    is_mentor=True,
                )
                for i in range(MENTORS)
            ],
            batch_size=5000,
        )
        # Half of the pairings in the first programme, the rest spread over the others.
        programme_of = (
            f"CASE WHEN g % 2 = 0 THEN {first} ELSE {first} + 1 + (g / 2) % {PROGRAMMES - 1} END"
        )
        day = "(DATE '2021-01-01' + ((g * 7919) % 1825))"  # five years, scattered
        insert_select(
            MentoringRequest,
            {
                "programme": programme_of,
                "mentee": f"{mentee0} + g % {MENTEES}",
                "need": "'Besoin.'",
                "status": "CASE WHEN g % 20 = 0 THEN 'withdrawn' ELSE 'matched' END",
                "created_at": f"{day}::timestamptz + interval '9 hours'",
            },
            f"FROM generate_series(1, {PAIRINGS}) g",
        )
        req0 = MentoringRequest.objects.order_by("pk").values_list("pk", flat=True).first()
        assert MentoringRequest.objects.order_by("-pk").first().pk == req0 + PAIRINGS - 1
        insert_select(
            Pairing,
            {
                "programme": programme_of,
                "request": f"{req0} + g - 1",
                "state": "CASE WHEN g % 10 < 7 THEN 'closed' WHEN g % 10 = 7 THEN 'active' "
                "WHEN g % 10 = 8 THEN 'approved' ELSE 'contacted' END",
                "proposed_at": f"{day}::timestamptz + interval '10 days'",
                "assigned_at": f"{day}::timestamptz + interval '10 days' "
                "+ (g % 48) * interval '1 hour'",
                "first_contact_due": f"{day}::timestamptz + interval '13 days'",
                "first_contact_at": f"CASE WHEN g % 10 = 8 THEN NULL ELSE {day}::timestamptz "
                "+ interval '10 days' + (g % 120) * interval '1 hour' END",
                "start_date": f"{day} + 11",
                "planned_end": f"{day} + 193",
                "original_end": f"CASE WHEN g % 25 = 0 THEN {day} + 163 ELSE NULL END",
                "midterm_review_due": f"{day} + 102",
                "closed_at": f"CASE WHEN g % 10 < 7 THEN {day}::timestamptz "
                "+ (60 + (g % 150)) * interval '1 day' ELSE NULL END",
                "closure_kind": "CASE WHEN g % 10 < 7 THEN (CASE WHEN g % 3 = 0 THEN 'unplanned' "
                "ELSE 'planned' END) ELSE '' END",
                "closure_reason": "CASE WHEN g % 10 >= 7 THEN '' WHEN g % 3 = 0 THEN "
                "(ARRAY['rematch','mentee_moved','mentor_unavailable','personal'])[1 + g % 4] "
                "WHEN g % 2 = 0 THEN 'objectives_met' ELSE 'planned_end' END",
                "premature": "(g % 10 < 7 AND g % 3 = 0 AND g % 4 <> 0)",
            },
            f"FROM generate_series(1, {PAIRINGS}) g",
        )
        pairings = "FROM wagtail_mentorat_pairing p"
        insert_select(
            PairingMember,
            {
                "pairing": "p.id",
                "user": f"{mentee0} + p.id % {MENTEES}",
                "role": "'mentee'",
            },
            pairings,
        )
        insert_select(
            PairingMember,
            {
                "pairing": "p.id",
                "user": f"{mentor0} + p.id % {MENTORS}",
                "role": "'primary_mentor'",
            },
            pairings,
        )
        insert_select(
            Meeting,
            {
                "pairing": "p.id",
                "held_at": "p.assigned_at + m * interval '15 days'",
                "rating": "1 + (p.id + m) % 5",
            },
            f"{pairings} CROSS JOIN generate_series(1, {MEETINGS_PER_PAIRING}) m "
            f"WHERE p.id % 7 <> 0 OR m <= 3",
        )
        # Top up to exactly 1,000,000 meetings.
        missing = PAIRINGS * MEETINGS_PER_PAIRING - Meeting.objects.count()
        if missing > 0:
            insert_select(
                Meeting,
                {"pairing": "p.id", "held_at": "p.assigned_at + interval '170 days'"},
                f"{pairings} CROSS JOIN generate_series(1, 10) m WHERE p.id % 7 = 0 "
                f"ORDER BY p.id, m LIMIT {missing}",
            )
        insert_select(
            Agreement,
            {
                "pairing": "p.id",
                "mentee_responsibilities": "''",
                "mentor_responsibilities": "''",
                "confidentiality_clause": "''",
                "start_date": "p.start_date",
                "end_date": "p.planned_end",
                "updated_at": "now()",
            },
            f"{pairings} WHERE p.first_contact_at IS NOT NULL",
        )
        insert_select(
            AgreementAcceptance,
            {"agreement": "a.id", "user": "m.user_id", "version": "1", "accepted_at": "now()"},
            "FROM wagtail_mentorat_agreement a JOIN wagtail_mentorat_pairingmember m "
            "ON m.pairing_id = a.pairing_id WHERE a.id % 9 <> 0 OR m.role = 'mentee'",
        )
        insert_select(
            AgreementObjective,
            {"agreement": "a.id", "text": "'Objectif.'"},
            "FROM wagtail_mentorat_agreement a",
        )
        insert_select(
            ProgressReview,
            {
                "pairing": "p.id",
                "kind": "'midterm'",
                "submitted_at": "p.midterm_review_due::timestamptz "
                "+ (p.id % 20 - 5) * interval '1 day'",
                "satisfaction": "1 + p.id % 5",
            },
            f"{pairings} WHERE p.state IN ('active', 'closed') AND p.id % 6 <> 0",
        )
        insert_select(
            ProgressReview,
            {
                "pairing": "p.id",
                "kind": "'final'",
                "submitted_at": "p.closed_at - (p.id % 9 - 3) * interval '1 day'",
                "satisfaction": "1 + (p.id * 7) % 5",
            },
            f"{pairings} WHERE p.state = 'closed' AND p.closure_kind = 'planned'",
        )
        insert_select(
            ObjectiveAttainment,
            {
                "review": "r.id",
                "objective": "o.id",
                "level": "(ARRAY['not_yet','partly','mostly','fully'])[1 + r.id % 4]",
            },
            "FROM wagtail_mentorat_progressreview r JOIN wagtail_mentorat_agreement a "
            "ON a.pairing_id = r.pairing_id JOIN wagtail_mentorat_agreementobjective o "
            "ON o.agreement_id = a.id WHERE r.kind = 'final'",
        )
        insert_select(
            HelpRequest,
            {
                "pairing": "p.id",
                "question": "'Question.'",
                "urgent": "(p.id % 3 = 0)",
                "created_at": "p.assigned_at + interval '20 days'",
                "due_at": "p.assigned_at + interval '22 days'",
                "answered_at": "CASE WHEN p.id % 11 = 0 THEN NULL ELSE p.assigned_at "
                "+ interval '20 days' + (p.id % 72) * interval '1 hour' END",
            },
            f"{pairings} WHERE p.id % 2 = 0 AND p.first_contact_at IS NOT NULL",
        )
        insert_select(
            Extension,
            {
                "pairing": "p.id",
                "requested_at": "p.assigned_at + interval '150 days'",
                "new_end": "p.planned_end + 30",
                "reason": "'Plus de temps.'",
                "status": "CASE WHEN p.original_end IS NULL THEN 'refused' ELSE 'approved' END",
            },
            f"{pairings} WHERE p.id % 20 = 0",
        )
        # Ten areas of expertise: three per mentor, one per request.
        areas = [ExpertiseArea.objects.create(name=f"Bench area {i}") for i in range(10)]
        area0 = areas[0].pk
        through = ParticipantProfile.expertise.through
        insert_select(
            through,
            {"participantprofile": "pp.id", "expertisearea": f"{area0} + (pp.id + k) % 10"},
            "FROM wagtail_mentorat_participantprofile pp CROSS JOIN generate_series(0, 2) k "
            "WHERE pp.is_mentor",
        )
        insert_select(
            MentoringRequest.expertise.through,
            {"mentoringrequest": "r.id", "expertisearea": f"{area0} + r.id % 10"},
            "FROM wagtail_mentorat_mentoringrequest r",
        )
        # Some requests wait for a mentor now.
        MentoringRequest.objects.filter(
            pairings__state="closed", pk__gt=req0 + PAIRINGS - 3000
        ).update(status=MentoringRequest.Status.OPEN)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does on a live database
    return time.perf_counter() - started


def median_ms(fn, rounds=ROUNDS):
    fn()  # warm up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def medians_alternating(client, urls, rounds=ROUNDS):
    """Median time of each URL, the requests alternating round after round."""
    times = {url: [] for url in urls}
    for url in urls:
        assert client.get(url).status_code == 200, url  # warm up
    for _ in range(rounds):
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            times[url].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return [statistics.median(times[url]) for url in urls]


def ensure_pool(programme):
    """Every mentor in the measured programme's mentor pool (the supply reads the pool;
    datasets generated before issue 20 have no offers)."""
    from wagtail_mentorat.models import MentorOffer, ParticipantProfile

    if MentorOffer.objects.filter(programme=programme).exists():
        return
    insert_select(
        MentorOffer,
        {
            "programme": str(programme.pk),
            "mentor": "pp.user_id",
            "status": f"'{MentorOffer.Status.APPROVED}'",
            "created_at": "now()",
        },
        f"FROM {ParticipantProfile._meta.db_table} pp WHERE pp.is_mentor",
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {MentorOffer._meta.db_table}")


def plain_page():
    """A login-restricted Wagtail page with nothing of the app: the reference."""
    from wagtail.models import Page, PageViewRestriction

    from home.models import ContentPage

    page = ContentPage.objects.filter(slug="bench-plain").first()
    if page is None:
        parent = Page.objects.filter(depth=2).first()
        page = parent.add_child(instance=ContentPage(title="Bench plain page", slug="bench-plain"))
        page.save_revision().publish()
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page.url


def timed_queries(fn):
    """Run ``fn`` once; each query's (milliseconds, sql, params), in order."""
    queries = []

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - start) * 1000, sql, params))

    with connection.execute_wrapper(wrapper):
        fn()
    return queries


def explain(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def load():
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    assert connection.vendor == "postgresql", "this benchmark runs on PostgreSQL"
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from wagtail_mentorat.indicators import metrics, panels
    from wagtail_mentorat.indicators.models import IndicatorReferences
    from wagtail_mentorat.models import Meeting, MentorOffer, Pairing, Programme

    if "--regenerate" in sys.argv:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE wagtail_mentorat_pairing, wagtail_mentorat_mentoringrequest, "
                "wagtail_mentorat_programme, wagtail_mentorat_participantprofile, "
                "wagtail_mentorat_expertisearea CASCADE"
            )
        get_user_model().objects.filter(username__startswith="bench-").delete()
    generated = None
    if Pairing.objects.count() < PAIRINGS:
        generated = generate()
    programme = Programme.objects.get(name="Bench programme 0")
    ensure_pool(programme)
    plain = plain_page()
    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="bench-coordinator", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(admin)
    url = f"/admin/mentorat/indicateurs/?programme={programme.pk}&year={YEAR}"
    assert client.get(url).status_code == 200
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        response = client.get(url)
    assert response.status_code == 200 and b"Requests matched with a mentor" in response.content

    scope = metrics.Scope(
        programme=programme, start=datetime.date(YEAR, 1, 1), end=datetime.date(YEAR, 12, 31)
    )
    refs = IndicatorReferences.load()
    data = metrics.compute(scope, refs)  # warm up
    compute_queries = timed_queries(lambda: metrics.compute(scope, refs))
    panel_queries = timed_queries(lambda: panels.attention())
    load_before = load()
    page_ms, plain_ms = medians_alternating(client, [url, plain])
    compute_ms = median_ms(lambda: metrics.compute(scope, refs))
    csv_ms = median_ms(lambda: client.get(url + "&format=csv"))
    panel_ms = median_ms(lambda: panels.attention())
    home_ms = median_ms(lambda: client.get("/admin/"), rounds=3)
    load_after = load()
    slowest = sorted(compute_queries, key=lambda q: -q[0])[:EXPLAINED]
    plans = [(ms, sql, explain(sql, params)) for ms, sql, params in slowest]
    jit_all = sum(
        any(line.startswith("JIT:") for line in explain(sql, params))
        for _ms, sql, params in compute_queries + panel_queries
        if sql.lstrip().upper().startswith("SELECT")
    )
    in_year = data["started"]["assigned"]
    meetings_year = Meeting.objects.filter(
        pairing__programme=programme, pairing__assigned_at__year=YEAR
    ).count()
    shape = {
        "pairings": Pairing.objects.count(),
        "meetings": Meeting.objects.count(),
        "programmes": Programme.objects.count(),
        "pool": MentorOffer.objects.filter(programme=programme).count(),
    }
    ratio = page_ms / plain_ms
    lines = [
        "## Quality indicators dashboard (issues 9 and 20)",
        "",
        f"Shape really run: {shape['pairings']:,} pairings and {shape['meetings']:,} meetings "
        f"in {shape['programmes']} programmes (2021–2025) on {connection.vendor} "
        f"{connection.cursor().connection.info.server_version // 10000}; the measured "
        f"programme has {in_year:,} pairings assigned in {YEAR} ({meetings_year:,} meetings) "
        f"and {shape['pool']:,} mentors in its pool. Median of {ROUNDS} runs after a warm-up, "
        f"Django's test client, 2 CPU cores shared with other work: load average "
        f"{load_before} before the timings, {load_after} after.",
        "",
        "| what | median (ms) | queries |",
        "|---|---|---|",
        f"| dashboard page, one programme and {YEAR} (goal ≤ {GOAL_MS}) | {page_ms:.0f} | "
        f"{len(queries)} |",
        f"| plain login-restricted Wagtail page, same rounds (reference) | {plain_ms:.0f} | |",
        f"| dashboard ÷ plain page | {ratio:.1f} | |",
        f"| `metrics.compute` alone | {compute_ms:.0f} | {len(compute_queries)} |",
        f"| CSV export | {csv_ms:.0f} | |",
        f"| attention panel's counts (`panels.attention`) | {panel_ms:.0f} | "
        f"{len(panel_queries)} |",
        f"| admin home with the attention panel (median of 3) | {home_ms:.0f} | |",
        "",
        f"- **goal (page median ≤ {GOAL_MS} ms)**: "
        f"{'PASS' if page_ms <= GOAL_MS else 'FAIL'} ({page_ms:.0f} ms)",
        f"- JIT: in {jit_all} of the {len(compute_queries) + len(panel_queries)} queries of "
        "`metrics.compute` and the attention panel (PostgreSQL's default `jit_above_cost`: "
        + (
            "the queries are cheap enough for the planner to leave it off)"
            if not jit_all
            else "a plan whose estimated cost passes it is compiled first, the compilation "
            "timed in its plan's `JIT:` lines below and inside the figures)"
        ),
        "",
        f"The {EXPLAINED} slowest queries of `metrics.compute` (time in the run, then "
        "`EXPLAIN (ANALYZE, BUFFERS)`):",
    ]
    for ms, sql, plan in plans:
        lines += ["", f"{ms:.0f} ms — `{sql[:160]}…`", "", "```text", *plan, "```"]
    if generated is not None:
        lines.append("")
        lines.append(f"Generating the dataset took {generated:.0f} s.")
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("indicators", lines)
    return 0 if page_ms <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
