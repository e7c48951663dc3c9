"""One settings namespace, the system checks, and migrations that do not depend on the host."""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from tests.mentorat_settings import set_mentorat
from wagtail_mentorat import checks, conf
from wagtail_mentorat.notifications import conf as notifications_conf

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "wagtail_mentorat"


@pytest.fixture(autouse=True)
def test_settings_mail_backend(settings):
    """Django's test set-up replaces EMAIL_BACKEND with locmem: put back the test settings'."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


def our_ids():
    """The ids of this app's checks that ``manage.py check`` would show (not silenced)."""
    return sorted(
        message.id
        for message in run_checks()
        if message.id.startswith("wagtail_mentorat.") and not message.is_silenced()
    )


# --- one settings namespace ----------------------------------------------------------------

READ = re.compile(r"""(?<![\w.])(?:conf\.)?get\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def keys_read_in_the_source():
    keys = set()
    for source in PACKAGE_DIR.rglob("*.py"):
        if "migrations" not in source.parts:
            keys |= set(READ.findall(source.read_text()))
    return keys


def test_every_key_the_package_reads_is_declared_and_every_declared_key_is_read():
    read = keys_read_in_the_source()
    # The search finds the readers of each part of the app (else this test proves nothing).
    assert {"BASE_TEMPLATE", "NOTIFICATIONS_MAX_ATTEMPTS", "RETENTION_DAYS"} <= read
    assert {"INDICATORS_MIN_GROUP", "PRIVACY_NOTICE_VERSION"} <= read
    assert read - set(conf.SETTINGS) == set(), "declare these keys in conf.SETTINGS"
    assert set(conf.SETTINGS) - read == set(), "declared keys that nothing reads"


def test_no_module_of_the_package_reads_its_own_settings_outside_the_namespace():
    own = re.compile(r"""settings,\s*["'](WAGTAIL_MENTORAT_|MENTORAT_)|settings\.MENTORAT_""")
    offenders = [
        str(source.relative_to(BASE_DIR))
        for source in PACKAGE_DIR.rglob("*.py")
        if own.search(source.read_text())
    ]
    assert offenders == []


def test_a_key_reads_its_default_then_the_hosts_value(settings):
    assert notifications_conf.max_attempts() == 8
    assert conf.retention_days("pairings") == 730
    set_mentorat(settings, NOTIFICATIONS_MAX_ATTEMPTS=3, RETENTION_DAYS=100)
    set_mentorat(settings, RETENTION={"outbox": 10})
    assert notifications_conf.max_attempts() == 3
    assert conf.retention_days("pairings") == 100
    assert conf.retention_days("outbox") == 10


def test_the_former_names_are_not_read_and_a_check_names_them(settings):
    settings.WAGTAIL_MENTORAT_NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.MENTORAT_RETENTION_DAYS = 1
    assert notifications_conf.max_attempts() == 8
    assert conf.retention_days("pairings") == 730
    found = [m for m in checks.check_settings_namespace() if m.id == "wagtail_mentorat.W005"]
    assert len(found) == 2
    assert any('"NOTIFICATIONS_MAX_ATTEMPTS"' in m.hint for m in found)
    assert any('"RETENTION_DAYS"' in m.hint for m in found)
    assert our_ids() == ["wagtail_mentorat.W005"] * 2


def test_the_settings_table_has_one_row_per_key_with_its_default():
    table = conf.settings_table()
    rows = table.splitlines()
    assert rows[0] == "| key | default | meaning |"
    assert len(rows) == 2 + len(conf.SETTINGS)
    assert '| `BASE_TEMPLATE` | `"base.html"` | ' in table
    assert "| `NOTIFICATIONS_END_REMINDER_DAYS` | `(30, 7)` | " in table
    assert "| `RETENTION_DAYS` | `730` | " in table
    assert all(row.count("|") == 4 for row in rows), "a doc must not contain a pipe"


def test_an_unknown_key_is_reported_as_a_likely_typo(settings):
    set_mentorat(settings, RETENTION_DAY=30)
    (warning,) = checks.check_settings_namespace()
    assert warning.id == "wagtail_mentorat.W004"
    assert "RETENTION_DAY" in warning.msg and "'RETENTION_DAYS'" in warning.hint
    assert our_ids() == ["wagtail_mentorat.W004"]


def test_a_namespace_that_is_not_a_dict_is_an_error(settings):
    settings.WAGTAIL_MENTORAT = [("BASE_TEMPLATE", "base.html")]
    assert our_ids() == ["wagtail_mentorat.E003"]
    assert conf.base_template() == "base.html"  # the app still starts on its defaults


# --- system checks ------------------------------------------------------------------------


def test_the_test_settings_give_no_warning():
    assert our_ids() == []


def test_the_demo_settings_give_no_warning():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"DEBUG", "EMAIL_BACKEND", "TASKS_BACKEND"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "intranet.settings.dev"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wagtail_mentorat." not in result.stdout + result.stderr


class InstalledWithout:
    """``apps`` as a host without some apps would have it."""

    def __init__(self, *missing):
        from django.apps import apps

        self.missing, self.apps = set(missing), apps

    def is_installed(self, name):
        return name not in self.missing and self.apps.is_installed(name)


@pytest.mark.parametrize(
    "missing",
    [
        "wagtail_modeladmin",
        "wagtail.contrib.settings",
        "django_tasks",
        "modelcluster",
        "wagtail_mentorat.training",
    ],
)
def test_a_required_app_missing_is_named(monkeypatch, missing):
    monkeypatch.setattr(checks, "apps", InstalledWithout(missing))
    errors = checks.check_required_apps()
    assert [e.id for e in errors] == ["wagtail_mentorat.E001"] * len(errors)
    assert errors and all(repr(missing) in e.msg and repr(missing) in e.hint for e in errors)


def test_an_app_is_required_only_by_the_parts_installed(monkeypatch):
    """Without the indicators, wagtail.contrib.settings is not needed."""
    monkeypatch.setattr(
        checks, "apps", InstalledWithout("wagtail_mentorat.indicators", "wagtail.contrib.settings")
    )
    assert checks.check_required_apps() == []


def test_the_base_template_must_exist(settings):
    set_mentorat(settings, BASE_TEMPLATE="layouts/site.html")
    assert our_ids() == ["wagtail_mentorat.E002"]
    set_mentorat(settings, BASE_TEMPLATE="wagtailadmin/base.html")
    assert our_ids() == []


@pytest.mark.parametrize(
    "backend, debug, expected",
    [
        ("django_tasks.backends.immediate.ImmediateBackend", False, ["wagtail_mentorat.W001"]),
        ("django_tasks.backends.dummy.DummyBackend", False, ["wagtail_mentorat.W001"]),
        ("django_tasks_db.DatabaseBackend", False, []),
        ("django_tasks.backends.immediate.ImmediateBackend", True, []),
    ],
)
def test_a_tasks_backend_that_cannot_run_in_production_is_a_warning(
    settings, backend, debug, expected
):
    settings.SILENCED_SYSTEM_CHECKS = []  # the test settings silence it (immediate on purpose)
    settings.TASKS = {"default": {"BACKEND": backend}}
    settings.DEBUG = debug
    assert our_ids() == expected


@pytest.mark.parametrize(
    "backend, debug, expected",
    [
        ("django.core.mail.backends.console.EmailBackend", False, ["wagtail_mentorat.W003"]),
        ("django.core.mail.backends.filebased.EmailBackend", False, ["wagtail_mentorat.W003"]),
        ("django.core.mail.backends.locmem.EmailBackend", False, ["wagtail_mentorat.W003"]),
        ("django.core.mail.backends.dummy.EmailBackend", False, ["wagtail_mentorat.W003"]),
        ("django.core.mail.backends.smtp.EmailBackend", False, []),
        ("anymail.backends.brevo.EmailBackend", False, []),
        ("django.core.mail.backends.console.EmailBackend", True, []),
    ],
)
def test_an_email_backend_that_drops_mail_is_a_warning(settings, backend, debug, expected):
    settings.EMAIL_BACKEND = backend
    settings.DEBUG = debug
    assert our_ids() == expected


class WagtailOnlyUrls:
    """A host that mounts the admin and its pages under a prefix: no login page at all."""

    urlpatterns = [
        path("admin/", include(wagtailadmin_urls)),
        path("pages/", include(wagtail_urls)),
    ]


class CatchAllUrls:
    """A host whose only front-end URLs are Wagtail's pages, at the root."""

    urlpatterns = [
        path("admin/", include(wagtailadmin_urls)),
        path("", include(wagtail_urls)),
    ]


def test_no_login_page_to_send_anonymous_visitors_to_is_a_warning(settings):
    settings.ROOT_URLCONF = WagtailOnlyUrls
    assert our_ids() == ["wagtail_mentorat.W002"]  # "login" does not resolve


def test_a_login_url_only_wagtails_catch_all_answers_is_a_warning(settings):
    settings.ROOT_URLCONF = CatchAllUrls
    settings.LOGIN_URL = "/accounts/login/"
    settings.WAGTAIL_FRONTEND_LOGIN_URL = None
    assert our_ids() == ["wagtail_mentorat.W002"]
    settings.LOGIN_URL = "wagtailcore_login"
    assert our_ids() == []


def test_a_single_sign_on_elsewhere_is_a_login_page(settings):
    settings.ROOT_URLCONF = WagtailOnlyUrls
    settings.LOGIN_URL = "https://sso.example.org/login"
    assert our_ids() == []


# --- migrations that do not depend on the host ------------------------------------------

FULL_LANGUAGES = global_settings.LANGUAGES


@pytest.mark.django_db
def test_no_migration_is_missing_in_an_english_host_with_every_language(settings):
    settings.LANGUAGES = FULL_LANGUAGES
    settings.LANGUAGE_CODE = "en-us"
    settings.WAGTAIL_CONTENT_LANGUAGES = FULL_LANGUAGES
    settings.WAGTAILADMIN_PERMITTED_LANGUAGES = FULL_LANGUAGES
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_no_migration_is_missing_when_the_host_starts_with_other_languages(tmp_path):
    """Model fields read settings when their module is imported: only a process that starts
    with the host's settings shows a choice or a default frozen from them."""
    (tmp_path / "english_host.py").write_text(
        textwrap.dedent(
            f"""\
            from django.conf import global_settings
            from intranet.settings.test import *  # noqa: F403
            DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3",
                                       "NAME": {str(tmp_path / "db.sqlite3")!r}}}}}
            LANGUAGE_CODE = "en-us"
            LANGUAGES = global_settings.LANGUAGES
            WAGTAIL_CONTENT_LANGUAGES = WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "english_host"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(BASE_DIR)])
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
