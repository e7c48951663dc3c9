"""deploy/ checked without a database: the env file against the settings and the operations
guide's configuration page (docs/{fr,en}/operations/configuration.md),
the systemd units through systemd's own analyser, nginx's configuration through nginx -t.
tests/deploy/test_stack.py then runs them."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.test import override_settings

from . import stack

SETTINGS = [stack.ROOT / "intranet/settings" / name for name in ("base.py", "production.py")]
GUNICORN_CONF = stack.DEPLOY / "gunicorn.conf.py"
# The operations guide's configuration page, in each language.
CONFIGURATION = {
    language: stack.ROOT / "docs" / language / "operations" / "configuration.md"
    for language in ("fr", "en")
}
# The heading of its table of environment variables.
TABLE_HEADING = {"fr": "## Variables d'environnement", "en": "## Environment variables"}

READ = re.compile(
    r"(?:environ(?:\.get)?|env_bool|env_list|_positive_int)\s*[(\[]\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
)
# Read by the production settings or gunicorn.conf.py, and on purpose not in env.example.
NOT_FOR_THE_SERVER = {
    "DEBUG": "production.py sets DEBUG = False whatever the environment says",
    "SESSION_COOKIE_SECURE": "off only for `make serve` (plain HTTP on loopback)",
    "CSRF_COOKIE_SECURE": "off only for `make serve` (plain HTTP on loopback)",
    "PORT": "BIND is set; gunicorn reads PORT only without BIND",
}
REQUIRED = {
    "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "WAGTAILADMIN_BASE_URL", "DATABASE_URL", "REDIS_URL", "TASKS_BACKEND", "EMAIL_BACKEND",
    "DEFAULT_FROM_EMAIL", "BIND", "STATIC_ROOT", "MEDIA_ROOT", "INTRANET_VAR_DIR",
}  # fmt: skip

PRODUCTION_TASKS = "django_tasks_db.DatabaseBackend"
UNITS = sorted(stack.SYSTEMD.iterdir())
SERVICES = [path for path in UNITS if path.suffix == ".service"]
TIMERS = [path for path in UNITS if path.suffix == ".timer"]
# Everything systemd is told about the sandbox, the same in every service.
SANDBOX_KEYS = (
    "User", "Group", "StateDirectory", "StateDirectoryMode", "UMask", "ProtectSystem",
    "ProtectHome", "PrivateTmp", "PrivateDevices", "NoNewPrivileges", "CapabilityBoundingSet",
    "AmbientCapabilities", "RestrictSUIDSGID", "ProtectKernelTunables", "ProtectKernelModules",
    "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname",
    "ProtectProc", "RestrictNamespaces", "RestrictRealtime", "LockPersonality", "RemoveIPC",
    "RestrictAddressFamilies", "SystemCallArchitectures", "SystemCallFilter",
    "WorkingDirectory", "Environment", "EnvironmentFile",
)  # fmt: skip


def settings_variables():
    names = set()
    for path in [*SETTINGS, GUNICORN_CONF]:
        text = path.read_text()
        names.update(READ.findall(text))
        if 'startswith("ANYMAIL_")' in text:
            names.add("ANYMAIL_*")
    assert "dj_database_url.config(" in SETTINGS[0].read_text()
    names.add("DATABASE_URL")  # dj_database_url.config() reads it
    return names


def example_variables():
    return {
        "ANYMAIL_*" if name.startswith("ANYMAIL_") else name: is_set
        for name, is_set in stack.env_example_names().items()
    }


def test_env_example_lists_exactly_what_the_production_settings_and_gunicorn_read():
    read = settings_variables()
    listed = set(example_variables()) - {"DJANGO_SETTINGS_MODULE"}
    assert listed - read == set(), "deploy/env.example names variables nothing reads"
    missing = read - listed - set(NOT_FOR_THE_SERVER)
    assert missing == set(), "variables the settings read are missing from deploy/env.example"
    assert set(NOT_FOR_THE_SERVER) <= read, "a reason is kept for a variable nothing reads"
    assert not set(NOT_FOR_THE_SERVER) & listed


@pytest.mark.parametrize("language", CONFIGURATION)
def test_env_example_sets_every_required_variable_and_the_docs_name_each(language):
    variables = example_variables()
    assert stack.read_env_file(stack.ENV_EXAMPLE.read_text())["TASKS_BACKEND"] == PRODUCTION_TASKS
    assert {name for name in REQUIRED if not variables.get(name)} == set()
    page = CONFIGURATION[language].read_text(encoding="utf-8")
    undocumented = {
        name
        for name in variables
        if f"`{name}`" not in page and not (name == "ANYMAIL_*" and "`ANYMAIL_*`" in page)
    }
    assert undocumented == set(), f"{CONFIGURATION[language]} does not name these variables"
    # And every variable of the page's table of environment variables is in the file.
    table = page[page.index(TABLE_HEADING[language]) :]
    table = table[: table.index("\n## ")]
    in_table = set(re.findall(r"`([A-Z][A-Z0-9_]*\*?)`", table))
    in_table -= {"ANYMAIL_BREVO_API_KEY", "ANYMAIL"}  # an example, and the Django setting
    assert in_table - set(variables) == set()


def test_env_example_values_pass_check_deploy(tmp_path):
    """The example, with only a real secret in it, passes `check --deploy` at zero warnings."""
    import secrets

    env_file = tmp_path / "env"
    env_file.write_text(
        stack.render_env_file(
            {
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            }
        )
    )
    env = stack.unit_environment(stack.SYSTEMD / "mentorat-web.service", env_file)
    stack.run(
        [str(stack.ROOT / ".venv/bin/python"), "manage.py", "check", "--deploy"]
        + ["--fail-level", "WARNING"],
        env=env,
        timeout=120,
    )


def test_every_timer_starts_a_service_of_its_name_and_is_installed():
    assert {path.stem for path in TIMERS} == {
        "mentorat-remind",
        "mentorat-outbox",
        "mentorat-retention",
    }
    for timer in TIMERS:
        assert stack.unit_values(timer, "Timer", "Unit") == [f"{timer.stem}.service"]
        assert (stack.SYSTEMD / f"{timer.stem}.service").exists()
        assert stack.unit_values(timer, "Timer", "OnCalendar")
        assert stack.unit_values(timer, "Install", "WantedBy") == ["timers.target"]
        service = stack.SYSTEMD / f"{timer.stem}.service"
        assert stack.unit_values(service, "Service", "Type") == ["oneshot"]
        assert not stack.unit_values(service, "Install", "WantedBy"), "started by its timer"


def test_every_service_has_the_web_servers_sandbox():
    def sandbox(path):
        return [
            (key, value)
            for section, key, value in stack.read_unit(path)
            if section == "Service" and key in SANDBOX_KEYS
        ]

    reference = sandbox(stack.SYSTEMD / "mentorat-web.service")
    assert {key for key, _ in reference} == set(SANDBOX_KEYS)
    for service in SERVICES:
        assert sandbox(service) == reference, service.name


def test_every_command_is_a_management_command_with_known_options(tmp_path):
    commands = get_commands()
    seen = set()
    for service in SERVICES:
        argv = stack.unit_command(service, tmp_path / "env")
        if service.name == "mentorat-web.service":
            assert argv[:3] == [
                str(stack.ROOT / ".venv/bin/gunicorn"),
                "--config",
                str(GUNICORN_CONF),
            ]
            assert argv[3:] == ["intranet.wsgi"]
            continue
        python, manage, name, *options = argv
        assert (python, manage) == (
            str(stack.ROOT / ".venv/bin/python"),
            str(stack.ROOT / "manage.py"),
        )
        assert name in commands, f"{service.name}: no management command {name!r}"
        parser = load_command_class(commands[name], name).create_parser("manage.py", name)
        # Under the production task backend (db_worker checks it is a database one).
        with override_settings(TASKS={"default": {"BACKEND": PRODUCTION_TASKS}}):
            parser.parse_args(options)  # CommandError on an unknown option or value
        seen.add(" ".join([name, *options]))
    assert seen == {
        "mentorat_remind",
        "mentorat_remind --outbox",
        "mentorat_retention",
        f"db_worker --queue-name=* --no-reload --worker-id={_short_hostname()}-1",
    }


def _short_hostname():
    import socket

    return socket.gethostname().split(".")[0]


def _systemd_analyze():
    found = shutil.which("systemd-analyze")
    if not found:
        pytest.fail("systemd-analyze is missing: `apt-get install systemd` (.ci/run does it).")
    return found


def rendered_units(directory):
    """The units with this checkout for /srv/mentorat, and an instance of the worker."""
    env_file = directory / "env"
    env_file.write_text(stack.ENV_EXAMPLE.read_text())
    for unit in UNITS:
        (directory / unit.name).write_text(stack.render_unit_text(unit, env_file))
    (directory / "mentorat-worker@1.service").symlink_to(directory / "mentorat-worker@.service")
    return sorted(path.name for path in directory.iterdir() if path.name != env_file.name)


def test_systemd_analyze_verify_finds_nothing(tmp_path):
    """systemd's own parser: every key known, every value valid, every binary there. It
    exits 0 on an unknown key, so its output must be empty too."""
    names = [name for name in rendered_units(tmp_path) if name != "mentorat-worker@.service"]
    result = subprocess.run(
        [_systemd_analyze(), "verify", "--man=no", *[f"./{name}" for name in names]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("unit", [path.name for path in SERVICES])
def test_systemd_rates_each_service_sandbox_ok(tmp_path, unit):
    """`systemd-analyze security`'s exposure score (0 best, 10 worst) stays at 2 or below
    ("OK"); a service without the sandbox scores 9.6."""
    rendered_units(tmp_path)
    name = "mentorat-worker@1.service" if unit == "mentorat-worker@.service" else unit
    result = subprocess.run(
        [_systemd_analyze(), "security", "--offline=yes", "--threshold=20", f"./{name}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- nginx ------------------------------------------------------------------------------


def nginx_directive(name):
    values = re.findall(rf"(?m)^\s*{name}\s+([^;]+);", stack.NGINX_SITE.read_text())
    assert values, name
    return values


def test_nginx_hsts_is_the_value_django_sends():
    env = {
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "intranet.settings.production",
        "PATH": "/usr/bin:/bin",
    }
    result = stack.run(
        [
            str(stack.ROOT / ".venv/bin/python"),
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
            "s.SECURE_HSTS_PRELOAD)",
        ],
        env=env,
        timeout=120,
    )
    seconds, subdomains, preload = result.stdout.split()
    assert (subdomains, preload) == ("True", "True")
    expected = f'"max-age={seconds}; includeSubDomains; preload"'
    assert re.search(rf'""\s+{re.escape(expected)};', stack.NGINX_SITE.read_text())


def test_nginx_limits_agree_with_the_settings_and_gunicorn():
    from django.conf import settings

    (body,) = nginx_directive("client_max_body_size")
    assert body.endswith("m")
    limit = int(body[:-1]) * 1024 * 1024
    largest = max(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)
    # The largest file plus its form, not much more.
    assert largest < limit <= largest + 4 * 1024 * 1024
    (read_timeout,) = nginx_directive("proxy_read_timeout")
    gunicorn_timeout = re.search(
        r'_positive_int\("GUNICORN_TIMEOUT", (\d+)\)', GUNICORN_CONF.read_text()
    )
    assert int(read_timeout.rstrip("s")) > int(gunicorn_timeout.group(1))
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    assert "X-Forwarded-Proto $scheme" in nginx_directive("proxy_set_header")
    assert "X-Forwarded-For $remote_addr" in nginx_directive("proxy_set_header")


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = stack.nginx_binary()
    stack.self_signed_certificate(tmp_path / "tls")
    site = tmp_path / "mentorat.conf"
    site.write_text(
        stack.render_nginx_site(
            http_port=stack.free_port(),
            https_port=stack.free_port(),
            upstream_port=stack.free_port(),
            tls_dir=tmp_path / "tls",
            media_dir=tmp_path / "media",
            cache_dir=tmp_path / "cache",
        )
    )
    main = tmp_path / "nginx.conf"
    main.write_text(stack.nginx_main_conf(tmp_path, site))
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "[warn]" not in output and "[emerg]" not in output, output
    assert Path(tmp_path / "cache").is_dir()
