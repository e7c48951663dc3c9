"""Programme cycles (issue 17, seed 004's "1 an … ou jusqu'à la fin du projet"): optional
start and end dates and a recruitment window; pairings never end after the programme;
those still open when it ends are closed as "the programme ended" by the daily sweep,
with reminders 30 and 7 days before."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import ClosureReason, Pairing, PairingState, Programme
from wagtail_mentorat.notifications import outbox, reminders
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification

from .conftest import ProgrammeFactory, activate

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_the_cycle_dates_must_be_in_order(db):
    programme = ProgrammeFactory(
        starts_on=TODAY,
        ends_on=TODAY - DAY,
        recruitment_opens_on=TODAY,
        recruitment_closes_on=TODAY - DAY,
    )
    with pytest.raises(ValidationError) as raised:
        programme.full_clean()
    assert set(raised.value.message_dict) == {"ends_on", "recruitment_closes_on"}
    programme.ends_on = TODAY + 30 * DAY
    programme.recruitment_closes_on = TODAY + 40 * DAY
    with pytest.raises(ValidationError, match="after the programme ends"):
        programme.full_clean()
    programme.recruitment_closes_on = TODAY + 20 * DAY
    programme.full_clean()


@pytest.mark.parametrize(
    "window,refused",
    [
        ({"recruitment_opens_on": TODAY + DAY}, "takes requests from"),
        ({"recruitment_closes_on": TODAY - DAY}, "took requests until"),
        ({"ends_on": TODAY - DAY}, "took requests until"),
        # Its last day takes no new pairing, so no request either.
        ({"ends_on": TODAY}, "took requests until"),
        ({"ends_on": TODAY + DAY}, None),
        ({"is_active": False}, "closed to new requests"),
        ({"recruitment_opens_on": TODAY, "recruitment_closes_on": TODAY}, None),
    ],
)
def test_requests_are_taken_only_in_the_recruitment_window(cast, window, refused):
    programme = ProgrammeFactory(**window)
    mentee = cast["mentee"]
    if refused is None:
        assert lifecycle.open_request(programme, mentee, mentee, "Besoin").pk
        return
    with pytest.raises(RuleViolation, match=refused):
        lifecycle.open_request(programme, mentee, mentee, "Besoin")


def test_a_pairing_never_ends_after_its_programme(cast):
    ends = TODAY + 60 * DAY
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER, ends_on=ends)
    assert programme.max_duration_months == 6
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
    )
    pairing = lifecycle.approve_pairing(pairing, cast["manager"])
    agreement = pairing.agreement
    assert agreement.end_date == ends  # not six months away
    with pytest.raises(RuleViolation, match="cannot end later"):
        lifecycle.update_agreement(agreement, cast["mentee"], end_date=ends + DAY)
    agreement.refresh_from_db()
    assert agreement.end_date == ends
    pairing = activate(pairing, cast)
    assert pairing.planned_end == ends
    assert pairing.start_date < pairing.midterm_review_due < ends


def test_no_new_pairing_once_the_programme_has_ended(cast):
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER, ends_on=TODAY)
    with pytest.raises(RuleViolation, match="takes no new pairing"):
        lifecycle.propose_pairing(programme, [cast["mentee"]], [cast["mentor"]], cast["manager"])
    assert not Pairing.objects.exists()


def test_an_extension_cannot_pass_the_programme_end(active):
    Programme.objects.filter(pk=active.programme_id).update(ends_on=active.planned_end + 10 * DAY)
    active.refresh_from_db()
    mentee = active.mentee
    with pytest.raises(RuleViolation, match="cannot end later"):
        lifecycle.request_extension(active, mentee, active.planned_end + 11 * DAY, "Plus de temps")
    assert not active.extensions.exists()
    extension = lifecycle.request_extension(
        active, mentee, active.planned_end + 10 * DAY, "Plus de temps"
    )
    assert extension.pk


def test_the_sweep_closes_the_pairings_of_an_ended_programme(active, cast, programme):
    other = lifecycle.propose_pairing(
        programme, [cast["mentor2"]], [cast["mentor"]], cast["director"]
    )
    assert other.state == PairingState.PROPOSED
    Programme.objects.filter(pk=programme.pk).update(ends_on=TODAY - DAY)

    # Not yet: the programme ends today.
    assert lifecycle.close_ended_programmes(TODAY - DAY) == 0
    result = reminders.sweep(today=TODAY)
    assert result.programme_closures == 2

    active.refresh_from_db()
    assert active.state == PairingState.CLOSED
    assert active.closure_reason == ClosureReason.PROGRAMME_ENDED
    assert active.premature is False and active.closed_by is None
    other.refresh_from_db()
    assert other.state == PairingState.CANCELLED
    closed_notices = Notification.objects.filter(kind=Kind.PAIRING_CLOSED, pairing=active)
    assert set(closed_notices.values_list("recipient", flat=True)) == {
        cast["mentee"].pk,
        cast["mentor"].pk,
    }
    # Twice changes nothing.
    assert lifecycle.close_ended_programmes(TODAY) == 0
    reminders.sweep(today=TODAY)
    assert closed_notices.count() == 2


def test_a_requested_closure_keeps_its_reason_at_the_programme_end(active, programme):
    lifecycle.request_closure(
        active,
        active.mentee,
        kind="planned",
        reason=ClosureReason.OBJECTIVES_MET,
    )
    Programme.objects.filter(pk=programme.pk).update(ends_on=TODAY - DAY)
    assert lifecycle.close_ended_programmes(TODAY) == 1
    active.refresh_from_db()
    assert (active.state, active.closure_reason) == (
        PairingState.CLOSED,
        ClosureReason.OBJECTIVES_MET,
    )


def test_members_are_reminded_30_and_7_days_before_the_programme_ends(active, programme):
    ends = TODAY + 30 * DAY
    Programme.objects.filter(pk=programme.pk).update(ends_on=ends)
    Pairing.objects.filter(pk=active.pk).update(planned_end=ends)
    reminders.sweep(today=TODAY)
    reminders.sweep(today=TODAY)
    rows = Notification.objects.filter(kind=Kind.PROGRAMME_ENDING, pairing=active)
    assert rows.count() == 2  # mentee and mentor, once
    assert set(rows.values_list("data__days", flat=True)) == {30}
    # The pairing's own "end approaching" is not sent as well for the same date.
    assert not Notification.objects.filter(kind=Kind.END_APPROACHING, pairing=active).exists()
    reminders.sweep(today=ends - 7 * DAY)
    assert set(rows.values_list("data__days", flat=True)) == {30, 7}
    assert rows.count() == 4
    subject, text, _html = outbox.render(rows.first())
    assert programme.name in subject
    assert "sera clôturé le lendemain" in text and str(ends.year) in text  # in French
