"""Peer support circles: the transitions of a circle of equals (seeds 000 and 002).

A circle is a :class:`~wagtail_mentorat.models.Pairing` of kind ``circle``: the lifecycle's
meetings (:func:`lifecycle.log_meeting`), reviews, help requests, closure
(:func:`lifecycle.request_closure`, :func:`lifecycle.close_pairing` with the same controlled
reasons), history and notifications apply unchanged. This module adds only what a circle
has and a pairing has not: opening it, asking to join, the facilitator's or coordinator's
decision (under the pairing's row lock, so a full circle is never overfilled), the
charter and leaving. Each function checks who acts, changes the data in one transaction
and records the event through :func:`lifecycle._record`.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .. import rules
from ..dates import add_months, midpoint
from ..exceptions import RuleViolation
from ..lifecycle import _locked, _now, _record, _require_member, _require_state
from ..models import (
    CareerStage,
    CharterAcceptance,
    Circle,
    CircleJoinRequest,
    MemberRole,
    MentoringKind,
    Pairing,
    PairingMember,
    PairingState,
    ThreadReadMarker,
)
from ..models.circles import MAX_CAPACITY, MIN_CAPACITY

S = PairingState

# Wagtail log actions of circles and conversations (registered in ``wagtail_hooks``).
LOG_ACTIONS = {
    "circle_opened": (_l("Open a peer support circle"), _l("Circle opened")),
    "circle_opened_to_join": (_l("Take new members"), _l("Circle open to new members")),
    "circle_closed_to_join": (_l("Stop taking new members"), _l("Circle closed to new members")),
    "circle_join_requested": (_l("Ask to join a circle"), _l("Request to join the circle")),
    "circle_joined": (_l("Accept a request to join"), _l("New member of the circle")),
    "circle_join_refused": (_l("Decline a request to join"), _l("Request to join declined")),
    "circle_left": (_l("Leave a circle"), _l("A member left the circle")),
    "charter_accepted": (_l("Accept the charter"), _l("Charter accepted")),
    "charter_changed": (_l("Change the charter"), _l("Charter changed")),
    "message_posted": (_l("Write a message"), _l("Message posted in the conversation")),
}
CIRCLE_ROLES = (MemberRole.PEER, MemberRole.FACILITATOR)
JOINABLE_STATES = (S.ACTIVE,)


def is_circle(pairing):
    return pairing.kind == MentoringKind.CIRCLE


def member_role(pairing, user):
    if user is None or not user.is_authenticated:
        return None
    member = PairingMember.objects.filter(pairing=pairing, user=user).only("role").first()
    return member.role if member else None


def can_decide(circle, actor):
    """A facilitator of the circle, or programme staff."""
    return rules.is_coordinator(actor, circle.pairing.programme_id) or (
        member_role(circle.pairing, actor) == MemberRole.FACILITATOR
    )


def _require_decider(circle, actor):
    if not can_decide(circle, actor):
        raise RuleViolation(
            _("Only the circle's facilitator or programme staff can decide this."),
            code="not_allowed",
        )


def _clean_text(value, message, code, max_length=None):
    value = (value or "").strip()
    if not value:
        raise RuleViolation(message, code=code)
    if max_length and len(value) > max_length:
        raise RuleViolation(
            _("Keep it to %(max)s characters at most.") % {"max": max_length}, code="too_long"
        )
    return value


def _check_capacity(capacity):
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = 0
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise RuleViolation(
            _("A circle has between %(min)s and %(max)s members.")
            % {"min": MIN_CAPACITY, "max": MAX_CAPACITY},
            code="capacity",
        )
    return capacity


def _count_members(pairing):
    return PairingMember.objects.filter(pairing=pairing, role__in=CIRCLE_ROLES).count()


@transaction.atomic
def open_circle(
    programme,
    actor,
    *,
    title,
    theme,
    purpose,
    frequency,
    confidentiality,
    description="",
    career_stage="",
    site="",
    capacity=8,
    start_date=None,
    end_date=None,
    review_date=None,
    facilitator=None,
):
    """Programme staff open a circle. It is active at once (nobody is assigned: people ask
    to join); its end (or review) date follows the programme's maximum duration unless
    given, and its mid-way review the programme's rule."""
    if not rules.is_coordinator(actor, programme):
        raise RuleViolation(_("Only programme staff can open a circle."), code="not_allowed")
    if not programme.is_active:
        raise RuleViolation(_("This programme is closed."), code="closed")
    title = _clean_text(title, _("Give the circle a title."), "title_required", 120)
    theme = _clean_text(theme, _("Say what the circle is about."), "theme_required", 120)
    purpose = _clean_text(purpose, _("Write the circle's purpose."), "purpose_required")
    frequency = _clean_text(
        frequency, _("Say how often the circle meets."), "frequency_required", 200
    )
    confidentiality = _clean_text(
        confidentiality,
        _("Write what stays confidential among the members."),
        "confidentiality_required",
    )
    if career_stage and career_stage not in CareerStage.values:
        raise RuleViolation(_("Choose a career stage from the list."), code="career_stage")
    capacity = _check_capacity(capacity)
    start_date = start_date or timezone.localdate()
    end_date = end_date or add_months(start_date, programme.max_duration_months)
    if end_date <= start_date:
        raise RuleViolation(_("The end date must be after the start date."), code="dates")
    if review_date is None and programme.midterm_review_required:
        review_date = midpoint(start_date, end_date)
    if review_date is not None and not start_date < review_date <= end_date:
        raise RuleViolation(
            _("The review date falls between the start and the end of the circle."),
            code="dates",
        )
    now = _now()
    if start_date < timezone.localdate(now):  # a circle that already met: its meetings count
        now = timezone.make_aware(datetime.datetime.combine(start_date, datetime.time.min))
    pairing = Pairing.objects.create(
        programme=programme,
        kind=MentoringKind.CIRCLE,
        state=S.ACTIVE,
        proposed_by=actor,
        approved_by=actor,
        assigned_at=now,
        start_date=start_date,
        planned_end=end_date,
        midterm_review_due=review_date,
    )
    circle = Circle.objects.create(
        pairing=pairing,
        title=title,
        theme=theme,
        description=(description or "").strip(),
        career_stage=career_stage or "",
        site=(site or "").strip(),
        capacity=capacity,
        purpose=purpose,
        frequency=frequency,
        confidentiality=confidentiality,
    )
    if facilitator is not None:
        PairingMember.objects.create(pairing=pairing, user=facilitator, role=MemberRole.FACILITATOR)
    _record(
        pairing,
        "circle_opened",
        actor,
        {
            "circle": circle.pk,
            "capacity": capacity,
            "facilitator": getattr(facilitator, "pk", None),
            "planned_end": end_date.isoformat(),
        },
    )
    return circle


@transaction.atomic
def set_open_for_joining(circle, actor, is_open):
    """The facilitator or programme staff open or close the circle to new members."""
    pairing = _locked(circle.pairing)
    _require_decider(circle, actor)
    Circle.objects.filter(pk=circle.pk).update(is_open=bool(is_open))
    circle.is_open = bool(is_open)
    _record(pairing, "circle_opened_to_join" if is_open else "circle_closed_to_join", actor)
    return circle


@transaction.atomic
def ask_to_join(circle, user, note=""):
    """A staff member asks to join an open circle that has a free place."""
    circle = Circle.objects.select_related("pairing").get(pk=circle.pk)  # fresh state
    pairing = circle.pairing
    if not user or not user.is_authenticated:
        raise RuleViolation(_("Log in to ask to join a circle."), code="not_allowed")
    if pairing.state not in JOINABLE_STATES or not circle.is_open:
        raise RuleViolation(
            _("This circle does not take new members at the moment."), code="closed"
        )
    if PairingMember.objects.filter(pairing=pairing, user=user).exists():
        raise RuleViolation(_("You are already a member of this circle."), code="already_member")
    if _count_members(pairing) >= circle.capacity:
        raise RuleViolation(
            _("This circle is full (%(n)s members). Ask programme staff about another one.")
            % {"n": circle.capacity},
            code="full",
        )
    note = (note or "").strip()
    if len(note) > 1000:
        raise RuleViolation(
            _("Keep it to %(max)s characters at most.") % {"max": 1000}, code="too_long"
        )
    if circle.join_requests.filter(user=user, status=CircleJoinRequest.Status.PENDING).exists():
        raise RuleViolation(
            _("Your request to join this circle is already waiting for a decision."),
            code="duplicate",
        )
    try:
        with transaction.atomic():
            join_request = CircleJoinRequest.objects.create(circle=circle, user=user, note=note)
    except IntegrityError:  # the same person's second click, at the same moment
        raise RuleViolation(
            _("Your request to join this circle is already waiting for a decision."),
            code="duplicate",
        ) from None
    _record(pairing, "circle_join_requested", user, {"join_request": join_request.pk})
    return join_request


def _pending(join_request):
    join_request = (
        CircleJoinRequest.objects.select_for_update()
        .select_related("circle__pairing", "user")
        .get(pk=join_request.pk)
    )
    if join_request.status != CircleJoinRequest.Status.PENDING:
        raise RuleViolation(_("This request has already been decided."), code="decided")
    return join_request


@transaction.atomic
def accept_join(join_request, actor):
    """The facilitator or programme staff accept a request. The pairing's row is locked
    first, so two decisions for the last free place cannot both succeed."""
    circle = join_request.circle
    pairing = _locked(circle.pairing)
    join_request = _pending(join_request)
    circle = join_request.circle
    _require_decider(circle, actor)
    _require_state(
        pairing, JOINABLE_STATES, _("This circle takes no members now: it is “%(state)s”.")
    )
    if _count_members(pairing) >= circle.capacity:
        raise RuleViolation(
            _("This circle is full (%(n)s members): the request cannot be accepted.")
            % {"n": circle.capacity},
            code="full",
        )
    PairingMember.objects.get_or_create(
        pairing=pairing, user=join_request.user, defaults={"role": MemberRole.PEER}
    )
    join_request.status = CircleJoinRequest.Status.ACCEPTED
    join_request.decided_by, join_request.decided_at = actor, _now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    _record(
        pairing,
        "circle_joined",
        actor,
        {"join_request": join_request.pk, "member": join_request.user_id},
    )
    return join_request


@transaction.atomic
def refuse_join(join_request, actor):
    """A refusal needs no reason written: it is not a judgement of the person."""
    circle = join_request.circle
    pairing = _locked(circle.pairing)
    join_request = _pending(join_request)
    _require_decider(join_request.circle, actor)
    join_request.status = CircleJoinRequest.Status.REFUSED
    join_request.decided_by, join_request.decided_at = actor, _now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    _record(
        pairing,
        "circle_join_refused",
        actor,
        {"join_request": join_request.pk, "member": join_request.user_id},
    )
    return join_request


def has_accepted_charter(circle, user):
    return CharterAcceptance.objects.filter(
        circle=circle, user=user, version=circle.charter_version
    ).exists()


@transaction.atomic
def accept_charter(circle, user):
    """A member accepts the current version of the charter (purpose, frequency,
    confidentiality among members); timestamped, like the agreement."""
    circle = Circle.objects.select_for_update().select_related("pairing").get(pk=circle.pk)
    pairing = circle.pairing
    _require_state(
        pairing,
        [S.ACTIVE, S.CLOSING],
        _("The charter cannot be accepted now: the circle is “%(state)s”."),
    )
    _require_member(pairing, user)
    acceptance, created = CharterAcceptance.objects.get_or_create(
        circle=circle, user=user, version=circle.charter_version
    )
    if created:
        _record(pairing, "charter_accepted", user, {"version": circle.charter_version})
    return acceptance


CHARTER_FIELDS = ("purpose", "frequency", "confidentiality")


@transaction.atomic
def update_charter(circle, actor, **fields):
    """The facilitator or programme staff change the charter. A change after anyone
    accepted starts a new version that every member accepts again."""
    circle = Circle.objects.select_for_update().select_related("pairing").get(pk=circle.pk)
    pairing = circle.pairing
    _require_state(
        pairing, [S.ACTIVE], _("The charter cannot be changed now: the circle is “%(state)s”.")
    )
    _require_decider(circle, actor)
    if set(fields) - set(CHARTER_FIELDS):
        raise RuleViolation(_("Unknown charter field."), code="unknown_field")
    messages = {
        "purpose": _("Write the circle's purpose."),
        "frequency": _("Say how often the circle meets."),
        "confidentiality": _("Write what stays confidential among the members."),
    }
    changed = False
    for name, value in fields.items():
        value = _clean_text(
            value, messages[name], f"{name}_required", 200 if name == "frequency" else None
        )
        if value != getattr(circle, name):
            setattr(circle, name, value)
            changed = True
    if not changed:
        return circle
    if circle.acceptances.filter(version=circle.charter_version).exists():
        circle.charter_version += 1
    circle.save()
    _record(pairing, "charter_changed", actor, {"version": circle.charter_version})
    return circle


@transaction.atomic
def leave(circle, user):
    """A member leaves; what they wrote stays in the circle's history. Mentoring is never
    withdrawn to punish (seed 002): leaving is the person's own choice, never a removal."""
    pairing = _locked(circle.pairing)
    member = _require_member(pairing, user)
    member.delete()
    ThreadReadMarker.objects.filter(pairing=pairing, user=user).delete()
    _record(pairing, "circle_left", user, {"member": user.pk})
    return pairing


def default_dates(programme, today=None):
    """The start and end a new circle gets by default (for forms)."""
    today = today or timezone.localdate()
    return today, add_months(today, programme.max_duration_months)


__all__ = [
    "accept_charter",
    "accept_join",
    "ask_to_join",
    "can_decide",
    "default_dates",
    "has_accepted_charter",
    "is_circle",
    "leave",
    "open_circle",
    "refuse_join",
    "set_open_for_joining",
    "update_charter",
]
