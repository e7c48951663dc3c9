from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "wagtail_mentorat.indicators"
    label = "mentorat_indicators"
    verbose_name = _("Mentoring quality indicators")
    default_auto_field = "django.db.models.BigAutoField"
