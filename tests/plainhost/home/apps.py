from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The host's own home app, as `wagtail start` writes it (label ``home``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tests.plainhost.home"
    label = "home"
