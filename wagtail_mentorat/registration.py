"""Registration by a manager, and the person's own confirmation.

Quebec's A-2.1 (s. 14, 53.1): consent is the person's own — manifest, free and
enlightened — so a manager who registers a member of their staff (seed 001: "le besoin
est identifié par l'intervenant et/ou le gestionnaire") cannot consent for them. When the
person has not accepted the privacy notice yet (``consent_at`` empty), their profile
records who registered them (``registered_by``) and no consent is written: they are
*awaiting confirmation* (:func:`wagtail_mentorat.privacy.consent.awaiting_profiles`, the
one place of that rule). Until they confirm in their space they are out of matching and
receive no email but the one invitation to confirm; they may also decline, which
withdraws the request and their consent to matching.

This holds with or without the privacy app: the profile's fields are the core's; the
ledger lines are added when the app is installed.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Locale

from . import caching, conf, lifecycle, rules
from .exceptions import RuleViolation
from .models import (
    MentoringKind,
    MentoringRequest,
    ParticipantProfile,
    Programme,
    RegistrationPage,
)
from .privacy import consent
from .privacy.purposes import Purpose
from .signals import staff_registered


@dataclass
class Awaiting:
    """What the person's space shows while they are awaiting confirmation."""

    profile: ParticipantProfile
    requests: list = field(default_factory=list)
    notice_page: RegistrationPage | None = None
    notice_version: str = ""


def notice_page(cached=True):
    """The live registration page whose privacy notice is shown (the active language's
    first), or None. Kept in the cache per language until a page is published,
    unpublished, moved or deleted (:data:`caching.PAGES`); ``cached=False`` reads the
    database (what a consent is recorded against)."""
    if not cached:
        return _notice_page()
    return caching.PAGES.get_or_set(("registration_page", get_language()), _notice_page)


def _notice_page():
    pages = RegistrationPage.objects.live().order_by("path")
    try:
        page = pages.filter(locale=Locale.get_active()).first()
    except Locale.DoesNotExist:
        page = None
    return page or pages.first()


def notice_version(page=None):
    """The version of the notice a person accepts: the registration page's, else the
    ``WAGTAIL_MENTORAT["PRIVACY_NOTICE_VERSION"]`` setting."""
    return page.privacy_notice_version if page is not None else conf.privacy_notice_version()


def open_programmes(requests=True, today=None):
    """The programmes a person may register in: for a request (a mentee, or a manager for
    their staff) those taking requests ``today`` (:meth:`Programme.recruitment_error`, the
    rule's one place); for a mentor's offer (``requests=False``) every programme open to
    new requests that can still pair (not ended: :func:`rules.pairing_errors`), whatever
    its recruitment dates, so mentors are ready when requests open or still wait."""
    programmes = Programme.objects.filter(is_active=True).order_by("name")
    today = today or timezone.localdate()
    if not requests:
        return programmes.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
    taking = [p.pk for p in programmes if p.recruitment_error(today) is None]
    return programmes.filter(pk__in=taking)


def closed_reasons(today=None):
    """Why each programme open to new requests takes none ``today`` (``(programme,
    reason)``), for the page that has none to offer."""
    today = today or timezone.localdate()
    programmes = Programme.objects.filter(is_active=True).order_by("name")
    return [(p, p.recruitment_error(today)) for p in programmes if p.recruitment_error(today)]


def asks_for_manager(profile, programmes):
    """Whether a mentee's registration asks for their manager: none is on file and one
    of ``programmes`` is paired by the mentee's manager only, where without a manager
    nobody could pair the request (issue 17)."""
    if profile is not None and profile.superior_id is not None:
        return False
    return any(rules.only_managers_pair(programme) for programme in programmes)


def manager_by_email(person, email):
    """The active person of the directory whose address is ``email``, to record as
    ``person``'s manager; a :class:`RuleViolation` that says what to do otherwise."""
    found = list(get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)[:2])
    if not found:
        raise RuleViolation(
            _(
                "Nobody in the directory has this email address: check it, or ask programme "
                "staff to register your manager."
            ),
            code="manager_unknown",
        )
    if len(found) > 1:
        raise RuleViolation(
            _(
                "Several people have this email address: ask programme staff to register "
                "your manager."
            ),
            code="manager_ambiguous",
        )
    manager = found[0]
    if manager.pk == person.pk:
        raise RuleViolation(
            _("This is your own address: give your manager's."), code="manager_self"
        )
    if person.pk in rules.superior_chain(manager.pk):
        raise RuleViolation(
            _("This person reports to you: give the address of your own manager."),
            code="manager_cycle",
        )
    return manager


@transaction.atomic
def register_staff(
    manager,
    person,
    programme,
    need,
    urgency=MentoringRequest.Urgency.NORMAL,
    kind=MentoringKind.INDIVIDUAL,
    expertise=(),
):
    """A manager registers a member of their staff: the request is opened (the lifecycle
    checks who may); a person who has not accepted the notice yet is left without consent,
    with ``registered_by`` set, and invited to confirm. A person who registered themself
    before keeps their consent."""
    request = lifecycle.open_request(
        programme, person, manager, need, urgency=urgency, kind=kind, expertise=expertise
    )
    profile = ParticipantProfile.objects.select_for_update().get(user=person)
    if profile.consent_at is None:
        profile.registered_by = manager
        profile.save(update_fields=["registered_by"])
        staff_registered.send(
            sender=MentoringRequest, request=request, person=person, manager=manager
        )
    return request


def awaiting(user, open_requests=None):
    """An :class:`Awaiting` while ``user`` has to confirm a registration their manager made
    for a request still open, else None. ``open_requests``: the person's open requests, if
    the caller has them already (with ``programme`` and ``opened_by``)."""
    profile = consent.awaiting_profiles().filter(user=user).select_related("registered_by")
    profile = profile.first()
    if profile is None:
        return None
    if open_requests is None:
        open_requests = MentoringRequest.objects.filter(
            mentee=user, status=MentoringRequest.Status.OPEN
        ).select_related("programme", "opened_by")
    requests = [r for r in open_requests if r.opened_by_id != user.pk]
    if not requests:
        return None  # declined (or nothing left to confirm): no notice
    page = notice_page()
    return Awaiting(profile, requests, page, notice_version(page))


@transaction.atomic
def confirm(user, version, when=None):
    """The person accepts the privacy notice ``version`` themself, exactly as a
    self-registration records it. True if recorded; False if there was nothing to confirm
    (already confirmed: a second click changes nothing)."""
    profile = consent.awaiting_profiles().select_for_update().filter(user=user).first()
    if profile is None:
        return False
    record_consent(profile, version, when)
    return True


def record_consent(profile, version, when=None):
    """The person accepts the privacy notice ``version`` themself: on their profile, and in
    the consent ledger (one line per purpose) when the privacy app is installed. Used by
    self-registration and by the confirmation of a manager's registration alike."""
    profile.consent_version = version
    profile.consent_at = when or timezone.now()
    profile.save(update_fields=["consent_version", "consent_at"])
    if consent.is_installed():
        consent.record_registration(profile.user, version, profile.consent_at)


@transaction.atomic
def decline(user):
    """The person declines the registration: their open requests are withdrawn through the
    lifecycle and their consent to matching is recorded as withdrawn. They stay without
    consent (nothing is sent to them) until they register themself. True if anything
    changed; a second click changes nothing."""
    profile = consent.awaiting_profiles().select_for_update().filter(user=user).first()
    if profile is None:
        return False
    requests = list(
        MentoringRequest.objects.filter(mentee=user, status=MentoringRequest.Status.OPEN)
    )
    for request in requests:
        lifecycle.withdraw_request(request, user)
    changed = bool(requests)
    if consent.is_installed():
        line = consent.status(user)[Purpose.MATCHING]
        if line is None or line.withdrawn_at is None:
            consent.withdraw(user, Purpose.MATCHING)
            changed = True
    return changed
