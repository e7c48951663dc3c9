"""The consent ledger (A-2.1 s. 53.1; art. 7 GDPR): given per purpose with the notice's
version, withdrawn as easily, and the effects of a withdrawal.

A person is *excluded* from a purpose when their latest ledger line for it is withdrawn.
No line at all means the consent recorded by the registration before the ledger existed
(``ParticipantProfile.consent_version``) still stands.

Hooks in the core (each harmless when the privacy app is not installed):
:func:`exclude_withdrawn` in ``matching.adapter`` (mentors and waiting requests, through a
subquery: no extra query), :func:`excluded_user_ids` in ``notifications.outbox.insert`` (no
new outbox row; one query per batch) and :func:`record_registration` at registration.
The quality indicators can leave out people with ``exclude_withdrawn(qs,
Purpose.INDICATORS, field=...)``.
"""

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .purposes import Purpose

APP = "wagtail_mentorat.privacy"


def is_installed():
    return apps.is_installed(APP)


def _model():
    from .models import Consent

    return Consent


def _latest_withdrawn():
    """Consent lines that are withdrawn with no later line for the same person and purpose."""
    Consent = _model()
    later = Consent.objects.filter(
        user_id=OuterRef("user_id"), purpose=OuterRef("purpose"), pk__gt=OuterRef("pk")
    )
    return Consent.objects.filter(withdrawn_at__isnull=False).exclude(Exists(later))


def excluded_users(purpose):
    """A subquery of the ids of people who withdrew their consent to ``purpose``; use it as
    ``.exclude(user_id__in=excluded_users(Purpose.MATCHING))``. None when the privacy app
    is not installed."""
    if not is_installed():
        return None
    return _latest_withdrawn().filter(purpose=purpose).values("user_id")


def excluded_user_ids(purpose, among=None):
    """The same as a set (one query)."""
    qs = excluded_users(purpose)
    if qs is None:
        return set()
    if among is not None:
        qs = qs.filter(user_id__in=list(among))
    return set(qs.values_list("user_id", flat=True))


def exclude_withdrawn(queryset, purpose, field="user_id"):
    """``queryset`` without the people who withdrew their consent to ``purpose`` (through a
    subquery: no extra query). Unchanged when the privacy app is not installed."""
    excluded = excluded_users(purpose)
    if excluded is None:
        return queryset
    return queryset.exclude(**{f"{field}__in": excluded})


def status(user):
    """{purpose: latest ledger line or None} for one person."""
    result = {purpose: None for purpose in Purpose.values}
    for line in _model().objects.filter(user=user).order_by("pk"):
        result[line.purpose] = line
    return result


def has_consent(user, purpose):
    line = status(user)[purpose]
    return line is None or line.withdrawn_at is None


@transaction.atomic
def give(user, purpose, notice_version="", when=None):
    """Record a consent; an existing active line for the purpose is kept as is."""
    current = status(user)[purpose]
    if current is not None and current.withdrawn_at is None:
        if notice_version and current.notice_version != notice_version:
            current = _model().objects.create(
                user=user, purpose=purpose, notice_version=notice_version, given_at=when or _now()
            )
        return current
    return _model().objects.create(
        user=user, purpose=purpose, notice_version=notice_version, given_at=when or _now()
    )


@transaction.atomic
def withdraw(user, purpose, when=None):
    """Withdraw a consent (as easy as giving it) and apply its effects at once."""
    when = when or _now()
    current = status(user)[purpose]
    if current is None:
        # Consent given at registration before the ledger: record it, then withdraw it.
        from wagtail_mentorat.models import ParticipantProfile

        profile = ParticipantProfile.objects.filter(user=user).first()
        current = _model().objects.create(
            user=user,
            purpose=purpose,
            notice_version=getattr(profile, "consent_version", "") or "",
            given_at=getattr(profile, "consent_at", None) or when,
        )
    if current.withdrawn_at is None:
        current.withdrawn_at = when
        current.save(update_fields=["withdrawn_at"])
    if purpose == Purpose.EMAIL:
        _skip_pending_emails(user)
    return current


def record_registration(user, notice_version, when=None):
    """Registration gives consent to every purpose under the page's notice version."""
    for purpose in Purpose.values:
        give(user, purpose, notice_version, when)


def _skip_pending_emails(user):
    """Emails already waiting in the outbox are not sent after a withdrawal."""
    if not apps.is_installed("wagtail_mentorat.notifications"):
        return 0
    from wagtail_mentorat.notifications.models import Notification

    return Notification.objects.filter(recipient=user, status=Notification.Status.PENDING).update(
        status=Notification.Status.SKIPPED, last_error="consent to email withdrawn"
    )


def _now():
    return timezone.now()
