"""The privacy records: consent ledger, confidentiality incidents, read-access audit and
legal holds. None of them holds the content of a confidential record."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .purposes import Purpose


class Consent(models.Model):
    """One consent, given for a purpose under a version of the privacy notice, and its
    withdrawal. A new consent is a new line: the ledger keeps the history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_consents",
        verbose_name=_("person"),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    given_at = models.DateTimeField(_("given on"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-pk"]
        indexes = [models.Index(fields=["purpose", "user"], name="mentorat_consent_purpose")]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return _("Consent #%(pk)s") % {"pk": self.pk}

    @property
    def is_active(self):
        return self.withdrawn_at is None


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused as well as single ones."""

    def update(self, **kwargs):
        raise PermissionDenied(_("This register is append-only: add a follow-up instead."))

    def bulk_update(self, *args, **kwargs):
        raise PermissionDenied(_("This register is append-only: add a follow-up instead."))

    def delete(self):
        raise PermissionDenied(_("This register is append-only: nothing can be deleted."))


class AppendOnlyModel(models.Model):
    """Rows that are written once, with who wrote them and when: any later save, update or
    delete through the ORM is refused. Retention never purges them (the register is kept
    at least five years)."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded on"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied(_("This register is append-only: add a follow-up instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("This register is append-only: nothing can be deleted."))


class Incident(AppendOnlyModel):
    """A confidentiality incident (A-2.1 s. 63.8 to 63.11, and the Regulation respecting
    confidentiality incidents, s. 3: the register's content)."""

    information_involved = models.TextField(
        _("personal information involved"),
        help_text=_("A description of the information concerned, or why it is not known."),
    )
    circumstances = models.TextField(_("circumstances of the incident"))
    occurred_on = models.DateField(_("date of the incident (or start of the period)"))
    occurred_until = models.DateField(_("end of the period, if any"), null=True, blank=True)
    discovered_on = models.DateField(_("date the organisation became aware of it"))
    people_affected = models.PositiveIntegerField(
        _("number of people concerned"), help_text=_("An approximation if unknown.")
    )
    people_affected_approximate = models.BooleanField(_("approximate number"), default=False)
    risk_assessment = models.TextField(
        _("assessment of the risk of serious injury"),
        help_text=_(
            "Sensitivity of the information, anticipated consequences of its use and their "
            "likelihood."
        ),
    )
    serious_injury_risk = models.BooleanField(_("risk of serious injury"), default=False)
    commission_notified_on = models.DateField(
        _("notice to the Commission d'accès à l'information sent on"), null=True, blank=True
    )
    people_notified_on = models.DateField(
        _("notice to the people concerned sent on"), null=True, blank=True
    )
    public_notice = models.TextField(
        _("public notice, and why"), blank=True, help_text=_("Leave empty if none.")
    )
    measures_taken = models.TextField(_("measures taken to reduce the risk of injury"))

    class Meta:
        ordering = ["-discovered_on", "-pk"]
        verbose_name = _("confidentiality incident")
        verbose_name_plural = _("confidentiality incidents")
        permissions = [
            ("privacy_officer", "Privacy officer: sees the incident register and the audit"),
        ]

    def __str__(self):
        return _("Incident #%(pk)s") % {"pk": self.pk}


class IncidentFollowUp(AppendOnlyModel):
    """A later entry on an incident (a notice sent, a new measure): the incident itself is
    never changed."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("incident")
    )
    commission_notified_on = models.DateField(
        _("notice to the Commission d'accès à l'information sent on"), null=True, blank=True
    )
    people_notified_on = models.DateField(
        _("notice to the people concerned sent on"), null=True, blank=True
    )
    measures_taken = models.TextField(_("measures taken"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("incident follow-up")
        verbose_name_plural = _("incident follow-ups")

    def __str__(self):
        return _("Follow-up #%(pk)s") % {"pk": self.pk}


class ReadAccess(models.Model):
    """Someone opened a confidential record they did not write: who, when, which record and
    why. Never its content.

    A *break-glass* reading is the privacy officer's, outside programme staff: the text is
    shown only after they gave a reason, and the row names the record's programme so its
    staff see it (``privacy.break_glass``)."""

    REASON_MAX_LENGTH = 500

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    accessed_at = models.DateTimeField(_("read on"), default=timezone.now)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of record")
    )
    object_id = models.CharField(_("record"), max_length=64)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    break_glass = models.BooleanField(
        _("break-glass reading"),
        default=False,
        help_text=_("Read outside programme staff, with a recorded reason."),
    )
    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="mentorat_read_obj")]
        verbose_name = _("read access")
        verbose_name_plural = _("read accesses")

    def __str__(self):
        return _("Read access #%(pk)s") % {"pk": self.pk}


class LegalHold(models.Model):
    """Retention is suspended for a person or a pairing (litigation, an access request being
    processed, an investigation) until the hold is lifted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pairing"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed on"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted on"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(pairing__isnull=False),
                name="mentorat_hold_has_subject",
            )
        ]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self):
        return _("Legal hold #%(pk)s") % {"pk": self.pk}
