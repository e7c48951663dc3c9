"""anymail's tracking webhooks: delivery, bounce and complaint land on the outbox row, and a
bounced address is flagged on the person's email settings for programme staff.

The webhook URLs (``urls.py``) refuse every call while anymail's ``WEBHOOK_SECRET`` is not
set: anymail alone would accept them with a mere warning.
"""

import functools

from anymail.signals import EventType, tracking
from anymail.utils import get_anymail_setting
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.dispatch import receiver
from django.http import HttpResponseForbidden
from django.utils import timezone

from .. import ids
from . import conf
from .models import Notification, NotificationSettings

BOUNCES = {EventType.BOUNCED, EventType.REJECTED}
DELIVERY = {
    EventType.DELIVERED: "delivered",
    EventType.BOUNCED: "bounced",
    EventType.REJECTED: "rejected",
    EventType.COMPLAINED: "complained",
    EventType.DEFERRED: "deferred",
    EventType.FAILED: "failed",
}


def webhook_secret_configured():
    return bool(get_anymail_setting("webhook_secret", default=None))


def require_secret(view):
    """Refuse the call unless anymail's WEBHOOK_SECRET is set (anymail then checks it).

    No login: the email provider cannot log in, the secret is the key (marked for Django's
    ``LoginRequiredMiddleware``, which a host may use)."""

    @login_not_required
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if conf.require_webhook_secret() and not webhook_secret_configured():
            return HttpResponseForbidden("Webhook secret not configured.")
        return view(request, *args, **kwargs)

    return guarded


def _notification_for(event):
    metadata = event.metadata or {}
    pk = metadata.get("notification")
    found = ids.first_or_none(Notification.objects.select_related("recipient"), pk)
    if found:
        return found
    if event.message_id:
        return (
            Notification.objects.filter(message_id=str(event.message_id))
            .select_related("recipient")
            .order_by("-pk")
            .first()
        )
    return None


@receiver(tracking, dispatch_uid="mentorat_notifications_tracking")
def record_tracking_event(sender, event, esp_name, **kwargs):
    status = DELIVERY.get(event.event_type)
    if status is None:
        return
    now = timezone.now()
    notification = _notification_for(event)
    if notification is not None:
        Notification.objects.filter(pk=notification.pk).update(
            delivery_status=status, delivery_updated_at=now
        )
    if event.event_type not in BOUNCES and event.event_type != EventType.COMPLAINED:
        return
    user = notification.recipient if notification else None
    if user is None and event.recipient:
        user = get_user_model().objects.filter(email__iexact=event.recipient).first()
    if user is None:
        return
    prefs, _created = NotificationSettings.objects.get_or_create(user=user)
    if event.event_type == EventType.COMPLAINED:
        prefs.complained = True
        prefs.save(update_fields=["complained"])
        return
    prefs.email_bounced = True
    prefs.bounced_at = now
    prefs.bounce_reason = str(event.reject_reason or event.description or "")[:255]
    prefs.save(update_fields=["email_bounced", "bounced_at", "bounce_reason"])
