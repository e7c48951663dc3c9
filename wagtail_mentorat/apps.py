from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailMentoratConfig(AppConfig):
    name = "wagtail_mentorat"
    label = "wagtail_mentorat"
    verbose_name = _("Mentoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (  # noqa: F401  (checks: registers the system checks)
            caching,
            checks,
            scheduling,  # noqa: F401  (connects its receiver to the lifecycle)
        )

        caching.connect()
        caching.connect_programmes()
        caching.connect_profiles()
        caching.connect_matching()
