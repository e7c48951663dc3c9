"""The app's settings: one dictionary, ``WAGTAIL_MENTORAT = {...}`` in the host's settings.

Read when used, never at import, so ``override_settings`` works and a host may set them
in any order. Every key, its default and its meaning are declared once in ``SETTINGS``;
the README's settings table is generated from it.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Setting:
    default: object
    doc: str


SETTINGS = {
    "PRIVACY_NOTICE_VERSION": Setting(
        "2026-01", "The version of the privacy notice participants consent to."
    ),
    "BASE_TEMPLATE": Setting(
        "base.html",
        "The host's base template that the app's pages extend (blocks `title` and `content`).",
    ),
    "ADMIN_MENU": Setting(
        "grouped",
        '`"grouped"`: one top-level "Mentoring" ("Mentorat") menu in the Wagtail admin; '
        '`"flat"`: its items at the top level (emails, training and privacy stay submenus).',
    ),
    # Notifications (wagtail_mentorat.notifications; readers in notifications/conf.py)
    "NOTIFICATIONS_MAX_ATTEMPTS": Setting(
        8, "Sending attempts of one email (transient failures) before it is marked failed."
    ),
    "NOTIFICATIONS_RETRY_BASE_SECONDS": Setting(
        60, "The first retry waits this long; each next one twice as long."
    ),
    "NOTIFICATIONS_RETRY_MAX_SECONDS": Setting(3600, "The longest wait between two retries."),
    "NOTIFICATIONS_STUCK_AFTER_MINUTES": Setting(
        15, 'An email left "sending" longer than this is shown for review, never resent.'
    ),
    "NOTIFICATIONS_FLUSH_GRACE_MINUTES": Setting(
        5, "The sweep enqueues a pending email again only this long after it was due."
    ),
    "NOTIFICATIONS_BATCH_SIZE": Setting(1000, "Pairings read per batch by the daily sweep."),
    "NOTIFICATIONS_END_REMINDER_DAYS": Setting(
        (30, 7), "Days before a pairing's planned end when its members are reminded."
    ),
    "NOTIFICATIONS_REVIEW_REMINDER_DAYS": Setting(
        7, "Days before a review's due date when the members are reminded."
    ),
    "NOTIFICATIONS_ESCALATE_AFTER_HOURS": Setting(
        24, "Hours past a deadline before programme staff are told."
    ),
    "NOTIFICATIONS_DIGEST_WEEKDAY": Setting(
        0, "The day of the managers' weekly digest (0 = Monday, 7 = never)."
    ),
    "NOTIFICATIONS_BASE_URL": Setting(
        None, "The intranet's public address for links in emails; else `WAGTAILADMIN_BASE_URL`."
    ),
    "NOTIFICATIONS_FROM_EMAIL": Setting(None, "The emails' sender; else `DEFAULT_FROM_EMAIL`."),
    "NOTIFICATIONS_REQUIRE_WEBHOOK_SECRET": Setting(
        True, "Refuse every delivery-tracking webhook call while anymail's secret is not set."
    ),
    # Retention (wagtail_mentorat.privacy, `manage.py mentorat_retention`)
    "RETENTION_DAYS": Setting(
        730, "Days records are kept after their purpose ends, for every kind not in `RETENTION`."
    ),
    "RETENTION": Setting(
        {},
        "Days per kind, overriding `RETENTION_DAYS`: `pairings`, `profiles`, `training`, "
        "`outbox`, `read_audit`, `login_records`.",
    ),
    # Quality indicators (wagtail_mentorat.indicators)
    "INDICATORS_MIN_GROUP": Setting(5, "The smallest group a breakdown is shown for (privacy)."),
}


def host_values():
    """The host's ``WAGTAIL_MENTORAT`` dict (empty when unset; the system checks report a
    value that is not a dict)."""
    values = getattr(settings, "WAGTAIL_MENTORAT", None) or {}
    return values if isinstance(values, dict) else {}


def get(name, default=None):
    """The host's value for ``name``, else its declared default, else ``default``.

    The former names (``WAGTAIL_MENTORAT_<KEY>``, ``MENTORAT_RETENTION``...) are not read:
    nothing was released with them; a system check (W005) names any still set."""
    values = host_values()
    if name in values:
        return values[name]
    if name in SETTINGS:
        return SETTINGS[name].default
    return default


def privacy_notice_version():
    """The version of the privacy notice participants consent to."""
    return get("PRIVACY_NOTICE_VERSION")


def base_template():
    """The host's base template, extended by ``wagtail_mentorat/base.html``."""
    return get("BASE_TEMPLATE")


def admin_menu_grouped():
    """Whether the admin screens sit in one "Mentoring" menu (read per request)."""
    return get("ADMIN_MENU") != "flat"


def retention_days(kind):
    """Days a kind of record is kept after its purpose ends (privacy.retention.KINDS)."""
    overrides = get("RETENTION") or {}
    return int(overrides.get(kind, get("RETENTION_DAYS")))


def indicators_min_group():
    """The smallest group an indicators breakdown is shown for (privacy)."""
    return int(get("INDICATORS_MIN_GROUP"))


def _shown(value):
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value!r}`"


def settings_table():
    """The README's settings table (markdown), generated from ``SETTINGS``."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {_shown(s.default)} | {s.doc} |" for key, s in SETTINGS.items()]
    return "\n".join(lines) + "\n"
