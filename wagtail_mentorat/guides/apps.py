from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    """Guide pages (mentoring vs coaching vs supervision…) and programme pages."""

    name = "wagtail_mentorat.guides"
    label = "mentorat_guides"
    verbose_name = _("Mentoring guides")
    default_auto_field = "django.db.models.BigAutoField"
