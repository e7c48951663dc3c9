"""The outbox and each person's email settings.

Every email is first a :class:`Notification` row, written in the same transaction as the
event that causes it, with an idempotency key that is unique: an event or a reminder can
never produce two rows for one person. A background task then sends the row (``outbox``).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import Kind


class Notification(models.Model):
    """One email to one person, from the outbox to the provider."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        STUCK = "stuck", _("Interrupted: to review")
        SKIPPED = "skipped", _("Not sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentorat_notifications",
        verbose_name=_("recipient"),
    )
    to_email = models.EmailField(_("address"), blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # Empty: the host's LANGUAGE_CODE when the email is written (never a fixed language).
    language = models.CharField(_("language"), max_length=10, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pairing"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started on"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    message_id = models.CharField(_("provider's message id"), max_length=255, blank=True)
    delivery_status = models.CharField(_("delivery"), max_length=20, blank=True)
    delivery_updated_at = models.DateTimeField(_("delivery updated on"), null=True, blank=True)
    run = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="mentorat_notif_due"),
            models.Index(fields=["message_id"], name="mentorat_notif_msgid"),
            models.Index(fields=["run"], name="mentorat_notif_run"),
        ]

    def __str__(self):
        # Log entries keep str(instance): no personal data here.
        return _("Notification #%(pk)s") % {"pk": self.pk}


class NotificationSettings(models.Model):
    """A person's email settings: language, muted reminders, and the bounce flag the
    provider's webhooks set."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_notification_settings",
        verbose_name=_("person"),
    )
    # No ``choices``: the host's LANGUAGES would be written into the migrations. The
    # form offers them and ``clean`` checks them, at run time.
    language = models.CharField(
        _("language of emails"),
        max_length=10,
        blank=True,
        help_text=_("Empty: the language chosen in the intranet, or the intranet's default."),
    )
    muted_kinds = models.JSONField(_("reminders turned off"), default=list, blank=True)
    email_bounced = models.BooleanField(_("address bounced"), default=False)
    bounced_at = models.DateTimeField(_("bounced on"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=255, blank=True)
    complained = models.BooleanField(_("marked as spam"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("email settings")
        verbose_name_plural = _("email settings")

    def __str__(self):
        return _("Email settings #%(pk)s") % {"pk": self.pk}

    def clean(self):
        super().clean()
        if self.language and self.language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("Not a language of this intranet.")})
