from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import RevisionMixin


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")
    MIXED = "mixed", _("Mixed")


class Agreement(RevisionMixin, models.Model):
    """The mentoring agreement (*entente de mentorat*, seeds 001 and 004).

    Its content is for the pair alone. Every change after an acceptance starts a new
    ``version``; only acceptances of the current version count. Revisions keep each
    saved text.
    """

    pairing = models.OneToOneField(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="agreement"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    mentee_responsibilities = models.TextField(_("mentee's responsibilities"))
    mentor_responsibilities = models.TextField(_("mentor's responsibilities"))
    meeting_frequency = models.CharField(
        _("meeting frequency"), max_length=200, default="1 h toutes les 4 à 6 semaines"
    )
    meeting_mode = models.CharField(
        _("meeting mode"), max_length=12, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    confidentiality_clause = models.TextField(_("confidentiality and its limit"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    manager_approved_version = models.PositiveIntegerField(null=True, blank=True)
    manager_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    manager_approved_at = models.DateTimeField(
        _("approved by the manager on"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="mentorat_agreement")

    class Meta:
        verbose_name = _("mentoring agreement")
        verbose_name_plural = _("mentoring agreements")

    def __str__(self):
        return _("Agreement #%(pk)s") % {"pk": self.pk}

    @property
    def revisions(self):
        return self._revisions

    def current_acceptances(self):
        return [a for a in self.acceptances.all() if a.version == self.version]


class AgreementObjective(models.Model):
    """A development objective and how its success will be seen."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="objectives")
    sort_order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("objective"))
    success_measure = models.TextField(_("how success will be seen"), blank=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self):
        return _("Objective #%(pk)s") % {"pk": self.pk}


class AgreementAcceptance(models.Model):
    """A member's acceptance of one version of the agreement, timestamped."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    accepted_at = models.DateTimeField(_("accepted on"), auto_now_add=True)

    class Meta:
        ordering = ["accepted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "user", "version"], name="mentorat_accept_once"
            )
        ]
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")

    def __str__(self):
        return _("Acceptance #%(pk)s") % {"pk": self.pk}
