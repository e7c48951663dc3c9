"""Secure messages inside a pairing or a circle (cyber-mentorat, seed 000).

The thread stays in the intranet: an email only says there is a new message. Messages are
as confidential as meeting summaries: for the pairing's members alone, never in an admin
export; each person's own messages are in their data download.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 5000


class Message(models.Model):
    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("pairing"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"), validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)])
    urgent = models.BooleanField(_("urgent help request"), default=False)
    help_request = models.ForeignKey(
        "wagtail_mentorat.HelpRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("help request"),
    )
    created_at = models.DateTimeField(_("sent on"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["pairing", "id"], name="mentorat_message_thread")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return _("Message #%(pk)s") % {"pk": self.pk}


class ThreadReadMarker(models.Model):
    """The last message a member has seen in a thread: what comes after is unread."""

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="read_markers"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "user"], name="mentorat_read_marker_once")
        ]
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")

    def __str__(self):
        return _("Read marker #%(pk)s") % {"pk": self.pk}
