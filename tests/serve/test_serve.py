"""`make serve` (python -m intranet.serve) for real: it starts, answers a page, a hashed
static file and the health endpoint on a free port, logs a person in over plain HTTP,
and Ctrl-C (SIGINT) stops gunicorn and every task worker. Each run has its own
database (a SQLite file, or a PostgreSQL database made for it), var/ and static folder,
so it touches nothing shared and runs beside the other xdist workers."""

import http.cookiejar
import json
import os
import re
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from intranet import serve
from tests.serve.helpers import BASE_DIR, PYTHON, database_url, free_port, on_postgresql

START_TIMEOUT = 300  # migrate + demo + collectstatic on a busy machine (xdist)
STOP_TIMEOUT = 60


def serve_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for name in ("SECRET_KEY", "REDIS_URL", "WEB_CONCURRENCY", "TASK_WORKERS", "BIND"):
        env.pop(name, None)
    env.update(
        PORT=str(free_port()),
        INTRANET_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        GUNICORN_THREADS="2",
    )
    env.update(extra)
    return env


def descendants(pid):
    """Every process below ``pid`` (from /proc)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate, timeout, process, log):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited ({process.returncode}) before it was ready:\n{log()}")
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"serve was not ready within {timeout} s:\n{log()}")


class Browser:
    """urllib with cookies, no redirects followed, never a proxy."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.cookies),
            NoRedirect(),
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def health(self):
        try:
            status, _headers, body = self.request("/health/")
        except OSError:
            return None
        return (status, json.loads(body)) if status in (200, 503) else None

    def cookie(self, name):
        return next((c.value for c in self.cookies if c.name == name), None)


def run_serve(tmp_path, env, check_more=None):
    """Start serve, check what a newcomer sees, stop it with SIGINT; return its log."""
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [PYTHON, "-m", "intranet.serve"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    log = lambda: log_path.read_text(errors="replace")  # noqa: E731
    pids = []
    try:
        browser = Browser(f"http://127.0.0.1:{env['PORT']}")
        status, body = wait_for(browser.health, START_TIMEOUT, process, log)
        assert (status, body) == (200, {"database": "ok", "cache": "ok", "tasks": "ok"})
        wait_for(lambda: "Press Ctrl-C to stop everything" in log(), 30, process, log)

        # A private intranet: the home page sends to the login page, which is served.
        status, headers, _ = browser.request("/")
        assert status == 302 and headers["Location"].startswith("/connexion/")
        status, headers, html = browser.request("/connexion/")
        assert status == 200, html[:500]
        stylesheet = re.search(rb'href="(/static/css/intranet\.[0-9a-f]{12}\.css)"', html)
        assert stylesheet, "the login page links the hashed stylesheet (whitenoise manifest)"
        status, headers, css = browser.request(stylesheet.group(1).decode())
        assert status == 200 and css
        assert "immutable" in headers["Cache-Control"]

        # Cookies travel over plain HTTP on loopback (serve's setting, not production's).
        token = browser.cookie("csrftoken")
        assert token
        status, headers, _ = browser.request(
            "/connexion/",
            {"username": "mentore1", "password": "mentorat-demo", "csrfmiddlewaretoken": token},
        )
        assert status == 302, log()[-3000:]
        status, _headers, html = browser.request("/mentorat/")
        assert status == 200
        assert "Amélie Pelletier".encode() in html

        if check_more:
            check_more(browser, log)
        pids = descendants(process.pid)
        assert len(pids) >= 3  # gunicorn, its workers, the task worker(s)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            for pid in descendants(process.pid):
                os.kill(pid, signal.SIGKILL)
            pytest.fail(f"serve did not stop within {STOP_TIMEOUT} s of SIGINT:\n{log()}")
    assert process.returncode == 0, log()
    assert "stopped: gunicorn and every task worker have exited." in log()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in pids if alive(pid)] == [], "processes left running"
    return log()


def test_serve_starts_serves_and_stops_on_ctrl_c_on_sqlite(tmp_path):
    env = serve_env(tmp_path)
    output = run_serve(tmp_path, env)
    assert "gunicorn: 1 worker(s) x 2 thread(s); task workers (db_worker): 1" in output
    assert f"http://127.0.0.1:{env['PORT']}/" in output
    assert "mentore1" in output  # the demo accounts are printed
    key = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "Traceback" not in output


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgresql(), reason="needs DATABASE_URL on PostgreSQL")
def test_serve_on_postgresql_with_two_web_and_two_task_workers(tmp_path):
    """The default production shape: PostgreSQL, several workers, a second start that
    finds the demo loaded."""
    import psycopg
    from psycopg import sql

    name = f"mentorat_serve_test_{uuid.uuid4().hex[:12]}"
    url = database_url(name)
    assert serve.ensure_postgres_database(url)
    try:
        env = serve_env(tmp_path, DATABASE_URL=url, WEB_CONCURRENCY="2", TASK_WORKERS="2")
        output = run_serve(tmp_path, env)
        assert "gunicorn: 2 worker(s) x 2 thread(s); task workers (db_worker): 2" in output
        assert "Building the demo intranet" in output
        again = run_serve(tmp_path, serve_env(tmp_path, DATABASE_URL=url, PORT=env["PORT"]))
        assert "already loaded: not rebuilt" in again
    finally:
        maintenance = database_url("postgres")
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.mark.parametrize("variable", ["WEB_CONCURRENCY", "TASK_WORKERS"])
def test_serve_refuses_sqlite_with_more_than_one_worker(tmp_path, variable):
    env = serve_env(tmp_path, **{variable: "2"})
    result = subprocess.run(
        [PYTHON, "-m", "intranet.serve"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"Refusing to start on SQLite with {variable}=2: SQLite lets one process write" in (
        result.stderr
    )
    assert '"database is locked"' in result.stderr
    assert "set DATABASE_URL to a PostgreSQL database" in result.stderr
    assert not (tmp_path / "serve.sqlite3").exists()  # refused before anything ran


def test_serve_refuses_a_busy_port(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run(
            [PYTHON, "-m", "intranet.serve"],
            cwd=BASE_DIR,
            env=serve_env(tmp_path, PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr


def _postgres_url(name):
    if on_postgresql():
        return database_url(name)
    return "postgres://postgres@{}:{}/{}".format(*serve.LOCAL_POSTGRES, name)


@pytest.mark.skipif(
    not serve.port_answers(*serve.LOCAL_POSTGRES), reason="needs PostgreSQL on 127.0.0.1"
)
def test_serve_creates_the_database_that_database_url_names(tmp_path):
    """DATABASE_URL naming a database not yet created: serve creates it (as for its own
    default database) instead of failing in the migration."""
    import psycopg
    from psycopg import sql

    name = f"mentorat_serve_new_{uuid.uuid4().hex[:12]}"
    url = _postgres_url(name)
    try:
        assert serve.choose_database({"DATABASE_URL": url}, tmp_path) == (url, False)
        psycopg.connect(url, connect_timeout=5).close()  # it exists now
        # A second start finds it and leaves it alone.
        assert serve.choose_database({"DATABASE_URL": url}, tmp_path) == (url, False)
    finally:
        maintenance = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_serve_refuses_a_database_url_whose_server_does_not_answer(tmp_path):
    """A closed port: one sentence naming the address, exit status 2, nothing started."""
    url = f"postgres://postgres@127.0.0.1:{free_port()}/mentorat"
    with pytest.raises(serve.Refusal, match=r"PostgreSQL at postgres(ql)? 127\.0\.0\.1:\d+/"):
        serve.choose_database({"DATABASE_URL": url}, tmp_path)
    result = subprocess.run(
        [PYTHON, "-m", "intranet.serve"],
        cwd=BASE_DIR,
        env=serve_env(tmp_path, DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "cannot be used" in result.stderr
    assert "Traceback" not in result.stderr
