"""The fit check's "I would like another mentor" (MENTOR standard 5, issue 17): programme
staff are alerted, and a rematch closes the pairing as not the right fit (never a
failure) and puts the request back in matching without the previous mentor."""

import pytest

from wagtail_mentorat import lifecycle, rules
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.matching import adapter, scoring
from wagtail_mentorat.models import (
    ClosureReason,
    MentoringRequest,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
)
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification

from .conftest import ProgrammeFactory, activate, hours_ago, make_coordinator, person


@pytest.fixture
def requested(cast):
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH)
    ParticipantProfile.objects.filter(user__in=[cast["mentor"], cast["mentor2"]]).update(
        is_mentor=True
    )
    mentee = cast["mentee"]
    request = lifecycle.open_request(programme, mentee, mentee, "Évaluer seule")
    pairing = lifecycle.propose_pairing(
        programme, [mentee], [cast["mentor"]], cast["coordinator"], request=request
    )
    pairing = activate(lifecycle.approve_pairing(pairing, cast["manager"]), cast)
    Pairing.objects.filter(pk=pairing.pk).update(assigned_at=hours_ago(72))
    pairing.refresh_from_db()
    lifecycle.log_meeting(pairing, cast["mentor"], hours_ago(1))
    return pairing


def test_wanting_another_mentor_alerts_the_programme_staff_only(requested, cast):
    outsider = make_coordinator(person("ailleurs"), programmes=[ProgrammeFactory()])
    assert not lifecycle.rematch_wanted(requested)
    lifecycle.answer_fit_check(requested, cast["mentee"], "poor", wants_rematch=True)
    assert lifecycle.rematch_wanted(requested)
    alerted = set(
        Notification.objects.filter(kind=Kind.REMATCH_WANTED).values_list("recipient", flat=True)
    )
    assert cast["coordinator"].pk in alerted and outsider.pk not in alerted
    assert cast["mentor"].pk not in alerted


def test_a_poor_fit_without_the_wish_alerts_nobody(requested, cast):
    lifecycle.answer_fit_check(requested, cast["mentee"], "poor", wants_rematch=False)
    assert not lifecycle.rematch_wanted(requested)
    assert not Notification.objects.filter(kind=Kind.REMATCH_WANTED).exists()


def test_rematch_closes_without_failure_and_reopens_the_request(requested, cast):
    lifecycle.answer_fit_check(requested, cast["mentee"], "poor", wants_rematch=True)
    pairing = lifecycle.rematch(requested, cast["coordinator"])
    assert pairing.state == PairingState.CLOSED
    assert pairing.closure_reason == ClosureReason.REMATCH
    assert pairing.premature is False
    assert not lifecycle.rematch_wanted(pairing)
    request = MentoringRequest.objects.get(pk=requested.request_id)
    assert request.status == MentoringRequest.Status.OPEN
    assert request in adapter.waiting_requests(requested.programme)
    # The previous mentor is left out, with the reason; another one may be paired.
    errors = rules.pairing_errors(requested.programme, [cast["mentee"]], [cast["mentor"]])
    assert any("not the right fit" in str(error) for error in errors)
    best, excluded = adapter.suggestions(request)
    assert (cast["mentor"].pk, scoring.POOR_FIT) in {(m.id, code) for m, code in excluded}
    assert [fit.mentor.id for fit in best] == [cast["mentor2"].pk]


@pytest.mark.parametrize("who", ["mentor", "mentee", "outsider"])
def test_only_staff_or_the_manager_rematch(requested, cast, who):
    actor = (
        make_coordinator(person("ailleurs"), programmes=[ProgrammeFactory()])
        if who == "outsider"
        else cast[who]
    )
    with pytest.raises(RuleViolation, match="manager or programme staff"):
        lifecycle.rematch(requested, actor)
    requested.refresh_from_db()
    assert requested.state == PairingState.ACTIVE
    assert MentoringRequest.objects.get(pk=requested.request_id).status == "matched"


def test_the_manager_may_rematch_and_a_closed_pairing_cannot_be(requested, cast):
    lifecycle.rematch(requested, cast["manager"])
    with pytest.raises(RuleViolation, match="cannot be rematched now"):
        lifecycle.rematch(requested, cast["coordinator"])
