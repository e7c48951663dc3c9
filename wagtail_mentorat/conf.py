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
        '`"grouped"`: one top-level "Mentoring" menu in the Wagtail admin; `"flat"`: each '
        "screen at the top level.",
    ),
}


def get(name, default=None):
    """The host's value for ``name``, else its declared default, else ``default``."""
    values = getattr(settings, "WAGTAIL_MENTORAT", None) or {}
    if name in values:
        return values[name]
    legacy = f"WAGTAIL_MENTORAT_{name}"  # the former one-setting-per-key names
    if hasattr(settings, legacy):
        return getattr(settings, legacy)
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
    return get("ADMIN_MENU") != "flat"
