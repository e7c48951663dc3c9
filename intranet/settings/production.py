"""Production: every secret and host from the environment; refuses to start without SECRET_KEY.

Documented variables (README, "Production"): SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, EMAIL_BACKEND and ANYMAIL_*, DEFAULT_FROM_EMAIL, TASKS_BACKEND,
WAGTAILADMIN_BASE_URL, CSRF_TRUSTED_ORIGINS, optionally REDIS_URL.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production refuses to start without it: set the SECRET_KEY "
        "environment variable to a long random value (e.g. python -c "
        '"import secrets; print(secrets.token_urlsafe(50))").'
    )

# Mail is delivered, never printed: SMTP unless EMAIL_BACKEND names a provider's (anymail).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Static files served by the application itself, compressed and cache-busted.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
# X_FRAME_OPTIONS is "DENY" (base): Wagtail's live preview sets SAMEORIGIN on its own
# views, so `check --deploy` passes with no check silenced.
