"""The pairing lifecycle: every transition and follow-up action, each in one function.

Each function checks who may act and the rule the seeds set, changes the data inside one
transaction (nothing half-saved), records who and when in Wagtail's log (the pairing's
history in the admin) and, after commit, sends :data:`~wagtail_mentorat.signals.pairing_event`
for the notifications. A refused action raises :class:`~wagtail_mentorat.exceptions.RuleViolation`
with a translated message that says what to do.

    proposed -> approved -> contacted -> active -> closing -> closed
         \\__________\\___________________________________-> cancelled
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from . import formatting, rules
from .dates import add_months, midpoint
from .exceptions import RuleViolation
from .models import (
    PLANNED_REASONS_VALUES,
    Agreement,
    AgreementAcceptance,
    AgreementObjective,
    CheckIn,
    ClosureConfirmation,
    ClosureKind,
    ClosureReason,
    ContactAfterClosure,
    Disagreement,
    Extension,
    FitCheck,
    HelpRequest,
    Meeting,
    MeetingNote,
    MemberRole,
    MentorDecline,
    MentoringKind,
    MentoringRequest,
    MentorOffer,
    ObjectiveAttainment,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
    ProgressReview,
    SafetyConcern,
    Transfer,
)
from .signals import pairing_event, pairing_event_in_transaction

S = PairingState
NOT_PREMATURE = (ClosureReason.OBJECTIVES_MET, ClosureReason.REMATCH)
# Who says the objectives are attained before the manager approves (seed 001).
CONFIRMING_ROLES = (MemberRole.MENTEE, MemberRole.PRIMARY_MENTOR, MemberRole.ADDITIONAL_MENTOR)
LOG_PREFIX = "wagtail_mentorat."


# --- plumbing -------------------------------------------------------------------------------


def _record(pairing, event, actor, data=None, instance=None):
    """Log the action on the pairing's history and announce it once the data is committed."""
    data = data or {}
    entry = log(instance=instance or pairing, action=LOG_PREFIX + event, user=actor, data=data)
    pairing_event_in_transaction.send(
        sender=Pairing, pairing=pairing, event=event, actor=actor, data=data, log_entry=entry
    )
    transaction.on_commit(
        lambda: pairing_event.send(
            sender=Pairing, pairing=pairing, event=event, actor=actor, data=data
        )
    )


def _locked(pairing):
    """The pairing re-read under a row lock, so two decisions never interleave."""
    return Pairing.objects.select_for_update().get(pk=pairing.pk)


def _require_state(pairing, allowed, message):
    """``message``: a whole translated sentence naming the state with ``%(state)s`` (a
    sentence assembled from fragments cannot be translated well)."""
    if pairing.state not in allowed:
        raise RuleViolation(
            message % {"state": pairing.get_state_display()}, code="invalid_transition"
        )


def _require_member(pairing, actor, roles=None):
    member = pairing.members.filter(user=actor).first() if actor else None
    if member is None or (roles and member.role not in roles):
        raise RuleViolation(_("Only the people in this pairing can do this."), code="not_a_member")
    return member


def _require_manager_or_coordinator(pairing, actor, manager_only=False):
    mentee = pairing.mentee
    if rules.is_manager_of(actor, mentee):
        return
    has_manager = mentee is not None and bool(rules.superior_chain(mentee.pk))
    if rules.is_coordinator(actor, pairing.programme_id) and not (manager_only and has_manager):
        return
    raise RuleViolation(
        _("Only the mentee's manager can decide this.")
        if manager_only
        else _("Only the mentee's manager or programme staff can decide this."),
        code="not_allowed",
    )


def _now():
    return timezone.now()


def _is_circle(pairing):
    """A peer support circle: members are equals (peers and a facilitator), no mentee."""
    return pairing.kind == MentoringKind.CIRCLE


def _longest_end(programme, start):
    """The programme's maximum duration from ``start``, and never past the programme's own
    end (seed 004: "1 an … ou jusqu'à la fin du projet")."""
    end = add_months(start, programme.max_duration_months)
    if programme.ends_on and programme.ends_on > start:
        end = min(end, programme.ends_on)
    return end


def _set_dates(pairing, start):
    """Planned end and mid-term review from the programme's rules (seeds 001 and 004)."""
    programme = pairing.programme
    pairing.start_date = start
    pairing.planned_end = _longest_end(programme, start)
    pairing.midterm_review_due = (
        midpoint(start, pairing.planned_end) if programme.midterm_review_required else None
    )


# --- requests and offers -------------------------------------------------------------------


@transaction.atomic
def open_request(
    programme, mentee, actor, need, urgency="normal", kind=MentoringKind.INDIVIDUAL, expertise=()
):
    """A need identified by the staff member and/or the manager (seed 001)."""
    if (
        actor != mentee
        and not rules.is_manager_of(actor, mentee)
        and not rules.is_coordinator(actor, programme)
    ):
        raise RuleViolation(
            _("Only the staff member, their manager or programme staff can ask for mentoring."),
            code="not_allowed",
        )
    closed = programme.recruitment_error(timezone.localdate())
    if closed:
        raise RuleViolation(closed, code="closed")
    if not (need or "").strip():
        raise RuleViolation(_("Describe the need in a few words."), code="need_required")
    if MentoringRequest.objects.filter(
        programme=programme, mentee=mentee, status=MentoringRequest.Status.OPEN
    ).exists():
        raise RuleViolation(
            _("A request for this programme is already waiting for a mentor."), code="duplicate"
        )
    ParticipantProfile.objects.get_or_create(user=mentee)
    request = MentoringRequest.objects.create(
        programme=programme,
        mentee=mentee,
        opened_by=actor,
        need=need.strip(),
        urgency=urgency,
        kind=kind,
    )
    request.expertise.set(expertise)
    log(instance=request, action=LOG_PREFIX + "request_opened", user=actor)
    return request


# --- the mentor pool (issue 17) ------------------------------------------------------------

POOL = MentorOffer.Status
# A coordinator's decisions on an offer, each with the statuses it may follow.
OFFER_DECISIONS = {
    POOL.APPROVED: (POOL.APPLIED, POOL.TRAINING, POOL.PAUSED),
    POOL.TRAINING: (POOL.APPLIED, POOL.APPROVED, POOL.PAUSED),
    POOL.PAUSED: (POOL.APPROVED, POOL.TRAINING),
    POOL.RETIRED: (POOL.APPLIED, POOL.APPROVED, POOL.TRAINING, POOL.PAUSED),
}
# How far ahead a mentor may say they take no new mentee (they can say it again later).
UNAVAILABLE_MAX_DAYS = 730


def _offer_closed(programme):
    """Why ``programme`` takes no new mentor, or None (closed, or ended)."""
    if not programme.is_active:
        return _("This programme is closed: it takes no new mentor.")
    if programme.ends_on and timezone.localdate() >= programme.ends_on:
        return _("This programme ends on %(date)s: it takes no new pairing.") % {
            "date": date_format(programme.ends_on)
        }
    return None


@transaction.atomic
def offer_to_mentor(programme, mentor, note=""):
    """``mentor`` applies to mentor in ``programme`` (MENTOR's standard 2: mentors are
    screened): an applied offer, in the programme's pool once one of its coordinators
    approves it (:func:`decide_offer`). Applying again updates the note; a retired mentor
    applies anew; an offer waiting, approved, asked to train or paused keeps its status
    (the coordinator's decision stands)."""
    closed = _offer_closed(programme)
    if closed:
        raise RuleViolation(closed, code="closed")
    profile, _created = ParticipantProfile.objects.get_or_create(user=mentor)
    if not profile.is_mentor:
        profile.is_mentor = True
        profile.save(update_fields=["is_mentor"])
    note = (note or "").strip()
    offer, created = MentorOffer.objects.get_or_create(
        programme=programme, mentor=mentor, defaults={"note": note, "status": POOL.APPLIED}
    )
    if not created:
        offer = MentorOffer.objects.select_for_update().get(pk=offer.pk)
        fields = []
        if note and note != offer.note:
            offer.note = note
            fields.append("note")
        if offer.status == POOL.RETIRED:
            offer.status, offer.decided_by, offer.decided_at = POOL.APPLIED, None, None
            fields += ["status", "decided_by", "decided_at"]
        if not fields:
            return offer
        offer.save(update_fields=fields)
    log(instance=offer, action=LOG_PREFIX + "offer_applied", user=mentor)
    return offer


def _check_decision(offer, actor, status, coordinator=None, profile=rules.UNLOADED):
    """``coordinator`` and ``profile``, when a listing already has them, save a query."""
    if coordinator is None:
        coordinator = rules.is_coordinator(actor, offer.programme_id)
    if not coordinator:
        raise RuleViolation(
            _("Only the programme's coordinators decide who mentors in it."), code="not_allowed"
        )
    if status not in OFFER_DECISIONS:
        raise RuleViolation(_("Choose a decision."), code="decision")
    if offer.status == status:
        raise RuleViolation(
            _("This offer is already “%(status)s”.") % {"status": offer.get_status_display()},
            code="invalid_transition",
        )
    if offer.status not in OFFER_DECISIONS[status]:
        if offer.status == POOL.RETIRED:
            message = _(
                "This mentor retired from the programme's pool: they apply again from their "
                "mentoring space first."
            )
        else:
            message = _(
                "Only an approved mentor, or one asked to train first, can be paused: "
                "decide on the application instead."
            )
        raise RuleViolation(message, code="invalid_transition")
    if status == POOL.APPROVED:
        errors = rules.approval_errors(offer.programme, offer.mentor, profile)
        if errors:
            raise RuleViolation(errors, code="pool_rules")


def offer_refusals(offers, actor):
    """{offer id: {decision: why :func:`decide_offer` would refuse it now, or None}} for a
    listing, which shows the reason instead of the button: one query per programme
    whatever the number of offers (their mentors' profiles loaded with them, as
    ``select_related("mentor__mentorat_profile")``)."""
    coordinating = {}
    result = {}
    for offer in offers:
        if offer.programme_id not in coordinating:
            coordinating[offer.programme_id] = rules.is_coordinator(actor, offer.programme_id)
        try:
            profile = offer.mentor.mentorat_profile
        except ParticipantProfile.DoesNotExist:
            profile = None
        result[offer.pk] = {
            status: _refusal(
                _check_decision, offer, actor, status, coordinating[offer.programme_id], profile
            )
            for status in OFFER_DECISIONS
        }
    return result


@transaction.atomic
def decide_offer(offer, actor, status):
    """A coordinator of the offer's programme approves the mentor (the programme's
    minimum years of experience and discipline rule checked), asks them to train first,
    pauses or retires them. Only an approved mentor is suggested and paired; pairings in
    progress go on whatever the decision."""
    offer = (
        MentorOffer.objects.select_for_update()
        .select_related("programme", "mentor")
        .get(pk=offer.pk)
    )
    _check_decision(offer, actor, status)
    offer.status, offer.decided_by, offer.decided_at = status, actor, _now()
    offer.save(update_fields=["status", "decided_by", "decided_at"])
    log(
        instance=offer,
        action=LOG_PREFIX + "offer_decided",
        user=actor,
        data={"status": status, "mentor": offer.mentor_id},
    )
    return offer


@transaction.atomic
def set_unavailable(target, actor, until):
    """The mentor takes no new mentee up to ``until`` included (None: taking mentees
    again), for one offer or, given their profile, in every programme they offer to mentor
    in. They stay in the pool and their pairings go on. Returns the offers changed."""
    if isinstance(target, ParticipantProfile):
        mentor_id, offers = target.user_id, MentorOffer.objects.filter(mentor_id=target.user_id)
    else:
        mentor_id, offers = target.mentor_id, MentorOffer.objects.filter(pk=target.pk)
    if actor is None or actor.pk != mentor_id:
        raise RuleViolation(
            _("Only the mentor themself says when they take new mentees."), code="not_allowed"
        )
    today = timezone.localdate()
    if until is not None and until < today:
        raise RuleViolation(
            _("Choose today or a later date, or no date to take mentees again."), code="date"
        )
    if until is not None and until > today + datetime.timedelta(days=UNAVAILABLE_MAX_DAYS):
        raise RuleViolation(
            _("Choose a date within two years: you can push it back later."), code="date"
        )
    offers = list(offers.exclude(status=POOL.RETIRED).select_for_update().order_by("pk"))
    if not offers:
        raise RuleViolation(
            _("You do not offer to mentor in any programme yet: apply first."), code="no_offer"
        )
    for offer in offers:
        if offer.unavailable_until != until:
            offer.unavailable_until = until
            offer.save(update_fields=["unavailable_until"])
            log(
                instance=offer,
                action=LOG_PREFIX + "offer_unavailable",
                user=actor,
                data={"until": until.isoformat() if until else None},
            )
    return offers


@transaction.atomic
def withdraw_request(request, actor):
    """The staff member (or their manager) withdraws a request still waiting for a mentor.
    The request is kept, withdrawn, for the indicators; withdrawing it again changes
    nothing."""
    from .models import OPEN_STATES

    request = MentoringRequest.objects.select_for_update().get(pk=request.pk)
    if actor is None or (
        actor.pk != request.mentee_id and not rules.is_manager_of(actor, request.mentee)
    ):
        raise RuleViolation(
            _("Only the staff member or their manager can withdraw this request."),
            code="not_allowed",
        )
    if request.status == MentoringRequest.Status.WITHDRAWN:
        return request
    if (
        request.status != MentoringRequest.Status.OPEN
        or request.pairings.filter(state__in=OPEN_STATES).exists()
    ):
        raise RuleViolation(
            _("A pairing is in progress for this request: ask for it to be closed instead."),
            code="invalid_transition",
        )
    request.status = MentoringRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    log(instance=request, action=LOG_PREFIX + "request_withdrawn", user=actor)
    return request


# --- pairing transitions -------------------------------------------------------------------


@transaction.atomic
def propose_pairing(
    programme,
    mentees,
    mentors,
    actor,
    *,
    request=None,
    kind=None,
    contributions=None,
    cross_discipline_reason="",
    staff_reason="",
    score_breakdown=None,
    scoring_version="",
):
    """Propose a pairing. ``mentors[0]`` is the primary mentor; ``contributions`` maps a
    mentor's id to their written contribution (seed 004); ``staff_reason`` says why
    programme staff pair a person with no manager on file where the manager pairs
    (:func:`rules.check_can_pair`). Nothing is active until a person approves it
    (:func:`approve_pairing`), whoever or whatever proposed it."""
    mentees, mentors = list(mentees), list(mentors)
    kind = kind or (MentoringKind.GROUP if len(mentees) > 1 else MentoringKind.INDIVIDUAL)
    if actor is not None:  # None: the matching's fallback, which only proposes
        rules.check_can_pair(actor, programme, mentees, staff_reason)
    if kind == MentoringKind.INDIVIDUAL and len(mentees) != 1:
        raise RuleViolation(_("Individual mentoring has exactly one mentee."), code="kind")
    if kind == MentoringKind.GROUP and len(mentors) != 1:
        raise RuleViolation(_("Group mentoring has one mentor."), code="kind")
    if len(set(m.pk for m in mentors)) != len(mentors) or set(mentees) & set(mentors):
        raise RuleViolation(_("Each person appears once in a pairing."), code="duplicate_member")
    if request is not None and (
        request.programme_id != programme.pk or request.mentee not in mentees
    ):
        raise RuleViolation(
            _("This request belongs to another programme or another person."), code="scope"
        )
    busy = PairingMember.objects.filter(
        user__in=mentees,
        role=MemberRole.MENTEE,
        pairing__programme=programme,
        pairing__state__in=[S.PROPOSED, S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING],
    )
    if busy.exists():
        raise RuleViolation(
            _("This mentee already has a pairing in progress in this programme."), code="busy"
        )
    rules.check_pairing(programme, mentees, mentors, cross_discipline_reason)
    pairing = Pairing.objects.create(
        programme=programme,
        request=request,
        kind=kind,
        proposed_by=actor,
        cross_discipline_reason=cross_discipline_reason.strip(),
        staff_reason=staff_reason.strip(),
        score_breakdown=score_breakdown or {},
        scoring_version=scoring_version,
    )
    contributions = contributions or {}
    PairingMember.objects.bulk_create(
        [PairingMember(pairing=pairing, user=m, role=MemberRole.MENTEE) for m in mentees]
        + [
            PairingMember(
                pairing=pairing,
                user=m,
                role=MemberRole.PRIMARY_MENTOR if i == 0 else MemberRole.ADDITIONAL_MENTOR,
                contribution=contributions.get(m.pk, ""),
            )
            for i, m in enumerate(mentors)
        ]
    )
    _record(pairing, "proposed", actor, {"mentors": [m.pk for m in mentors]})
    return pairing


def _pairing_requests(pairing, status):
    """The requests a pairing answers, in ``status``: its own and, in group mentoring, each
    other mentee's request in the programme (a mentee has one pairing in progress per
    programme, so that request is this one's)."""
    if pairing.kind != MentoringKind.GROUP:
        return MentoringRequest.objects.filter(pk=pairing.request_id, status=status)
    mentees = pairing.members.filter(role=MemberRole.MENTEE).values("user_id")
    return MentoringRequest.objects.filter(
        Q(pk=pairing.request_id) | Q(programme=pairing.programme_id, mentee__in=mentees),
        status=status,
    )


@transaction.atomic
def approve_pairing(pairing, actor):
    """The person's confirmation that makes a proposal an assignment (Quebec's Access Act,
    s. 65.2). Starts the mentor's first-contact clock (seed 004: 48 to 72 hours).

    The mentors' profiles are locked, so two coordinators giving away a mentor's last
    place at the same moment cannot both succeed.
    """
    pairing = _locked(pairing)
    _require_state(
        pairing, [S.PROPOSED], _("Only a proposal can be approved; this pairing is “%(state)s”.")
    )
    mentees, mentors = pairing.mentees, pairing.mentors
    rules.check_can_pair(actor, pairing.programme, mentees, pairing.staff_reason)
    list(ParticipantProfile.objects.select_for_update().filter(user__in=mentors).order_by("pk"))
    rules.check_pairing(
        pairing.programme, mentees, mentors, pairing.cross_discipline_reason, pairing=pairing
    )
    now = _now()
    pairing.state = S.APPROVED
    pairing.approved_by = actor
    pairing.assigned_at = now
    pairing.first_contact_due = now + datetime.timedelta(
        hours=pairing.programme.first_contact_hours
    )
    pairing.save()
    _pairing_requests(pairing, MentoringRequest.Status.OPEN).update(
        status=MentoringRequest.Status.MATCHED
    )
    programme = pairing.programme
    today = timezone.localdate()
    Agreement.objects.get_or_create(
        pairing=pairing,
        defaults={
            "mentee_responsibilities": programme.mentee_responsibilities,
            "mentor_responsibilities": programme.mentor_responsibilities,
            "confidentiality_clause": programme.confidentiality_clause,
            "start_date": today,
            "end_date": _longest_end(programme, today),
        },
    )
    _record(
        pairing, "approved", actor, {"first_contact_due": pairing.first_contact_due.isoformat()}
    )
    return pairing


@transaction.atomic
def cancel_pairing(pairing, actor):
    """Withdraw a proposal or an assignment before the first contact; the request waits
    again for a mentor."""
    pairing = _locked(pairing)
    _require_state(
        pairing,
        [S.PROPOSED, S.APPROVED],
        _(
            "Only a proposal, or an assignment before the first contact, can be cancelled; "
            "this pairing is “%(state)s”."
        ),
    )
    if not (
        pairing.proposed_by_id == getattr(actor, "pk", None)
        or rules.is_coordinator(actor, pairing.programme_id)
        or rules.is_manager_of(actor, pairing.mentee)
    ):
        raise RuleViolation(
            _("Only the mentee's manager or programme staff can cancel."), code="not_allowed"
        )
    pairing.state = S.CANCELLED
    pairing.save(update_fields=["state"])
    _pairing_requests(pairing, MentoringRequest.Status.MATCHED).update(
        status=MentoringRequest.Status.OPEN
    )
    _record(pairing, "cancelled", actor)
    return pairing


def _require_unanswered_assignment(pairing, actor):
    _require_state(
        pairing,
        [S.APPROVED],
        _(
            "Only an assignment waiting for its mentor can be accepted or declined; "
            "this pairing is “%(state)s”."
        ),
    )
    if pairing.mentor_accepted_at:
        raise RuleViolation(_("You already accepted this assignment."), code="already_accepted")
    if actor is not None:
        _require_member(pairing, actor, [MemberRole.PRIMARY_MENTOR])


@transaction.atomic
def accept_assignment(pairing, actor):
    """The mentor says yes: the assignment no longer falls back to another mentor. The
    first-contact deadline still runs."""
    pairing = _locked(pairing)
    _require_unanswered_assignment(pairing, actor)
    pairing.mentor_accepted_at = _now()
    pairing.save(update_fields=["mentor_accepted_at"])
    _record(pairing, "assignment_accepted", actor)
    return pairing


@transaction.atomic
def decline_assignment(pairing, actor, reason, note=""):
    """The mentor says no, with a reason (``actor`` None: nobody answered within the
    programme's delay). The place is freed, the request waits again and this mentor is
    not suggested again for it; :mod:`~wagtail_mentorat.matching.fallback` proposes the
    next suggestion."""
    pairing = _locked(pairing)
    _require_unanswered_assignment(pairing, actor)
    if reason not in MentorDecline.Reason.values:
        raise RuleViolation(_("Choose a reason."), code="reason_required")
    if (actor is None) != (reason == MentorDecline.Reason.NO_ANSWER):
        raise RuleViolation(_("Choose a reason."), code="reason_required")
    mentor = actor or pairing.primary_mentor
    pairing.state = S.CANCELLED
    pairing.save(update_fields=["state"])
    if pairing.request_id:
        MentorDecline.objects.create(
            request_id=pairing.request_id,
            mentor=mentor,
            pairing=pairing,
            reason=reason,
            note=(note or "").strip(),
        )
        MentoringRequest.objects.filter(pk=pairing.request_id).update(
            status=MentoringRequest.Status.OPEN
        )
    _record(pairing, "assignment_declined", actor, {"reason": reason})
    return pairing


def record_fallback(declined, proposal):
    """What followed a declined assignment, for the pairing's history and the coordinator:
    the next proposal, or nobody left to propose."""
    _record(declined, "fallback", None, {"proposal": proposal.pk if proposal else None})


@transaction.atomic
def record_first_contact(pairing, actor, when=None):
    """The mentor's first contact (seed 004). In a programme valid from the first contact,
    the clock starts here: one year by default."""
    pairing = _locked(pairing)
    _require_state(
        pairing,
        [S.APPROVED],
        _(
            "The first contact follows the assignment and is recorded once; "
            "this pairing is “%(state)s”."
        ),
    )
    if not rules.is_coordinator(actor, pairing.programme_id):
        _require_member(pairing, actor)
    when = when or _now()
    if when > _now():
        raise RuleViolation(_("The first contact cannot be in the future."), code="future")
    if pairing.assigned_at and when < pairing.assigned_at:
        raise RuleViolation(
            _("The first contact cannot be before the assignment."), code="before_assignment"
        )
    pairing.state = S.CONTACTED
    pairing.first_contact_at = when
    pairing.mentor_accepted_at = pairing.mentor_accepted_at or when
    if pairing.programme.duration_basis == pairing.programme.DurationBasis.FIRST_CONTACT:
        _set_dates(pairing, timezone.localdate(when))
        Agreement.objects.filter(pairing=pairing).update(
            start_date=pairing.start_date, end_date=pairing.planned_end
        )
    pairing.save()
    _record(pairing, "first_contact", actor, {"on_time": when <= pairing.first_contact_due})
    return pairing


def _activate_if_complete(agreement, actor):
    """Every member accepted the current version (and the manager approved it when the
    programme asks): the pairing becomes active."""
    pairing = _locked(agreement.pairing)
    if pairing.state != S.CONTACTED:
        return pairing
    accepted = set(
        agreement.acceptances.filter(version=agreement.version).values_list("user_id", flat=True)
    )
    members = set(pairing.members.values_list("user_id", flat=True))
    if not members <= accepted:
        return pairing
    if pairing.programme.agreement_needs_manager and (
        agreement.manager_approved_version != agreement.version
    ):
        return pairing
    pairing.state = S.ACTIVE
    if pairing.start_date is None:
        _set_dates(pairing, agreement.start_date)
        pairing.planned_end = agreement.end_date
        if pairing.programme.midterm_review_required:
            pairing.midterm_review_due = midpoint(pairing.start_date, pairing.planned_end)
    pairing.save()
    _record(pairing, "activated", actor, {"planned_end": pairing.planned_end.isoformat()})
    return pairing


AGREEMENT_FIELDS = (
    "mentee_responsibilities",
    "mentor_responsibilities",
    "meeting_frequency",
    "meeting_mode",
    "confidentiality_clause",
    "start_date",
    "end_date",
)


@transaction.atomic
def update_agreement(agreement, actor, objectives=None, **fields):
    """Change the agreement. A change after anyone accepted starts a new version that
    everyone accepts again. ``objectives`` is a list of (text, success_measure)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    pairing = agreement.pairing
    _require_state(
        pairing,
        [S.APPROVED, S.CONTACTED, S.ACTIVE],
        _("The agreement can no longer be changed: the pairing is “%(state)s”."),
    )
    _require_member(pairing, actor)
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise RuleViolation(_("Unknown agreement field."), code="unknown_field")
    for name, value in fields.items():
        setattr(agreement, name, value)
    _check_agreement_dates(agreement, pairing)
    changed_objectives = objectives is not None
    if changed_objectives:
        objectives = [(t.strip(), (s or "").strip()) for t, s in objectives if (t or "").strip()]
    if agreement.acceptances.filter(version=agreement.version).exists():
        agreement.version += 1
    agreement.save()
    if changed_objectives:
        agreement.objectives.all().delete()
        AgreementObjective.objects.bulk_create(
            AgreementObjective(agreement=agreement, sort_order=i, text=t, success_measure=s)
            for i, (t, s) in enumerate(objectives)
        )
    agreement.save_revision(user=actor, log_action=False)
    _record(pairing, "agreement_changed", actor, {"version": agreement.version})
    return agreement


def _programme_end_error(programme, end):
    """A pairing never runs past its programme's end (seed 004: "jusqu'à la fin du projet")."""
    if programme.ends_on and end > programme.ends_on:
        return RuleViolation(
            _("The programme ends on %(date)s: the pairing cannot end later.")
            % {"date": date_format(programme.ends_on)},
            code="programme_end",
        )
    return None


def _check_agreement_dates(agreement, pairing):
    if agreement.end_date <= agreement.start_date:
        raise RuleViolation(_("The end date must be after the start date."), code="dates")
    error = _programme_end_error(pairing.programme, agreement.end_date)
    if error:
        raise error
    longest = add_months(agreement.start_date, pairing.programme.max_duration_months)
    if (
        agreement.end_date > longest
        and not pairing.extensions.filter(status=Extension.Status.APPROVED).exists()
    ):
        raise RuleViolation(
            _(
                "This programme lasts %(months)s months at most: the end date can be "
                "%(date)s at the latest. Past that, ask the manager for an extension."
            )
            % {"months": pairing.programme.max_duration_months, "date": longest.isoformat()},
            code="too_long",
        )


@transaction.atomic
def accept_agreement(agreement, actor):
    """A member accepts the current version, timestamped (seed 001: both complete it)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    pairing = agreement.pairing
    _require_state(
        pairing,
        [S.CONTACTED, S.ACTIVE],
        _("The agreement cannot be accepted now: the pairing is “%(state)s”."),
    )
    _require_member(pairing, actor)
    if not agreement.objectives.exists():
        raise RuleViolation(
            _("Write at least one development objective before accepting the agreement."),
            code="no_objective",
        )
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        agreement=agreement, user=actor, version=agreement.version
    )
    if created:
        _record(pairing, "agreement_accepted", actor, {"version": agreement.version})
    _activate_if_complete(agreement, actor)
    return acceptance


@transaction.atomic
def approve_agreement(agreement, actor):
    """The manager's approval of the current version, when the programme asks for it."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    pairing = agreement.pairing
    _require_state(
        pairing,
        [S.CONTACTED, S.ACTIVE],
        _("The agreement cannot be approved now: the pairing is “%(state)s”."),
    )
    _require_manager_or_coordinator(pairing, actor, manager_only=True)
    agreement.manager_approved_version = agreement.version
    agreement.manager_approved_by = actor
    agreement.manager_approved_at = _now()
    agreement.save(
        update_fields=["manager_approved_version", "manager_approved_by", "manager_approved_at"]
    )
    _record(pairing, "agreement_approved", actor, {"version": agreement.version})
    _activate_if_complete(agreement, actor)
    return agreement


# --- follow-up -----------------------------------------------------------------------------

FOLLOW_UP_STATES = [S.CONTACTED, S.ACTIVE, S.CLOSING]


def _check_meeting_date(pairing, held_at):
    if held_at > _now():
        raise RuleViolation(
            _("A meeting in the future cannot be logged as held: log it once it has taken place."),
            code="future",
        )
    if pairing.assigned_at and held_at < pairing.assigned_at:
        raise RuleViolation(_("This meeting is dated before the pairing began."), code="past")


@transaction.atomic
def log_meeting(
    pairing,
    actor,
    held_at,
    duration_minutes=60,
    mode="in_person",
    summary="",
    private_note="",
    rating=None,
    attendees=None,
):
    """A meeting held by the pair; the private note is stored for its author alone.
    ``attendees``: who came, for a circle's attendance (members only)."""
    _require_state(
        pairing, FOLLOW_UP_STATES, _("No meeting can be logged now: the pairing is “%(state)s”.")
    )
    _require_member(pairing, actor)
    _check_meeting_date(pairing, held_at)
    attendees = list(attendees or [])
    member_ids = set(pairing.members.values_list("user_id", flat=True))
    if any(getattr(a, "pk", a) not in member_ids for a in attendees):
        raise RuleViolation(_("Only members can be marked present."), code="not_a_member")
    meeting = Meeting(
        pairing=pairing,
        held_at=held_at,
        duration_minutes=duration_minutes,
        mode=mode,
        summary=summary,
        rating=rating,
        logged_by=actor,
    )
    meeting.full_clean(exclude=["pairing", "logged_by"])
    meeting.save()
    if attendees:
        meeting.attendees.set(attendees)
    if private_note.strip():
        MeetingNote.objects.create(meeting=meeting, author=actor, text=private_note.strip())
    _record(pairing, "meeting_logged", actor, {"held_at": held_at.isoformat()}, instance=pairing)
    return meeting


@transaction.atomic
def update_meeting(meeting, actor, private_note=None, **fields):
    """The person who logged a meeting corrects it; their private note stays theirs."""
    pairing = meeting.pairing
    _require_member(pairing, actor)
    if meeting.logged_by_id != actor.pk:
        raise RuleViolation(
            _("Only the person who logged this meeting can change it."), code="not_author"
        )
    if "held_at" in fields:
        _check_meeting_date(pairing, fields["held_at"])
    for name in ("held_at", "duration_minutes", "mode", "summary", "rating"):
        if name in fields:
            setattr(meeting, name, fields[name])
    meeting.full_clean(exclude=["pairing", "logged_by"])
    meeting.save()
    if private_note is not None:
        if private_note.strip():
            MeetingNote.objects.update_or_create(
                meeting=meeting, author=actor, defaults={"text": private_note.strip()}
            )
        else:
            MeetingNote.objects.filter(meeting=meeting, author=actor).delete()
    _record(pairing, "meeting_changed", actor)
    return meeting


@transaction.atomic
def report_safety_concern(pairing, actor, description):
    """Seed 001: confidential, except that the mentor reports to the manager on safe,
    quality service. The concern goes to the mentee's manager only."""
    _require_state(
        pairing,
        [S.CONTACTED, S.ACTIVE, S.CLOSING],
        _("No safety concern can be reported now: the pairing is “%(state)s”."),
    )
    _require_member(pairing, actor, roles=[MemberRole.PRIMARY_MENTOR, MemberRole.ADDITIONAL_MENTOR])
    if not (description or "").strip():
        raise RuleViolation(_("Describe the concern."), code="description_required")
    chain = rules.superior_chain(pairing.mentee.pk)
    concern = SafetyConcern.objects.create(
        pairing=pairing,
        reported_by=actor,
        description=description.strip(),
        manager_id=chain[0] if chain else None,
    )
    _record(pairing, "safety_concern", actor, {"manager": concern.manager_id})
    return concern


def _check_acknowledge(concern, actor):
    pairing = concern.pairing
    if not (
        rules.is_manager_of(actor, pairing.mentee)
        or rules.is_coordinator(actor, pairing.programme_id)
    ):
        raise RuleViolation(
            _("Only the mentee's manager or programme staff can acknowledge this concern."),
            code="not_allowed",
        )


def acknowledge_refusal(concern, actor):
    """Why :func:`acknowledge_safety_concern` would refuse ``actor``, or None."""
    return _refusal(_check_acknowledge, concern, actor)


@transaction.atomic
def acknowledge_safety_concern(concern, actor):
    """The mentee's manager (or programme staff) says the concern was read and taken in
    hand. Set once: acknowledging again changes nothing and logs nothing."""
    _check_acknowledge(concern, actor)
    now = _now()
    if SafetyConcern.objects.filter(pk=concern.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now
    ):
        _record(concern.pairing, "safety_concern_acknowledged", actor, {"concern": concern.pk})
    concern.refresh_from_db(fields=["acknowledged_at"])
    return concern


@transaction.atomic
def ask_for_help(pairing, actor, question, urgent=False, client_waiting=False):
    """The mentee asks; the mentor answers within the programme's deadline (seed 004). In
    a circle of equals, any member asks the others."""
    _require_state(
        pairing, FOLLOW_UP_STATES, _("Help cannot be asked for now: the pairing is “%(state)s”.")
    )
    _require_member(pairing, actor, roles=None if _is_circle(pairing) else [MemberRole.MENTEE])
    if not (question or "").strip():
        raise RuleViolation(_("Write your question."), code="question_required")
    now = _now()
    help_request = HelpRequest.objects.create(
        pairing=pairing,
        asked_by=actor,
        question=question.strip(),
        urgent=urgent or client_waiting,
        client_waiting=client_waiting,
        created_at=now,
        due_at=now + datetime.timedelta(hours=pairing.programme.urgent_response_hours),
    )
    _record(
        pairing,
        "help_requested",
        actor,
        {"urgent": help_request.urgent, "due_at": help_request.due_at.isoformat()},
    )
    return help_request


@transaction.atomic
def answer_help_request(help_request, actor, answer):
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if _is_circle(help_request.pairing):
        # Among equals, any other member answers.
        _require_member(help_request.pairing, actor)
        if help_request.asked_by_id == actor.pk:
            raise RuleViolation(
                _("Another member of the circle answers your request."), code="own_request"
            )
    else:
        _require_member(
            help_request.pairing,
            actor,
            roles=[MemberRole.PRIMARY_MENTOR, MemberRole.ADDITIONAL_MENTOR],
        )
    if help_request.answered_at:
        raise RuleViolation(_("This request has already been answered."), code="answered")
    if not (answer or "").strip():
        raise RuleViolation(_("Write your answer."), code="answer_required")
    help_request.answered_at = _now()
    help_request.answered_by = actor
    help_request.answer = answer.strip()
    help_request.save()
    _record(
        help_request.pairing,
        "help_answered",
        actor,
        {
            "on_time": help_request.answered_at <= help_request.due_at,
            "asked_by": help_request.asked_by_id,
        },
    )
    return help_request


@transaction.atomic
def submit_review(
    pairing, actor, kind, satisfaction, what_helped="", next_steps="", attainments=None
):
    """The mid-term or final review (seed 001); ``attainments`` maps objective ids to a
    level."""
    allowed = [S.ACTIVE] if kind == ProgressReview.Kind.MIDTERM else [S.ACTIVE, S.CLOSING]
    _require_state(
        pairing, allowed, _("No review can be submitted now: the pairing is “%(state)s”.")
    )
    _require_member(pairing, actor)
    if ProgressReview.objects.filter(pairing=pairing, kind=kind).exists():
        raise RuleViolation(_("This review has already been submitted."), code="duplicate")
    objective_ids = set(
        AgreementObjective.objects.filter(agreement__pairing=pairing).values_list("pk", flat=True)
    )
    attainments = {int(k): v for k, v in (attainments or {}).items()}
    if set(attainments) - objective_ids:
        raise RuleViolation(_("An objective does not belong to this agreement."), code="scope")
    review = ProgressReview(
        pairing=pairing,
        kind=kind,
        submitted_by=actor,
        submitted_at=_now(),
        satisfaction=satisfaction,
        what_helped=what_helped,
        next_steps=next_steps,
    )
    review.full_clean(exclude=["pairing", "submitted_by"])
    review.save()
    ObjectiveAttainment.objects.bulk_create(
        ObjectiveAttainment(review=review, objective_id=k, level=v) for k, v in attainments.items()
    )
    _record(pairing, f"review_{kind}", actor)
    return review


@transaction.atomic
def raise_disagreement(pairing, actor, description, topic=Disagreement.Topic.RELATIONSHIP):
    """Confidential to programme staff (seed 001: the APPR help manage *mésententes*).
    With ``topic=MATCHING`` a member asks a coordinator to review how they were matched
    (Access Act s. 65.2: a person reviews a decision the software proposed)."""
    _require_member(pairing, actor)
    if not (description or "").strip():
        raise RuleViolation(_("Describe what is happening."), code="description_required")
    disagreement = Disagreement.objects.create(
        pairing=pairing, raised_by=actor, description=description.strip(), topic=topic
    )
    _record(
        pairing,
        "match_review_requested" if topic == Disagreement.Topic.MATCHING else "disagreement_raised",
        actor,
    )
    return disagreement


def _check_disagreement_staff(disagreement, actor):
    """Programme staff of the disagreement's programme handle it (seed 001: the APPR)."""
    if not rules.is_coordinator(actor, disagreement.pairing.programme_id):
        raise RuleViolation(
            _("Only the staff of this programme handle its disagreements."), code="not_allowed"
        )
    if disagreement.status == Disagreement.Status.RESOLVED:
        raise RuleViolation(_("This disagreement is already resolved."), code="resolved")


def _check_take(disagreement, actor):
    _check_disagreement_staff(disagreement, actor)
    if disagreement.handled_by_id is not None and disagreement.handled_by_id == actor.pk:
        raise RuleViolation(_("You are already handling this disagreement."), code="yours")


def take_refusal(disagreement, actor):
    """Why :func:`take_disagreement` would refuse ``actor`` now, or None."""
    return _refusal(_check_take, disagreement, actor)


def resolve_refusal(disagreement, actor):
    """Why :func:`resolve_disagreement` would refuse ``actor`` now (the note aside), or None."""
    return _refusal(_check_disagreement_staff, disagreement, actor)


def _locked_disagreement(disagreement):
    """The disagreement re-read under a row lock: resolving twice at once resolves once."""
    return Disagreement.objects.select_for_update().get(pk=disagreement.pk)


@transaction.atomic
def take_disagreement(disagreement, actor):
    """A coordinator of the programme says "I'll handle it": open -> in progress. Another
    coordinator may take over one in progress (a handover); a resolved one stays closed."""
    disagreement = _locked_disagreement(disagreement)
    _check_take(disagreement, actor)
    previous = disagreement.handled_by_id
    disagreement.status = Disagreement.Status.IN_PROGRESS
    disagreement.handled_by = actor
    disagreement.save(update_fields=["status", "handled_by"])
    _record(
        disagreement.pairing,
        "disagreement_taken",
        actor,
        {"disagreement": disagreement.pk, "previous": previous},
    )
    return disagreement


@transaction.atomic
def resolve_disagreement(disagreement, actor, note):
    """Programme staff record how it was handled (``note``: for programme staff alone) and
    close it; the person who raised it is told that it was handled, never how."""
    disagreement = _locked_disagreement(disagreement)
    _check_disagreement_staff(disagreement, actor)
    note = (note or "").strip()
    if not note:
        raise RuleViolation(
            _("Write how the disagreement was handled: programme staff alone will read it."),
            code="note_required",
        )
    disagreement.status = Disagreement.Status.RESOLVED
    disagreement.handled_by = disagreement.handled_by or actor
    disagreement.resolution_note = note
    disagreement.resolved_at = _now()
    disagreement.save(update_fields=["status", "handled_by", "resolution_note", "resolved_at"])
    _record(
        disagreement.pairing,
        "disagreement_handled",
        actor,
        {"disagreement": disagreement.pk, "raised_by": disagreement.raised_by_id},
    )
    return disagreement


@transaction.atomic
def record_checkin(
    pairing,
    actor,
    with_role,
    held_on,
    relationship_quality,
    activities="",
    safety_concern=False,
    notes="",
):
    """Programme staff's monitoring (MENTOR standard 5)."""
    if not rules.is_coordinator(actor, pairing.programme_id):
        raise RuleViolation(_("Only programme staff record check-ins."), code="not_allowed")
    _require_state(
        pairing,
        [S.APPROVED, *FOLLOW_UP_STATES],
        _("No check-in can be recorded now: the pairing is “%(state)s”."),
    )
    if held_on > timezone.localdate():
        raise RuleViolation(_("A check-in cannot be dated in the future."), code="future")
    checkin = CheckIn(
        pairing=pairing,
        coordinator=actor,
        with_role=with_role,
        held_on=held_on,
        relationship_quality=relationship_quality,
        activities=activities,
        safety_concern=safety_concern,
        notes=notes,
    )
    checkin.full_clean(exclude=["pairing", "coordinator"])
    checkin.save()
    _record(pairing, "checkin", actor, {"safety_concern": safety_concern})
    return checkin


@transaction.atomic
def answer_fit_check(pairing, actor, fit, wants_rematch=False):
    """After the first meeting; a poor fit leads to a rematch, not a failure."""
    _require_member(pairing, actor)
    if not pairing.meetings.exists():
        raise RuleViolation(_("The fit check comes after the first meeting."), code="too_early")
    check, created = FitCheck.objects.get_or_create(
        pairing=pairing, user=actor, defaults={"fit": fit, "wants_rematch": wants_rematch}
    )
    if not created:
        raise RuleViolation(_("You have already answered the fit check."), code="duplicate")
    check.full_clean(exclude=["pairing", "user"])
    _record(pairing, "fit_check", actor, {"fit": fit, "wants_rematch": wants_rematch})
    return check


def rematch_wanted(pairing):
    """A member answered the fit check "I would like another pairing" (MENTOR standard 5)
    and the pairing is still open: programme staff are asked to rematch."""
    return pairing.state in (S.APPROVED, *FOLLOW_UP_STATES) and any(
        check.wants_rematch for check in pairing.fit_checks.all()
    )


def _check_rematch(pairing, actor):
    _require_state(
        pairing,
        [S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING],
        _("This pairing cannot be rematched now: it is “%(state)s”."),
    )
    if _is_circle(pairing):
        raise RuleViolation(_("A peer support circle has no mentee to rematch."), code="circle")
    _require_manager_or_coordinator(pairing, actor)


def _refusal(check, *args):
    """The sentence ``check`` would refuse with, or None: a screen says it instead of
    offering an action the rules refuse."""
    try:
        check(*args)
    except RuleViolation as refused:
        return " ".join(refused.messages)
    return None


def rematch_refusal(pairing, actor):
    """Why :func:`rematch` would refuse ``actor`` now, or None."""
    return _refusal(_check_rematch, pairing, actor)


@transaction.atomic
def rematch(pairing, actor):
    """Close the pairing as "not the right fit" and put the mentee's request back in
    matching: a rematch, never counted as a failure (MENTOR standard 5). The previous
    mentors stay excluded for this mentee (``rules.pairing_errors`` and matching read the
    closure). Programme staff or the mentee's manager decide; no review is asked."""
    pairing = _locked(pairing)
    _check_rematch(pairing, actor)
    now = _now()
    pairing.state = S.CLOSED
    pairing.closure_requested_at = pairing.closure_requested_at or now
    pairing.closure_kind = ClosureKind.UNPLANNED
    pairing.closure_reason = ClosureReason.REMATCH
    pairing.rematch_wanted = True
    pairing.closed_at, pairing.closed_by = now, actor
    pairing.premature = False
    pairing.save()
    if pairing.request_id:
        MentoringRequest.objects.filter(pk=pairing.request_id).update(
            status=MentoringRequest.Status.OPEN
        )
    _record(pairing, "closed", actor, {"reason": ClosureReason.REMATCH, "premature": False})
    return pairing


# --- extension, transfer and closure -------------------------------------------------------


@transaction.atomic
def request_extension(pairing, actor, new_end, reason):
    pairing = _locked(pairing)
    _require_state(
        pairing, [S.ACTIVE], _("Only an active pairing can be extended; this one is “%(state)s”.")
    )
    if not rules.is_coordinator(actor, pairing.programme_id):
        _require_member(pairing, actor)
    if not (reason or "").strip():
        raise RuleViolation(_("Say why the pairing needs more time."), code="reason_required")
    if new_end <= pairing.planned_end:
        raise RuleViolation(
            _("The new end date must be after the planned end (%(date)s).")
            % {"date": pairing.planned_end.isoformat()},
            code="dates",
        )
    error = _programme_end_error(pairing.programme, new_end)
    if error:
        raise error
    if pairing.extensions.filter(status=Extension.Status.REQUESTED).exists():
        raise RuleViolation(_("An extension is already waiting for a decision."), code="pending")
    extension = Extension.objects.create(
        pairing=pairing, requested_by=actor, new_end=new_end, reason=reason.strip()
    )
    _record(pairing, "extension_requested", actor, {"new_end": new_end.isoformat()})
    return extension


@transaction.atomic
def decide_extension(extension, actor, approve):
    """Seed 001: an extension past the planned end needs the manager's approval."""
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    pairing = _locked(extension.pairing)
    if extension.status != Extension.Status.REQUESTED:
        raise RuleViolation(_("This extension has already been decided."), code="decided")
    _require_manager_or_coordinator(
        pairing, actor, manager_only=pairing.programme.extension_needs_manager
    )
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    extension.decided_by = actor
    extension.decided_at = _now()
    extension.save()
    if approve:
        pairing.original_end = pairing.original_end or pairing.planned_end
        pairing.planned_end = extension.new_end
        pairing.save(update_fields=["original_end", "planned_end"])
        Agreement.objects.filter(pairing=pairing).update(end_date=extension.new_end)
    _record(
        pairing,
        "extension_approved" if approve else "extension_refused",
        actor,
        {"new_end": extension.new_end.isoformat()},
    )
    return extension


# A mentee moves with their pairing from its assignment to its closure (seed 002).
TRANSFERABLE_STATES = (S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING)


def _check_transfer(pairing, actor):
    _require_state(
        pairing,
        TRANSFERABLE_STATES,
        _("The mentee cannot be transferred now: the pairing is “%(state)s”."),
    )
    _require_manager_or_coordinator(pairing, actor)
    if pairing.mentee is None:
        raise RuleViolation(_("A peer support circle has no mentee to transfer."), code="no_mentee")


def transfer_refusal(pairing, actor):
    """Why :func:`transfer_mentee` would refuse ``actor`` now (before the new unit, site
    and manager are known), or None."""
    return _refusal(_check_transfer, pairing, actor)


@transaction.atomic
def transfer_mentee(pairing, actor, *, site=None, unit=None, superior=None):
    """The mentee moves to another unit, site or manager; the pairing and its history stay
    (seed 002). The new manager and the mentors are told (event ``transferred``)."""
    pairing = _locked(pairing)
    _check_transfer(pairing, actor)
    mentee = pairing.mentee
    profile, _created = ParticipantProfile.objects.select_for_update().get_or_create(user=mentee)
    mentor_ids = {m.pk for m in pairing.mentors}
    if superior is not None:
        new_chain = [superior.pk, *rules.superior_chain(superior.pk)]
        if mentor_ids & set(new_chain):
            raise RuleViolation(
                _(
                    "A mentor of this pairing is the new manager or above them in the line of "
                    "management: the mentor is never the mentee's superior. Change the mentor "
                    "first."
                ),
                code="superior",
            )
    transfer = Transfer(
        pairing=pairing,
        moved_by=actor,
        from_site=profile.site,
        from_unit=profile.unit,
        from_superior=profile.superior,
        to_site=profile.site if site is None else site,
        to_unit=profile.unit if unit is None else unit,
        to_superior=profile.superior if superior is None else superior,
    )
    profile.site, profile.unit, profile.superior = (
        transfer.to_site,
        transfer.to_unit,
        transfer.to_superior,
    )
    profile.save(update_fields=["site", "unit", "superior"])
    transfer.save()
    _record(
        pairing,
        "transferred",
        actor,
        {
            "from_superior": transfer.from_superior_id,
            "to_superior": transfer.to_superior_id,
        },
    )
    return transfer


@transaction.atomic
def request_closure(
    pairing,
    actor,
    *,
    kind,
    reason,
    contact_after=ContactAfterClosure.NONE,
    rematch_wanted=False,
    exit_questions_done=False,
):
    """Start the ending (MENTOR standard 6). The reason comes from a controlled list with no
    sanction in it (seed 002)."""
    pairing = _locked(pairing)
    _require_state(
        pairing,
        [S.CONTACTED, S.ACTIVE],
        _("Closure cannot be requested now: the pairing is “%(state)s”."),
    )
    is_member = pairing.members.filter(user=actor).exists()
    is_manager = rules.is_manager_of(actor, pairing.mentee)
    if not (is_member or is_manager):
        if not rules.is_coordinator(actor, pairing.programme_id):
            _require_member(pairing, actor)
        if kind == ClosureKind.PLANNED and not _is_circle(pairing):
            # Seed 001: the members judge the objectives attained and the manager
            # approves; programme staff end a pairing for the documented unplanned
            # reasons only.
            raise RuleViolation(
                _(
                    "Programme staff end a pairing for an unplanned reason only: a planned "
                    "ending is asked by its members and approved by the manager."
                ),
                code="planned_by_staff",
            )
    if reason not in ClosureReason.values:
        raise RuleViolation(_("Choose the reason for closing from the list."), code="reason")
    if kind not in ClosureKind.values:
        raise RuleViolation(_("Say whether this ending is planned or not."), code="kind")
    if kind == ClosureKind.PLANNED and reason not in PLANNED_REASONS_VALUES:
        raise RuleViolation(
            _("A planned ending is for attained objectives or the planned end date."),
            code="reason",
        )
    if contact_after not in ContactAfterClosure.values:
        raise RuleViolation(_("Say what happens to contact after closure."), code="contact")
    pairing.state = S.CLOSING
    pairing.closure_requested_at = _now()
    pairing.closure_kind = kind
    pairing.closure_reason = reason
    pairing.contact_after_closure = contact_after
    pairing.rematch_wanted = rematch_wanted or reason == ClosureReason.REMATCH
    pairing.exit_questions_done = exit_questions_done
    pairing.save()
    if reason == ClosureReason.OBJECTIVES_MET and is_member:
        ClosureConfirmation.objects.get_or_create(pairing=pairing, user=actor)
    _record(pairing, "closure_requested", actor, {"reason": reason, "kind": kind})
    return pairing


def closure_unconfirmed(pairing):
    """The members who have not yet said the objectives are attained, when the pairing
    ends for that reason (seed 001: the mentee and the mentor judge it, then the manager
    approves); empty otherwise."""
    if pairing.closure_reason != ClosureReason.OBJECTIVES_MET or _is_circle(pairing):
        return []
    # .all(): listings prefetch both (space.pairings_for, managed_pairings).
    confirmed = {c.user_id for c in pairing.closure_confirmations.all()}
    return [
        member.user
        for member in pairing.members.all()
        if member.role in CONFIRMING_ROLES and member.user_id not in confirmed
    ]


@transaction.atomic
def confirm_closure(pairing, actor):
    """A member agrees that the objectives are attained (the other asked for the closure).
    Confirming twice changes nothing."""
    pairing = _locked(pairing)
    _require_member(pairing, actor)
    _require_state(
        pairing, [S.CLOSING], _("There is no closure to confirm: the pairing is “%(state)s”.")
    )
    if pairing.closure_reason != ClosureReason.OBJECTIVES_MET:
        raise RuleViolation(
            _("This closure is not for attained objectives: there is nothing to confirm."),
            code="nothing_to_confirm",
        )
    created = ClosureConfirmation.objects.get_or_create(pairing=pairing, user=actor)[1]
    if created:
        _record(pairing, "closure_confirmed", actor)
    return pairing


@transaction.atomic
def close_pairing(pairing, actor):
    """The manager's approval ends the relationship (seed 001). A planned ending needs the
    final review when the programme requires it; an unplanned one, the exit questions.
    Ending before the planned date for another reason than attained objectives or a
    rematch is flagged as premature, for review by programme staff (seed 003)."""
    pairing = _locked(pairing)
    _require_state(
        pairing,
        [S.CLOSING],
        _("Only a pairing whose closure was requested can be closed; this one is “%(state)s”."),
    )
    waiting = closure_unconfirmed(pairing)
    if waiting:
        raise RuleViolation(
            ngettext(
                "%(names)s has not yet confirmed that the objectives are attained.",
                "%(names)s have not yet confirmed that the objectives are attained.",
                len(waiting),
            )
            % {"names": get_text_list([formatting.person_name(u) for u in waiting], _("and"))},
            code="unconfirmed",
        )
    # A planned ending is the manager's approval (seed 001); programme staff decide only
    # when the mentee has no manager on file, or for an unplanned ending.
    _require_manager_or_coordinator(
        pairing,
        actor,
        manager_only=pairing.closure_kind == ClosureKind.PLANNED and not _is_circle(pairing),
    )
    final = pairing.reviews.filter(kind=ProgressReview.Kind.FINAL).first()
    if pairing.closure_kind == ClosureKind.PLANNED and pairing.programme.final_review_required:
        if final is None:
            raise RuleViolation(
                _("The final review must be completed before the pairing is closed."),
                code="final_review",
            )
    elif not (pairing.exit_questions_done or final):
        raise RuleViolation(
            _("Complete the exit questions before closing this pairing."), code="exit_questions"
        )
    now = _now()
    if final and not final.manager_approved_at:
        final.manager_approved_by, final.manager_approved_at = actor, now
        final.save(update_fields=["manager_approved_by", "manager_approved_at"])
    pairing.state = S.CLOSED
    pairing.closed_at = now
    pairing.closed_by = actor
    # A rematch after a poor fit is not a failure (MENTOR standard 5's fit check).
    pairing.premature = pairing.closure_reason not in NOT_PREMATURE and (
        pairing.planned_end is None or timezone.localdate(now) < pairing.planned_end
    )
    pairing.save()
    _record(
        pairing, "closed", actor, {"reason": pairing.closure_reason, "premature": pairing.premature}
    )
    return pairing


# Seed 001's documented unplanned reasons, for which programme staff end a pairing alone.
STAFF_CLOSURE_REASONS = (
    ClosureReason.MENTEE_MOVED,
    ClosureReason.MENTOR_UNAVAILABLE,
    ClosureReason.PERSONAL,
    ClosureReason.PROGRAMME_ENDED,
)


def _check_staff_closure(pairing, actor):
    _require_state(
        pairing,
        [S.CONTACTED, S.ACTIVE, S.CLOSING],
        _(
            "This pairing cannot be closed now: it is “%(state)s”. Before the first "
            "contact, cancel the assignment instead."
        ),
    )
    if not rules.is_coordinator(actor, pairing.programme_id):
        raise RuleViolation(
            _("Only programme staff end a pairing for an unplanned reason this way."),
            code="not_allowed",
        )
    if pairing.state == S.CLOSING and pairing.closure_kind == ClosureKind.PLANNED:
        raise RuleViolation(
            _(
                "A planned ending of this pairing waits for the manager's approval: programme "
                "staff do not close it."
            ),
            code="planned_by_staff",
        )


def staff_closure_refusal(pairing, actor):
    """Why :func:`close_for_staff_reason` would refuse ``actor`` now, or None."""
    return _refusal(_check_staff_closure, pairing, actor)


@transaction.atomic
def close_for_staff_reason(pairing, actor, reason, contact_after=ContactAfterClosure.NONE):
    """Programme staff end a pairing for one of the documented unplanned reasons (seed 001),
    the exit questions done: the closure is requested and closed in one step, through
    :func:`request_closure` and :func:`close_pairing`, so their rules apply unchanged. An
    unplanned closure already requested keeps its reason."""
    pairing = _locked(pairing)
    _check_staff_closure(pairing, actor)
    if reason not in STAFF_CLOSURE_REASONS:
        raise RuleViolation(
            _("Choose one of the unplanned reasons for which programme staff end a pairing."),
            code="reason",
        )
    if pairing.state != S.CLOSING:
        pairing = request_closure(
            pairing,
            actor,
            kind=ClosureKind.UNPLANNED,
            reason=reason,
            contact_after=contact_after,
            exit_questions_done=True,
        )
    elif not pairing.exit_questions_done:
        pairing.exit_questions_done = True
        pairing.save(update_fields=["exit_questions_done"])
    return close_pairing(pairing, actor)


def close_ended_programmes(today=None):
    """The scheduled step of programme cycles: the day after a programme's end, its pairings
    still open are closed as "the programme ended" (a closure already requested keeps its
    reason) and proposals never approved are cancelled. Run by the daily sweep; running it
    twice changes nothing. Returns the number of pairings ended."""
    today = today or timezone.localdate()
    ended = Pairing.objects.filter(programme__ends_on__lt=today)
    count = 0
    for pk in ended.filter(state=S.PROPOSED).values_list("pk", flat=True):
        with transaction.atomic():
            pairing = _locked(Pairing(pk=pk))
            if pairing.state == S.PROPOSED:
                pairing.state = S.CANCELLED
                pairing.save(update_fields=["state"])
                _record(pairing, "cancelled", None, {"reason": ClosureReason.PROGRAMME_ENDED})
                count += 1
    open_states = [S.APPROVED, S.CONTACTED, S.ACTIVE, S.CLOSING]
    for pk in ended.filter(state__in=open_states).values_list("pk", flat=True):
        with transaction.atomic():
            pairing = _locked(Pairing(pk=pk))
            if pairing.state not in open_states:
                continue  # closed meanwhile by a person
            if pairing.state != S.CLOSING:
                pairing.closure_requested_at = _now()
                pairing.closure_kind = ClosureKind.PLANNED
                pairing.closure_reason = ClosureReason.PROGRAMME_ENDED
            pairing.state = S.CLOSED
            pairing.closed_at = _now()
            pairing.closed_by = None
            pairing.premature = False  # the programme's end is no failure of the pair
            pairing.save()
            _record(pairing, "closed", None, {"reason": pairing.closure_reason, "premature": False})
            count += 1
    return count


# --- monitoring schedule -------------------------------------------------------------------


def checkin_schedule(programme, assigned_on, until):
    """The dates programme staff should check in (MENTOR standard 5): the programme's
    number of check-ins spread over the first month (twice by default), then one every
    ``checkin_interval_weeks`` (monthly by default), up to ``until``."""
    dates = []
    first_month = max(programme.checkins_first_month, 0)
    for i in range(1, first_month + 1):
        dates.append(assigned_on + datetime.timedelta(days=round(30 * i / first_month)))
    step = datetime.timedelta(weeks=programme.checkin_interval_weeks)
    current = assigned_on + datetime.timedelta(days=30)
    while current + step <= until:
        current += step
        dates.append(current)
    return [d for d in dates if d <= until]


def next_checkin_due(pairing, today=None):
    """The first scheduled check-in not yet covered by a recorded one, or None."""
    if pairing.assigned_at is None or pairing.state not in (S.APPROVED, *FOLLOW_UP_STATES):
        return None
    today = today or timezone.localdate()
    end = pairing.planned_end or add_months(
        timezone.localdate(pairing.assigned_at), pairing.programme.max_duration_months
    )
    schedule = checkin_schedule(pairing.programme, timezone.localdate(pairing.assigned_at), end)
    done = getattr(pairing, "checkin_count", None)  # annotated by listings
    if done is None:
        done = pairing.checkins.count()
    return schedule[done] if done < len(schedule) else None
