"""Settings of the plain host: `wagtail start`'s base and dev settings, plus the
integrator's guide's "Install" steps (docs/en/integration/index.md), and nothing of the demo
intranet."""

import os
from pathlib import Path

import dj_database_url

HOST_DIR = Path(__file__).resolve().parent

SECRET_KEY = "plain-host-test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1"]

INSTALLED_APPS = [
    "tests.plainhost.home",
    # wagtail-mentorat (docs/en/integration/index.md, "Install", step 2)
    "wagtail_mentorat",
    "wagtail_mentorat.guides",
    "wagtail_mentorat.training",
    "wagtail_mentorat.notifications",
    "wagtail_mentorat.indicators",
    "wagtail_mentorat.privacy",
    "wagtail.contrib.settings",
    "wagtail_modeladmin",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    # As `wagtail start` writes them
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tests.plainhost.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HOST_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{HOST_DIR / 'plainhost.sqlite3'}",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `wagtail start`'s defaults: English, Django's full LANGUAGES, UTC.
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = Path(os.environ.get("PLAINHOST_STATIC_ROOT", "/tmp/plainhost-static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("PLAINHOST_MEDIA_ROOT", "/tmp/plainhost-media"))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "plainhost"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_BASE_URL = "http://example.com"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# wagtail-mentorat (the integrator's guide, step 4): background work in the database (run by
# `db_worker`) and email through anymail (its test backend stands for the organisation's provider).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
