"""Lifecycle events to outbox rows, written inside the event's transaction.

Who is told of what (issue 6): the mentor of an assignment with the first-contact deadline,
the mentee of who the mentor is, the manager of what awaits their approval, both members of
an agreement to accept, the mentors of a help request with its due time, the mentors and
the new manager of a transfer, programme staff of a disagreement, and a staff member their
manager registered, once, to confirm it themself. Never the content: an email says there is
something to read, not what.
"""

import uuid

from django.dispatch import receiver

from wagtail_mentorat import rules
from wagtail_mentorat.models import Agreement, MemberRole, MentoringKind, Programme
from wagtail_mentorat.signals import pairing_event_in_transaction, staff_registered

from . import outbox
from .kinds import Kind


def _members(pairing):
    return [(m.user, m.role) for m in pairing.members.select_related("user")]


def _mentors(pairing):
    return [u for u, role in _members(pairing) if role != MemberRole.MENTEE]


def _mentees(pairing):
    return [u for u, role in _members(pairing) if role == MemberRole.MENTEE]


def _managers(pairing):
    from django.contrib.auth import get_user_model

    ids = []
    for mentee in _mentees(pairing):
        chain = rules.superior_chain(mentee.pk)
        if chain and chain[0] not in ids:
            ids.append(chain[0])
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def _approvers(pairing, actor, manager_first=True):
    """The mentee's manager, or programme staff when there is none (or when the programme
    has programme staff pair)."""
    people = []
    if manager_first and pairing.programme.who_pairs != Programme.WhoPairs.COORDINATOR:
        people = _managers(pairing)
    if not people:
        people = outbox.coordinators(pairing.programme_id)
    return [p for p in people if p != actor]


def _role(user, pairing):
    for member_user, role in _members(pairing):
        if member_user == user:
            return "mentee" if role == MemberRole.MENTEE else "mentor"
    return ""


def recipients_for(pairing, event, actor, data):
    """[(user, kind, role, extra data)] for one lifecycle event."""
    out = []

    def add(users, kind, role, **extra):
        for user in users:
            out.append((user, kind, role or _role(user, pairing), extra))

    members = [u for u, _r in _members(pairing)]
    others = [u for u in members if u != actor]
    if event == "proposed":
        if actor is not None:  # a fallback proposal is announced by its "fallback" event
            add(_approvers(pairing, actor), Kind.APPROVAL_NEEDED, "manager", what="pairing")
    elif event == "assignment_declined":
        add(_mentees(pairing), Kind.PAIRING_CANCELLED, "mentee")
    elif event == "fallback":
        # A request never waits silently: programme staff, and the manager who pairs.
        coordinators = outbox.coordinators(pairing.programme_id)
        managers = [p for p in _approvers(pairing, actor) if p not in coordinators]
        what = "fallback" if data.get("proposal") else "no_fallback"
        add(managers, Kind.APPROVAL_NEEDED, "manager", what=what, proposal=data.get("proposal"))
        add(coordinators, Kind.APPROVAL_NEEDED, "coordinator", what=what)
    elif event == "approved":
        add(_mentors(pairing), Kind.ASSIGNED_MENTOR, "mentor", due=data.get("first_contact_due"))
        add(_mentees(pairing), Kind.ASSIGNED_MENTEE, "mentee")
    elif event == "cancelled":
        add(others, Kind.PAIRING_CANCELLED, "")
    elif event == "first_contact":
        add(members, Kind.AGREEMENT_TO_ACCEPT, "")
    elif event == "agreement_changed":
        if pairing.state in ("contacted", "active"):
            add(others, Kind.AGREEMENT_TO_ACCEPT, "", version=data.get("version"))
    elif event == "agreement_accepted":
        if pairing.programme.agreement_needs_manager:
            agreement = Agreement.objects.get(pairing=pairing)
            accepted = set(
                agreement.acceptances.filter(version=agreement.version).values_list(
                    "user_id", flat=True
                )
            )
            if {u.pk for u in members} <= accepted:
                add(
                    _approvers(pairing, actor),
                    Kind.APPROVAL_NEEDED,
                    "manager",
                    what="agreement",
                )
    elif event == "activated":
        add(members, Kind.PAIRING_ACTIVE, "", planned_end=data.get("planned_end"))
        add(_managers(pairing), Kind.PAIRING_ACTIVE, "manager", planned_end=data.get("planned_end"))
    elif event == "help_requested":
        add(
            [u for u in _mentors(pairing) if u != actor],
            Kind.HELP_REQUESTED,
            "mentor",
            due=data.get("due_at"),
            urgent=bool(data.get("urgent")),
        )
    elif event == "help_answered":
        if pairing.kind == MentoringKind.CIRCLE:  # among equals: the member who asked
            add([u for u in others if u.pk == data.get("asked_by")], Kind.HELP_ANSWERED, "")
        else:
            add([u for u in _mentees(pairing) if u != actor], Kind.HELP_ANSWERED, "mentee")
    elif event == "message_posted":
        # An urgent message is also a help request, whose own email carries the deadline.
        if not data.get("urgent"):
            add(others, Kind.NEW_MESSAGE, "")
    elif event == "circle_join_requested":
        facilitators = [u for u, r in _members(pairing) if r == MemberRole.FACILITATOR]
        if facilitators:
            add([u for u in facilitators if u != actor], Kind.CIRCLE_JOIN_REQUESTED, "")
        else:
            add(
                [c for c in outbox.coordinators(pairing.programme_id) if c != actor],
                Kind.CIRCLE_JOIN_REQUESTED,
                "coordinator",
            )
    elif event in ("circle_joined", "circle_join_refused"):
        from django.contrib.auth import get_user_model

        add(
            [u for u in get_user_model().objects.filter(pk=data.get("member")) if u != actor],
            Kind.CIRCLE_JOIN_DECIDED,
            "",
            accepted=event == "circle_joined",
        )
    elif event == "disagreement_raised":
        add(
            [c for c in outbox.coordinators(pairing.programme_id) if c != actor],
            Kind.DISAGREEMENT_RAISED,
            "",
        )
    elif event == "disagreement_handled":
        # The person who raised it, told that it was handled: never how (staff's note).
        raiser = [u for u in members if u.pk == data.get("raised_by") and u != actor]
        add(raiser, Kind.DISAGREEMENT_HANDLED, "")
    elif event == "fit_check" and data.get("wants_rematch"):
        add(
            [c for c in outbox.coordinators(pairing.programme_id) if c != actor],
            Kind.REMATCH_WANTED,
            "coordinator",
        )
    elif event == "safety_concern":
        add(_managers(pairing), Kind.SAFETY_CONCERN, "manager")
    elif event in ("extension_requested", "closure_requested"):
        what = "extension" if event == "extension_requested" else "closure"
        add(_approvers(pairing, actor), Kind.APPROVAL_NEEDED, "manager", what=what)
    elif event in ("extension_approved", "extension_refused"):
        add(
            members,
            Kind.EXTENSION_DECIDED,
            "",
            approved=event == "extension_approved",
            new_end=data.get("new_end"),
        )
    elif event == "transferred":
        add(_mentors(pairing), Kind.TRANSFERRED, "mentor")
        to_superior, from_superior = data.get("to_superior"), data.get("from_superior")
        if to_superior != from_superior:
            from django.contrib.auth import get_user_model

            # Both managers (issue 17): the new one takes the pairing on, the previous
            # one learns it continues without them.
            people = get_user_model().objects
            if to_superior:
                add(people.filter(pk=to_superior), Kind.TRANSFERRED, "manager")
            if from_superior and from_superior != getattr(actor, "pk", None):
                add(people.filter(pk=from_superior), Kind.TRANSFERRED, "previous_manager")
    elif event == "closed":
        add(others, Kind.PAIRING_CLOSED, "")
    elif event == "meeting_proposed":
        add(others, Kind.MEETING_PROPOSED, "")
    elif event == "meeting_proposal_declined":
        add([u for u in others if u.pk == data.get("proposed_by")], Kind.MEETING_DECLINED, "")
    elif event in ("meeting_planned", "meeting_rescheduled", "planned_meeting_cancelled"):
        # Both people of the meeting, the one who acted too: each adds the invitation
        # (or its cancellation) to their own calendar.
        from wagtail_mentorat.models import PlannedMeeting

        planned = PlannedMeeting.objects.filter(pk=data.get("planned")).first()
        people = [
            u for u in members if planned and u.pk in (planned.organizer_id, planned.attendee_id)
        ]
        kind = (
            Kind.MEETING_CANCELLED if event == "planned_meeting_cancelled" else Kind.MEETING_PLANNED
        )
        add(people, kind, "", **data)
    for _user, _kind, role, extra in out:
        extra.update(role=role, event=event)
    return [(u, k, r, e) for u, k, r, e in out if u is not None and u.is_active]


@receiver(pairing_event_in_transaction, dispatch_uid="mentorat_notifications_outbox")
def write_outbox_rows(sender, pairing, event, actor, data, log_entry=None, **kwargs):
    """Outbox rows for the event, in its transaction: they commit (or not) with it."""
    recipients = recipients_for(pairing, event, actor, data or {})
    if not recipients:
        return []
    event_id = f"log{log_entry.pk}" if log_entry is not None else uuid.uuid4().hex
    ids = {u.pk for u, *_rest in recipients}
    prefs = outbox.settings_for(ids)
    languages = outbox.wagtail_languages(ids)
    rows = []
    seen = set()
    for user, kind, _role, extra in recipients:
        key = f"ev:{event_id}:{kind}:{user.pk}"
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            outbox.build(
                user,
                kind,
                key,
                about=pairing,
                pairing_id=pairing.pk,
                data={k: v for k, v in extra.items() if v is not None},
                prefs=prefs.get(user.pk),
                language=outbox.language_for(user, prefs.get(user.pk), languages.get(user.pk)),
            )
        )
    return outbox.add(rows)


@receiver(staff_registered, dispatch_uid="mentorat_notifications_staff_registered")
def invite_to_confirm(sender, request, person, manager, **kwargs):
    """The one email to a person awaiting confirmation: who registered them, for which
    programme, and that they confirm or decline in their space. Never the need."""
    if person is None or not person.is_active:
        return []
    prefs = outbox.settings_for([person.pk]).get(person.pk)
    language = outbox.wagtail_languages([person.pk]).get(person.pk)
    data = {"role": "mentee", "event": "staff_registered", "programme": request.programme.name}
    if manager is not None:
        data["manager"] = manager.get_full_name() or manager.get_username()
    row = outbox.build(
        person,
        Kind.REGISTRATION_TO_CONFIRM,
        f"reg:{request.pk}:{person.pk}",
        about=request,
        data=data,
        prefs=prefs,
        language=outbox.language_for(person, prefs, language),
    )
    return outbox.add([row])
