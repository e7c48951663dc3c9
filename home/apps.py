from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    label = "home"
    verbose_name = _("Intranet home")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from intranet import context_processors

        context_processors.connect()
