from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MentoringKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GROUP = "group", _("Group")


class MentoringRequest(models.Model):
    """A need for mentoring, opened by the staff member or by their manager (seed 001)."""

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent (a client is waiting)")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a mentor")
        MATCHED = "matched", _("Paired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("programme"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_requests",
        verbose_name=_("mentee"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    need = models.TextField(_("need"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=MentoringKind.choices, default=MentoringKind.INDIVIDUAL
    )
    expertise = models.ManyToManyField(
        "wagtail_mentorat.ExpertiseArea", blank=True, verbose_name=_("areas wanted")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    created_at = models.DateTimeField(_("opened on"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mentoring request")
        verbose_name_plural = _("mentoring requests")

    def __str__(self):
        return _("Request #%(pk)s") % {"pk": self.pk}


class MentorOffer(models.Model):
    """A staff member's offer to mentor in a programme."""

    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("programme"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_offers",
        verbose_name=_("mentor"),
    )
    note = models.TextField(_("what I can offer"), blank=True)
    is_active = models.BooleanField(_("available"), default=True)
    created_at = models.DateTimeField(_("offered on"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "mentor"], name="mentorat_one_offer")
        ]
        verbose_name = _("offer to mentor")
        verbose_name_plural = _("offers to mentor")

    def __str__(self):
        return _("Offer #%(pk)s") % {"pk": self.pk}
