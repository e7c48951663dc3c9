"""System checks (``manage.py check``): a host's configuration mistake is named with a hint
at start-up, instead of a traceback or a lost email later.

Registered by ``WagtailMentoratConfig.ready()``. The messages are for the developer who
installs the app, in English like Django's own checks.

- E001 an app the installed parts of the package need is not in ``INSTALLED_APPS``;
- E002 the host's base template (``WAGTAIL_MENTORAT["BASE_TEMPLATE"]``) does not exist;
- E003 ``WAGTAIL_MENTORAT`` is not a dict;
- W001 the tasks backend runs tasks in the request (immediate) or never (dummy), DEBUG off;
- W002 no login page to send anonymous visitors to;
- W003 the email backend drops mail (console, file, locmem, dummy), DEBUG off;
- W004 an unknown key in ``WAGTAIL_MENTORAT`` (likely a typo);
- W005 a former setting name, no longer read.
"""

import difflib
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, Resolver404, resolve
from django.utils.module_loading import import_string

from . import conf

PACKAGE = "wagtail_mentorat"

# What each app of the package needs in INSTALLED_APPS: what its modules import (models,
# admin, template tags) or its migrations depend on.
REQUIRED_APPS = {
    "wagtail_mentorat": (
        "wagtail",
        "wagtail.admin",
        "wagtail.search",
        "wagtail.snippets",
        "wagtail_modeladmin",
        "modelcluster",
        "django_filters",
        # The programme's required training modules, and its migrations.
        "wagtail_mentorat.training",
    ),
    "wagtail_mentorat.training": (
        "wagtail",
        "wagtail.documents",
        "wagtail.embeds",
        "wagtail.images",
        "modelcluster",
    ),
    "wagtail_mentorat.guides": ("wagtail_mentorat", "wagtail.snippets"),
    "wagtail_mentorat.notifications": (
        "wagtail_mentorat",
        "wagtail.users",
        "django_tasks",
        "anymail",
    ),
    "wagtail_mentorat.indicators": ("wagtail_mentorat", "wagtail.contrib.settings"),
    "wagtail_mentorat.privacy": ("wagtail_mentorat", "wagtail.snippets"),
}

# Backends that never deliver a task or an email in production.
TASK_BACKENDS_NOT_FOR_PRODUCTION = (
    "django_tasks.backends.immediate.ImmediateBackend",
    "django_tasks.backends.dummy.DummyBackend",
)
MAIL_BACKENDS_THAT_DROP = (
    "django.core.mail.backends.console.EmailBackend",  # the file backend is a subclass
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)

# Former names, read by no code since the one WAGTAIL_MENTORAT dict.
LEGACY_NAMES = {
    "MENTORAT_RETENTION": "RETENTION",
    "MENTORAT_RETENTION_DAYS": "RETENTION_DAYS",
    "MENTORAT_INDICATORS_MIN_GROUP": "INDICATORS_MIN_GROUP",
}
LEGACY_PREFIX = "WAGTAIL_MENTORAT_"


def _installed_parts():
    return [name for name in REQUIRED_APPS if apps.is_installed(name)]


@register(Tags.compatibility)
def check_required_apps(app_configs=None, **kwargs):
    errors = []
    for part in _installed_parts():
        for needed in REQUIRED_APPS[part]:
            if not apps.is_installed(needed):
                errors.append(
                    Error(
                        f"{part} needs {needed!r} in INSTALLED_APPS.",
                        hint=f"Add {needed!r} to INSTALLED_APPS (the integrator's guide, "
                        '"Install").',
                        id="wagtail_mentorat.E001",
                    )
                )
    return errors


@register(Tags.templates)
def check_base_template(app_configs=None, **kwargs):
    name = conf.base_template()
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            Error(
                f"The base template {name!r} that the app's pages extend does not exist.",
                hint='Set WAGTAIL_MENTORAT["BASE_TEMPLATE"] to your site\'s base template '
                "(it needs the blocks `title` and `content`).",
                id="wagtail_mentorat.E002",
            )
        ]
    return []


@register()
def check_settings_namespace(app_configs=None, **kwargs):
    values = getattr(settings, "WAGTAIL_MENTORAT", None)
    if values is not None and not isinstance(values, dict):
        return [
            Error(
                f"WAGTAIL_MENTORAT must be a dict, not {type(values).__name__}.",
                hint='e.g. WAGTAIL_MENTORAT = {"BASE_TEMPLATE": "base.html"}',
                id="wagtail_mentorat.E003",
            )
        ]
    warnings = []
    for key in values or {}:
        if key in conf.SETTINGS:
            continue
        close = difflib.get_close_matches(str(key), conf.SETTINGS, n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        warnings.append(
            Warning(
                f"WAGTAIL_MENTORAT has an unknown key {key!r}: the app does not read it.",
                hint=hint + "The keys are listed in the documentation's settings reference.",
                id="wagtail_mentorat.W004",
            )
        )
    for name in dir(settings):
        new = LEGACY_NAMES.get(name)
        if new is None and name.startswith(LEGACY_PREFIX):
            new = name.removeprefix(LEGACY_PREFIX)
        if new is None:
            continue
        warnings.append(
            Warning(
                f"The setting {name} is no longer read.",
                hint=f'Move it into the one dict: WAGTAIL_MENTORAT = {{"{new}": ...}}.',
                id="wagtail_mentorat.W005",
            )
        )
    return warnings


def _backend_is(path, bad_paths):
    """Whether the backend at ``path`` is, or subclasses, one of ``bad_paths``."""
    try:
        backend = import_string(path)
    except ImportError:
        return path in bad_paths  # Django reports a backend that does not import
    bad = []
    for bad_path in bad_paths:
        try:
            bad.append(import_string(bad_path))
        except ImportError:
            continue
    return isinstance(backend, type) and issubclass(backend, tuple(bad))


@register(Tags.compatibility)
def check_tasks_backend(app_configs=None, **kwargs):
    if settings.DEBUG or not apps.is_installed("wagtail_mentorat.notifications"):
        return []
    tasks = getattr(settings, "TASKS", None) or {}
    # django_tasks' own default when TASKS is not set: the immediate backend.
    path = tasks.get("default", {}).get("BACKEND", TASK_BACKENDS_NOT_FOR_PRODUCTION[0])
    if not _backend_is(path, TASK_BACKENDS_NOT_FOR_PRODUCTION):
        return []
    return [
        Warning(
            f"The tasks backend {path} sends emails inside the web request (immediate) or "
            "never (dummy), and DEBUG is off.",
            hint='Use TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}} '
            'with `manage.py db_worker` running (the integrator\'s guide, "Install").',
            id="wagtail_mentorat.W001",
        )
    ]


def _serves_a_page(url):
    """Whether ``url`` is a page of this site other than Wagtail's catch-all, or another
    site's (a single sign-on)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return True
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    return match.url_name != "wagtail_serve"


@register(Tags.urls)
def check_login_url(app_configs=None, **kwargs):
    from .auth import login_url

    try:
        url = login_url()
    except NoReverseMatch:
        url = None
    if url and _serves_a_page(url):
        return []
    shown = url or settings.LOGIN_URL
    return [
        Warning(
            f"Anonymous visitors would be sent to a login page that does not exist ({shown!r}).",
            hint="Include wagtail.urls (its login is `wagtailcore_login`), or set LOGIN_URL "
            "or WAGTAIL_FRONTEND_LOGIN_URL to your login page.",
            id="wagtail_mentorat.W002",
        )
    ]


@register()
def check_email_backend(app_configs=None, **kwargs):
    if settings.DEBUG or not apps.is_installed("wagtail_mentorat.notifications"):
        return []
    path = settings.EMAIL_BACKEND
    if not _backend_is(path, MAIL_BACKENDS_THAT_DROP):
        return []
    return [
        Warning(
            f"The email backend {path} does not deliver mail, and DEBUG is off: the app's "
            "notifications would be lost.",
            hint="Set EMAIL_BACKEND to Django's SMTP backend or an anymail backend.",
            id="wagtail_mentorat.W003",
        )
    ]
