"""Load held by the production stack (issue 19, part 3): locust, headless, on loopback.

    .venv/bin/python bench/load.py                 # 50 users, 60 s a run, PostgreSQL
    LOAD_SECONDS=20 .venv/bin/python bench/load.py --users 20 --no-scale

It starts `python -m intranet.serve` (gunicorn with deploy/gunicorn.conf.py, production
settings, Redis for the cache and sessions, one db_worker) on a free port and on
PostgreSQL databases of its own (``bench_load_template``, built once with the demo, and
``bench_load_run``, a fresh copy of it for each run, so every run starts from the same
data), waits for /health/ 200, and drives bench/locustfile.py against it: the demo's real
people (mentees and mentors, managers, coordinators, editors) with think times, and the
plain login-restricted Wagtail page under the same load as the reference.

Recorded in RESULTS.md (section ``load``): the shape really run, requests per second
(per core), p50/p95/p99 per page, each app page's p95 over the plain page's (goal ≤ 1.5),
errors (goal 0), memory per gunicorn worker (RSS and PSS from /proc), queries per page
(Django's test client on the same database), and the throughput at 1, 2 and 4 gunicorn
workers for the same users. Locust runs on the same two cores as the server: its own
CPU time is printed too.

BENCH_DATABASE_URL names another PostgreSQL server (any database name: the two above are
created there, and dropped at the end).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _stack  # noqa: E402

TEMPLATE_DB = "bench_load_template"
RUN_DB = "bench_load_run"
GOAL_RATIO = 1.5
REFERENCE = "plain page"
NOT_PAGES = {"login", "login POST", "Aggregated"}
# What each page of the load is, for the query count (user, path or how to find it).
QUERY_PAGES = [
    ("plain page", "mentore1", "/le-mentorat/"),
    ("dashboard", "mentore1", "/mentorat/"),
    ("pairing page", "mentore1", "pairing"),
    ("thread", "mentore1", "thread"),
    ("training module", "mentore1", "/formation/avant-votre-premier-jumelage/"),
    ("manager space", "gestionnaire", "/mentorat/gestion/"),
    ("workbench (admin)", "coordination", "/admin/mentorat/jumelage/"),
    ("pairings listing (admin)", "coordination", "/admin/snippets/wagtail_mentorat/pairing/"),
    ("indicators (admin)", "coordination", "/admin/mentorat/indicateurs/"),
    ("guide page", "redaction", "/guides/mentorat-clinique/"),
]


def ms(value):
    return float(value) if value not in ("", "N/A", None) else float("nan")


def postgres_version(url):
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


def prepare_template(workdir, base_url):
    """The demo on PostgreSQL once: every run copies it."""
    url = _stack.postgres_url(TEMPLATE_DB, base_url)
    _stack.recreate_database(url)
    started = time.monotonic()
    with _stack.Stack(workdir / "template", url, web=1):
        pass  # migrated, static files collected, demo loaded, health 200
    print(f"template database {TEMPLATE_DB} ready in {time.monotonic() - started:.0f} s")
    return url


def one_run(workdir, base_url, name, users, seconds, think, web=None, threads=None, queries=False):
    """A fresh copy of the template, the stack on it, one locust run. Returns a dict."""
    url = _stack.postgres_url(RUN_DB, base_url)
    _stack.recreate_database(url, template=TEMPLATE_DB)
    run_dir = workdir / name
    with _stack.Stack(run_dir, url, web=web, threads=threads) as stack:
        locust = _stack.LocustRun(
            run_dir,
            stack.base,
            users,
            seconds,
            think=think,
            run_id=name,
            measure=True,
            pairings=_stack.active_pairings(url),
        )
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust.start()
        if not locust.wait_measuring():
            locust.wait()
            raise RuntimeError(f"locust stopped before every person had logged in ({name})")
        cpu_before = stack.web_cpu_seconds()
        machine_before = _stack.machine_cpu_seconds()
        load_average = os.getloadavg()[0]
        # Memory when the load has run most of its time (every worker warm).
        time.sleep(seconds * 0.8)
        workers = stack.web_workers()
        memory = {pid: _stack.memory_mb(pid) for pid in workers}
        task_memory = [_stack.memory_mb(pid) for pid in stack.task_workers()]
        locust.wait()
        cpu = stack.web_cpu_seconds() - cpu_before
        machine = [b - a for a, b in zip(machine_before, _stack.machine_cpu_seconds(), strict=True)]
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust alone was reaped
        locust_cpu = (after.ru_utime - reaped.ru_utime) + (after.ru_stime - reaped.ru_stime)
        health = stack.health()
        conf_line = next(
            (line.strip() for line in stack.log().splitlines() if "gunicorn:" in line), ""
        )
        counted = count_queries(stack) if queries else {}
    stats = locust.stats()
    total = stats["Aggregated"]
    window, logins = locust.window()
    return {
        "name": name,
        "users": users,
        "seconds": seconds,
        "elapsed": locust.elapsed,
        "conf": conf_line,
        "workers": len(workers),
        "stats": stats,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "window": window,
        "logins": logins,
        "rps": int(total["Request Count"]) / window,
        "server_cpu": cpu,
        "machine_busy": machine[0],
        "machine_total": machine[1],
        "load_average": load_average,
        "locust_cpu": locust_cpu,
        "memory": memory,
        "task_memory": task_memory,
        "health": health,
        "failure_rows": locust.failures(),
        "exceptions": locust.exceptions(),
        "queries": counted,
    }


def count_queries(stack):
    """Queries per page, from Django's test client on the stack's database."""
    env = _stack.django_env(stack)
    key = stack.workdir / "var" / "secret_key"
    if key.exists():
        env["SECRET_KEY"] = key.read_text().strip()
    output = subprocess.run(  # noqa: S603 - our own command line
        [_stack.PYTHON, str(Path(__file__).resolve()), "--count-queries"],
        cwd=_stack.ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if output.returncode != 0:
        print("query count failed:", output.stderr[-2000:])
        return {}
    return json.loads(output.stdout.strip().splitlines()[-1])


def _count_queries_here():
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wagtail_mentorat.models import Pairing, PairingState

    users = {u.username: u for u in get_user_model().objects.all()}
    pairing = (
        Pairing.objects.filter(members__user=users["mentore1"], state=PairingState.ACTIVE)
        .exclude(kind="circle")
        .first()
    )
    result = {}
    for name, username, path in QUERY_PAGES:
        if path == "pairing":
            path = f"/mentorat/jumelages/{pairing.pk}/"
        elif path == "thread":
            path = f"/mentorat/conversations/{pairing.pk}/"
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(users[username])
        client.get(path)  # warm: the session and the caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        result[name] = {"queries": len(captured), "status": response.status_code}
    print(json.dumps(result))


def page_rows(result):
    """[(name, requests, failures, p50, p95, p99, ratio)] for every page, reference first."""
    stats = result["stats"]
    reference = ms(stats[REFERENCE]["95%"])
    rows = []
    for name, row in stats.items():
        if name in NOT_PAGES or not int(row["Request Count"]):
            continue
        p95 = ms(row["95%"])
        rows.append((
            name, int(row["Request Count"]), int(row["Failure Count"]), ms(row["50%"]), p95,
            ms(row["99%"]), p95 / reference,
        ))  # fmt: skip
    rows.sort(key=lambda r: (r[0] != REFERENCE, -r[6]))
    return rows


def report(main_run, scale, pg_version):
    cores = _stack.cores()
    rows = page_rows(main_run)
    app_rows = [r for r in rows if r[0] != REFERENCE]
    over = [r for r in app_rows if r[6] > GOAL_RATIO]
    ratio_ok = not over
    errors = main_run["failures"]
    stats = main_run["stats"]
    logins = main_run["logins"]
    lines = [
        "## Load held by `make serve` (issue 19)",
        "",
        f"Shape run: {main_run['users']} simulated people for {main_run['seconds']} s "
        f"(think times {main_run['think'][0]}–{main_run['think'][1]} s), locust headless on "
        f"loopback on the same {cores} cores; {main_run['conf']}; PostgreSQL {pg_version}, "
        "Redis cache and sessions, production settings; "
        f"{main_run['requests']:,} requests in the {main_run['window']:.0f} s measured from "
        "10 s after every person's first login through the form"
        + (
            f" ({logins['count']} logins took {logins['seconds']:.0f} s, p50 "
            f"{logins['p50']:.0f} ms, p95 {logins['p95']:.0f} ms: PBKDF2, kept out of the "
            "page figures)"
            if logins
            else ""
        )
        + ". Each run starts from a fresh copy of the demo database. Latencies are "
        "locust's (approximate percentiles, ms).",
        "",
        "| page | requests | failures | p50 | p95 | p99 | p95 ÷ plain p95 (goal ≤ 1.5) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, count, failed, p50, p95, p99, ratio in rows:
        verdict = "reference" if name == REFERENCE else (
            f"{ratio:.2f} {'PASS' if ratio <= GOAL_RATIO else 'FAIL'}")  # fmt: skip
        lines.append(f"| {name} | {count} | {failed} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
                     f"{verdict} |")  # fmt: skip
    for name in ("login", "login POST"):  # a session lost and logged in again
        if name in stats and int(stats[name]["Request Count"]):
            row = stats[name]
            lines.append(
                f"| ({name} again, not a page) | {row['Request Count']} | "
                f"{row['Failure Count']} | {ms(row['50%']):.0f} | {ms(row['95%']):.0f} | "
                f"{ms(row['99%']):.0f} | |"
            )
    lines += [
        "",
        f"- **p95 ratio goal (≤ {GOAL_RATIO})**: {'PASS' if ratio_ok else 'FAIL'}"
        + (
            ""
            if ratio_ok
            else f" ({len(over)} of {len(app_rows)} app pages over: "
            + ", ".join(f"{r[0]} {r[6]:.2f}" for r in over)
            + ")"
        ),  # fmt: skip
        f"- **errors (goal 0)**: {errors} {'PASS' if errors == 0 else 'FAIL'}"
        + (
            ""
            if not main_run["failure_rows"]
            else " — "
            + "; ".join(
                f"{f['Method']} {f['Name']}: {f['Error']} ×{f['Occurrences']}"
                for f in main_run["failure_rows"]
            )
        ),
        f"- **throughput**: {main_run['rps']:.1f} requests/s, "
        f"{main_run['rps'] / cores:.1f} per core ({cores} cores shared with locust); gunicorn "
        f"used {main_run['server_cpu']:.0f} CPU-s for {main_run['requests']:,} requests "
        f"({main_run['requests'] / max(main_run['server_cpu'], 0.01):.1f} requests per "
        f"CPU-second of the server), locust {main_run['locust_cpu']:.0f} CPU-s (its whole run,"
        " logins included); the machine was busy "
        f"{main_run['machine_busy']:.0f} of {main_run['machine_total']:.0f} CPU-s during the "
        f"measured window, so PostgreSQL, Redis, the db_worker and anything else running "
        f"used about {main_run['machine_busy'] - main_run['server_cpu']:.0f} CPU-s (load "
        f"average {main_run['load_average']:.1f} when it began)",
    ]
    memory = [m for m in main_run["memory"].values() if m]
    if memory:
        lines.append(
            f"- **memory per gunicorn worker** ({len(memory)} workers, near the end of the run):"
            f" RSS {' / '.join(f'{m[0]:.0f}' for m in memory)} MB (median "
            f"{statistics.median(m[0] for m in memory):.0f}), PSS "
            f"{' / '.join(f'{m[1]:.0f}' for m in memory)} MB (what each adds, pages shared "
            "with its siblings counted once)"
            + (
                f"; db_worker RSS {', '.join(f'{m[0]:.0f}' for m in main_run['task_memory'] if m)}"
                " MB"
                if main_run["task_memory"]
                else ""
            )
        )
    lines.append(f"- health after the run: {main_run['health'][0]} {main_run['health'][1]}")
    if main_run["exceptions"]:
        lines.append(
            "- errors inside the locustfile's own tasks (not the server's): "
            + "; ".join(f"{e['Message']} ×{e['Count']}" for e in main_run["exceptions"])
        )
    if main_run["queries"]:
        lines += [
            "",
            "Queries per page (Django's test client on the run's database, after the load; "
            "second request of a warm session):",
            "",
            "| page | queries | p95 ratio |",
            "|---|---|---|",
        ]
        ratios = {r[0]: r[6] for r in rows}
        for name, found in sorted(main_run["queries"].items(),
                                  key=lambda item: -ratios.get(item[0], 0)):  # fmt: skip
            lines.append(f"| {name} | {found['queries']} | {ratios.get(name, float('nan')):.2f} |")
    if scale:
        lines += [
            "",
            f"Throughput by gunicorn workers (same {scale[0]['users']} people, "
            f"{scale[0]['seconds']} s each, threads as configured):",
            "",
            "| workers × threads | requests/s | per core | p50 all | p95 all | p95 plain | "
            "errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for run in scale:
            total, plain = run["stats"]["Aggregated"], run["stats"][REFERENCE]
            shape = run["conf"].split("gunicorn:")[-1].split(";")[0].strip()
            lines.append(
                f"| {shape} | {run['rps']:.1f} | {run['rps'] / cores:.1f} | "
                f"{ms(total['50%']):.0f} | {ms(total['95%']):.0f} | {ms(plain['95%']):.0f} | "
                f"{run['failures']} |"
            )
    return lines, ratio_ok and errors == 0 and not main_run["exceptions"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", 60)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 50)))
    parser.add_argument("--think", default="0.5,1.5", help="think time range, seconds")
    parser.add_argument("--web", type=int, help="gunicorn workers of the main run "
                        "(default: deploy/gunicorn.conf.py's, cores + 1)")  # fmt: skip
    parser.add_argument("--threads", type=int, help="threads per worker (default: the conf's)")
    parser.add_argument("--scale", default="1,2,4", help="worker counts for the throughput runs")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the databases and files")
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count_queries:
        sys.path.insert(0, str(_stack.ROOT))
        return _count_queries_here()
    think = tuple(float(x) for x in args.think.split(","))
    base_url = os.environ.get("BENCH_DATABASE_URL") or _stack.postgres_url("postgres")
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(f"working in {workdir}", flush=True)
    try:
        prepare_template(workdir, base_url)
        pg_version = postgres_version(_stack.postgres_url(TEMPLATE_DB, base_url))
        main_run = one_run(workdir, base_url, "main", args.users, args.seconds, think,
                           web=args.web, threads=args.threads, queries=True)  # fmt: skip
        main_run["think"] = think
        print(f"main run: {main_run['requests']} requests, {main_run['failures']} failures",
              flush=True)  # fmt: skip
        scale = []
        if not args.no_scale:
            for count in (int(x) for x in args.scale.split(",")):
                run = one_run(workdir, base_url, f"web{count}", args.users, args.seconds, think,
                              web=count, threads=args.threads)  # fmt: skip
                print(f"{count} worker(s): {run['rps']:.1f} requests/s, "
                      f"{run['failures']} failures", flush=True)  # fmt: skip
                scale.append(run)
    finally:
        if not args.keep:
            for name in (RUN_DB, TEMPLATE_DB):
                try:
                    _stack.drop_database(_stack.postgres_url(name, base_url))
                except Exception as error:  # noqa: BLE001 - reported, not fatal
                    print(f"could not drop {name}: {error}")
    lines, passed = report(main_run, scale, pg_version)
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        write_section("load", lines)
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
