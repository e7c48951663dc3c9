from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantProfile(models.Model):
    """A staff member's mentoring profile, linked to their intranet account.

    Kept apart from the user model so any intranet can install the app.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_profile",
        verbose_name=_("user"),
    )
    superior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentorat_reports",
        verbose_name=_("hierarchical superior"),
        help_text=_("The manager this person reports to (seed 001: never their mentor)."),
    )
    discipline = models.CharField(_("discipline"), max_length=120, blank=True)
    site = models.CharField(_("workplace or site"), max_length=120, blank=True)
    unit = models.CharField(_("unit or service"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")

    def __str__(self):
        # Log entries keep str(instance): no personal data here.
        return _("Profile #%(pk)s") % {"pk": self.pk}
