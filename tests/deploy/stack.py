"""The files of deploy/ run for real: the env file, the systemd units' commands, nginx.

Each helper reads the shipped file and changes only what a test machine must change
(paths, ports), by literal replacement of values the file must contain, so the file
cannot drift away from what is tested.
"""

import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
NGINX_SITE = DEPLOY / "nginx" / "mentorat.conf"
ENV_EXAMPLE = DEPLOY / "env.example"

# What the shipped files assume (docs/en/operations/server.md).
INSTALL_DIR = "/srv/mentorat"
ENV_FILE = "/etc/mentorat/env"
HOST = "intranet.example.org"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary():
    """Debian's nginx; the test fails without it, as the browser tests do without chromium."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        pytest.fail(
            "Debian's nginx is missing: `apt-get install nginx` (.ci/run installs it). "
            "tests/deploy runs deploy/nginx/mentorat.conf for real."
        )
    return found


# --- the environment file ------------------------------------------------------------


ENV_LINE = re.compile(r"^(#)?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def read_env_file(text):
    """{name: value} of the set lines, as systemd's EnvironmentFile= reads them."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def env_example_names():
    """Every name env.example sets or shows commented out (optional)."""
    names = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            names[match.group(2)] = not match.group(1)  # True: set, False: optional
    return names


def render_env_file(overrides):
    """env.example with the given values replaced (each name must already be there)."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    todo = dict(overrides)
    for index, line in enumerate(lines):
        match = ENV_LINE.match(line.strip())
        if match and match.group(2) in todo:
            lines[index] = f"{match.group(2)}={todo.pop(match.group(2))}"
    assert not todo, f"not in deploy/env.example: {sorted(todo)}"
    return "\n".join(lines) + "\n"


# --- systemd units ---------------------------------------------------------------------


def read_unit(path):
    """[(section, key, value)] of a unit file, in order (keys may repeat)."""
    entries = []
    section = None
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        entries.append((section, key.strip(), value.strip()))
    return entries


def unit_values(path, section, key):
    return [value for sec, name, value in read_unit(path) if sec == section and name == key]


def render_unit_text(path, env_file):
    text = Path(path).read_text()
    assert path.suffix == ".timer" or INSTALL_DIR in text, f"{path.name}: not in {INSTALL_DIR}"
    return text.replace(INSTALL_DIR, str(ROOT)).replace(ENV_FILE, str(env_file))


def unit_command(path, env_file, instance="1"):
    """The unit's ExecStart as argv, for this checkout and this env file."""
    (exec_start,) = unit_values(path, "Service", "ExecStart")
    command = exec_start.replace(INSTALL_DIR, str(ROOT))
    command = command.replace("%i", instance).replace("%l", socket.gethostname().split(".")[0])
    assert "%" not in command, f"unexpected specifier in {exec_start!r}"
    return shlex.split(command)


def unit_environment(path, env_file):
    """The environment systemd gives the unit's command: Environment=, then the file."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(Path(env_file).parent),
    }
    for value in unit_values(path, "Service", "Environment"):
        for assignment in shlex.split(value):
            name, _, val = assignment.partition("=")
            env[name] = val
    (declared,) = unit_values(path, "Service", "EnvironmentFile")
    assert declared.lstrip("-") == ENV_FILE
    env.update(read_env_file(Path(env_file).read_text()))
    return env


def working_directory(path):
    (directory,) = unit_values(path, "Service", "WorkingDirectory")
    assert directory == INSTALL_DIR
    return ROOT


# --- the database a test stack uses -------------------------------------------------------


class Database:
    """A throwaway SQLite file, or a PostgreSQL database of its own when the suite runs
    on PostgreSQL (DATABASE_URL)."""

    def __init__(self, directory):
        base = os.environ.get("DATABASE_URL", "")
        self.postgres = base.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(base)
            self.name = f"mentorat_deploy_{uuid.uuid4().hex[:12]}"
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        else:
            self.path = Path(directory) / "db.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def create(self):
        if self.postgres:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def rows(self, sql):
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url, connect_timeout=10) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.path, timeout=20) as conn:
            return conn.execute(sql).fetchall()


# --- processes -----------------------------------------------------------------------------


def run(argv, env, cwd=ROOT, timeout=300):
    result = subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{shlex.join(argv)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result


def start(argv, env, log_path, cwd=ROOT):
    log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    process.log_path = log_path
    return process


def stop(process, sig=signal.SIGTERM, timeout=20):
    """Stop the process (its group: gunicorn's and nginx's workers too); its exit code."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()
    return process.returncode


def log_of(process):
    process.log.flush()
    return Path(process.log_path).read_text(errors="replace")


def wait_for_port(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"exited {process.returncode} before listening:\n{log_of(process)}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {timeout} s:\n{log_of(process)}")


# --- nginx ---------------------------------------------------------------------------------

# The shipped site file's values a test replaces; each must be in the file.
NGINX_UPSTREAM = "server 127.0.0.1:8000;"
NGINX_TLS_DIR = "/etc/ssl/mentorat/"
NGINX_MEDIA_DIR = "/var/lib/mentorat/media/"
NGINX_CACHE_DIR = "/var/cache/nginx/mentorat"


def render_nginx_site(*, http_port, https_port, upstream_port, tls_dir, media_dir, cache_dir):
    """deploy/nginx/mentorat.conf for this machine: ports on 127.0.0.1 (no IPv6 listen
    lines: a test machine may have none), certificate, media and cache paths in tmp."""
    text = NGINX_SITE.read_text()
    replacements = {
        NGINX_UPSTREAM: f"server 127.0.0.1:{upstream_port};",
        NGINX_TLS_DIR: f"{tls_dir}/",
        NGINX_MEDIA_DIR: f"{media_dir}/",
        NGINX_CACHE_DIR: str(cache_dir),
    }
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in {NGINX_SITE.name}: update tests/deploy"
        text = text.replace(old, new)
    text, ipv6 = re.subn(r"(?m)^(\s*)listen \[::\]:.*$", r"\1# (IPv6 listen line left out)", text)
    text, http = re.subn(r"(?m)^(\s*)listen 80\b", rf"\1listen 127.0.0.1:{http_port}", text)
    text, https = re.subn(r"(?m)^(\s*)listen 443\b", rf"\1listen 127.0.0.1:{https_port}", text)
    assert ipv6 and http and https, "the site file's listen lines changed: update tests/deploy"
    return text


def nginx_main_conf(directory, site_path):
    """The main nginx.conf Debian ships, reduced to what the site file needs, with every
    path in ``directory`` so that nginx runs without touching /var or /run."""
    directory = Path(directory)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    # As Debian's /etc/nginx/nginx.conf has them: the site file must override them.
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {directory}/access.log;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {site_path};
}}
"""


def self_signed_certificate(directory, host=HOST):
    """fullchain.pem and privkey.pem for ``host`` (openssl), as certbot names them."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", f"/CN={host}",
            "-addext", f"subjectAltName=DNS:{host}",
            "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return directory / "fullchain.pem"
