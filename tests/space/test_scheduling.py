"""Scheduling the next meeting (issue 21): proposals of one to three slots, acceptance,
the iCalendar invitation (METHOD, UID, SEQUENCE, TZID), changes and cancellation, the
calendar feed, the one-click log once the time has passed, and who sees what."""

import datetime

import icalendar
import pytest
from anymail.backends.test import EmailBackend  # noqa: F401  (the backend named below)
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from wagtail_mentorat import lifecycle, scheduling
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import (
    ClosureReason,
    Meeting,
    MeetingProposal,
    Pairing,
    PairingState,
    ParticipantProfile,
    PlannedMeeting,
)
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.privacy import export

from .conftest import person

pytestmark = pytest.mark.django_db

PLACE = "Salle PLACE-7f3a, 2e étage"


@pytest.fixture(autouse=True)
def emails(cast):
    for user in cast.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


@pytest.fixture
def login(login):
    """The space's pages in English (the messages asserted); one test reads the French."""

    def make(user):
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def anymail(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    mail.outbox = []


def pairing_url(pairing):
    return reverse("wagtail_mentorat:pairing", args=[pairing.pk])


def later(days=3, hour=10):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def slot(days=3, hour=10, place=PLACE):
    return {"starts_at": later(days, hour), "duration_minutes": 60, "mode": "video", "place": place}


def propose_data(*moments, **extra):
    data = {"action": "propose_meeting"}
    for number, moment in enumerate(moments, start=1):
        data[f"slot{number}_starts_at"] = moment
        data[f"slot{number}_duration_minutes"] = 45
        data[f"slot{number}_mode"] = "in_person"
        data[f"slot{number}_place"] = PLACE if number == 1 else ""
    data.update(extra)
    return data


def rows(kind=None):
    qs = Notification.objects.all()
    return qs.filter(kind=kind) if kind else qs


def calendar_of(row):
    message = outbox.render_message(row)
    parts = [a for a in message.attachments if getattr(a, "get_content_type", None)]
    assert len(parts) == 1, message.attachments
    part = parts[0]
    assert part.get_content_type() == "text/calendar"
    method = part.get_param("method")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True)), method


def event_of(calendar):
    return next(c for c in calendar.walk("VEVENT"))


# --- proposing -----------------------------------------------------------------------------


def test_a_member_proposes_one_to_three_slots_and_the_other_is_told(active, cast, login):
    response = login(cast["mentee"]).post(
        pairing_url(active), propose_data(local(later(2)), local(later(3)), local(later(4)))
    )
    assert response.status_code == 302
    proposal = MeetingProposal.objects.get()
    assert proposal.proposed_by == cast["mentee"] and proposal.slots.count() == 3
    assert [r.recipient for r in rows("meeting_proposed")] == [cast["mentor"]]
    page = login(cast["mentor"]).get(pairing_url(active)).content.decode()
    assert "Accept this time" in page and PLACE in page
    assert list(scheduling.proposals_waiting_on(cast["mentor"])) == [proposal]
    assert list(scheduling.proposals_waiting_on(cast["mentee"])) == []


def test_zero_or_four_slots_are_refused(active, cast, login):
    response = login(cast["mentee"]).post(pairing_url(active), propose_data())
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    with pytest.raises(RuleViolation):
        scheduling.propose_meeting(active, cast["mentee"], [slot(d) for d in (1, 2, 3, 4)])
    with pytest.raises(RuleViolation):
        scheduling.propose_meeting(active, cast["mentee"], [])
    assert not MeetingProposal.objects.exists() and not rows().filter(kind__startswith="meet")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("past", "already passed"),
        ("9999-12-31T10:00", "more than a year away"),
        ("31/02/2026 25:00", "Enter a valid date/time"),
        ("abc", "Enter a valid date/time"),
    ],
)
def test_a_slot_in_the_past_too_far_or_malformed_is_refused(active, cast, login, value, message):
    if value == "past":
        value = local(timezone.now() - datetime.timedelta(days=1))
    response = login(cast["mentee"]).post(pairing_url(active), propose_data(value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MeetingProposal.objects.exists()


def test_the_date_errors_are_in_french_too(active, cast):
    client = Client()
    client.force_login(cast["mentee"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    with translation.override("fr"):
        past = client.post(
            pairing_url(active), propose_data(local(timezone.now() - datetime.timedelta(hours=2)))
        )
        far = client.post(pairing_url(active), propose_data("9999-12-31T10:00"))
    assert "déjà passé" in past.content.decode()
    assert "plus d’un an" in far.content.decode()


def test_a_closed_or_not_yet_contacted_pairing_offers_no_proposal_and_says_why(
    approved, cast, login
):
    page = login(cast["mentee"]).get(pairing_url(approved)).content.decode()
    assert 'id="propose-meeting"' not in page
    assert "No meeting can be planned now" in page
    response = login(cast["mentee"]).post(pairing_url(approved), propose_data(local(later())))
    assert response.status_code == 302 and not MeetingProposal.objects.exists()


# --- accepting and the invitation ----------------------------------------------------------


def test_accepting_plans_the_meeting_and_both_get_a_parsable_invitation(
    active, cast, login, anymail
):
    proposal = scheduling.propose_meeting(active, cast["mentee"], [slot(2), slot(5, 14)])
    chosen = proposal.slots.order_by("starts_at").last()
    url = reverse("wagtail_mentorat:answer_proposal", args=[active.pk, proposal.pk])
    response = login(cast["mentor"]).post(url, {"decision": "accept", "slot": chosen.pk})
    assert response.status_code == 302
    planned = PlannedMeeting.objects.get()
    assert planned.starts_at == chosen.starts_at and planned.place == PLACE
    assert (planned.organizer, planned.attendee) == (cast["mentee"], cast["mentor"])
    invitations = rows("meeting_planned")
    assert sorted(r.recipient.username for r in invitations) == ["mentor", "mentore"]
    assert all(PLACE not in str(r.data) for r in invitations)  # never in the outbox row
    calendar, method = calendar_of(invitations[0])
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    event = event_of(calendar)
    assert str(event["UID"]) == planned.uid
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == settings.TIME_ZONE
    assert event["DTSTART"].dt == chosen.starts_at
    assert event["DTEND"].dt - event["DTSTART"].dt == datetime.timedelta(minutes=60)
    assert str(event["LOCATION"]) == PLACE
    assert str(event["ORGANIZER"]) == "mailto:mentore@example.org"
    assert str(event["ATTENDEE"]) == "mailto:mentor@example.org"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [settings.TIME_ZONE]
    # Sent through the outbox, once each, with the attachment.
    for row in invitations:
        outbox.send_one(row.pk)
    assert len(mail.outbox) == 2
    assert all("text/calendar" in str(m.message()) for m in mail.outbox)


def test_a_slot_accepted_twice_by_the_proposer_or_by_an_outsider_changes_nothing(
    active, cast, login
):
    proposal = scheduling.propose_meeting(active, cast["mentee"], [slot(2), slot(3)])
    first, second = proposal.slots.all()
    url = reverse("wagtail_mentorat:answer_proposal", args=[active.pk, proposal.pk])
    # The proposer: refused with the reason.
    response = login(cast["mentee"]).post(
        url, {"decision": "accept", "slot": first.pk}, follow=True
    )
    assert "another member of the pairing answers it" in response.content.decode()
    assert not PlannedMeeting.objects.exists()
    # An outsider (the manager, programme staff, a stranger): 404, like a missing one.
    for outsider in (cast["manager"], cast["coordinator"], person("inconnu")):
        assert (
            login(outsider).post(url, {"decision": "accept", "slot": first.pk}).status_code == 404
        )
    assert not PlannedMeeting.objects.exists()
    login(cast["mentor"]).post(url, {"decision": "accept", "slot": first.pk})
    count = rows().count()
    # Twice: refused, nothing changed, no second email.
    response = login(cast["mentor"]).post(
        url, {"decision": "accept", "slot": second.pk}, follow=True
    )
    assert "already answered" in response.content.decode()
    assert PlannedMeeting.objects.count() == 1
    assert PlannedMeeting.objects.get().starts_at == first.starts_at
    assert rows().count() == count
    with pytest.raises(RuleViolation):
        scheduling.accept_slot(second, cast["mentor"])


@pytest.mark.parametrize("bad", ["abc", "0", "9" * 30, "-1", ""])
def test_malformed_or_foreign_ids_are_404_never_500(active, cast, login, bad):
    proposal = scheduling.propose_meeting(active, cast["mentee"], [slot(2)])
    client = login(cast["mentor"])
    url = reverse("wagtail_mentorat:answer_proposal", args=[active.pk, proposal.pk])
    assert client.post(url, {"decision": "accept", "slot": bad}).status_code == 404
    for path in (
        f"/mentorat/jumelages/{active.pk}/propositions/{bad}/",
        f"/mentorat/jumelages/{bad}/propositions/{proposal.pk}/",
        f"/mentorat/jumelages/{active.pk}/rencontres-prevues/{bad}/",
        f"/mentorat/jumelages/{active.pk}/propositions/987654/",
    ):
        assert client.post(path, {"decision": "accept"}).status_code == 404
    assert not PlannedMeeting.objects.exists()


def test_declining_tells_the_proposer_and_withdrawing_tells_no_one(active, cast, login):
    proposal = scheduling.propose_meeting(active, cast["mentee"], [slot(2)])
    url = reverse("wagtail_mentorat:answer_proposal", args=[active.pk, proposal.pk])
    login(cast["mentor"]).post(url, {"decision": "decline"})
    proposal.refresh_from_db()
    assert proposal.status == MeetingProposal.Status.DECLINED
    assert [r.recipient for r in rows("meeting_declined")] == [cast["mentee"]]
    other = scheduling.propose_meeting(active, cast["mentor"], [slot(4)])
    count = rows().count()
    url = reverse("wagtail_mentorat:answer_proposal", args=[active.pk, other.pk])
    login(cast["mentee"]).post(url, {"decision": "withdraw"})  # not theirs: refused
    other.refresh_from_db()
    assert other.status == MeetingProposal.Status.OPEN
    login(cast["mentor"]).post(url, {"decision": "withdraw"})
    other.refresh_from_db()
    assert other.status == MeetingProposal.Status.WITHDRAWN and rows().count() == count


# --- changing and cancelling ---------------------------------------------------------------


def planned_meeting(active, cast, days=2):
    proposal = scheduling.propose_meeting(active, cast["mentee"], [slot(days)])
    return scheduling.accept_slot(proposal.slots.get(), cast["mentor"])


def test_a_change_keeps_the_uid_and_raises_the_sequence(active, cast, login):
    planned = planned_meeting(active, cast)
    uid = planned.uid
    url = reverse("wagtail_mentorat:planned_meeting", args=[active.pk, planned.pk])
    new_time = later(6, 15)
    data = {
        "what": "reschedule",
        "starts_at": local(new_time),
        "duration_minutes": 90,
        "mode": "video",
        "place": "https://visio.example.org/abc",
    }
    assert login(cast["mentee"]).post(url, data).status_code == 302
    planned.refresh_from_db()
    assert planned.uid == uid and planned.sequence == 1 and planned.starts_at == new_time
    updates = rows("meeting_planned").filter(data__updated=True)
    assert updates.count() == 2
    calendar, method = calendar_of(updates[0])
    event = event_of(calendar)
    assert method == "REQUEST" and str(event["UID"]) == uid and event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == new_time
    assert outbox.render(updates[0])[0] == "Rencontre de mentorat modifiée"  # French: default
    # A bad date: refused with the reason, nothing changed, no email.
    count = rows().count()
    response = login(cast["mentee"]).post(
        url, {**data, "starts_at": "9999-01-01T10:00"}, follow=True
    )
    assert "more than a year away" in response.content.decode()
    planned.refresh_from_db()
    assert planned.sequence == 1 and rows().count() == count


def test_cancelling_sends_method_cancel_with_the_same_uid(active, cast, login):
    planned = planned_meeting(active, cast)
    url = reverse("wagtail_mentorat:planned_meeting", args=[active.pk, planned.pk])
    login(cast["mentor"]).post(url, {"what": "cancel"})
    planned.refresh_from_db()
    assert planned.status == PlannedMeeting.Status.CANCELLED and planned.sequence == 1
    cancellations = rows("meeting_cancelled")
    assert sorted(r.recipient.username for r in cancellations) == ["mentor", "mentore"]
    calendar, method = calendar_of(cancellations[0])
    event = event_of(calendar)
    assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == planned.uid and str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    count = rows().count()
    login(cast["mentor"]).post(url, {"what": "cancel"})  # twice: nothing more
    assert rows().count() == count


# --- the feed, the log, who sees what ------------------------------------------------------


def test_the_planned_meeting_is_in_the_personal_calendar_feed_without_its_place(
    active, cast, login
):
    planned = planned_meeting(active, cast)
    login(cast["mentee"]).post(reverse("wagtail_mentorat:calendar_reset"))
    token = ParticipantProfile.objects.get(user=cast["mentee"]).calendar_token
    body = Client().get(reverse("wagtail_mentorat:calendar", args=[token])).content
    calendar = icalendar.Calendar.from_ical(body)
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert f"planned-{planned.pk}@wagtail-mentorat" in uids
    assert PLACE.encode() not in body
    scheduling.cancel_planned(planned, cast["mentor"])
    body = Client().get(reverse("wagtail_mentorat:calendar", args=[token])).content
    assert f"planned-{planned.pk}".encode() not in body


def test_after_its_date_the_planned_meeting_is_logged_in_one_click(active, cast, login):
    planned = planned_meeting(active, cast)
    page = login(cast["mentor"]).get(pairing_url(active)).content.decode()
    assert "Log this meeting as held" not in page  # not yet
    PlannedMeeting.objects.filter(pk=planned.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    page = login(cast["mentor"]).get(pairing_url(active)).content.decode()
    assert "Log this meeting as held" in page
    url = reverse("wagtail_mentorat:planned_meeting", args=[active.pk, planned.pk])
    assert login(cast["mentor"]).post(url, {"what": "log"}).status_code == 302
    planned.refresh_from_db()
    meeting = Meeting.objects.get()
    assert planned.meeting == meeting and meeting.held_at == planned.starts_at
    assert meeting.duration_minutes == 60 and meeting.mode == "video"
    assert meeting.logged_by == cast["mentor"]
    login(cast["mentee"]).post(url, {"what": "log"})  # twice: still one meeting
    assert Meeting.objects.count() == 1
    page = login(cast["mentor"]).get(pairing_url(active)).content.decode()
    assert "Log this meeting as held" not in page


def test_a_future_planned_meeting_cannot_be_logged(active, cast):
    planned = planned_meeting(active, cast)
    with pytest.raises(RuleViolation):
        scheduling.log_planned(planned, cast["mentee"])
    assert not Meeting.objects.exists()


def test_the_manager_sees_the_planned_date_but_not_the_place(active, cast, login):
    planned = planned_meeting(active, cast)
    page = login(cast["manager"]).get(reverse("wagtail_mentorat:manager")).content.decode()
    assert "next meeting planned" in page
    assert timezone.localtime(planned.starts_at).strftime("%Y") in page
    assert PLACE not in page
    assert login(cast["manager"]).get(pairing_url(active)).status_code == 404


def test_planned_meetings_and_proposals_are_in_the_persons_export(active, cast):
    planned_meeting(active, cast)
    data = export.collect(cast["mentor"])
    assert len(data["meeting_proposals"]) == 1 and len(data["proposed_slots"]) == 1
    assert data["planned_meetings"][0]["place"] == PLACE
    assert export.collect(cast["manager"])["planned_meetings"] == []


def test_a_cancelled_pairing_refuses_to_plan_and_accept(active, cast):
    proposal = scheduling.propose_meeting(active, cast["mentee"], [slot(2)])
    Pairing.objects.filter(pk=active.pk).update(state=PairingState.CLOSED)
    with pytest.raises(RuleViolation):
        scheduling.accept_slot(proposal.slots.get(), cast["mentor"])
    assert not PlannedMeeting.objects.exists()
    assert list(scheduling.proposals_waiting_on(cast["mentor"])) == []


def test_lifecycle_log_meeting_still_refuses_a_future_date(active, cast):
    with pytest.raises(RuleViolation):
        lifecycle.log_meeting(active, cast["mentee"], later(2))


def test_closing_the_pairing_cancels_its_meetings_to_come_in_every_calendar(active, cast):
    """A pairing that ends leaves no meeting in its members' calendars: each meeting still
    to come is cancelled with the same UID (METHOD:CANCEL), a past one is kept to be
    logged, and an open proposal is withdrawn."""
    coming = planned_meeting(active, cast, days=4)
    past = planned_meeting(active, cast, days=2)
    PlannedMeeting.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=1)
    )
    proposal = scheduling.propose_meeting(active, cast["mentor"], [slot(5)])
    before = rows("meeting_cancelled").count()
    lifecycle.close_for_staff_reason(active, cast["coordinator"], ClosureReason.MENTEE_MOVED)
    coming.refresh_from_db()
    past.refresh_from_db()
    proposal.refresh_from_db()
    assert coming.status == PlannedMeeting.Status.CANCELLED and coming.sequence == 1
    assert past.status == PlannedMeeting.Status.PLANNED
    assert proposal.status == MeetingProposal.Status.WITHDRAWN
    cancellations = rows("meeting_cancelled")
    assert cancellations.count() - before == 2  # the mentee and the mentor
    calendar, method = calendar_of(cancellations.order_by("pk").last())
    assert method == "CANCEL" and str(event_of(calendar)["UID"]) == coming.uid
    assert list(scheduling.proposals_waiting_on(cast["mentee"])) == []


def test_a_refused_closure_cancels_nothing(active, cast):
    coming = planned_meeting(active, cast, days=4)
    with pytest.raises(RuleViolation):
        lifecycle.close_for_staff_reason(active, cast["manager"], ClosureReason.PERSONAL)
    coming.refresh_from_db()
    assert coming.status == PlannedMeeting.Status.PLANNED and coming.sequence == 0
