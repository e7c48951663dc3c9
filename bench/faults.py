"""Faults under load (issue 19, part 4): nothing lost or doubled, a clear 503, health back.

    .venv/bin/python bench/faults.py              # about 6 minutes; root, PostgreSQL 15
    FAULTS_SECONDS=120 FAULTS_USERS=16 .venv/bin/python bench/faults.py

It creates a PostgreSQL cluster of its own (``15/mentorat-faults`` on a free port, trust
on loopback, dropped at the end) so that restarting PostgreSQL disturbs nobody else's
databases, starts `python -m intranet.serve` on it (gunicorn, one db_worker, Redis,
mail written to files), gives the managers pending decisions, and runs
bench/locustfile.py at a moderate load. During the load:

(a) one gunicorn worker gets SIGKILL: gunicorn starts another;
(b) a batch of notifications is enqueued (copies of the demo's real ones, new
    idempotency keys) and the db_worker gets SIGKILL once it has sent part of it:
    serve starts another worker;
(c) PostgreSQL stops for a few seconds, then starts again (in a ``finally``: it is
    running again whatever happens).

Afterwards, once the outbox has been flushed as its 5-minute timer does (the clock
moved past the "stuck" and grace delays rather than waiting 20 minutes), it checks:
every meeting, message and decision a person was told was saved is in the database
exactly once; nothing written twice; every notification of the run sent exactly once
(one file per Message-ID in var/mail) or marked for review (stuck or failed); /health/
200; every failed request fell in an outage and every 5xx answer was the 503 page with
Retry-After, never a traceback. The account goes to RESULTS.md (section ``faults``).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _stack  # noqa: E402

PG_VERSION = os.environ.get("FAULTS_PG_VERSION", "15")
CLUSTER = "mentorat-faults"
DATABASE = "bench_faults"
DECISIONS = 40  # pending pairings for the managers to approve during the load
BATCH = 300  # notifications enqueued as one task for (b)
OUTAGE_SECONDS = 5  # PostgreSQL down
SETTLE_MARGIN = 8  # seconds after a fault during which failures belong to it


def sh(*argv, check=True):
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=120)  # noqa: S603


# --- a PostgreSQL cluster of our own ----------------------------------------------------------


def cluster_status():
    out = sh("pg_lsclusters", "--no-header", check=False).stdout
    for line in out.splitlines():
        fields = line.split()
        if fields[:2] == [PG_VERSION, CLUSTER]:
            return {"port": int(fields[2]), "status": fields[3]}
    return None


def create_cluster():
    found = cluster_status()
    if found:
        drop_cluster()
    port = _stack.free_port()
    sh("pg_createcluster", PG_VERSION, CLUSTER, "-p", str(port), "--start",
       "--", "--auth-local=trust", "--auth-host=trust")  # fmt: skip
    return port


def ctl(action, *more):
    return sh("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, CLUSTER, action, *more,
              check=False)  # fmt: skip


def ensure_running():
    found = cluster_status()
    if found and found["status"] != "online":
        ctl("start")
    return cluster_status()


def drop_cluster():
    ctl("stop")
    sh("pg_dropcluster", PG_VERSION, CLUSTER, check=False)


# --- Django steps on the stack's database (subprocesses: this process stays plain) ---------


def django_step(stack, step, *args):
    env = _stack.django_env(stack)
    key = stack.workdir / "var" / "secret_key"
    if key.exists():
        env["SECRET_KEY"] = key.read_text().strip()
    output = subprocess.run(  # noqa: S603 - our own command line
        [_stack.PYTHON, str(Path(__file__).resolve()), "--step", step, *args],
        cwd=_stack.ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if output.returncode != 0:
        raise RuntimeError(f"step {step} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def _setup_django():
    sys.path.insert(0, str(_stack.ROOT))
    import django

    django.setup()


def step_seed_decisions(count):
    """Proposals waiting for a manager's approval: new staff of the demo's managers, each
    proposed a demo mentor by the coordinator (as the workbench does)."""
    from django.contrib.auth import get_user_model

    from wagtail_mentorat import lifecycle
    from wagtail_mentorat.models import ParticipantProfile, Programme

    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    programme = Programme.objects.order_by("pk").first()
    programme.mentor_capacity = 100
    programme.who_pairs = Programme.WhoPairs.BOTH
    programme.save()
    mentors = [users[name] for name in ("mentor1", "mentor2", "mentor3", "mentor4")]
    # Room for every proposal: a manager's approval re-checks each mentor's capacity.
    ParticipantProfile.objects.filter(user__in=mentors).update(mentor_capacity=count + 10)
    made, refused = 0, []
    for i in range(count):
        boss = users["gestionnaire" if i % 2 == 0 else "gestionnaire2"]
        mentee, _ = User.objects.get_or_create(
            username=f"faults-mentee-{i}",
            defaults={
                "first_name": "Essai",
                "last_name": f"Nº {i}",
                "email": f"faults-mentee-{i}@intranet.example",
            },  # fmt: skip
        )
        ParticipantProfile.objects.get_or_create(
            user=mentee, defaults={"superior": boss, "discipline": "Travail social"}
        )
        for mentor in mentors[i % 4 :] + mentors[: i % 4]:
            try:
                lifecycle.propose_pairing(
                    programme, [mentee], [mentor], users["coordination"],
                    cross_discipline_reason="Essai de charge",
                )  # fmt: skip
            except Exception as error:  # noqa: BLE001 - a rule's refusal: the next mentor
                refused.append(str(error)[:120])
                continue
            made += 1
            break
    return {"made": made, "refused": refused[:3]}


def step_enqueue_batch(count):
    """``count`` copies of the demo's real notifications (new idempotency keys, so the
    outbox treats them as new), enqueued as one task: a batch for the db_worker."""
    import uuid

    from django.db import transaction

    from wagtail_mentorat.notifications import outbox
    from wagtail_mentorat.notifications.models import Notification

    models = list(Notification.objects.exclude(to_email="").order_by("pk")[:20])
    run = uuid.uuid4().hex
    rows = []
    for i in range(count):
        model = models[i % len(models)]
        rows.append(
            Notification(
                recipient_id=model.recipient_id, to_email=model.to_email, kind=model.kind,
                language=model.language, content_type_id=model.content_type_id,
                object_id=model.object_id, pairing_id=model.pairing_id, data=model.data,
                idempotency_key=f"faults-batch:{run}:{i}",
            )
        )  # fmt: skip
    with transaction.atomic():
        ids = outbox.add(rows, run=run)
    return {"ids": ids, "run": run}


def step_flush():
    """The outbox's 5-minute timer (``mentorat_remind --outbox``), its clock moved past the
    "stuck" delay and the grace delay: what it would do 20 minutes from now."""
    import datetime

    from django.utils import timezone

    from wagtail_mentorat.notifications import conf, outbox

    later = timezone.now() + conf.stuck_after() + conf.flush_grace() + datetime.timedelta(minutes=1)
    return {"enqueued": outbox.flush(now=later)}


def step_outbox_state(since):
    import datetime

    from wagtail_mentorat.notifications.models import Notification

    start = datetime.datetime.fromtimestamp(float(since), tz=datetime.UTC)
    rows = Notification.objects.filter(created_at__gte=start)
    counts = {}
    for status in rows.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return {"counts": counts}


def step_check(since, ledger_path):
    """Compare what the people were told with the database and the mail files."""
    import datetime

    from django_tasks_db.models import DBTaskResult
    from wagtail.models import ModelLogEntry

    from wagtail_mentorat.models import Meeting, Message, Pairing
    from wagtail_mentorat.notifications.models import Notification
    from wagtail_mentorat.notifications.outbox import message_header_id

    ledger = [json.loads(line) for line in Path(ledger_path).read_text().splitlines() if line]
    start = datetime.datetime.fromtimestamp(float(since), tz=datetime.UTC)
    result = {}
    for kind, model, field in (("meeting", Meeting, "summary"), ("message", Message, "body")):
        told = [r for r in ledger if r.get("kind") == kind and r.get("acknowledged")]
        refused = [r for r in ledger if r.get("kind") == kind and not r.get("acknowledged")]
        stored = {}
        for text in model.objects.filter(**{f"{field}__contains": "]"}).values_list(
            field, flat=True
        ):
            if "[" in text:
                tag = text[text.index("[") : text.index("]") + 1]
                stored[tag] = stored.get(tag, 0) + 1
        told_tags = {r["marker"] for r in told}
        refused_tags = {r["marker"] for r in refused}
        result[kind] = {
            "acknowledged": len(told),
            "lost": sorted(t for t in told_tags if stored.get(t, 0) == 0),
            "doubled": sorted(t for t, n in stored.items() if n > 1),
            "stored": sum(stored.values()),
            "not_acknowledged": len(refused),
            "stored_though_not_acknowledged": sorted(t for t in refused_tags if t in stored),
        }
    decisions = [r for r in ledger if r.get("kind") == "decision" and r.get("confirmed")]
    approvals = {}
    for object_id in ModelLogEntry.objects.filter(action="wagtail_mentorat.approved").values_list(
        "object_id", flat=True
    ):
        approvals[object_id] = approvals.get(object_id, 0) + 1
    pairing_ids = [
        r["decided"].rstrip("/").rsplit("/", 1)[1] for r in decisions if r["what"] == "pairing"
    ]
    states = dict(Pairing.objects.filter(pk__in=pairing_ids).values_list("pk", "state"))
    result["decision"] = {
        "acknowledged": len(decisions),
        "refused_as_already_decided": sum(
            1 for r in ledger if r.get("kind") == "decision" and r.get("refused")
        ),
        "not_acknowledged": sum(
            1 for r in ledger if r.get("kind") == "decision" and not r.get("acknowledged")
        ),
        "lost": [
            p
            for p in pairing_ids
            if states.get(int(p)) in (None, "proposed") or approvals.get(p, 0) == 0
        ],  # fmt: skip
        "doubled": sorted(p for p, n in approvals.items() if n > 1),
    }
    mail = {}
    for path in (Path(os.environ["INTRANET_VAR_DIR"]) / "mail").iterdir():
        for line in path.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                key = line.split(":", 1)[1].strip()
                mail[key] = mail.get(key, 0) + 1
    rows = list(Notification.objects.filter(created_at__gte=start))
    by_status, wrong = {}, []
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + 1
        copies = mail.get(message_header_id(row), 0)
        if row.status == "sent" and copies != 1:
            wrong.append((row.pk, row.status, copies))
        elif row.status in ("stuck", "failed") and copies > 1:
            wrong.append((row.pk, row.status, copies))
        elif row.status in ("pending", "sending"):
            wrong.append((row.pk, row.status, copies))
        elif row.status == "skipped" and copies:
            wrong.append((row.pk, row.status, copies))
    stuck_copies = [mail.get(message_header_id(r), 0) for r in rows if r.status == "stuck"]
    result["notifications"] = {
        "rows": len(rows),
        "by_status": by_status,
        "wrong": wrong[:20],
        "wrong_count": len(wrong),
        "stuck_sent_before_the_kill": sum(stuck_copies),
        "tasks_left_running": DBTaskResult.objects.filter(status="RUNNING").count(),
    }
    return result


STEPS = {
    "seed": lambda *a: step_seed_decisions(int(a[0])),
    "batch": lambda *a: step_enqueue_batch(int(a[0])),
    "flush": lambda *a: step_flush(),
    "outbox": lambda *a: step_outbox_state(a[0]),
    "check": lambda *a: step_check(a[0], a[1]),
}


# --- the run --------------------------------------------------------------------------------


def db_query(url, sql, params=()):
    import psycopg

    with psycopg.connect(url, connect_timeout=3) as connection:
        return connection.execute(sql, params).fetchall()


def wait_for(predicate, timeout, step=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - the database may be restarting
            value = None
        if value:
            return value
        time.sleep(step)
    return None


def run(args, workdir, events):
    port = create_cluster()
    events.append(("cluster", f"PostgreSQL {PG_VERSION} cluster {CLUSTER} on port {port}"))
    url = f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"
    _stack.recreate_database(url)
    stack = _stack.Stack(workdir / "stack", url, web=args.web, tasks=1)
    stack.start()
    try:
        seeded = django_step(stack, "seed", str(DECISIONS))
        events.append(("setup", f"{seeded['made']} proposals waiting for a manager's approval"))
        locust = _stack.LocustRun(
            workdir / "locust", stack.base, args.users, args.seconds, think=(0.5, 1.5),
            run_id="faults", pairings=_stack.active_pairings(url),
        )  # fmt: skip
        since = time.time()
        locust.start()
        t0 = time.monotonic()
        outages = []

        def at(seconds):
            time.sleep(max(0.0, t0 + seconds - time.monotonic()))

        # The faults at 15 %, 25 % and 70 % of the run: (b) and (c) more than a minute apart,
        # since serve stops everything when a task worker dies 5 times within a minute, and
        # a db_worker exits on a database error (django-tasks-db), so restarts pile up.
        # (a) one gunicorn worker
        at(args.seconds * 0.15)
        workers = stack.web_workers()
        victim = workers[0]
        killed_at = time.time()
        os.kill(victim, signal.SIGKILL)
        replaced = wait_for(
            lambda: len(set(stack.web_workers()) - set(workers)) >= 1
            and len(stack.web_workers()) == len(workers),
            30,
        )  # fmt: skip
        outages.append(("gunicorn worker killed", killed_at, time.time()))
        new = sorted(set(stack.web_workers()) - set(workers))
        took = time.time() - killed_at
        outcome = f"replaced by {new} in {took:.1f} s" if replaced else "NOT replaced in 30 s"
        events.append(("a", f"SIGKILL gunicorn worker {victim} of {len(workers)}: {outcome}"))

        # (b) the db_worker in the middle of a batch
        at(args.seconds * 0.25)
        batch = django_step(stack, "batch", str(BATCH))
        ids = batch["ids"]
        sent_count = lambda: db_query(  # noqa: E731
            url,
            "SELECT count(*) FROM mentorat_notifications_notification WHERE id = ANY(%s) AND "
            "status <> 'pending'",
            (ids,),
        )[0][0]
        started = wait_for(lambda: sent_count() >= 20, 60, step=0.05)
        task_pids = stack.task_workers()
        done_before = sent_count()
        killed_at = time.time()
        for pid in task_pids:
            os.kill(pid, signal.SIGKILL)
        restarted = wait_for(lambda: set(stack.task_workers()) - set(task_pids), 30)
        outages.append(("db_worker killed", killed_at, time.time()))
        new = sorted(set(stack.task_workers()) - set(task_pids)) if restarted else "none"
        late = "" if started else " (the batch had not started within 60 s)"
        events.append((
            "b",
            f"batch of {len(ids)} notifications enqueued as one task; SIGKILL db_worker "
            f"{task_pids} when {done_before} of them had been claimed{late}; serve started "
            f"another: {new}",
        ))  # fmt: skip

        # (c) PostgreSQL stopped for a few seconds
        at(args.seconds * 0.7)
        stopped_at = time.time()
        try:
            stop = ctl("stop", "-m", "fast")
            time.sleep(OUTAGE_SECONDS)
        finally:
            start = ctl("start")
            state = ensure_running()
        back = time.time()
        healthy = wait_for(lambda: stack.health(timeout=3)[0] == 200, 60)
        outages.append(("PostgreSQL down", stopped_at, time.time()))
        said = lambda out: "ok" if out.returncode == 0 else out.stderr.strip()  # noqa: E731
        again = f"{time.time() - back:.1f} s later" if healthy else "NOT within 60 s"
        events.append((
            "c",
            f"PostgreSQL stopped ({said(stop)}) for {back - stopped_at:.1f} s, started again "
            f"({said(start)}; {state['status'] if state else '?'}); /health/ 200 {again}",
        ))  # fmt: skip

        locust.wait()

        # Let the queue drain, flush the outbox as its timer would, let it drain again.
        def settled():
            first = django_step(stack, "outbox", str(since))["counts"]
            time.sleep(3)
            return first if first == django_step(stack, "outbox", str(since))["counts"] else None

        wait_for(settled, 120, step=1)
        flushed = django_step(stack, "flush")
        wait_for(settled, 120, step=1)
        events.append((
            "outbox",
            "flushed as its 5-minute timer would once the delays have passed: "
            f"{flushed['enqueued']} pending row(s) enqueued again",
        ))  # fmt: skip
        health = stack.health()
        check = django_step(stack, "check", str(since), str(locust.ledger))
        stats = locust.stats()
        ledger = locust.ledger_rows()
    finally:
        stack.stop()
    failures = [r for r in ledger if r.get("kind") == "failure"]
    return {
        "check": check,
        "health": health,
        "stats": stats,
        "failures": failures,
        "failure_summary": locust.failures(),
        "exceptions": locust.exceptions(),
        "outages": outages,
        "since": since,
        "web_workers": len(workers),
    }


def classify(result):
    """Each failed request: in which outage, and what the person saw."""
    spans = [(name, start - 1, end + SETTLE_MARGIN) for name, start, end in result["outages"]]
    rows = []
    for failure in result["failures"]:
        during = next((name for name, a, b in spans if a <= failure["t"] <= b), None)
        rows.append({**failure, "during": during})
    return rows


def report(args, result, events):
    check = result["check"]
    failures = classify(result)
    outside = [f for f in failures if f["during"] is None]
    server_errors = [f for f in failures if f["status"] and f["status"] >= 500]
    unclear = [f for f in server_errors if not (f["outage_page"] and f["retry_after"])]
    tracebacks = [f for f in failures if f["traceback"]]
    total = result["stats"]["Aggregated"]
    notif = check["notifications"]
    lost = sum(len(check[k]["lost"]) for k in ("meeting", "message", "decision"))
    doubled = sum(len(check[k]["doubled"]) for k in ("meeting", "message", "decision"))
    health_ok = result["health"][0] == 200
    verdicts = {
        "nothing lost": lost == 0,
        "nothing doubled": doubled == 0,
        "every notification sent once or marked for review": notif["wrong_count"] == 0,
        "health back to 200": health_ok,
        "errors only during an outage": not outside,
        "every 5xx the 503 page with Retry-After, no traceback": not unclear and not tracebacks,
        "no error inside the locustfile's own tasks": not result["exceptions"],
    }
    lines = [
        "## Faults under load (issue 19)",
        "",
        f"Shape run: {args.users} simulated people for {args.seconds} s (think times "
        "0.5–1.5 s), locust headless on loopback; `python -m intranet.serve` with gunicorn "
        f"({result['web_workers']} workers x 2 threads), one db_worker, "
        "Redis, on a PostgreSQL cluster of its own; "
        f"{int(total['Request Count']):,} requests, {int(total['Failure Count'])} failed.",
        "",
        "What was done:",
        "",
        *[f"- ({key}) {text}" for key, text in events],
        "",
        "What the people were told against the database:",
        "",
        "| written | acknowledged | stored | lost | doubled | failed, not acknowledged | "
        "stored though not acknowledged |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in ("meeting", "message"):
        c = check[kind]
        lines.append(
            f"| {kind}s (unique marker each) | {c['acknowledged']} | {c['stored']} | "
            f"{len(c['lost'])} | {len(c['doubled'])} | {c['not_acknowledged']} | "
            f"{len(c['stored_though_not_acknowledged'])} |"
        )
    d = check["decision"]
    lines += [
        f"| managers' decisions | {d['acknowledged']} | — | {len(d['lost'])} | "
        f"{len(d['doubled'])} approvals logged twice | {d['not_acknowledged']} | "
        f"({d['refused_as_already_decided']} refused as already decided by another session) |",
        "",
        f"Notifications of the run: {notif['rows']} rows, "
        + ", ".join(f"{n} {s}" for s, n in sorted(notif["by_status"].items()))
        + f"; rows not sent exactly once nor marked for review: {notif['wrong_count']}"
        + (f" {notif['wrong']}" if notif["wrong"] else "")
        + f"; stuck rows whose email had in fact left before the kill: "
        f"{notif['stuck_sent_before_the_kill']} (a coordinator checks before resending); "
        f"tasks left 'RUNNING' by the killed worker: {notif['tasks_left_running']}.",
        "",
        f"Failed requests: {len(failures)} ("
        + (
            ", ".join(
                f"{sum(1 for f in failures if f['during'] == name)} during '{name}'"
                for name in dict.fromkeys(f["during"] for f in failures)
            )
            or "none"
        )
        + "); by answer: "
        + (
            ", ".join(
                f"{status}: {n}"
                for status, n in sorted(
                    _count(
                        "503 page" if f["outage_page"] else (f["status"] or "no answer")
                        for f in failures
                    ).items(),
                    key=str,
                )
            )
            or "none"
        )
        + f"; tracebacks shown: {len(tracebacks)}.",
        f"Health at the end: {result['health'][0]} {result['health'][1]}.",
        "",
        "| check | result |",
        "|---|---|",
        *[f"| {name} | {'PASS' if ok else 'FAIL'} |" for name, ok in verdicts.items()],
    ]
    if outside:
        lines += ["", "Failures outside an outage:"] + [
            f"- {f['name']} {f['status']} {f['why']} {f.get('errors') or f['body'][:120]!r}"
            for f in outside[:10]
        ]
    return lines, all(verdicts.values())


def _count(items):
    counts = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FAULTS_SECONDS", 150)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("FAULTS_USERS", 16)))
    parser.add_argument("--web", type=int, help="gunicorn workers (default: the conf's)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the files (the cluster goes)")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        _setup_django()
        print(json.dumps(STEPS[args.step[0]](*args.step[1:])))
        return 0
    if os.geteuid() != 0:
        print("faults.py creates and restarts a PostgreSQL cluster: run it as root.")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    print(f"working in {workdir}", flush=True)
    events = []
    try:
        result = run(args, workdir, events)
    finally:
        state = ensure_running()
        events.append(("end", f"cluster {state['status'] if state else 'absent'} at the end"))
        drop_cluster()
    lines, passed = report(args, result, events)
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        write_section("faults", lines)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
