"""Preferences without self-service chaos: a mentee marks up to three mentors among their
suggestions; the coordinator or manager still decides, seeing them."""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..exceptions import RuleViolation
from ..lifecycle import LOG_PREFIX
from ..models import MentoringRequest, MentorPreference
from . import adapter, scoring


def choices(request, limit=8):
    """The mentors a mentee may prefer: their best eligible suggestions."""
    best, _excluded = adapter.suggestions(request, limit=limit)
    return best


@transaction.atomic
def set_preferences(request, actor, mentor_ids):
    """Replace the request's preferences by ``mentor_ids``, best first. Each must be an
    eligible mentor for this request (a preference never overrides a hard constraint)."""
    request = MentoringRequest.objects.select_for_update().get(pk=request.pk)
    if actor is None or request.mentee_id != actor.pk:
        raise RuleViolation(
            _("Only the mentee chooses their preferred mentors."), code="not_allowed"
        )
    if request.status != MentoringRequest.Status.OPEN:
        raise RuleViolation(
            _("This request is no longer waiting for a mentor."), code="not_waiting"
        )
    mentor_ids = [int(i) for i in mentor_ids]
    if len(mentor_ids) > MentorPreference.MAX:
        raise RuleViolation(
            _("Choose at most %(max)s mentors.") % {"max": MentorPreference.MAX}, code="too_many"
        )
    if len(set(mentor_ids)) != len(mentor_ids):
        raise RuleViolation(_("Choose each mentor once."), code="duplicate")
    if mentor_ids:
        mentee = adapter.load_mentees([request])[0]
        mentors = {m.id: m for m in adapter.load_mentors(request.programme)}
        rule_set = adapter.rules_for(request.programme)
        for mentor_id in mentor_ids:
            mentor = mentors.get(mentor_id)
            if mentor is None or scoring.exclusion(mentee, mentor, rule_set):
                raise RuleViolation(
                    _("Choose among the mentors suggested to you."), code="not_eligible"
                )
    MentorPreference.objects.filter(request=request).delete()
    MentorPreference.objects.bulk_create(
        MentorPreference(request=request, mentor_id=mentor_id, rank=rank)
        for rank, mentor_id in enumerate(mentor_ids, start=1)
    )
    log(
        instance=request,
        action=LOG_PREFIX + "preferences",
        user=actor,
        data={"count": len(mentor_ids)},
    )
    return mentor_ids
