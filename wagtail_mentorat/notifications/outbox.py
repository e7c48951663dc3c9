"""The outbox: write notification rows, claim them, send them through django-anymail.

The guarantee (documentation: operations/email, "Delivery guarantee"):

* A row is written in the same transaction as its event, with a unique idempotency key:
  no event is lost (the row commits with it) and none yields two rows for one person.
* A task sends it. Before the provider is called the row is *claimed*: one conditional
  UPDATE turns it from "pending" to "sending"; a second worker, a retry or a second sweep
  finds nothing to claim. After the call the row is "sent" with the provider's message id.
* A transient failure (``AnymailAPIError``, a connection error) puts the row back to
  "pending" with a growing delay; a permanent one (refused recipient, invalid address) or
  too many attempts marks it "failed" for a coordinator.
* A worker that dies between the provider's call and the marking leaves the row "sending".
  Such a row is never resent by itself: after :func:`conf.stuck_after` it becomes "stuck",
  shown to coordinators, who may resend it. So a crash costs at most one duplicate, and
  only by a person's decision: delivery is at-most-once for automatic sending.
"""

import datetime
import hashlib
import logging
import smtplib
import uuid
from email.mime.text import MIMEText

from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
)
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from .. import rules
from ..privacy.consent import AWAITING, excluded_reasons
from ..privacy.purposes import Purpose
from . import conf, models
from .kinds import ASKS_FOR_CONSENT, is_required
from .models import Notification, NotificationSettings

logger = logging.getLogger(__name__)
Status = Notification.Status

PERMANENT_ERRORS = (AnymailRecipientsRefused, AnymailInvalidAddress, smtplib.SMTPRecipientsRefused)
TRANSIENT_ERRORS = (AnymailAPIError, ConnectionError, TimeoutError, OSError, smtplib.SMTPException)
TASK_CHUNK = 500


# --- who and in which language -------------------------------------------------------------


def coordinators(programme):
    """Programme staff alerted for ``programme``: its coordinators; the administrators when it
    names none, so an alert always reaches someone."""
    pk = getattr(programme, "pk", programme)
    return coordinators_by_programme([pk])[pk]


def coordinators_by_programme(programme_ids):
    """{programme id: [its coordinators]} for several programmes (two queries)."""
    from ..models import Programme

    listed = {pk: [] for pk in programme_ids}
    rows = (
        Programme.coordinators.through.objects.filter(programme_id__in=list(listed))
        .filter(user__in=rules.programme_staff())
        .select_related("user")
        .order_by("user_id")
    )
    for row in rows:
        listed[row.programme_id].append(row.user)
    if not all(listed.values()):
        admins = list(
            get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk")
        )
        listed = {pk: people or admins for pk, people in listed.items()}
    return listed


def settings_for(user_ids):
    """Each person's email settings, by user id (one query)."""
    return {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=user_ids)}


def wagtail_languages(user_ids):
    from wagtail.users.models import UserProfile

    return dict(
        UserProfile.objects.filter(user_id__in=user_ids)
        .exclude(preferred_language="")
        .values_list("user_id", "preferred_language")
    )


def language_for(user, prefs=None, wagtail_language=None):
    available = dict(settings.LANGUAGES)
    for code in (getattr(prefs, "language", ""), wagtail_language):
        if code and code in available:
            return code
    return settings.LANGUAGE_CODE


# --- writing rows (inside the event's transaction) -----------------------------------------


def build(
    recipient,
    kind,
    key,
    *,
    about=None,
    pairing_id=None,
    data=None,
    prefs=None,
    language=None,
    run="",
    content_type_id=None,
    object_id=None,
):
    """An unsaved row for ``recipient``, or None when the person turned this kind off.

    A required kind is always written. A bounced or missing address is written as "not
    sent", so programme staff see who was not reached.
    """
    if recipient is None:
        return None
    if prefs is not None and not is_required(kind) and kind in (prefs.muted_kinds or []):
        return None
    row = Notification(
        recipient=recipient,
        to_email=recipient.email or "",
        kind=kind,
        language=language or language_for(recipient, prefs),
        pairing_id=pairing_id,
        idempotency_key=key[:200],
        data=data or {},
        run=run,
    )
    if about is not None:
        row.content_type_id = ContentType.objects.get_for_model(about).pk
        row.object_id = about.pk
    elif content_type_id:
        row.content_type_id, row.object_id = content_type_id, object_id
    if not row.to_email:
        row.status, row.last_error = Status.SKIPPED, models.NO_ADDRESS
    elif prefs is not None and prefs.email_bounced:
        row.status, row.last_error = Status.SKIPPED, models.BOUNCED
    return row


def insert(rows, run):
    """Insert the rows whose idempotency key is new; [(pk, status)] of those this call
    inserted (the ``run`` token tells them from a concurrent writer's)."""
    rows = [r for r in rows if r is not None]
    # Privacy: no email to someone who withdrew their consent to email, nor to someone
    # awaiting confirmation but the invitation that asks for it (one query).
    excluded = excluded_reasons(Purpose.EMAIL, among={r.recipient_id for r in rows})
    rows = [
        r
        for r in rows
        if r.recipient_id not in excluded
        or (excluded[r.recipient_id] == AWAITING and r.kind in ASKS_FOR_CONSENT)
    ]
    if not rows:
        return []
    for row in rows:
        row.run = run
    freeze_wording(rows)
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.filter(
            run=run, idempotency_key__in=[r.idempotency_key for r in rows]
        ).values_list("pk", "status")
    )


def freeze_wording(rows):
    """Copy the editors' current wording of each row's kind and language into the row (one
    query): the email is sent with the wording of the moment it was written, whatever is
    edited, rolled back or reset while it waits in the outbox."""
    from .models import EmailWording

    kinds = {row.kind for row in rows}
    languages = {row.language or settings.LANGUAGE_CODE for row in rows}
    current = {
        (w.kind, w.language): w.frozen()
        for w in EmailWording.objects.filter(kind__in=kinds, language__in=languages)
    }
    for row in rows:
        row.wording = current.get((row.kind, row.language or settings.LANGUAGE_CODE)) or {}


def add(rows, run=None):
    """Insert the new rows (an existing idempotency key wins) and, once the transaction
    commits, enqueue the sending of those this call inserted. Returns their ids."""
    inserted = insert(rows, run or uuid.uuid4().hex)
    to_send = [pk for pk, status in inserted if status == Status.PENDING]
    if to_send:
        transaction.on_commit(lambda: enqueue_sending(to_send))
    return [pk for pk, _status in inserted]


def enqueue_sending(ids):
    """One task per chunk of ids (a database task backend writes one row per task)."""
    from .tasks import send_notifications

    ids = list(ids)
    for start in range(0, len(ids), TASK_CHUNK):
        try:
            send_notifications.enqueue(ids[start : start + TASK_CHUNK])
        except Exception:  # the rows stay pending: the next flush sends them
            logger.exception("Could not enqueue notifications; the sweep will retry them.")


# --- sending -------------------------------------------------------------------------------


def claim(pk, now=None):
    """Turn one due "pending" row into "sending"; True if this caller won it."""
    now = now or timezone.now()
    return bool(
        Notification.objects.filter(pk=pk, status=Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, sending_started_at=now, attempts=F("attempts") + 1)
    )


def backoff(attempts):
    """Seconds before the next try: base, 2×base, 4×base… capped."""
    return min(conf.retry_base_seconds() * 2 ** max(attempts - 1, 0), conf.retry_max_seconds())


def send_one(pk, now=None):
    """Send one row if it can be claimed. Returns its status afterwards, or None when
    another worker has it (or it is not due)."""
    if not claim(pk, now):
        return None
    notification = Notification.objects.select_related("recipient", "pairing").get(pk=pk)
    try:
        message = render_message(notification)
        message.send(fail_silently=False)
    except PERMANENT_ERRORS as error:
        return _mark_failed(notification, error)
    except TRANSIENT_ERRORS as error:
        return _mark_retry(notification, error)
    except Exception as error:  # a bug or a bad template: retried, then failed, and visible
        logger.exception("Notification %s could not be sent", pk)
        return _mark_retry(notification, error)
    return _mark_sent(notification, message)


def _message_id(message):
    status = getattr(message, "anymail_status", None)
    if status is None:
        return ""
    if status.message_id is not None:
        return str(status.message_id)
    ids = {str(s.message_id) for s in status.recipients.values() if s.message_id is not None}
    return ",".join(sorted(ids))


def _mark_sent(notification, message):
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        message_id=_message_id(message)[:255],
        last_error="",
        next_attempt_at=None,
    )
    return Status.SENT


def _describe(error):
    return f"{type(error).__name__}: {error}"[:2000]


def _mark_failed(notification, error):
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.FAILED, last_error=_describe(error), next_attempt_at=None
    )
    return Status.FAILED


def _mark_retry(notification, error):
    attempts = notification.attempts  # already counted by the claim
    if attempts >= conf.max_attempts():
        Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
            status=Status.FAILED, last_error=_describe(error), next_attempt_at=None
        )
        return Status.FAILED
    delay = backoff(attempts)
    next_at = timezone.now() + datetime.timedelta(seconds=delay)
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.PENDING, last_error=_describe(error), next_attempt_at=next_at
    )
    _schedule_retry(notification.pk, next_at)
    return Status.PENDING


def _schedule_retry(pk, when):
    """On a backend that can defer (django-tasks-db), a task at the retry time; elsewhere
    the next flush of the outbox (``mentorat_remind``) picks the row up."""
    from .tasks import send_notifications

    try:
        if send_notifications.get_backend().supports_defer:
            send_notifications.using(run_after=when).enqueue([pk])
    except Exception:
        logger.exception("Could not schedule a retry; the next flush will send it.")


def release_stuck(now=None):
    """Rows left "sending" too long (a worker died): shown for review, never resent."""
    now = now or timezone.now()
    return Notification.objects.filter(
        status=Status.SENDING, sending_started_at__lt=now - conf.stuck_after()
    ).update(
        status=Status.STUCK,
        last_error=models.INTERRUPTED,
    )


def due_ids(now=None, grace=None):
    """Pending rows that should have been sent by now: a retry whose time has come, or a
    row whose task was lost. ``grace`` leaves a queued task the time to run first."""
    now = now or timezone.now()
    limit = now - (conf.flush_grace() if grace is None else grace)
    return list(
        Notification.objects.filter(status=Status.PENDING)
        .filter(
            Q(next_attempt_at__lte=limit) | Q(next_attempt_at__isnull=True, created_at__lte=limit)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def flush(now=None, grace=None):
    """The safety net: mark stuck rows, then enqueue every pending row that should have
    been sent. Returns how many were enqueued."""
    release_stuck(now)
    ids = due_ids(now, grace)
    enqueue_sending(ids)
    return len(ids)


def resend(notification_ids):
    """A coordinator's decision to send failed or interrupted rows again."""
    ids = list(
        Notification.objects.filter(
            pk__in=notification_ids, status__in=[Status.FAILED, Status.STUCK]
        ).values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(
        status=Status.PENDING, next_attempt_at=None, attempts=0
    )
    if ids:
        transaction.on_commit(lambda: enqueue_sending(ids))
    return ids


# --- rendering -----------------------------------------------------------------------------

COORDINATOR_KINDS = {
    "first_contact_escalated",
    "help_escalated",
    "disagreement_raised",
    "rematch_wanted",
}
THREAD_KINDS = {"new_message"}
CIRCLE_KINDS = {"circle_join_requested", "circle_join_decided"}


def _reverse(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def action_path(notification):
    """The page where the person acts on this email."""
    role = notification.data.get("role", "")
    pk = notification.pairing_id
    candidates = []
    if notification.kind in THREAD_KINDS:  # a new message: straight to the conversation
        candidates += [("wagtail_mentorat:thread", pk)]
    elif notification.kind in CIRCLE_KINDS:
        candidates += [("wagtail_mentorat:circle", pk)]
    if notification.data.get("what") in ("fallback", "no_fallback"):
        # A declined assignment: the next proposal is decided where proposals are.
        candidates += [
            ("mentorat_workbench",) if role == "coordinator" else ("wagtail_mentorat:manager",)
        ]
    if role == "coordinator" or notification.kind in COORDINATOR_KINDS:
        candidates += [("wagtailsnippets_wagtail_mentorat_pairing:inspect", pk)]
    elif role == "manager":
        candidates += [("wagtail_mentorat:manager_decide", pk), ("wagtail_mentorat:manager",)]
    else:
        candidates += [("wagtail_mentorat:pairing", pk), ("wagtail_mentorat:space",)]
    candidates.append(("wagtail_mentorat:space",))
    for name, *args in candidates:
        if None in args:
            continue
        path = _reverse(name, *args)
        if path:
            return path
    return "/"


def message_header_id(notification):
    """A Message-ID fixed by the idempotency key: should a retry follow a send whose answer
    was lost, mail systems that merge on Message-ID show one message."""
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:32]
    domain = (conf.from_email().rsplit("@", 1) + ["localhost"])[1].strip(">") or "localhost"
    return f"<mentorat.{digest}@{domain}>"


DATE_KEYS = ("due", "new_end", "planned_end", "since", "starts")


def _parse_dates(data):
    """ISO strings of the row's data back to dates, so templates format them in the
    recipient's language and time zone."""
    for key in DATE_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            try:
                data[key] = (
                    datetime.date.fromisoformat(value)
                    if len(value) == 10
                    else datetime.datetime.fromisoformat(value)
                )
            except ValueError:
                pass
    return data


def context_for(notification):
    pairing = notification.pairing
    recipient = notification.recipient
    settings_path = _reverse("mentorat_notifications:settings") or "/"
    return {
        "notification": notification,
        "recipient": recipient,
        "recipient_name": (recipient.get_full_name() or recipient.get_username())
        if recipient
        else "",
        "pairing": pairing,
        "programme": pairing.programme if pairing else None,
        "data": _parse_dates(dict(notification.data)),
        "url": conf.base_url() + action_path(notification),
        "settings_url": conf.base_url() + settings_path,
        "optional": not is_required(notification.kind),
        "site_name": _site_name(),
    }


def _site_name():
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or "Intranet"


def render(notification, wording=None):
    """(subject, text, html) in the recipient's language: the editors' wording frozen into
    the row (or ``wording``, for a preview) where there is one, else the shipped files."""
    from . import wording as editable
    from .digest import extra_context

    context = context_for(notification)
    context.update(extra_context(notification))
    frozen = notification.wording if wording is None else wording
    base = f"mentorat_notifications/email/{notification.kind}/"
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        subject, text, html = editable.render_edited(notification, context, frozen or {})
        if subject is None:
            subject = " ".join(render_to_string(base + "subject.txt", context).split())
        if text is None:
            text = render_to_string(base + "body.txt", context)
            html = render_to_string(base + "body.html", context)
    return subject, text.strip() + "\n", html


def render_message(notification, wording=None):
    subject, text, html = render(notification, wording)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=conf.from_email(),
        to=[notification.to_email],
        headers={"Message-ID": message_header_id(notification)},
    )
    message.attach_alternative(html, "text/html")
    attach_invitation(message, notification)
    message.metadata = {"notification": str(notification.pk)}
    message.tags = [f"mentorat-{notification.kind}"]
    return message


INVITATION_KINDS = {"meeting_planned", "meeting_cancelled"}


def attach_invitation(message, notification):
    """A planned meeting's email carries its iCalendar invitation (``text/calendar;
    method=REQUEST``, or ``CANCEL``), built when the email is sent from what the row was
    written with (method, SEQUENCE, start, length) and the meeting's UID, people and place
    (the place is never copied into the outbox row). Sending it again sends the same
    invitation: calendar clients merge by UID and SEQUENCE. No attachment once the
    planned meeting is gone (retention)."""
    if notification.kind not in INVITATION_KINDS:
        return
    from ..models import PlannedMeeting
    from ..scheduling import invitation

    data = notification.data or {}
    planned = (
        PlannedMeeting.objects.select_related("organizer", "attendee")
        .filter(pk=data.get("planned"))
        .first()
    )
    if planned is None:
        return
    method = "CANCEL" if data.get("method") == "CANCEL" else "REQUEST"
    starts = _parse_dates({"starts": data.get("starts")})["starts"]
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        content = invitation(
            planned,
            method=method,
            sequence=data.get("sequence"),
            starts_at=starts if isinstance(starts, datetime.datetime) else None,
            duration=data.get("duration"),
        )
    part = MIMEText(content.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    message.attach(part)
