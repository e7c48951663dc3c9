"""A request never waits silently (the first complaint about mentoring platforms): when a
mentor declines an assignment, or lets the programme's delay pass without answering, the
next suggestion is proposed at once and the coordinator is told. A fallback is only a
proposal: a person still confirms it (Quebec's Access Act, s. 65.2)."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import lifecycle
from ..exceptions import RuleViolation
from ..models import MentorDecline, MentoringRequest, Pairing, PairingState
from . import adapter


def propose_next(request):
    """Propose the best mentor still eligible for ``request`` (never one who declined it).
    Returns the proposal, or None when nobody is left; either way the coordinator hears."""
    request = MentoringRequest.objects.select_related("programme", "mentee").get(pk=request.pk)
    if request.status != MentoringRequest.Status.OPEN:
        return None
    best, _excluded = adapter.suggestions(request, limit=1)
    pairing = None
    if best:
        mentor = get_user_model().objects.get(pk=best[0].mentor.id)
        try:
            with transaction.atomic():
                pairing = adapter.assign(request, mentor, None, approve=False)
        except RuleViolation:
            pairing = None  # taken meanwhile: the coordinator chooses
    return pairing


@transaction.atomic
def decline(pairing, mentor, reason, note=""):
    """The mentor's refusal, then the next suggestion. Returns the new proposal or None."""
    declined = lifecycle.decline_assignment(pairing, mentor, reason, note)
    return _fall_back(declined)


def _fall_back(declined):
    if declined.request_id is None:
        return None
    proposal = propose_next(declined.request)
    lifecycle.record_fallback(declined, proposal)
    return proposal


def expired(now=None):
    """Assignments whose mentor has neither accepted nor made contact within the
    programme's delay (few at any time: filtered in Python, portable across databases)."""
    now = now or timezone.now()
    waiting = Pairing.objects.filter(
        state=PairingState.APPROVED,
        mentor_accepted_at__isnull=True,
        first_contact_at__isnull=True,
        assigned_at__lt=now - datetime.timedelta(hours=1),
    ).select_related("programme")
    return [
        p
        for p in waiting.order_by("pk")
        if p.assigned_at + datetime.timedelta(hours=p.programme.mentor_response_hours) < now
    ]


def expire_unanswered(now=None):
    """Fall back for every expired assignment, each in its own transaction (a failure on
    one leaves the others done). Safe to run twice: a declined assignment is no longer
    waiting. Returns the number handled."""
    done = 0
    for pairing in expired(now):
        try:
            with transaction.atomic():
                lifecycle.decline_assignment(pairing, None, MentorDecline.Reason.NO_ANSWER)
                _fall_back(Pairing.objects.get(pk=pairing.pk))
            done += 1
        except RuleViolation:
            continue  # answered meanwhile
    return done
