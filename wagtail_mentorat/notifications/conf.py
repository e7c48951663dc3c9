"""The notifications' settings, read when used (``override_settings`` works).

Every name is prefixed ``WAGTAIL_MENTORAT_NOTIFICATIONS_`` in the project's settings.
"""

import datetime

from django.conf import settings

from wagtail_mentorat.conf import get


def _get(name, default):
    return get(f"NOTIFICATIONS_{name}", default)


def max_attempts():
    """Transient failures retried this many times in all before the row is marked failed."""
    return int(_get("MAX_ATTEMPTS", 8))


def retry_base_seconds():
    """The first retry waits this long; each next one twice as long (capped)."""
    return float(_get("RETRY_BASE_SECONDS", 60))


def retry_max_seconds():
    return float(_get("RETRY_MAX_SECONDS", 3600))


def stuck_after():
    """A row left "sending" longer than this is shown for review, never resent by itself."""
    return datetime.timedelta(minutes=float(_get("STUCK_AFTER_MINUTES", 15)))


def flush_grace():
    """A pending row is enqueued again by the sweep only this long after it was due: its
    own task has had the time to run."""
    return datetime.timedelta(minutes=float(_get("FLUSH_GRACE_MINUTES", 5)))


def batch_size():
    """Pairings read per batch by the daily sweep."""
    return int(_get("BATCH_SIZE", 1000))


def end_reminder_days():
    """Days before the planned end when the members are reminded (seed 001: 6 months)."""
    return sorted({int(d) for d in _get("END_REMINDER_DAYS", (30, 7))}, reverse=True)


def review_reminder_days():
    """Days before a review's due date when the members are reminded."""
    return int(_get("REVIEW_REMINDER_DAYS", 7))


def escalate_after():
    """How long past a deadline before programme staff are told."""
    return datetime.timedelta(hours=float(_get("ESCALATE_AFTER_HOURS", 24)))


def digest_weekday():
    """The manager's weekly digest goes out on this day (0 = Monday) or the first sweep after."""
    return int(_get("DIGEST_WEEKDAY", 0))


def base_url():
    """Links in emails are absolute: the intranet's public address."""
    return (_get("BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "").rstrip(
        "/"
    )


def from_email():
    return _get("FROM_EMAIL", None) or settings.DEFAULT_FROM_EMAIL


def require_webhook_secret():
    """Refuse every tracking webhook call while anymail's WEBHOOK_SECRET is not set."""
    return bool(_get("REQUIRE_WEBHOOK_SECRET", True))
