"""anymail's tracking webhooks: refused without the secret; bounces flag the person."""

import base64
import json

import pytest
from django.test import Client

from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db
URL = "/mentorat/courriels/webhooks/postmark/tracking/"


def postmark(record_type, email, message_id, **extra):
    return json.dumps(
        {
            "RecordType": record_type,
            "MessageID": message_id,
            "Recipient": email,
            "Email": email,
            "Type": "HardBounce",
            "TypeCode": 1,
            "DeliveredAt": "2026-05-01T12:00:00Z",
            "BouncedAt": "2026-05-01T12:00:00Z",
            "Description": "The server was unable to deliver your message",
            "Details": "smtp;550 5.1.1 user unknown",
            "Metadata": {},
            "Tag": "",
            **extra,
        }
    )


def auth(secret):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@pytest.fixture
def sent_row(cast, approved):
    row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "wh:1", pairing_id=approved.pk)
    ((pk, _s),) = outbox.insert([row], "wh")
    Notification.objects.filter(pk=pk).update(status="sent", message_id="pm-123")
    return Notification.objects.get(pk=pk)


def test_a_webhook_call_is_refused_while_no_secret_is_configured(settings, sent_row):
    settings.ANYMAIL = {}
    response = Client().post(
        URL, postmark("Bounce", "mentor@example.org", "pm-123"), content_type="application/json"
    )
    assert response.status_code == 403
    assert not NotificationSettings.objects.filter(email_bounced=True).exists()


def test_a_webhook_call_without_the_secret_is_refused(settings, sent_row):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:s3cret"}
    client = Client()
    body = postmark("Bounce", "mentor@example.org", "pm-123")
    assert client.post(URL, body, content_type="application/json").status_code == 400
    wrong = client.post(URL, body, content_type="application/json", **auth("user:wrong"))
    assert wrong.status_code == 400
    assert not NotificationSettings.objects.filter(email_bounced=True).exists()


def test_a_bounce_flags_the_address_and_the_row(settings, sent_row, cast):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:s3cret"}
    response = Client().post(
        URL,
        postmark("Bounce", "mentor@example.org", "pm-123"),
        content_type="application/json",
        **auth("user:s3cret"),
    )
    assert response.status_code == 200
    sent_row.refresh_from_db()
    assert sent_row.delivery_status == "bounced"
    prefs = NotificationSettings.objects.get(user=cast["mentor"])
    assert prefs.email_bounced and prefs.bounced_at is not None
    # The next email to that address is not sent, and says why.
    row = outbox.build(cast["mentor"], Kind.FIRST_CONTACT_OVERDUE, "wh:2", prefs=prefs)
    assert row.status == "skipped"


def test_a_delivery_is_recorded_on_the_row(settings, sent_row, cast):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:s3cret"}
    response = Client().post(
        URL,
        postmark("Delivery", "mentor@example.org", "pm-123"),
        content_type="application/json",
        **auth("user:s3cret"),
    )
    assert response.status_code == 200
    sent_row.refresh_from_db()
    assert sent_row.delivery_status == "delivered"
    assert not NotificationSettings.objects.filter(email_bounced=True).exists()
