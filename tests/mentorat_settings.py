"""Set keys of the app's one settings dict in a test."""


def set_mentorat(settings, **values):
    """``WAGTAIL_MENTORAT[key] = value`` for each keyword, through pytest-django's
    ``settings`` fixture: a new dict, so the original is restored after the test."""
    settings.WAGTAIL_MENTORAT = {**(getattr(settings, "WAGTAIL_MENTORAT", None) or {}), **values}
