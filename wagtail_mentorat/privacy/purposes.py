"""Purposes of consent; importable when the privacy app is not installed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What a person consents to, one ledger line per purpose (A-2.1 s. 53.1, art. 7 GDPR)."""

    MATCHING = "matching", _("Being suggested and paired in mentoring matching")
    EMAIL = "email", _("Receiving email notifications")
    INDICATORS = "indicators", _("Use of my data in the programme's quality indicators")
