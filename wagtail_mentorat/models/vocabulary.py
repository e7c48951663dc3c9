from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class ExpertiseArea(index.Indexed, models.Model):
    """An area of expertise ("champ d'expertise", seed 004), a vocabulary coordinators edit."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("area of expertise")
        verbose_name_plural = _("areas of expertise")

    def __str__(self):
        return self.name
