"""The production settings stay strict (check --deploy: zero warnings, none silenced) while
`make serve` turns off HTTPS-only behaviour through the environment for loopback alone;
serve's decisions that need no process (secret key, addresses, refusals)."""

import io
import json
import os
import stat
import subprocess

import pytest
from django.core.management import call_command

from intranet import serve
from tests.serve.helpers import BASE_DIR, PYTHON, free_port

CI_ENV = {  # what .ci/run gives `check --deploy`
    "DJANGO_SETTINGS_MODULE": "intranet.settings.production",
    "SECRET_KEY": "ci-only-" + "0123456789abcdef" * 4,
    "ALLOWED_HOSTS": "intranet.example.org",
    "WAGTAILADMIN_BASE_URL": "https://intranet.example.org",
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
}

SHOW = """
import json
from django.conf import settings
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
middleware = SecurityMiddleware(lambda request: None)
requests = {path: RequestFactory().get(path, HTTP_HOST="intranet.example.org")
            for path in ("/", "/health/")}
redirects = {path: getattr(middleware.process_request(request), "status_code", None)
             for path, request in requests.items()}
database = settings.DATABASES["default"]
print(json.dumps({
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "session_engine": settings.SESSION_ENGINE,
    "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1],
    "key_prefix": settings.CACHES["default"].get("KEY_PREFIX", ""),
    "options": database.get("OPTIONS", {}),
    "health_checks": database["CONN_HEALTH_CHECKS"],
    "redirects": redirects,
}))
"""


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "DATABASE_CACHE_TABLE",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_ENGINE",
        "CACHE_KEY_PREFIX",
    ):
        env.pop(name, None)
    env.update(CI_ENV)
    env.update(extra)
    return env


def _manage(*args, env):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(**extra):
    result = _manage("shell", "-c", SHOW, env=_env(**extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "extra",
    [{}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}, {"DATABASE_CACHE_TABLE": "mentorat_cache"}],
)
def test_check_deploy_has_zero_warnings_with_the_ci_environment(extra):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_env(**extra))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_keeps_https_on_unless_the_environment_says_otherwise():
    strict = _settings()
    assert strict["ssl_redirect"] and strict["session_cookie_secure"]
    assert strict["csrf_cookie_secure"]
    # A load balancer's plain-HTTP probe of the health endpoint is not redirected.
    assert strict["redirects"] == {"/": 301, "/health/": None}
    assert strict["health_checks"] is True
    # SQLite: write transactions take the lock at once and wait for it.
    assert strict["options"]["transaction_mode"] == "IMMEDIATE"
    assert strict["options"]["timeout"] == 20
    assert "journal_mode=WAL" in strict["options"]["init_command"]
    assert strict["session_engine"] == "django.contrib.sessions.backends.db"
    loopback = _settings(SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0")
    assert not loopback["ssl_redirect"]
    assert not loopback["session_cookie_secure"] and not loopback["csrf_cookie_secure"]


def test_the_cache_and_sessions_follow_redis_or_the_database_table():
    redis = _settings(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX="site-a")
    assert redis["cache"] == "RedisCache" and redis["key_prefix"] == "site-a"
    assert redis["session_engine"] == "django.contrib.sessions.backends.cached_db"
    table = _settings(DATABASE_CACHE_TABLE="mentorat_cache")
    assert table["cache"] == "DatabaseCache"
    assert table["session_engine"] == "django.contrib.sessions.backends.db"
    assert _settings()["cache"] == "LocMemCache"


# --- serve's decisions, without starting anything ---------------------------------------


def test_the_local_secret_key_is_made_once_and_kept_private(tmp_path):
    key = serve.local_secret_key(tmp_path / "var")
    path = tmp_path / "var" / "secret_key"
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert serve.local_secret_key(tmp_path / "var") == key
    path.chmod(0o644)
    with pytest.raises(serve.Refusal, match="can be read by other users.*chmod 600"):
        serve.local_secret_key(tmp_path / "var")


def test_serve_uses_the_given_secret_and_database_and_turns_https_off_for_loopback(tmp_path):
    env, tasks = serve.configure(
        {
            "INTRANET_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SECRET_KEY": "given-" + "k" * 50,
            "PORT": "8123",
            "SECURE_SSL_REDIRECT": "1",  # an explicit choice wins
        }
    )
    assert tasks == 1
    assert env["SECRET_KEY"] == "given-" + "k" * 50
    assert not (tmp_path / "secret_key").exists()
    assert env["WEB_CONCURRENCY"] == "1"  # SQLite: one web worker
    assert env["DJANGO_SETTINGS_MODULE"] == "intranet.settings.production"
    assert env["TASKS_BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert env["SECURE_SSL_REDIRECT"] == "1"
    assert env["SESSION_COOKIE_SECURE"] == env["CSRF_COOKIE_SECURE"] == "0"
    assert env["WAGTAILADMIN_BASE_URL"] == "http://127.0.0.1:8123"
    assert env["CACHE_KEY_PREFIX"].startswith("mentorat-")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WEB_CONCURRENCY": "zero"}, "WEB_CONCURRENCY must be a whole number of at least 1"),
        ({"TASK_WORKERS": "0"}, "TASK_WORKERS must be a whole number of at least 1"),
        ({"PORT": "70000"}, "PORT must be a port number"),
        ({"WEB_CONCURRENCY": "3"}, "Refusing to start on SQLite with WEB_CONCURRENCY=3"),
    ],
)
def test_serve_refuses_bad_values_with_a_sentence(tmp_path, environ, message):
    base = {"INTRANET_VAR_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///x.sqlite3"}
    with pytest.raises(serve.Refusal, match=message):
        serve.configure({**base, **environ})


def test_without_redis_the_cache_goes_to_a_table_or_the_one_process(monkeypatch):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    monkeypatch.setattr(serve, "LOCAL_REDIS", closed)
    assert serve.choose_cache({}, sqlite=False) == {"DATABASE_CACHE_TABLE": "mentorat_cache"}
    assert serve.choose_cache({}, sqlite=True) == {}
    with pytest.raises(serve.Refusal, match="Redis does not answer at REDIS_URL"):
        serve.choose_cache({"REDIS_URL": closed}, sqlite=False)


def test_addresses_are_shown_without_their_password():
    shown = serve.describe_url("postgres://app:s3cret@db.example:5432/mentorat")
    assert shown == "postgres db.example:5432/mentorat"
    assert "s3cret" not in serve.describe_url("redis://:s3cret@127.0.0.1:6379/1")


def test_the_gunicorn_settings_follow_the_cores_and_the_environment():
    conf = serve.gunicorn_settings({"PORT": "8124"})
    cores = len(os.sched_getaffinity(0))
    assert (conf["workers"], conf["threads"]) == (cores + 1, 2)
    assert conf["bind"] == ["127.0.0.1:8124"]
    assert conf["accesslog"] == "-" and conf["max_requests_jitter"] >= 1
    assert conf["graceful_timeout"] < conf["timeout"]
    conf = serve.gunicorn_settings({"WEB_CONCURRENCY": "4", "GUNICORN_THREADS": "3", "BIND": "x:1"})
    assert (conf["workers"], conf["threads"], conf["bind"]) == (4, 3, ["x:1"])


@pytest.mark.django_db
def test_the_demo_is_loaded_once(demo_site):
    out = io.StringIO()
    call_command("mentorat_demo", once=True, stdout=out)
    assert "already loaded: not rebuilt" in out.getvalue()
    assert "mentore1" in out.getvalue()
