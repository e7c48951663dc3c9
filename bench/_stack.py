"""The production stack (`python -m intranet.serve`) and a headless locust run, for the load
and fault benchmarks (bench/load.py, bench/faults.py) and the load smoke test
(tests/bench_smoke/). Loopback only; every process started here is stopped here.

Nothing here changes intranet.serve: it is driven through the environment variables it
reads (PORT, DATABASE_URL, INTRANET_VAR_DIR, STATIC_ROOT, WEB_CONCURRENCY,
GUNICORN_THREADS, TASK_WORKERS).
"""

import csv
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cores():
    return len(os.sched_getaffinity(0))


# --- PostgreSQL databases of our own -------------------------------------------------------


def postgres_url(name, base=None):
    """``base`` (a postgres:// URL, by default the local server as user postgres) naming
    the database ``name`` instead."""
    base = base or "postgres://postgres@127.0.0.1:5432/postgres"
    return urlsplit(base)._replace(path=f"/{name}").geturl()


def _maintenance(url):
    import psycopg

    return psycopg.connect(
        urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=10
    )


def recreate_database(url, template=None):
    """Drop the database ``url`` names (if any) and create it empty, or as a copy of
    ``template`` (a database name on the same server)."""
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))  # fmt: skip
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        connection.execute(query)


def drop_database(url):
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))  # fmt: skip


def active_pairings(url):
    """{username: [pairing id, when it began (epoch seconds)]} of the members of the active
    individual pairings at the start of a run: a meeting is logged between the pairing's
    start and now (the demo dates some pairings from the moment it was built)."""
    query = (
        "SELECT u.username, p.id, p.assigned_at FROM wagtail_mentorat_pairing p"
        " JOIN wagtail_mentorat_pairingmember m ON m.pairing_id = p.id"
        " JOIN auth_user u ON u.id = m.user_id"
        " WHERE p.state = 'active' AND p.kind = 'individual' ORDER BY p.id, u.username"
    )
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(urlsplit(url).path) as connection:
            rows = connection.execute(query).fetchall()
    else:
        import psycopg

        with psycopg.connect(url, connect_timeout=10) as connection:
            rows = connection.execute(query).fetchall()
    found = {}
    for username, pk, assigned_at in rows:
        if isinstance(assigned_at, str):  # SQLite
            assigned_at = datetime.datetime.fromisoformat(assigned_at)
        if assigned_at.tzinfo is None:
            assigned_at = assigned_at.replace(tzinfo=datetime.UTC)
        found.setdefault(username, [pk, assigned_at.timestamp()])
    return found


# --- processes -----------------------------------------------------------------------------


def children_of():
    """{parent pid: [child pids]} from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def descendants(pid):
    tree, found, todo = children_of(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cpu_seconds(pid, children=False):
    """utime + stime of ``pid`` (and, with ``children``, of its children it has reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def machine_cpu_seconds():
    """(busy, total) CPU-seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def memory_mb(pid):
    """(RSS, PSS) in MB: PSS shares the pages a forked worker shares with its siblings."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        return None
    return rss / 1024, pss / 1024


def get(url, timeout=5):
    """(status, body) of a GET on loopback, never through a proxy; (None, error) if none."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        return None, str(error).encode()


class Stack:
    """`python -m intranet.serve` on a free port, with its own var/static directories and
    database. ``with Stack(...) as stack:`` waits for /health/ 200 and stops it (SIGINT,
    as Ctrl-C) on the way out, then kills whatever is left of its process group."""

    START_TIMEOUT = 400
    STOP_TIMEOUT = 60

    def __init__(self, workdir, database_url, web=None, threads=None, tasks=None, extra=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        for name in ("SECRET_KEY", "WEB_CONCURRENCY", "GUNICORN_THREADS", "TASK_WORKERS",
                     "BIND", "CACHE_KEY_PREFIX"):  # fmt: skip
            env.pop(name, None)
        env.update(
            PORT=str(self.port),
            DATABASE_URL=database_url,
            INTRANET_VAR_DIR=str(self.workdir / "var"),
            STATIC_ROOT=str(self.workdir / "static"),
            MEDIA_ROOT=str(self.workdir / "media"),
            # Mail as files (EMAIL_FILE_PATH is var/mail): what was sent, across processes.
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        )
        for name, value in (("WEB_CONCURRENCY", web), ("GUNICORN_THREADS", threads),
                            ("TASK_WORKERS", tasks)):  # fmt: skip
            if value:
                env[name] = str(value)
        env.update(extra or {})
        self.env = env
        self.database_url = database_url
        self.log_path = self.workdir / "serve.log"
        self.mail_dir = self.workdir / "var" / "mail"
        self.process = None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                [PYTHON, "-m", "intranet.serve"],
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited ({self.process.returncode}):\n{self.log()}")
            if self.health()[0] == 200 and "Press Ctrl-C" in self.log():
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"serve did not answer /health/ within {self.START_TIMEOUT} s")

    def stop(self):
        if self.process is None:
            return
        pids = descendants(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=self.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in pids:  # nothing of ours is left running, whatever happened
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process = None

    def health(self, timeout=5):
        status, body = get(self.base + "/health/", timeout=timeout)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body[:200]

    # The processes under serve: gunicorn's master, its workers, the db_worker processes.
    def gunicorn_master(self):
        for pid in children_of().get(self.process.pid, []):
            if "gunicorn" in cmdline(pid):
                return pid
        return None

    def web_workers(self):
        master = self.gunicorn_master()
        return [p for p in children_of().get(master, []) if alive(p)] if master else []

    def task_workers(self):
        return [
            p
            for p in children_of().get(self.process.pid, [])
            if "db_worker" in cmdline(p) and alive(p)
        ]

    def web_cpu_seconds(self):
        """CPU used by gunicorn so far: master (with the workers it reaped) and live workers."""
        master = self.gunicorn_master()
        if master is None:
            return 0.0
        return cpu_seconds(master, children=True) + sum(cpu_seconds(p) for p in self.web_workers())

    def mail_message_ids(self):
        """{Message-ID: copies} over every email written to var/mail so far."""
        counts = {}
        if not self.mail_dir.exists():
            return counts
        for path in self.mail_dir.iterdir():
            for line in path.read_text(errors="replace").splitlines():
                if line.lower().startswith("message-id:"):
                    key = line.split(":", 1)[1].strip()
                    counts[key] = counts.get(key, 0) + 1
        return counts


def django_env(stack):
    """Environment for a Django process (manage.py, a script) on the stack's database."""
    env = dict(stack.env)
    env["DJANGO_SETTINGS_MODULE"] = "intranet.settings.production"
    env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    env.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env[name] = "0"
    return env


# --- locust --------------------------------------------------------------------------------


class LocustRun:
    """One headless locust run (a subprocess: locust patches the standard library with
    gevent, which the caller's process must not get) against ``host``.

    With ``measure``, every simulated person logs in first and the statistics cover the
    ``seconds`` that follow the last first login (bench/locustfile.py); otherwise they
    cover the whole run of ``seconds``, logins included."""

    # Time allowed for every first login before the measured window (PBKDF2 on 2 cores).
    LOGIN_BUDGET = 180

    def __init__(self, workdir, host, users, seconds, *, think=(0.5, 1.5), run_id="load",
                 classes=None, spawn_rate=None, measure=False, pairings=None,
                 every_page=False):  # fmt: skip
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host, self.users, self.seconds = host, users, seconds
        self.think, self.run_id, self.classes = think, run_id, classes or []
        self.spawn_rate = spawn_rate or max(1, users // 5)
        self.prefix = self.workdir / f"locust-{run_id}"
        self.ledger = self.workdir / f"ledger-{run_id}.jsonl"
        self.measure = measure
        self.pairings = pairings
        self.every_page = every_page
        self.limit = seconds + (self.LOGIN_BUDGET if measure else 0)
        self.process = None
        self.started = None

    def start(self):
        env = dict(os.environ)
        env.update(
            LOAD_LEDGER=str(self.ledger),
            LOAD_RUN_ID=self.run_id,
            LOAD_THINK_MIN=str(self.think[0]),
            LOAD_THINK_MAX=str(self.think[1]),
            LOAD_MEASURE_SECONDS=str(self.seconds if self.measure else 0),
        )
        if self.pairings:
            env["LOAD_PAIRINGS"] = json.dumps(self.pairings)
        if self.every_page:
            env["LOAD_EVERY_PAGE"] = "1"
        argv = [
            PYTHON, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", self.host,
            "-u", str(self.users), "-r", str(self.spawn_rate), "-t", f"{self.limit}s",
            "--stop-timeout", "15", "--csv", str(self.prefix), "--only-summary",
            "--loglevel", "WARNING", "--exit-code-on-error", "0", *self.classes,
        ]  # fmt: skip
        self.log_path = self.workdir / f"locust-{self.run_id}.log"
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                argv, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.started = time.monotonic()

    def wait(self):
        try:
            code = self.process.wait(timeout=self.limit + 90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise RuntimeError("locust did not stop in time") from None
        self.elapsed = time.monotonic() - self.started
        if code != 0:
            raise RuntimeError(f"locust exited {code}:\n{self.log_path.read_text()[-3000:]}")
        return self

    def run(self):
        self.start()
        return self.wait()

    def wait_measuring(self):
        """Block until the measured window begins (True), or locust ends first (False)."""
        while self.process.poll() is None:
            if any(row.get("kind") == "measure_start" for row in self.ledger_rows()):
                return True
            time.sleep(0.5)
        return False

    def window(self):
        """(seconds the statistics cover, the logins' own figures or None)."""
        rows = self.ledger_rows()
        marks = {row["kind"]: row for row in rows if row.get("kind") in
                 ("measure_start", "measure_end", "logins")}  # fmt: skip
        if "measure_start" in marks and "measure_end" in marks:
            return marks["measure_end"]["t"] - marks["measure_start"]["t"], marks.get("logins")
        return self.elapsed, None

    def stats(self):
        """{name: row} of locust's stats CSV (the "Aggregated" row included)."""
        with open(f"{self.prefix}_stats.csv", newline="") as file:
            return {row["Name"]: row for row in csv.DictReader(file)}

    def failures(self):
        path = Path(f"{self.prefix}_failures.csv")
        if not path.exists():
            return []
        with open(path, newline="") as file:
            return list(csv.DictReader(file))

    def exceptions(self):
        """Errors raised inside the locustfile's tasks (a bug of ours, not the server's)."""
        path = Path(f"{self.prefix}_exceptions.csv")
        if not path.exists():
            return []
        with open(path, newline="") as file:
            return list(csv.DictReader(file))

    def ledger_rows(self):
        if not self.ledger.exists():
            return []
        return [json.loads(line) for line in self.ledger.read_text().splitlines() if line]
