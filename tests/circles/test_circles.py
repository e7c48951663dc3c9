"""Circles of equals: opening, membership, the charter, meetings, help and closure, all
through the core's pairing mechanism."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from wagtail_mentorat import circles, lifecycle
from wagtail_mentorat.circles import messaging
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import (
    CharterAcceptance,
    CircleJoinRequest,
    ClosureKind,
    ClosureReason,
    HelpRequest,
    MemberRole,
    MentoringKind,
    Pairing,
    PairingMember,
    PairingState,
)

from .conftest import join, open_circle

HOUR = datetime.timedelta(hours=1)

pytestmark = pytest.mark.django_db


def roles(circle):
    return dict(
        PairingMember.objects.filter(pairing=circle.pairing).values_list("user__username", "role")
    )


# --- opening ------------------------------------------------------------------------------


def test_a_coordinator_opens_a_circle_that_is_a_pairing_of_equals(circle, cast, programme):
    pairing = circle.pairing
    assert pairing.kind == MentoringKind.CIRCLE and pairing.state == PairingState.ACTIVE
    assert roles(circle) == {"animatrice": MemberRole.FACILITATOR}
    assert pairing.start_date == timezone.localdate()
    assert pairing.planned_end > pairing.midterm_review_due > pairing.start_date
    assert pairing.mentee is None and circle.charter_version == 1
    assert ModelLogEntry.objects.filter(
        object_id=str(pairing.pk), action="wagtail_mentorat.circle_opened"
    ).exists()


def test_only_programme_staff_open_a_circle(programme, cast):
    with pytest.raises(RuleViolation) as error:
        circles.open_circle(
            programme,
            cast["peers"][0],
            title="Cercle",
            theme="Thème",
            purpose="But",
            frequency="Mensuel",
            confidentiality="Confidentiel",
        )
    assert error.value.code == "not_allowed"
    assert not Pairing.objects.filter(kind=MentoringKind.CIRCLE).exists()


@pytest.mark.parametrize("capacity", [2, 13, "beaucoup", None])
def test_capacity_stays_between_3_and_12(programme, cast, capacity):
    with pytest.raises(RuleViolation) as error:
        open_circle(programme, cast, capacity=capacity)
    assert error.value.code == "capacity"


def test_default_capacity_is_8_and_facilitation_is_optional(programme, cast):
    circle = circles.open_circle(
        programme,
        cast["coordinator"],
        title="Fin de carrière",
        theme="Transmettre",
        purpose="Partager l'expérience",
        frequency="Mensuel",
        confidentiality="Entre nous",
        career_stage="late",
    )
    assert circle.capacity == 8 and roles(circle) == {}


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("title", "  ", "title_required"),
        ("purpose", "", "purpose_required"),
        ("confidentiality", "", "confidentiality_required"),
        ("career_stage", "retired", "career_stage"),
    ],
)
def test_a_circle_needs_its_charter_and_valid_choices(programme, cast, field, value, code):
    with pytest.raises(RuleViolation) as error:
        open_circle(programme, cast, **{field: value})
    assert error.value.code == code


def test_dates_are_checked(programme, cast):
    today = timezone.localdate()
    with pytest.raises(RuleViolation):
        open_circle(programme, cast, start_date=today, end_date=today)
    with pytest.raises(RuleViolation):
        open_circle(
            programme,
            cast,
            start_date=today,
            end_date=today + datetime.timedelta(days=90),
            review_date=today + datetime.timedelta(days=120),
        )


# --- membership ---------------------------------------------------------------------------


def test_ask_then_the_facilitator_accepts(circle, cast):
    peer = cast["peers"][0]
    request = circles.ask_to_join(circle, peer, "J'arrive en CLSC.")
    assert request.status == CircleJoinRequest.Status.PENDING
    assert peer.username not in roles(circle)
    circles.accept_join(request, cast["facilitator"])
    request.refresh_from_db()
    assert request.status == "accepted" and request.decided_by == cast["facilitator"]
    assert roles(circle)[peer.username] == MemberRole.PEER


def test_a_coordinator_accepts_too_but_not_a_peer(circle, cast):
    first, second = cast["peers"][:2]
    join(circle, first, cast["coordinator"])
    request = circles.ask_to_join(circle, second)
    with pytest.raises(RuleViolation) as error:
        circles.accept_join(request, first)  # a peer does not decide
    assert error.value.code == "not_allowed"
    with pytest.raises(RuleViolation):
        circles.accept_join(request, cast["outsider"])
    circles.refuse_join(request, cast["coordinator"])
    request.refresh_from_db()
    assert request.status == "refused" and second.username not in roles(circle)
    with pytest.raises(RuleViolation) as error:
        circles.accept_join(request, cast["coordinator"])  # already decided
    assert error.value.code == "decided"


def test_asking_twice_or_as_a_member_is_refused(circle, cast):
    peer = cast["peers"][0]
    circles.ask_to_join(circle, peer)
    with pytest.raises(RuleViolation) as error:
        circles.ask_to_join(circle, peer)
    assert error.value.code == "duplicate"
    with pytest.raises(RuleViolation) as error:
        circles.ask_to_join(circle, cast["facilitator"])
    assert error.value.code == "already_member"


def test_a_full_circle_refuses_new_requests(circle, cast):
    # Capacity 4: the facilitator and three peers.
    for peer in cast["peers"][:3]:
        join(circle, peer, cast["facilitator"])
    with pytest.raises(RuleViolation) as error:
        circles.ask_to_join(circle, cast["peers"][3])
    assert error.value.code == "full"
    assert "full" in error.value.messages[0]


def test_the_last_place_goes_to_one_request_only(circle, cast):
    """Two requests wait for the last place: the second acceptance is refused (the count
    is made under the pairing's row lock)."""
    for peer in cast["peers"][:2]:
        join(circle, peer, cast["facilitator"])
    last = [circles.ask_to_join(circle, p) for p in cast["peers"][2:4]]
    circles.accept_join(last[0], cast["facilitator"])
    with pytest.raises(RuleViolation) as error:
        circles.accept_join(last[1], cast["coordinator"])
    assert error.value.code == "full"
    assert PairingMember.objects.filter(pairing=circle.pairing).count() == circle.capacity
    assert CircleJoinRequest.objects.get(pk=last[1].pk).status == "pending"


def test_a_circle_closed_to_new_members_refuses_requests(circle, cast):
    circles.set_open_for_joining(circle, cast["facilitator"], False)
    with pytest.raises(RuleViolation) as error:
        circles.ask_to_join(circle, cast["peers"][0])
    assert error.value.code == "closed"
    with pytest.raises(RuleViolation):
        circles.set_open_for_joining(circle, cast["peers"][0], True)


def test_a_member_leaves_and_loses_access(circle, members, cast):
    peer = members[0]
    messaging.post_message(circle.pairing, peer, "Merci à toutes.")
    circles.leave(circle, peer)
    assert peer.username not in roles(circle)
    with pytest.raises(RuleViolation):
        messaging.post_message(circle.pairing, peer, "Encore moi")
    with pytest.raises(RuleViolation):
        circles.leave(circle, peer)


# --- the charter --------------------------------------------------------------------------


def test_members_accept_the_charter_before_writing(circle, cast):
    peer = cast["peers"][0]
    join(circle, peer, cast["facilitator"])
    with pytest.raises(RuleViolation) as error:
        messaging.post_message(circle.pairing, peer, "Bonjour")
    assert error.value.code == "charter"
    acceptance = circles.accept_charter(circle, peer)
    assert acceptance.version == 1 and acceptance.accepted_at is not None
    assert circles.accept_charter(circle, peer) == acceptance  # idempotent
    messaging.post_message(circle.pairing, peer, "Bonjour")
    with pytest.raises(RuleViolation):
        circles.accept_charter(circle, cast["outsider"])


def test_a_charter_change_after_acceptance_asks_everyone_again(circle, members, cast):
    peer = members[0]
    circles.update_charter(circle, cast["facilitator"], frequency="Toutes les deux semaines")
    circle.refresh_from_db()
    assert circle.charter_version == 2
    assert not circles.has_accepted_charter(circle, peer)
    with pytest.raises(RuleViolation):
        messaging.post_message(circle.pairing, peer, "Bonjour")
    with pytest.raises(RuleViolation):
        circles.update_charter(circle, peer, purpose="Autre chose")  # a peer does not change it
    with pytest.raises(RuleViolation):
        circles.update_charter(circle, cast["coordinator"], purpose="   ")
    circles.accept_charter(circle, peer)
    assert CharterAcceptance.objects.filter(circle=circle, user=peer).count() == 2


# --- the core's follow-up, reused ---------------------------------------------------------


def test_peers_log_meetings_with_the_core(circle, members, cast):
    Pairing.objects.filter(pk=circle.pairing_id).update(assigned_at=timezone.now() - HOUR)
    circle.pairing.refresh_from_db()
    meeting = lifecycle.log_meeting(
        circle.pairing,
        members[0],
        timezone.now() - datetime.timedelta(minutes=30),
        summary="Tour de table.",
        private_note="Je me sens moins seule.",
    )
    assert meeting.pairing == circle.pairing
    with pytest.raises(RuleViolation):
        lifecycle.log_meeting(circle.pairing, cast["outsider"], timezone.now())


def test_an_urgent_message_is_a_help_request_any_other_member_answers(
    circle, members, cast, programme
):
    asker, helper = members
    message = messaging.post_message(
        circle.pairing, asker, "Une cliente attend: qui connaît ce recours?", urgent=True
    )
    help_request = message.help_request
    assert help_request.urgent and help_request.asked_by == asker
    expected = help_request.created_at + datetime.timedelta(hours=programme.urgent_response_hours)
    assert help_request.due_at == expected
    with pytest.raises(RuleViolation) as error:
        messaging.post_message(circle.pairing, asker, "Moi-même", answers=help_request.pk)
    assert error.value.code == "own_request"
    messaging.post_message(circle.pairing, helper, "Le CAVAC.", answers=help_request.pk)
    help_request.refresh_from_db()
    assert help_request.answered_by == helper and help_request.answer == "Le CAVAC."


def test_a_circle_closes_with_the_same_controlled_reasons(circle, members, cast):
    pairing = lifecycle.request_closure(
        circle.pairing,
        cast["facilitator"],
        kind=ClosureKind.UNPLANNED,
        reason=ClosureReason.PERSONAL,
        exit_questions_done=True,
    )
    with pytest.raises(RuleViolation):
        lifecycle.close_pairing(pairing, members[0])  # programme staff close it
    pairing = lifecycle.close_pairing(pairing, cast["coordinator"])
    assert pairing.state == PairingState.CLOSED and pairing.premature
    with pytest.raises(RuleViolation):
        circles.ask_to_join(circle, cast["peers"][5])
    with pytest.raises(RuleViolation):
        lifecycle.request_closure(
            circle.pairing, cast["coordinator"], kind="planned", reason="punishment"
        )


def test_a_circle_has_no_mentee_to_transfer(circle, cast):
    with pytest.raises(RuleViolation) as error:
        lifecycle.transfer_mentee(circle.pairing, cast["coordinator"], site="Ailleurs")
    assert error.value.code == "no_mentee"


def test_in_a_pairing_only_the_mentee_marks_a_message_urgent(active, cast):
    with pytest.raises(RuleViolation) as error:
        messaging.post_message(active, cast["mentor"], "Urgent?", urgent=True)
    assert error.value.code == "urgent"
    message = messaging.post_message(active, cast["mentee"], "Un client attend.", urgent=True)
    assert HelpRequest.objects.get(pk=message.help_request_id).urgent
    messaging.post_message(active, cast["mentor"], "Voici.", answers=message.help_request_id)
    assert HelpRequest.objects.get(pk=message.help_request_id).answered_at is not None


def test_a_circle_meeting_records_who_came_members_only(circle, members, cast):
    Pairing.objects.filter(pk=circle.pairing_id).update(assigned_at=timezone.now() - 3 * HOUR)
    circle.pairing.refresh_from_db()
    when = timezone.now() - HOUR
    meeting = lifecycle.log_meeting(
        circle.pairing, members[0], when, attendees=[members[0], cast["facilitator"]]
    )
    assert set(meeting.attendees.all()) == {members[0], cast["facilitator"]}
    with pytest.raises(RuleViolation):
        lifecycle.log_meeting(circle.pairing, members[0], when, attendees=[cast["outsider"]])
    assert circle.pairing.meetings.count() == 1


def test_the_roll_call_is_on_the_circle_page(circle, members, cast, login):
    from django.urls import reverse

    Pairing.objects.filter(pk=circle.pairing_id).update(assigned_at=timezone.now() - 3 * HOUR)
    client = login(members[1])
    url = reverse("wagtail_mentorat:circle", args=[circle.pairing.pk])
    held = (timezone.localtime() - timezone.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "action": "meeting",
        "held_at": held,
        "duration_minutes": "60",
        "mode": "in_person",
        "attendees": [str(members[0].pk), str(members[1].pk)],
    }
    assert client.post(url, data).status_code == 302
    meeting = circle.pairing.meetings.get()
    assert set(meeting.attendees.values_list("pk", flat=True)) == {members[0].pk, members[1].pk}
    # Someone outside the circle cannot be ticked.
    data["attendees"] = [str(cast["outsider"].pk)]
    assert client.post(url, data).status_code == 400
    assert circle.pairing.meetings.count() == 1


def test_the_facilitator_changes_the_charter_and_members_accept_again(circle, members, cast, login):
    from django.urls import reverse

    url = reverse("wagtail_mentorat:circle", args=[circle.pairing.pk])
    data = {
        "action": "charter",
        "purpose": "Se soutenir toute l'année.",
        "frequency": "Une fois par mois",
        "confidentiality": "Rien ne sort du cercle.",
    }
    # A member who does not facilitate cannot change it.
    assert login(members[0]).post(url, data).status_code in (302, 400)
    circle.refresh_from_db()
    assert circle.frequency != "Une fois par mois"
    # An empty field is refused next to it; nothing changes.
    response = login(cast["facilitator"]).post(url, {**data, "frequency": ""})
    assert response.status_code == 400
    circle.refresh_from_db()
    version = circle.charter_version
    assert login(cast["facilitator"]).post(url, data).status_code == 302
    circle.refresh_from_db()
    assert circle.frequency == "Une fois par mois" and circle.charter_version == version + 1
    assert "accept-charter" in login(members[0]).get(url).content.decode()
