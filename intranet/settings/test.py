"""The pytest suite: fast hashing, immediate tasks, anymail's test backend."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret-wagtail-mentorat-key-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tasks run in the request on purpose here (DEBUG is off, as in every test run): the
# warning meant for production does not apply.
SILENCED_SYSTEM_CHECKS = ["wagtail_mentorat.W001"]
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
