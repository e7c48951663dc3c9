"""The consent ledger (A-2.1 s. 53.1; art. 7 GDPR): given per purpose with the notice's
version, withdrawn as easily, and the effects of a withdrawal.

A person is *excluded* from a purpose when their latest ledger line for it is withdrawn,
or while they are *awaiting confirmation*: their manager registered them
(``ParticipantProfile.registered_by``) and they have not yet accepted the privacy notice
themself (``consent_at`` empty; A-2.1: consent is the person's own, manifest, free and
enlightened). No line at all otherwise means the consent recorded by the registration
before the ledger existed (``ParticipantProfile.consent_version``) still stands.

The awaiting rule lives in :func:`awaiting_users` only. It reads two fields of the core's
profile, so it holds whether or not the privacy app is installed: without the app there
is no ledger (nobody has withdrawn anything), but a person registered by their manager is
still out of matching and email until they confirm in their space, which records
``consent_version`` and ``consent_at`` on the profile (and the ledger when installed).

Hooks in the core (each harmless when the privacy app is not installed):
:func:`exclude_withdrawn` in ``matching.adapter`` (mentors and waiting requests, through a
subquery: no extra query), :func:`excluded_reasons` in ``rules.pairing_errors`` (withdrawn
or awaiting, one query) and in ``notifications.outbox.insert`` (no new outbox row, except
the invitation to confirm; one query per batch) and :func:`record_registration` at
registration and at the person's confirmation.
The quality indicators can leave out people with ``exclude_withdrawn(qs,
Purpose.INDICATORS, field=...)``.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .purposes import Purpose

APP = "wagtail_mentorat.privacy"

# Why a person is excluded from a purpose (:func:`excluded_reasons`).
WITHDRAWN = "withdrawn"
AWAITING = "awaiting"


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


def awaiting_profiles():
    """Profiles of people *awaiting confirmation*: registered by their manager, they have not
    yet accepted the privacy notice themself. The one place of that rule."""
    from wagtail_mentorat.models import ParticipantProfile

    return ParticipantProfile.objects.filter(registered_by__isnull=False, consent_at__isnull=True)


def awaiting_users():
    """A subquery of the ids of the people awaiting confirmation (:func:`awaiting_profiles`)."""
    return awaiting_profiles().values("user_id").order_by()


def is_awaiting(user):
    """Whether ``user`` still has to confirm the registration their manager made."""
    return user.is_authenticated and awaiting_profiles().filter(user=user).exists()


def excluded_users(purpose):
    """A subquery of the ids of people excluded from ``purpose``: who withdrew their consent
    to it, and who is awaiting confirmation. Use it as
    ``.exclude(user_id__in=excluded_users(Purpose.MATCHING))`` (no extra query). Without
    the privacy app: the people awaiting confirmation only."""
    awaiting = awaiting_users()
    if not is_installed():
        return awaiting
    withdrawn = _latest_withdrawn().filter(purpose=purpose).values("user_id").order_by()
    return withdrawn.union(awaiting)


def excluded_reasons(purpose, among):
    """{user id: WITHDRAWN or AWAITING} of the people of ``among`` (ids or users) excluded
    from ``purpose``, in one query; a withdrawal wins over awaiting."""
    ids = {getattr(x, "pk", x) for x in among}
    if not ids:
        return {}
    awaiting = Exists(awaiting_profiles().filter(user_id=OuterRef("pk")))
    people = get_user_model().objects.filter(pk__in=ids).order_by()
    if is_installed():
        withdrawn = Exists(_latest_withdrawn().filter(purpose=purpose, user_id=OuterRef("pk")))
        rows = people.annotate(is_withdrawn=withdrawn, is_awaiting=awaiting).filter(
            Q(is_withdrawn=True) | Q(is_awaiting=True)
        )
        return {
            pk: WITHDRAWN if is_withdrawn else AWAITING
            for pk, is_withdrawn in rows.values_list("pk", "is_withdrawn")
        }
    return {pk: AWAITING for pk in people.filter(awaiting).values_list("pk", flat=True)}


def excluded_user_ids(purpose, among=None):
    """The same as a set (one query)."""
    if among is not None:
        return set(excluded_reasons(purpose, among))
    return {row["user_id"] for row in excluded_users(purpose)}


def exclude_withdrawn(queryset, purpose, field="user_id"):
    """``queryset`` without the people excluded from ``purpose`` (withdrawn, or awaiting
    confirmation), through a subquery: no extra query."""
    return queryset.exclude(**{f"{field}__in": excluded_users(purpose)})


def status(user):
    """{purpose: latest ledger line or None} for one person."""
    result = {purpose: None for purpose in Purpose.values}
    for line in _model().objects.filter(user=user).order_by("pk"):
        result[line.purpose] = line
    return result


def has_consent(user, purpose):
    """False while the person awaits confirmation, whatever the ledger says."""
    if is_awaiting(user):
        return False
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
    from wagtail_mentorat.notifications.models import CONSENT_WITHDRAWN, Notification

    return Notification.objects.filter(recipient=user, status=Notification.Status.PENDING).update(
        status=Notification.Status.SKIPPED, last_error=CONSENT_WITHDRAWN
    )


def _now():
    return timezone.now()
