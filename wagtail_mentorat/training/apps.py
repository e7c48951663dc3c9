from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoratTrainingConfig(AppConfig):
    name = "wagtail_mentorat.training"
    label = "mentorat_training"
    verbose_name = _("Mentoring training")
    default_auto_field = "django.db.models.BigAutoField"
