"""Every kind of email the programme sends, who gets it, and whether a person may mute it.

A *required* kind carries a deadline of the recipient's own role (seed 004's 48–72 h first
contact, the 24–48 h urgent answer, seed 001's reviews and the manager's approvals): it
cannot be turned off. The others are reminders and news a person may turn off. The
invitation to confirm a registration made by one's manager is required too: it is sent
once and is how the person's consent is asked.
Templates live in ``templates/mentorat_notifications/email/<kind>/``.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    APPROVAL_NEEDED = "approval_needed", _("Approval needed")
    ASSIGNED_MENTOR = "assigned_mentor", _("Mentee assigned (mentor)")
    ASSIGNED_MENTEE = "assigned_mentee", _("Mentor assigned (mentee)")
    PAIRING_CANCELLED = "pairing_cancelled", _("Pairing cancelled")
    AGREEMENT_TO_ACCEPT = "agreement_to_accept", _("Agreement to accept")
    PAIRING_ACTIVE = "pairing_active", _("Pairing active")
    FIRST_CONTACT_OVERDUE = "first_contact_overdue", _("First contact overdue")
    FIRST_CONTACT_ESCALATED = "first_contact_escalated", _("First contact overdue (staff)")
    HELP_REQUESTED = "help_requested", _("Help requested")
    HELP_ANSWERED = "help_answered", _("Help request answered")
    HELP_OVERDUE = "help_overdue", _("Help request overdue")
    HELP_ESCALATED = "help_escalated", _("Help request overdue (staff)")
    NO_MEETING = "no_meeting", _("No recent meeting")
    REVIEW_DUE = "review_due", _("Review due")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    END_APPROACHING = "end_approaching", _("End approaching")
    PROGRAMME_ENDING = "programme_ending", _("Programme ending")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    TRANSFERRED = "transferred", _("Mentee transferred")
    PAIRING_CLOSED = "pairing_closed", _("Pairing closed")
    DISAGREEMENT_RAISED = "disagreement_raised", _("Disagreement raised")
    DISAGREEMENT_HANDLED = "disagreement_handled", _("Disagreement handled")
    REMATCH_WANTED = "rematch_wanted", _("Another mentor wanted (fit check)")
    SAFETY_CONCERN = "safety_concern", _("Safety concern reported")
    MANAGER_DIGEST = "manager_digest", _("Weekly digest for managers")
    NEW_MESSAGE = "new_message", _("New message in a conversation")
    CIRCLE_JOIN_REQUESTED = "circle_join_requested", _("Request to join a circle")
    CIRCLE_JOIN_DECIDED = "circle_join_decided", _("Decision on joining a circle")
    MEETING_PROPOSED = "meeting_proposed", _("Meeting times proposed")
    MEETING_DECLINED = "meeting_declined", _("Proposed meeting times declined")
    MEETING_PLANNED = "meeting_planned", _("Meeting planned or changed (invitation)")
    MEETING_CANCELLED = "meeting_cancelled", _("Planned meeting cancelled")
    REGISTRATION_TO_CONFIRM = (
        "registration_to_confirm",
        _("Registration by one's manager, to be confirmed"),
    )


@dataclass(frozen=True)
class KindInfo:
    required: bool


KINDS = {
    Kind.APPROVAL_NEEDED: KindInfo(required=True),
    Kind.ASSIGNED_MENTOR: KindInfo(required=True),
    Kind.ASSIGNED_MENTEE: KindInfo(required=False),
    Kind.PAIRING_CANCELLED: KindInfo(required=False),
    Kind.AGREEMENT_TO_ACCEPT: KindInfo(required=True),
    Kind.PAIRING_ACTIVE: KindInfo(required=False),
    Kind.FIRST_CONTACT_OVERDUE: KindInfo(required=True),
    Kind.FIRST_CONTACT_ESCALATED: KindInfo(required=True),
    Kind.HELP_REQUESTED: KindInfo(required=True),
    Kind.HELP_ANSWERED: KindInfo(required=False),
    Kind.HELP_OVERDUE: KindInfo(required=True),
    Kind.HELP_ESCALATED: KindInfo(required=True),
    Kind.NO_MEETING: KindInfo(required=False),
    Kind.REVIEW_DUE: KindInfo(required=True),
    Kind.REVIEW_OVERDUE: KindInfo(required=True),
    Kind.END_APPROACHING: KindInfo(required=False),
    Kind.PROGRAMME_ENDING: KindInfo(required=False),
    Kind.EXTENSION_DECIDED: KindInfo(required=False),
    Kind.TRANSFERRED: KindInfo(required=True),
    Kind.PAIRING_CLOSED: KindInfo(required=False),
    Kind.DISAGREEMENT_RAISED: KindInfo(required=True),
    # News for the person who raised it (never how it was handled): they may mute it.
    Kind.DISAGREEMENT_HANDLED: KindInfo(required=False),
    Kind.REMATCH_WANTED: KindInfo(required=True),
    Kind.SAFETY_CONCERN: KindInfo(required=True),
    Kind.MANAGER_DIGEST: KindInfo(required=False),
    Kind.NEW_MESSAGE: KindInfo(required=False),
    Kind.CIRCLE_JOIN_REQUESTED: KindInfo(required=True),
    Kind.CIRCLE_JOIN_DECIDED: KindInfo(required=False),
    # Scheduling the next meeting (issue 21): news between the members, each may mute it
    # (the meeting itself stays on the pairing page and in the calendar feed).
    Kind.MEETING_PROPOSED: KindInfo(required=False),
    Kind.MEETING_DECLINED: KindInfo(required=False),
    Kind.MEETING_PLANNED: KindInfo(required=False),
    Kind.MEETING_CANCELLED: KindInfo(required=False),
    # Once per registration; it is how the person's consent is asked, so it cannot be muted.
    Kind.REGISTRATION_TO_CONFIRM: KindInfo(required=True),
}

# The only kinds sent to a person awaiting confirmation (registered by their manager, not
# yet consenting): the invitation asks for the consent. Every other email to them is
# skipped, not held: no row is written (outbox.insert), as after a withdrawal.
ASKS_FOR_CONSENT = frozenset({Kind.REGISTRATION_TO_CONFIRM})

OPTIONAL_KINDS = [kind for kind, info in KINDS.items() if not info.required]


def is_required(kind):
    return KINDS[Kind(kind)].required
