"""`make serve`: the intranet's production stack on this machine, in the foreground.

    python -m intranet.serve        (what `make serve` runs)

It starts gunicorn (deploy/gunicorn.conf.py) with ``intranet.settings.production`` and
one or more ``manage.py db_worker`` processes, after it has migrated, created the cache
table if needed, collected the static files (whitenoise, hashed names) and loaded the
demo once. It prints the address and the demo accounts, restarts a task worker that
dies (waiting longer each time it dies again: a database outage must not stop the web
server), and on Ctrl-C or SIGTERM stops everything: gunicorn and the workers get SIGTERM
(they finish what they are doing), then whatever is left of their process groups gets
SIGKILL after the grace period. Each child also dies with this process if it is killed
(Linux's parent-death signal), so nothing is left running.

What it uses, from the environment (docs/en/operations/index.md):
- SECRET_KEY, else a key generated once into var/secret_key (mode 0600);
- DATABASE_URL, else PostgreSQL on 127.0.0.1:5432 if it answers (database
  ``mentorat_serve``, created if absent, user ``postgres``), else SQLite in
  var/serve.sqlite3 with one web worker and one task worker (it refuses more);
- REDIS_URL, else Redis on 127.0.0.1:6379 if it answers, for the cache and the
  sessions; without Redis the cache is a database table (or the process's memory on
  SQLite, where there is one web process);
- PORT (8000) or BIND, WEB_CONCURRENCY, GUNICORN_THREADS, TASK_WORKERS (1).

Process supervision is a few dozen lines of subprocess and signal handling here rather
than a dependency: honcho (maintained, small) would run the commands, but not restart
only the task workers, wait for the health endpoint before printing the address, or
give gunicorn its own graceful timeout before a SIGKILL.
"""

import argparse
import ctypes
import hashlib
import os
import runpy
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"
SETTINGS = "intranet.settings.production"
LOCAL_POSTGRES = ("127.0.0.1", 5432)
LOCAL_DATABASE = "mentorat_serve"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
CACHE_TABLE = "mentorat_cache"
HEALTH_PATH = "/health/"
READY_TIMEOUT = 120  # seconds for gunicorn to answer the health endpoint
RESTART_DELAY_MAX = 30  # seconds between two starts of a task worker that keeps dying


class Refusal(Exception):
    """A reason not to start, said in one sentence; exit status 2."""


def say(message):
    print(f"serve: {message}", flush=True)


def positive_int(environ, name, default):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Refusal(f"{name} must be a whole number of at least 1, not {raw!r}.")
    return int(raw)


def describe_url(url):
    """A database or Redis address without its password, for messages."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        # As dj-database-url reads it: sqlite:////abs/file is /abs/file, sqlite:///file is
        # file (relative): the path less its first slash.
        return f"SQLite {parts.path[1:] or url}"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme} {host}{port}{parts.path}"


# --- the secret key ------------------------------------------------------------------------


def local_secret_key(var_dir):
    """The key in var/secret_key, created once (mode 0600) with 50 random bytes' worth."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise Refusal(
                f"{path} can be read by other users (mode {mode:04o}): run "
                f"`chmod 600 {path}`, or set SECRET_KEY."
            ) from None
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < 50:
            raise Refusal(
                f"{path} holds no usable secret key (under 50 characters): delete it to "
                "have a new one generated, or set SECRET_KEY."
            ) from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    say(f"generated a secret key into {path} (kept for the next runs)")
    return key


# --- the database --------------------------------------------------------------------------


def port_answers(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_postgres_database(url):
    """Create the database that ``url`` names on its server if it is absent. Returns
    whether it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone():
            return False
        try:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False  # another process created it meanwhile
    return True


def choose_database(environ, var_dir):
    """(DATABASE_URL, is SQLite)."""
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        if port_answers(*LOCAL_POSTGRES):
            url = "postgres://postgres@{}:{}/{}".format(*LOCAL_POSTGRES, LOCAL_DATABASE)
            try:
                if ensure_postgres_database(url):
                    say(f"created the PostgreSQL database {LOCAL_DATABASE}")
            except Exception as error:  # psycopg's errors: authentication, permissions
                say(
                    f"PostgreSQL answers on 127.0.0.1:5432 but the database {LOCAL_DATABASE} "
                    f"could not be used as user postgres ({type(error).__name__}); using "
                    "SQLite instead. Set DATABASE_URL to use PostgreSQL."
                )
                url = ""
        else:
            say("PostgreSQL does not answer on 127.0.0.1:5432: using SQLite.")
        if not url:
            url = f"sqlite:///{var_dir / 'serve.sqlite3'}"
    elif urlsplit(url).scheme.startswith("postgres"):
        check_postgres_database(url)
    return url, urlsplit(url).scheme.startswith("sqlite")


def check_postgres_database(url):
    """DATABASE_URL names a PostgreSQL database: connect to it, create it if it is absent
    and its user may, and otherwise refuse with the reason (rather than a migration's
    traceback)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    try:
        psycopg.connect(url, connect_timeout=5).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error) or f'"{name}"' not in str(error):
            raise Refusal(
                f"PostgreSQL at {describe_url(url)} cannot be used: "
                f"{str(error).strip().splitlines()[-1]}"
            ) from None
    try:
        ensure_postgres_database(url)
    except psycopg.Error as error:
        raise Refusal(
            f"the database {name} does not exist at {describe_url(url)} and could not be "
            f"created ({str(error).strip().splitlines()[-1]}); create it (createdb {name}) "
            "or set DATABASE_URL to one that exists."
        ) from None
    say(f"created the PostgreSQL database {name}")


# --- the cache -----------------------------------------------------------------------------


def redis_answers(url):
    try:
        import redis
    except ImportError:
        return False
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


def choose_cache(environ, sqlite):
    """The environment variables that pick the cache: REDIS_URL or DATABASE_CACHE_TABLE
    (or neither: each process's memory, on SQLite only)."""
    url = environ.get("REDIS_URL", "").strip()
    if url:
        if not redis_answers(url):
            raise Refusal(
                f"Redis does not answer at REDIS_URL ({describe_url(url)}): start it, or "
                "unset REDIS_URL to keep the cache in the database."
            )
        return {"REDIS_URL": url}
    if redis_answers(LOCAL_REDIS):
        return {"REDIS_URL": LOCAL_REDIS}
    if sqlite:
        say(
            "Redis does not answer on 127.0.0.1:6379: the cache stays in the memory of the "
            "one web process, and the sessions in the database."
        )
        return {}
    say(
        "Redis does not answer on 127.0.0.1:6379: the cache goes to a database table "
        f"({CACHE_TABLE}) and the sessions to the database. Set REDIS_URL to use Redis."
    )
    return {"DATABASE_CACHE_TABLE": CACHE_TABLE}


# --- the plan ------------------------------------------------------------------------------


def configure(environ):
    """Decide everything before anything starts: (the children's environment, the number
    of task workers). Raises Refusal."""
    env = dict(environ)
    var_dir = Path(env.get("INTRANET_VAR_DIR") or BASE_DIR / "var").resolve()
    env["INTRANET_VAR_DIR"] = str(var_dir)
    port = positive_int(env, "PORT", 8000)
    if port > 65535:
        raise Refusal(f"PORT must be a port number (1 to 65535), not {port}.")
    env["PORT"] = str(port)
    web = positive_int(env, "WEB_CONCURRENCY", None)
    positive_int(env, "GUNICORN_THREADS", None)
    tasks = positive_int(env, "TASK_WORKERS", 1)

    url, sqlite = choose_database(env, var_dir)
    if sqlite:
        asked = [f"{name}={value}" for name, value in (("WEB_CONCURRENCY", web),
                 ("TASK_WORKERS", tasks)) if value and value > 1]  # fmt: skip
        if asked:
            raise Refusal(
                f"Refusing to start on SQLite with {' and '.join(asked)}: SQLite lets one "
                "process write at a time, so a second web or task worker fails with "
                '"database is locked" (seen with two db_worker processes). Run one of each '
                "(unset them), or set DATABASE_URL to a PostgreSQL database."
            )
        web = 1
    env["DATABASE_URL"] = url
    if web:
        env["WEB_CONCURRENCY"] = str(web)
    env.pop("DATABASE_CACHE_TABLE", None)
    env.update(choose_cache(env, sqlite))
    # A stack's cache keys never meet another's on a shared Redis (another database).
    digest = hashlib.sha256(describe_url(url).encode()).hexdigest()[:10]
    env.setdefault("CACHE_KEY_PREFIX", f"mentorat-{digest}")
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = local_secret_key(var_dir)

    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    env["PYTHONUNBUFFERED"] = "1"
    # Plain HTTP on loopback: no redirect to HTTPS and cookies that travel over HTTP.
    # Only here; the production settings keep them on.
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env.setdefault(name, "0")
    env.setdefault("WAGTAILADMIN_BASE_URL", f"http://127.0.0.1:{port}")
    # A trial has no mail server: each email is a file in var/mail/, as in `make run`.
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    env.setdefault("CONN_MAX_AGE", "60")
    return env, tasks


def gunicorn_settings(env):
    """The values deploy/gunicorn.conf.py computes for this environment."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return runpy.run_path(str(GUNICORN_CONF))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def tcp_address(bind):
    """(host, port) of a gunicorn bind address, or None for a Unix socket."""
    if bind.startswith("unix:") or bind.startswith("fd://"):
        return None
    host, _sep, port = bind.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def refuse_busy_port(address):
    if address is None:
        return
    host, port = address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise Refusal(
                f"Port {port} on {host} is already in use: stop what listens there, or "
                f"choose another port (make serve PORT={port + 1})."
            ) from None


# --- the processes -------------------------------------------------------------------------


def _parent_death_signal():
    """preexec_fn: SIGTERM this child when serve dies, even by SIGKILL (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    parent = os.getpid()

    def arm():
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # serve died before prctl
            os.kill(os.getpid(), signal.SIGTERM)

    return arm if sys.platform.startswith("linux") else None


class Child:
    def __init__(self, name, argv, env):
        self.name, self.argv, self.env = name, argv, env
        self.process = None
        self.starts = []
        self.failures = 0
        self.restart_at = None

    def start(self, preexec):
        self.starts.append(time.monotonic())
        # Its own session: a Ctrl-C in the terminal reaches serve alone, which stops the
        # children in order; the process group holds gunicorn's workers too.
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            self.argv, env=self.env, cwd=BASE_DIR, start_new_session=True, preexec_fn=preexec
        )

    def poll(self):
        return None if self.process is None else self.process.poll()

    def signal_group(self, signum):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


class Supervisor:
    def __init__(self):
        self.stop_requested = False
        self.force = False
        self.preexec = _parent_death_signal()

    def on_signal(self, signum, _frame):
        if self.stop_requested:
            self.force = True
            return
        self.stop_requested = True
        say(f"{signal.Signals(signum).name} received: stopping everything.")

    def install(self):
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.on_signal)

    def run_to_end(self, child):
        """Run a one-off step; None if a stop was asked meanwhile."""
        child.start(self.preexec)
        while (code := child.poll()) is None:
            if self.stop_requested:
                self.stop([child], grace=10)
                return None
            time.sleep(0.2)
        return code

    def stop(self, children, grace):
        for child in children:
            if child.poll() is None:
                child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(c.poll() is None for c in children) and time.monotonic() < deadline:
            if self.force:
                break
            time.sleep(0.1)
        for child in children:
            # Whatever is left in its group (a gunicorn worker whose master is gone).
            child.signal_group(signal.SIGKILL)
            if child.process is not None:
                try:
                    child.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    say(f"{child.name} (pid {child.process.pid}) did not stop after SIGKILL.")


def wait_until_ready(supervisor, web, address, timeout=READY_TIMEOUT):
    """Whether the health endpoint said 200 before gunicorn died or a stop was asked."""
    if address is None:
        return True
    host, port = address
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}{HEALTH_PATH}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if supervisor.stop_requested or web.poll() is not None:
            return False
        try:
            with opener.open(url, timeout=3) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    say(f"gunicorn did not answer {url} with 200 within {timeout} s.")
    return False


def serve(environ):
    try:
        env, task_count = configure(environ)
        conf = gunicorn_settings(env)
        address = tcp_address(conf["bind"][0])
        refuse_busy_port(address)
    except Refusal as refusal:
        print(f"serve: {refusal}", file=sys.stderr, flush=True)
        return 2

    supervisor = Supervisor()
    supervisor.install()
    python = sys.executable
    prepare = Child("prepare", [python, "-m", "intranet.serve", "--prepare"], env)
    code = supervisor.run_to_end(prepare)
    if code is None:
        return 0
    if code != 0:
        say(f"preparing the database and static files failed (exit status {code}).")
        return code

    web = Child(
        "gunicorn",
        [python, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "intranet.wsgi:application"],
        env,
    )
    workers = [
        Child(f"task worker {i}", [python, "manage.py", "db_worker", "--skip-checks"], env)
        for i in range(1, task_count + 1)
    ]
    children = [web, *workers]
    status = 0
    try:
        for child in children:
            child.start(supervisor.preexec)
        if not wait_until_ready(supervisor, web, address):
            if not supervisor.stop_requested:
                code = web.poll()
                if code is not None:
                    say(f"gunicorn exited before answering (status {code}): see its errors above.")
                status = 1
        else:
            print_banner(env, conf, address, task_count)
        while not supervisor.stop_requested and status == 0:
            time.sleep(0.3)
            code = web.poll()
            if code is not None:
                say(f"gunicorn stopped on its own (exit status {code}): stopping everything.")
                status = 1
                break
            now = time.monotonic()
            for worker in workers:
                if worker.restart_at is not None:
                    if now >= worker.restart_at:
                        worker.restart_at = None
                        worker.start(supervisor.preexec)
                    continue
                code = worker.poll()
                if code is None:
                    continue
                # A database outage kills the workers again and again: wait longer each
                # time (1 s, 2 s, 4 s… 30 s), and never stop the web server for it.
                ran = now - worker.starts[-1]
                worker.failures = 1 if ran > 60 else worker.failures + 1
                delay = min(RESTART_DELAY_MAX, 2 ** (worker.failures - 1))
                say(f"{worker.name} exited (status {code}): starting it again in {delay} s.")
                worker.restart_at = now + delay
    finally:
        supervisor.stop(children, grace=int(conf["graceful_timeout"]) + 5)
        say("stopped: gunicorn and every task worker have exited.")
    return status


def print_banner(env, conf, address, task_count):
    if address is None:
        where = conf["bind"][0]
    else:
        host, port = address
        shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
        where = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"
    cache = (
        f"Redis {describe_url(env['REDIS_URL'])}"
        if env.get("REDIS_URL")
        else ("a database table" if env.get("DATABASE_CACHE_TABLE") else "process memory")
    )
    mail = env["EMAIL_BACKEND"]
    if mail.endswith("filebased.EmailBackend"):
        mail = f"written to {Path(env['INTRANET_VAR_DIR']) / 'mail'}"
    lines = [
        "",
        f"The intranet is served on {where} (Wagtail admin: {where}admin/, health: "
        f"{where}{HEALTH_PATH.lstrip('/')})",
        f"  gunicorn: {conf['workers']} worker(s) x {conf['threads']} thread(s); "
        f"task workers (db_worker): {task_count}",
        f"  database: {describe_url(env['DATABASE_URL'])}; cache: {cache}; mail: {mail}",
        "  Log in with a demo account listed above. Press Ctrl-C to stop everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


# --- the one-off step before the processes start ---------------------------------------------


def prepare():
    """Check, migrate, create the cache table, collect the static files, load the demo once.

    The demo is built with immediate tasks, as `make run` builds it: its search-index and
    email tasks run during the build instead of flooding the task queue at the first
    start (and none is left about a row the build created and removed meanwhile).
    """
    mail_to_files = os.environ.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    import django

    django.setup()
    from django.core import checks
    from django.core.management import call_command
    from django.db import transaction

    # W001 (immediate tasks) is this step's own setting, not the servers'; W003 (mail to
    # files) is what `make serve` chose for a trial, said in its banner.
    expected = {"wagtail_mentorat.W001"} | ({"wagtail_mentorat.W003"} if mail_to_files else set())
    found = [m for m in checks.run_checks() if m.id not in expected and not m.is_silenced()]
    for message in found:
        print(message, file=sys.stderr)
    if any(m.is_serious() for m in found):
        say("the system checks above found errors: fix them, then start again.")
        return 1
    say("migrating the database…")
    call_command("migrate", interactive=False, verbosity=0)
    if os.environ.get("DATABASE_CACHE_TABLE"):
        call_command("createcachetable", verbosity=0)
    say("collecting the static files…")
    call_command("collectstatic", interactive=False, verbosity=0)
    # In one transaction: a build interrupted half-way leaves nothing, so "loaded"
    # (the accounts and the home page exist) means loaded completely.
    with transaction.atomic():
        call_command("mentorat_demo", port=os.environ.get("PORT", "8000"), once=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m intranet.serve",
        description="The intranet's production stack on this machine (make serve).",
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare()
    return serve(os.environ)


if __name__ == "__main__":
    sys.exit(main())
