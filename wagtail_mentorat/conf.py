"""The app's settings, read when used (never at import) so ``override_settings`` works.

Every setting is prefixed ``WAGTAIL_MENTORAT_``.
"""

from django.conf import settings


def get(name, default=None):
    return getattr(settings, f"WAGTAIL_MENTORAT_{name}", default)


def privacy_notice_version():
    """The version of the privacy notice participants consent to."""
    return get("PRIVACY_NOTICE_VERSION", "2026-01")
