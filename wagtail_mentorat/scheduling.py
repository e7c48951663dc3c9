"""Scheduling the next meeting (issue 21): propose one to three time slots, accept one (the
meeting is planned and both people get an iCalendar invitation), decline, withdraw,
change or cancel a planned meeting, and log it as held once its date has passed.

Like :mod:`wagtail_mentorat.lifecycle`, each action checks who may act and its rule, writes
inside one transaction under a row lock (a slot accepted twice at once fixes one meeting),
logs on the pairing's history and announces the event for the outbox; a refusal raises
:class:`~wagtail_mentorat.exceptions.RuleViolation` and changes nothing.

Time zones: a slot is entered and shown in the intranet's time zone
(``settings.TIME_ZONE``); the invitation writes it with that ``TZID`` and its
``VTIMEZONE``, so every calendar client places it at the same moment.

Who sees what: the pairing's members see the proposals, the slots and the place; the
mentee's manager and programme staff see that a meeting is planned and when (states and
dates), never the place or link, which may be a private address or a meeting's access
code.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event, vCalAddress, vText

from .exceptions import RuleViolation
from .lifecycle import FOLLOW_UP_STATES, _record, _require_member, log_meeting
from .models import (
    MeetingProposal,
    MentoringKind,
    Pairing,
    PairingMember,
    PlannedMeeting,
    ProposedSlot,
)
from .signals import pairing_event_in_transaction

MAX_SLOTS = 3
# A slot is at most this far ahead (a year: longer than any programme; a typo such as
# year 9999 is refused with a clear message).
HORIZON_DAYS = 366
Proposal = MeetingProposal.Status
Planned = PlannedMeeting.Status
PRODID = "-//wagtail-mentorat//scheduling//FR"


# --- what may be done now (the pairing page shows only these) ------------------------------


def refusal(pairing):
    """Why no meeting can be planned in ``pairing`` now (a sentence), or None."""
    if pairing.kind == MentoringKind.CIRCLE:
        return _("A circle plans its meetings in its own page.")
    if pairing.state not in FOLLOW_UP_STATES:
        return _(
            "No meeting can be planned now: the pairing is “%(state)s”. Meetings are planned "
            "from the first contact until the pairing is closed."
        ) % {"state": pairing.get_state_display()}
    return None


def check_slot(starts_at, now=None):
    """The reason ``starts_at`` cannot be proposed, or None."""
    now = now or timezone.now()
    if starts_at <= now:
        return _("This time has already passed: choose a time in the future.")
    if starts_at > now + datetime.timedelta(days=HORIZON_DAYS):
        return _("This time is more than a year away: choose a nearer date.")
    return None


def _check_can_plan(pairing):
    reason = refusal(pairing)
    if reason:
        raise RuleViolation(reason, code="invalid_transition")


def _locked(model, obj):
    return model.objects.select_for_update().select_related("pairing").get(pk=obj.pk)


# --- proposing and answering ---------------------------------------------------------------


@transaction.atomic
def propose_meeting(pairing, actor, slots, now=None):
    """``actor`` proposes ``slots`` (1 to 3 dicts: ``starts_at``, ``duration_minutes``,
    ``mode``, ``place``) to the other members. Their own proposal still open is withdrawn:
    the new one replaces it."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    _check_can_plan(pairing)
    _require_member(pairing, actor)
    slots = list(slots)
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise RuleViolation(
            ngettext(
                "Propose between one and %(n)s time slot.",
                "Propose between one and %(n)s time slots.",
                MAX_SLOTS,
            )
            % {"n": MAX_SLOTS},
            code="slot_count",
        )
    starts = [slot["starts_at"] for slot in slots]
    for start in starts:
        reason = check_slot(start, now)
        if reason:
            raise RuleViolation(reason, code="slot_date")
    if len(set(starts)) != len(starts):
        raise RuleViolation(_("Two time slots are the same: change one."), code="slot_twice")
    MeetingProposal.objects.filter(pairing=pairing, proposed_by=actor, status=Proposal.OPEN).update(
        status=Proposal.WITHDRAWN, answered_by=actor, answered_at=timezone.now()
    )
    proposal = MeetingProposal.objects.create(pairing=pairing, proposed_by=actor)
    for slot in sorted(slots, key=lambda s: s["starts_at"]):
        row = ProposedSlot(
            proposal=proposal,
            starts_at=slot["starts_at"],
            duration_minutes=slot.get("duration_minutes") or 60,
            mode=slot.get("mode") or ProposedSlot._meta.get_field("mode").default,
            place=(slot.get("place") or "").strip(),
        )
        row.full_clean(exclude=["proposal"])
        row.save()
    _record(pairing, "meeting_proposed", actor, {"proposal": proposal.pk})
    return proposal


def _check_answer(proposal, actor):
    if proposal.status != Proposal.OPEN:
        raise RuleViolation(
            _("This proposal was already answered or withdrawn: nothing was changed."),
            code="answered",
        )
    _require_member(proposal.pairing, actor)
    if proposal.proposed_by_id == actor.pk:
        raise RuleViolation(
            _("You made this proposal: another member of the pairing answers it."),
            code="own_proposal",
        )
    _check_can_plan(proposal.pairing)


@transaction.atomic
def accept_slot(slot, actor, now=None):
    """``actor`` accepts one slot of an open proposal made by another member: the meeting
    is planned, and both of them get the invitation."""
    proposal = _locked(MeetingProposal, slot.proposal)
    slot = ProposedSlot.objects.get(pk=slot.pk)
    _check_answer(proposal, actor)
    reason = check_slot(slot.starts_at, now)
    if reason:
        raise RuleViolation(
            _("This time slot has passed: ask for new times, or propose some."), code="slot_date"
        )
    planned = PlannedMeeting.objects.create(
        pairing=proposal.pairing,
        proposal=proposal,
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        mode=slot.mode,
        place=slot.place,
        organizer_id=proposal.proposed_by_id,
        attendee=actor,
    )
    proposal.status, proposal.answered_by, proposal.answered_at = (
        Proposal.ACCEPTED,
        actor,
        timezone.now(),
    )
    proposal.save(update_fields=["status", "answered_by", "answered_at"])
    _record(proposal.pairing, "meeting_planned", actor, invitation_data(planned))
    return planned


@transaction.atomic
def decline_proposal(proposal, actor):
    """None of the slots suits ``actor``: the proposer is told, and may propose others."""
    proposal = _locked(MeetingProposal, proposal)
    _check_answer(proposal, actor)
    proposal.status, proposal.answered_by, proposal.answered_at = (
        Proposal.DECLINED,
        actor,
        timezone.now(),
    )
    proposal.save(update_fields=["status", "answered_by", "answered_at"])
    _record(
        proposal.pairing,
        "meeting_proposal_declined",
        actor,
        {"proposal": proposal.pk, "proposed_by": proposal.proposed_by_id},
    )
    return proposal


@transaction.atomic
def withdraw_proposal(proposal, actor):
    proposal = _locked(MeetingProposal, proposal)
    if proposal.proposed_by_id != actor.pk:
        raise RuleViolation(_("Only the person who made this proposal can withdraw it."))
    if proposal.status != Proposal.OPEN:
        raise RuleViolation(
            _("This proposal was already answered or withdrawn: nothing was changed."),
            code="answered",
        )
    proposal.status, proposal.answered_by, proposal.answered_at = (
        Proposal.WITHDRAWN,
        actor,
        timezone.now(),
    )
    proposal.save(update_fields=["status", "answered_by", "answered_at"])
    _record(proposal.pairing, "meeting_proposal_withdrawn", actor, {"proposal": proposal.pk})
    return proposal


# --- the planned meeting -------------------------------------------------------------------


def _check_planned(planned, actor):
    _require_member(planned.pairing, actor)
    if planned.status != Planned.PLANNED:
        raise RuleViolation(_("This meeting was cancelled: nothing was changed."), code="cancelled")
    if planned.meeting_id:
        raise RuleViolation(
            _("This meeting is already logged as held: nothing was changed."), code="logged"
        )


@transaction.atomic
def reschedule(planned, actor, starts_at, duration_minutes, mode, place, now=None):
    """A member changes a planned meeting that has not taken place: both people get the
    updated invitation (same UID, higher SEQUENCE)."""
    planned = _locked(PlannedMeeting, planned)
    _check_planned(planned, actor)
    _check_can_plan(planned.pairing)
    if planned.starts_at <= (now or timezone.now()):
        raise RuleViolation(
            _("This meeting's time has passed: log it as held, or cancel it."), code="past"
        )
    reason = check_slot(starts_at, now)
    if reason:
        raise RuleViolation(reason, code="slot_date")
    planned.starts_at = starts_at
    planned.duration_minutes = duration_minutes
    planned.mode = mode
    planned.place = (place or "").strip()
    planned.sequence += 1
    planned.full_clean(exclude=["pairing", "proposal", "organizer", "attendee", "meeting"])
    planned.save()
    _record(planned.pairing, "meeting_rescheduled", actor, invitation_data(planned))
    return planned


@transaction.atomic
def cancel_planned(planned, actor):
    """A member cancels a planned meeting: both people get the cancellation (same UID)."""
    planned = _locked(PlannedMeeting, planned)
    _check_planned(planned, actor)
    planned.status = Planned.CANCELLED
    planned.sequence += 1
    planned.save(update_fields=["status", "sequence", "updated_at"])
    _record(planned.pairing, "planned_meeting_cancelled", actor, invitation_data(planned))
    return planned


@transaction.atomic
def log_planned(planned, actor, now=None):
    """Once its time has come, a member logs the planned meeting as held, in one click
    (its date, length and mode; the summary and notes are added afterwards)."""
    planned = _locked(PlannedMeeting, planned)
    _check_planned(planned, actor)
    if planned.starts_at > (now or timezone.now()):
        raise RuleViolation(
            _("This meeting has not taken place yet: log it once it is held."), code="future"
        )
    meeting = log_meeting(
        planned.pairing, actor, planned.starts_at, planned.duration_minutes, planned.mode
    )
    planned.meeting = meeting
    planned.save(update_fields=["meeting", "updated_at"])
    return meeting


@receiver(pairing_event_in_transaction, dispatch_uid="mentorat_scheduling_pairing_ended")
def cancel_with_pairing(sender, pairing, event, actor, **kwargs):
    """A pairing that is closed or cancelled (by anyone, or by the daily command when its
    programme ends) cancels its meetings still to come, in the same transaction: each
    person of a meeting gets its cancellation (METHOD:CANCEL, same UID), so no calendar
    keeps a meeting of an ended pairing. Its open proposals are withdrawn."""
    if event not in ("closed", "cancelled"):
        return
    coming = PlannedMeeting.objects.select_for_update().filter(
        pairing=pairing.pk,
        status=Planned.PLANNED,
        meeting__isnull=True,
        starts_at__gt=timezone.now(),
    )
    for planned in coming:
        planned.status = Planned.CANCELLED
        planned.sequence += 1
        planned.save(update_fields=["status", "sequence", "updated_at"])
        _record(pairing, "planned_meeting_cancelled", actor, invitation_data(planned))
    MeetingProposal.objects.filter(pairing=pairing.pk, status=Proposal.OPEN).update(
        status=Proposal.WITHDRAWN
    )


# --- queries -------------------------------------------------------------------------------


def proposals_waiting_on(user):
    """Open proposals ``user`` is asked to answer: made by another member of a pairing of
    theirs that can still plan meetings (the to-do centre's "answer a meeting proposal")."""
    return (
        MeetingProposal.objects.filter(
            status=Proposal.OPEN,
            pairing__in=PairingMember.objects.filter(user=user).values("pairing_id"),
            pairing__state__in=FOLLOW_UP_STATES,
        )
        .exclude(pairing__kind=MentoringKind.CIRCLE)
        .exclude(proposed_by=user)
        .select_related("pairing", "proposed_by")
        .prefetch_related("slots")
        .order_by("created_at", "pk")
    )


def planned_for(user):
    """Planned meetings (not cancelled, not yet logged) of ``user``'s pairings."""
    return PlannedMeeting.objects.filter(
        status=Planned.PLANNED,
        meeting__isnull=True,
        pairing__in=PairingMember.objects.filter(user=user).values("pairing_id"),
    ).order_by("starts_at", "pk")


def for_pairing_page(pairing, user, now=None):
    """What the pairing page shows a member: open proposals (each with ``mine`` and its
    slots), planned meetings to come, those to log, and why planning is refused (or None).
    Three queries."""
    now = now or timezone.now()
    proposals = list(
        pairing.meeting_proposals.filter(status=Proposal.OPEN)
        .select_related("proposed_by")
        .prefetch_related("slots")
        .order_by("created_at", "pk")
    )
    for proposal in proposals:
        proposal.mine = proposal.proposed_by_id == user.pk
    planned = list(
        pairing.planned_meetings.filter(status=Planned.PLANNED, meeting__isnull=True)
        .select_related("organizer", "attendee")
        .order_by("starts_at", "pk")
    )
    return {
        "refusal": refusal(pairing),
        "proposals": proposals,
        "upcoming": [p for p in planned if p.starts_at > now],
        "to_log": [p for p in planned if p.starts_at <= now],
    }


def page_actions(schedule):
    """The scheduling actions the pairing page offers (``for_pairing_page``'s result)."""
    return frozenset() if schedule["refusal"] else frozenset({"propose_meeting"})


# --- the invitation ------------------------------------------------------------------------


def invitation_data(planned, method=None):
    """What an invitation email's row keeps (ids and dates, never the place): the outbox
    builds the attachment from it when the email is sent."""
    cancelled = planned.status == Planned.CANCELLED
    return {
        "planned": planned.pk,
        "sequence": planned.sequence,
        "starts": planned.starts_at.isoformat(),
        "duration": planned.duration_minutes,
        "method": method or ("CANCEL" if cancelled else "REQUEST"),
        "updated": planned.sequence > 0 and not cancelled,
    }


def intranet_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _address(user):
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.get_full_name() or user.get_username())
    return address


def invitation(planned, method="REQUEST", sequence=None, starts_at=None, duration=None):
    """The iCalendar invitation (bytes) of ``planned``: METHOD:REQUEST (new or updated) or
    METHOD:CANCEL, its fixed UID, its SEQUENCE, the start in the intranet's time zone
    (TZID and VTIMEZONE), organizer and attendee by mailto. ``sequence``, ``starts_at`` and
    ``duration`` default to the meeting's current ones (an email sends those it was
    written with)."""
    zone = intranet_zone()
    start = (starts_at or planned.starts_at).astimezone(zone)
    minutes = duration or planned.duration_minutes
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", planned.uid)
    event.add("sequence", planned.sequence if sequence is None else sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=minutes))
    event.add("summary", _("Mentoring meeting"))
    if planned.place:
        event.add("location", planned.place)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if planned.organizer is not None and planned.organizer.email:
        event.add("organizer", _address(planned.organizer))
    if planned.attendee is not None and planned.attendee.email:
        attendee = _address(planned.attendee)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
