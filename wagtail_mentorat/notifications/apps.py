from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Email notifications for wagtail_mentorat: an outbox sent by background tasks."""

    name = "wagtail_mentorat.notifications"
    label = "mentorat_notifications"
    verbose_name = _("Mentoring notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import handlers, webhooks  # noqa: F401  (signal receivers)
