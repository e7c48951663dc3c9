from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Privacy for wagtail_mentorat: consent ledger, export, retention, incidents, audit."""

    name = "wagtail_mentorat.privacy"
    label = "mentorat_privacy"
    verbose_name = _("Mentoring privacy")
    default_auto_field = "django.db.models.BigAutoField"
