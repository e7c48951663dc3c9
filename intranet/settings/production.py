"""Production: every secret and host from the environment; refuses to start without SECRET_KEY.

Documented variables (docs/en/operations/configuration.md): SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, EMAIL_BACKEND and ANYMAIL_*, DEFAULT_FROM_EMAIL, TASKS_BACKEND,
WAGTAILADMIN_BASE_URL, CSRF_TRUSTED_ORIGINS, optionally REDIS_URL (cache and sessions)
or DATABASE_CACHE_TABLE (a shared cache in the database, without Redis).

`make serve` (intranet.serve) runs these settings over plain HTTP on loopback: it alone
turns off SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE through the
environment; they stay on by default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env_bool

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

# A persistent connection (CONN_MAX_AGE) is checked before a request reuses it: one that a
# database restart broke is replaced instead of failing the request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite allows one writer at a time. Write transactions take the lock when they
    # begin (IMMEDIATE) and wait up to 20 s for it, instead of failing with "database is
    # locked" when a read turns into a write; WAL lets readers go on during a write.
    # Even so, run one web worker and one db_worker on SQLite (`make serve` refuses
    # more); PostgreSQL for anything else.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

# Cache: Redis when REDIS_URL is set (base settings), else a table in the database when
# DATABASE_CACHE_TABLE names one (`manage.py createcachetable` creates it), else the
# process's own memory (one process only: each would have its own copy).
if not os.environ.get("REDIS_URL") and os.environ.get("DATABASE_CACHE_TABLE"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": os.environ["DATABASE_CACHE_TABLE"],
        }
    }
# Two sites (or a site and a trial) on one Redis keep their keys apart.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "")  # noqa: F405
# Sessions: in the database, read through the cache when the cache is shared (Redis).
SESSION_ENGINE = os.environ.get(
    "SESSION_ENGINE",
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db",
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes the health endpoint over plain HTTP on the web server itself.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
# X_FRAME_OPTIONS is "DENY" (base): Wagtail's live preview sets SAMEORIGIN on its own
# views, so `check --deploy` passes with no check silenced.
