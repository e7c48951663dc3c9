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
from wagtail.models import PreviewableMixin, RevisionMixin

from . import conf
from .kinds import Kind

# The reasons the app itself writes into ``Notification.last_error`` (outbox.py,
# privacy/consent.py), each shown in the reader's language.
NO_ADDRESS = "no email address"
BOUNCED = "address bounced"
CONSENT_WITHDRAWN = "consent to email withdrawn"
INTERRUPTED = (
    "Interrupted while sending: it may or may not have reached the person. Check before resending."
)
APP_ERRORS = {
    NO_ADDRESS: _("no email address"),
    BOUNCED: _("address bounced"),
    CONSENT_WITHDRAWN: _("consent to email withdrawn"),
    INTERRUPTED: _(
        "Interrupted while sending: it may or may not have reached the person. "
        "Check before resending."
    ),
}


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
    # The editors' wording when the row was written ({}: the shipped files), so an edit
    # never changes an email already queued (outbox.freeze_wording).
    wording = models.JSONField(_("wording"), default=dict, blank=True, editable=False)

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

    def get_last_error_display(self):
        """The last error in the reader's language when the app wrote it (a fixed reason,
        stored in English, the code's language, so that a change of language changes
        nothing stored); a provider's own message as it came."""
        reason = APP_ERRORS.get(self.last_error)
        return reason if reason is not None else self.last_error


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


class EmailWording(PreviewableMixin, RevisionMixin, models.Model):
    """The programme's own wording of one kind of email in one language (seed 004: the
    programme's messages are the programme's). An empty subject or body: the shipped one.

    Every save is a revision (history, comparison, rollback). The outbox copies the wording
    into each row it writes (``Notification.wording``): an edit reaches the next email,
    never one already queued. Placeholders are checked on saving (``wording.problems``).
    """

    kind = models.CharField(_("kind of email"), max_length=40, choices=Kind.choices)
    # No ``choices``: the host's LANGUAGES would be written into the migrations.
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(
        _("subject"),
        max_length=255,
        blank=True,
        help_text=_("Empty: the shipped subject."),
    )
    body = models.TextField(
        _("message"),
        blank=True,
        help_text=_(
            "Empty: the shipped message. The greeting, the link to the intranet and the "
            "footer are added around it."
        ),
    )
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("email wording")
        verbose_name_plural = _("email wordings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="mentorat_wording_unique")
        ]

    def __str__(self):
        # The kind's label and a known language code only: never the subject or any other
        # free text (tests/security/test_str.py).
        label = str(self.get_kind_display()) if self.kind in Kind.values else ""
        if self.language in dict(settings.LANGUAGES):
            return f"{label} ({self.language})".strip()
        return label

    @property
    def is_default(self):
        return not (self.subject or self.body)

    def frozen(self):
        """What the outbox stores in a row ({} when the shipped files apply)."""
        if self.is_default:
            return {}
        return {
            "subject": self.subject,
            "body": self.body,
            "revision": self.latest_revision_id,
        }

    def clean(self):
        from . import wording

        super().clean()
        errors = {}
        if self.language and self.language not in dict(settings.LANGUAGES):
            errors["language"] = _("Not a language of this intranet.")
        for field in ("subject", "body"):
            found = wording.problems(self.kind, getattr(self, field))
            if found:
                errors[field] = found
        if errors:
            raise ValidationError(errors)

    # Wagtail's preview panel: the form's wording with a real pairing's data.
    preview_template = "mentorat_notifications/admin/wording_preview.html"

    def get_preview_template(self, request, mode_name):
        return self.preview_template

    def get_preview_context(self, request, mode_name):
        from .preview import preview_context

        context = super().get_preview_context(request, mode_name)
        context.update(preview_context(self, request.user))
        return context


def _days_list(value):
    return ", ".join(str(d) for d in value)


def default_end_days():
    return _days_list(conf.end_reminder_days())


class ReminderSchedule(models.Model):
    """A programme's reminder schedule: which reminders, and when. A programme without one
    follows the intranet's settings (``NOTIFICATIONS_*``, the seeds' values)."""

    programme = models.OneToOneField(
        "wagtail_mentorat.Programme",
        on_delete=models.CASCADE,
        related_name="mentorat_reminder_schedule",
        verbose_name=_("programme"),
    )
    first_contact = models.BooleanField(
        _("remind the mentor of an overdue first contact"), default=True
    )
    help_requests = models.BooleanField(
        _("remind the mentors of an unanswered request for help"), default=True
    )
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("tell programme staff after (hours past the deadline)"),
        default=conf.escalate_after_hours,
        help_text=_("Seed 004: an urgent request is answered within 24 to 48 hours."),
    )
    reviews = models.BooleanField(_("remind the members of their reviews"), default=True)
    review_reminder_days = models.PositiveSmallIntegerField(
        _("days before a review's due date"), default=conf.review_reminder_days
    )
    end = models.BooleanField(_("remind the members of the end"), default=True)
    end_reminder_days = models.CharField(
        _("days before the end"),
        max_length=100,
        default=default_end_days,
        help_text=_("One or more numbers of days, separated by commas, e.g. 30, 7."),
    )
    no_meeting = models.BooleanField(
        _("remind the members when no meeting is logged at the programme's cadence"),
        default=True,
    )

    class Meta:
        ordering = ["programme__name"]
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")

    def __str__(self):
        return str(self.programme)

    def end_days(self):
        return parse_days(self.end_reminder_days)

    def clean(self):
        super().clean()
        try:
            days = parse_days(self.end_reminder_days)
        except ValueError:
            raise ValidationError(
                {"end_reminder_days": _("Write whole numbers of days separated by commas.")}
            ) from None
        if self.end and not days:
            raise ValidationError(
                {"end_reminder_days": _("Give at least one number of days, or turn it off.")}
            )
        self.end_reminder_days = _days_list(days)


def parse_days(text):
    """ "30, 7" -> [30, 7] (largest first, no repeat); ValueError on anything else."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        number = int(part)
        if number < 0 or number > 3650:
            raise ValueError(part)
        days.add(number)
    return sorted(days, reverse=True)
