"""Pairings with several mentors, each with a written contribution (seed 004), or a group
of mentees with one mentor (seed 002), made in one step by whoever may pair: programme
staff from the workbench, the manager from the manager's space (issue 17, item 2).

Both screens post the same fields (``primary``, ``primary_contribution``, ``secondary``
and ``contribution`` repeated, ``mentee`` repeated, ``reason``, ``staff_reason``); the
rules are the lifecycle's, so a refusal says the rule's reason and writes nothing."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import ids, lifecycle
from ..models import ParticipantProfile

MAX_TEXT = 1000
SECONDARY_SLOTS = 3  # additional mentors offered at once


def read_team(posted, mentoring_request, pool, others):
    """The mentors, their contributions, the other mentees and the reasons a team form
    names, or the list of what is wrong. ``pool``: {mentor id: mentor} the form offers;
    ``others``: the waiting requests that may join a group (a queryset)."""
    errors = []
    chosen = [(posted.get("primary", ""), posted.get("primary_contribution", ""))]
    chosen += [
        (mentor, text)
        for mentor, text in zip(
            posted.getlist("secondary"), posted.getlist("contribution"), strict=False
        )
        if mentor or text.strip()
    ]
    mentors, contributions = [], {}
    for i, (value, text) in enumerate(chosen):
        mentor_id = ids.parse_id(value)
        if mentor_id not in pool:
            errors.append(
                _("Choose the primary mentor among the programme's mentors.")
                if i == 0
                else _("Choose each additional mentor among the programme's mentors.")
            )
            continue
        text = text.strip()
        if len(text) > MAX_TEXT:
            errors.append(_("A contribution is %(max)s characters at most.") % {"max": MAX_TEXT})
        elif i and not text:
            # Seed 004: each mentor's contribution is written down.
            errors.append(
                _("Write what %(name)s brings to the pairing.") % {"name": pool[mentor_id].name}
            )
        mentors.append(mentor_id)
        contributions[mentor_id] = text
    mentees = [mentoring_request.mentee]
    for value in posted.getlist("mentee"):
        if ids.parse_id(value) == mentoring_request.pk:
            continue  # the request paired is the group's first mentee already
        other = ids.first_or_none(others.exclude(pk=mentoring_request.pk), value)
        if other is None:
            errors.append(_("Choose the other mentees among the waiting requests."))
            break
        mentees.append(other.mentee)
    reason = posted.get("reason", "").strip()
    if len(reason) > MAX_TEXT:
        errors.append(_("The skill need is %(max)s characters at most.") % {"max": MAX_TEXT})
    staff_reason = posted.get("staff_reason", "").strip()
    if len(staff_reason) > MAX_TEXT:
        errors.append(
            _("The reason for pairing is %(max)s characters at most.") % {"max": MAX_TEXT}
        )
    if errors:
        return None, errors
    users = {
        p.user_id: p.user
        for p in ParticipantProfile.objects.filter(user_id__in=mentors).select_related("user")
    }
    return {
        "request": mentoring_request,
        "mentees": mentees,
        "mentors": [users[pk] for pk in mentors],
        "contributions": {pk: text for pk, text in contributions.items() if text},
        "reason": reason,
        "staff_reason": staff_reason,
    }, []


@transaction.atomic
def make_team_pairing(programme, team, actor):
    """Propose and approve in one transaction: a refusal of either changes nothing."""
    pairing = lifecycle.propose_pairing(
        programme,
        team["mentees"],
        team["mentors"],
        actor,
        request=team["request"],
        contributions=team["contributions"],
        cross_discipline_reason=team["reason"],
        staff_reason=team["staff_reason"],
    )
    return lifecycle.approve_pairing(pairing, actor)
