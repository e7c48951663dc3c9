"""The notifications' settings, read when used (``override_settings`` works).

Keys ``NOTIFICATIONS_*`` of the host's ``WAGTAIL_MENTORAT`` dict, declared with their
defaults in ``wagtail_mentorat.conf.SETTINGS``.
"""

import datetime

from django.conf import settings

from wagtail_mentorat.conf import get


def max_attempts():
    """Transient failures retried this many times in all before the row is marked failed."""
    return int(get("NOTIFICATIONS_MAX_ATTEMPTS"))


def retry_base_seconds():
    """The first retry waits this long; each next one twice as long (capped)."""
    return float(get("NOTIFICATIONS_RETRY_BASE_SECONDS"))


def retry_max_seconds():
    return float(get("NOTIFICATIONS_RETRY_MAX_SECONDS"))


def stuck_after():
    """A row left "sending" longer than this is shown for review, never resent by itself."""
    return datetime.timedelta(minutes=float(get("NOTIFICATIONS_STUCK_AFTER_MINUTES")))


def flush_grace():
    """A pending row is enqueued again by the sweep only this long after it was due: its
    own task has had the time to run."""
    return datetime.timedelta(minutes=float(get("NOTIFICATIONS_FLUSH_GRACE_MINUTES")))


def batch_size():
    """Pairings read per batch by the daily sweep."""
    return int(get("NOTIFICATIONS_BATCH_SIZE"))


def end_reminder_days():
    """Days before the planned end when the members are reminded (seed 001: 6 months)."""
    return sorted({int(d) for d in get("NOTIFICATIONS_END_REMINDER_DAYS")}, reverse=True)


def review_reminder_days():
    """Days before a review's due date when the members are reminded."""
    return int(get("NOTIFICATIONS_REVIEW_REMINDER_DAYS"))


def escalate_after():
    """How long past a deadline before programme staff are told."""
    return datetime.timedelta(hours=float(get("NOTIFICATIONS_ESCALATE_AFTER_HOURS")))


def escalate_after_hours():
    """The same, in whole hours (a programme's reminder schedule starts from it)."""
    return int(float(get("NOTIFICATIONS_ESCALATE_AFTER_HOURS")))


def digest_weekday():
    """The manager's weekly digest goes out on this day (0 = Monday) or the first sweep after."""
    return int(get("NOTIFICATIONS_DIGEST_WEEKDAY"))


def base_url():
    """Links in emails are absolute: the intranet's public address."""
    url = get("NOTIFICATIONS_BASE_URL") or getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return url.rstrip("/")


def from_email():
    return get("NOTIFICATIONS_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL


def require_webhook_secret():
    """Refuse every tracking webhook call while anymail's WEBHOOK_SECRET is not set."""
    return bool(get("NOTIFICATIONS_REQUIRE_WEBHOOK_SECRET"))
