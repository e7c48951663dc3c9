"""A preview and a test send of an email wording, with a real pairing's data.

The pairing is the latest one of a programme the person coordinates; the email is
addressed to the person previewing (their own name in the greeting, their own address for
a test). What it shows is what the email would: states, dates, names, the programme —
never content. A test send goes straight to the person, not through the outbox: it is
not a programme email and must not take an idempotency key.
"""

import datetime

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django.utils.translation import gettext

from wagtail_mentorat import rules
from wagtail_mentorat.models import Pairing

from . import conf, outbox
from .models import Notification

ROLE_OF_KIND = {
    "first_contact_escalated": "coordinator",
    "help_escalated": "coordinator",
    "disagreement_raised": "coordinator",
    "rematch_wanted": "coordinator",
    "safety_concern": "coordinator",
    "approval_needed": "manager",
    "manager_digest": "manager",
    "transferred": "manager",
    "registration_to_confirm": "mentee",
    "assigned_mentee": "mentee",
}


def sample_pairing(user):
    """The latest pairing of a programme ``user`` coordinates, or None."""
    return (
        rules.coordinated(Pairing.objects.all(), user)
        .select_related("programme")
        .order_by("-pk")
        .first()
    )


def sample_notification(wording, user):
    """An unsaved row for ``wording``'s kind and language, addressed to ``user``."""
    pairing = sample_pairing(user)
    now = timezone.now()
    soon = now + datetime.timedelta(days=2)
    data = {
        "role": ROLE_OF_KIND.get(wording.kind, "mentor"),
        "due": (pairing and pairing.first_contact_due or soon).isoformat(),
        "planned_end": (pairing and pairing.planned_end or soon.date()).isoformat(),
        "new_end": (pairing and pairing.planned_end or soon.date()).isoformat(),
        "since": (pairing and pairing.assigned_at or now).isoformat(),
        "weeks": pairing.programme.meeting_cadence_weeks if pairing else 6,
        "days": 7,
        "review": "midterm",
        "approved": True,
        "accepted": True,
        "manager": user.get_full_name() or user.get_username(),
    }
    if pairing is None:
        data["programme"] = gettext("Example programme")
    return Notification(
        recipient=user,
        to_email=user.email or "",
        kind=wording.kind,
        language=wording.language,
        pairing=pairing,
        pairing_id=pairing.pk if pairing else None,
        idempotency_key="preview",
        data=data,
    )


def preview_context(wording, user):
    notification = sample_notification(wording, user)
    subject, text, html = outbox.render(notification, wording.frozen())
    return {
        "email_subject": subject,
        "email_text": text,
        "email_html": html,
        "sample_pairing": notification.pairing,
        "wording": wording,
    }


def send_test(wording, user):
    """Send ``wording`` (as saved) to ``user``'s own address. Returns the address."""
    notification = sample_notification(wording, user)
    subject, text, html = outbox.render(notification, wording.frozen())
    message = EmailMultiAlternatives(
        subject=gettext("[Test] %(subject)s") % {"subject": subject},
        body=text,
        from_email=conf.from_email(),
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    message.tags = ["mentorat-test"]
    message.send(fail_silently=False)
    return user.email
