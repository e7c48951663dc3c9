"""The participant and manager spaces: journeys, bad input and confidentiality."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import (
    ClosureKind,
    ClosureReason,
    HelpRequest,
    Meeting,
    MentoringRequest,
    MentorOffer,
    Pairing,
    PairingState,
    ParticipantProfile,
    RegistrationPage,
    SafetyConcern,
)

from .conftest import hours_ago, person

pytestmark = pytest.mark.django_db

SECRET_NOTE = "NOTE-PRIVEE-7f3a"


def pairing_url(pairing):
    return reverse("wagtail_mentorat:pairing", args=[pairing.pk])


@pytest.fixture
def registration_page(db):
    home = Site.objects.get(is_default_site=True).root_page
    page = home.add_child(
        instance=RegistrationPage(
            title="Je veux m'inscrire",
            slug="inscription",
            privacy_notice="<p>Avis</p>",
            privacy_notice_version="v3",
        )
    )
    return page


# --- registration ----------------------------------------------------------------------------


def registration_data(programme, extra=None, **more):
    data = {
        "role": "mentee",
        "programme": programme.pk,
        "need": "Évaluer un risque",
        "urgency": "normal",
        "kind": "individual",
        "goals": "Devenir autonome",
        "consent": "on",
    }
    data.update(extra or {})
    data.update(more)
    return data


def test_mentee_registers_with_consent_recorded(cast, programme, registration_page, login):
    client = login(cast["mentee"])
    response = client.post(registration_page.url, registration_data(programme))
    assert response.status_code == 302
    profile = ParticipantProfile.objects.get(user=cast["mentee"])
    assert profile.consent_version == "v3" and profile.consent_at is not None
    assert profile.goals == "Devenir autonome"
    assert MentoringRequest.objects.filter(mentee=cast["mentee"], programme=programme).count() == 1


def test_second_registration_updates_the_profile_instead_of_duplicating(
    cast, programme, registration_page, login
):
    client = login(cast["mentor"])
    data = registration_data(programme, role="mentor", years_experience=15, goals="Offre")
    client.post(registration_page.url, data)
    client.post(registration_page.url, {**data, "availability": "Mardis"})
    assert ParticipantProfile.objects.filter(user=cast["mentor"]).count() == 1
    assert ParticipantProfile.objects.get(user=cast["mentor"]).availability == "Mardis"
    assert MentorOffer.objects.filter(mentor=cast["mentor"]).count() == 1


def test_registration_without_consent_is_refused_in_french(
    cast, programme, registration_page, login
):
    data = registration_data(programme)
    del data["consent"]
    response = login(cast["mentee"]).post(registration_page.url, data)
    assert response.status_code == 200
    assert "consentement" in response.content.decode()
    assert not MentoringRequest.objects.exists()


def test_manager_registers_a_member_of_their_staff_only(cast, programme, registration_page, login):
    # Seed 001: "Le besoin est identifié par l'intervenant et/ou le gestionnaire".
    client = login(cast["manager"])
    response = client.post(
        registration_page.url,
        registration_data(programme, role="for_staff", staff_member=cast["mentee"].pk),
    )
    assert response.status_code == 302
    request = MentoringRequest.objects.get()
    assert (request.mentee, request.opened_by) == (cast["mentee"], cast["manager"])
    stranger = person("ailleurs")
    response = client.post(
        registration_page.url,
        registration_data(programme, role="for_staff", staff_member=stranger.pk),
    )
    assert response.status_code == 200
    assert MentoringRequest.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"programme": "999999"},
        {"role": "boss"},
        {"need": ""},
        {"programme": "x"},
        {"years_experience": "-3", "role": "mentor"},
    ],
)
def test_bad_registration_input_is_refused_without_saving(
    cast, programme, registration_page, login, bad
):
    response = login(cast["mentee"]).post(registration_page.url, registration_data(programme, bad))
    assert response.status_code == 200
    assert (
        not MentoringRequest.objects.exists()
        and not MentorOffer.objects.filter(status=MentorOffer.Status.APPLIED).exists()
    )


# --- the dashboard ---------------------------------------------------------------------------


def test_dashboard_empty_state_says_what_happens_next(cast, login, programme):
    client = login(cast["mentee"])
    html = client.get(reverse("wagtail_mentorat:space")).content.decode()
    assert "pas encore jumelé" in html
    lifecycle.open_request(programme, cast["mentee"], cast["mentee"], "Besoin")
    html = client.get(reverse("wagtail_mentorat:space")).content.decode()
    assert "72 heures" in html


def test_dashboard_shows_the_first_contact_deadline_to_the_mentor(approved, cast, login):
    html = login(cast["mentor"]).get(reverse("wagtail_mentorat:space")).content.decode()
    assert "premier contact" in html
    assert (
        approved.first_contact_due.astimezone(timezone.get_current_timezone()).strftime("%Y")
        in html
    )


def _busy_mentor(cast, programme, pairings, meetings):
    programme.mentor_capacity = 100
    programme.save()
    mentor = cast["mentor"]
    for i in range(pairings):
        mentee = person(f"busy{i}", superior=cast["manager"], years_experience=1)
        pairing = lifecycle.approve_pairing(
            lifecycle.propose_pairing(programme, [mentee], [mentor], cast["manager"]),
            cast["manager"],
        )
        Pairing.objects.filter(pk=pairing.pk).update(assigned_at=hours_ago(24 * 300))
        pairing.refresh_from_db()
        lifecycle.record_first_contact(pairing, mentor, hours_ago(24 * 299))
        Meeting.objects.bulk_create(
            Meeting(pairing=pairing, held_at=hours_ago(24 * (j + 1)), logged_by=mentor)
            for j in range(meetings)
        )
    return mentor


@pytest.mark.parametrize("pairings,meetings", [(1, 1), (10, 5)])
def test_dashboard_query_count_is_constant(
    cast, programme, login, django_assert_max_num_queries, pairings, meetings
):
    mentor = _busy_mentor(cast, programme, pairings, meetings)
    client = login(mentor)
    client.get(reverse("wagtail_mentorat:space"))  # warm caches (programmes, pages, menu)
    with django_assert_max_num_queries(10):  # issue 20 (tests/space/test_dashboard_queries)
        response = client.get(reverse("wagtail_mentorat:space"))
    assert response.status_code == 200


def test_dashboard_and_pairing_page_queries_do_not_grow(
    cast, programme, login, django_assert_num_queries
):
    mentor = _busy_mentor(cast, programme, 1, 1)
    client = login(mentor)
    pairing = Pairing.objects.filter(members__user=mentor).first()
    client.get(reverse("wagtail_mentorat:space"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        client.get(url)  # fills the caches a change dropped (issue 20)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    small = (count(reverse("wagtail_mentorat:space")), count(pairing_url(pairing)))
    for i in range(4):
        mentee = person(f"more{i}", superior=cast["manager"], years_experience=1)
        p = lifecycle.approve_pairing(
            lifecycle.propose_pairing(programme, [mentee], [mentor], cast["manager"]),
            cast["manager"],
        )
        assert p.state == PairingState.APPROVED
    Meeting.objects.bulk_create(
        Meeting(pairing=pairing, held_at=hours_ago(24 * (j + 1)), logged_by=mentor)
        for j in range(50)
    )
    large = (count(reverse("wagtail_mentorat:space")), count(pairing_url(pairing)))
    assert large == small
    assert large[0] <= 10  # the dashboard (issue 20); the pairing page
    assert max(large) <= 25


# --- the pairing page and its actions --------------------------------------------------------


def test_full_journey_through_the_pairing_page(approved, cast, login):
    mentor, mentee = login(cast["mentor"]), login(cast["mentee"])
    Pairing.objects.filter(pk=approved.pk).update(assigned_at=hours_ago(48))
    url = pairing_url(approved)
    assert mentor.post(url, {"action": "first_contact"}).status_code == 302
    assert (
        mentee.post(
            url,
            {"action": "objectives", "objectives": "Évaluer seule | mon gestionnaire le constate"},
        ).status_code
        == 302
    )
    assert mentee.post(url, {"action": "accept"}).status_code == 302
    assert mentor.post(url, {"action": "accept"}).status_code == 302
    approved.refresh_from_db()
    assert approved.state == PairingState.ACTIVE
    held = (timezone.localtime() - datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    response = mentee.post(
        url,
        {
            "action": "meeting",
            "held_at": held,
            "duration_minutes": 60,
            "mode": "video",
            "summary": "Résumé partagé",
            "private_note": SECRET_NOTE,
            "rating": "5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (
        mentee.post(
            url, {"action": "help", "question": "Client en attente", "client_waiting": "on"}
        ).status_code
        == 302
    )
    help_request = HelpRequest.objects.get()
    assert help_request.urgent
    assert (
        mentor.post(
            url, {"action": "answer", "help_request": help_request.pk, "answer": "Voici"}
        ).status_code
        == 302
    )
    help_request.refresh_from_db()
    assert help_request.answered_at is not None
    assert SECRET_NOTE in mentee.get(url).content.decode()
    assert SECRET_NOTE not in mentor.get(url).content.decode()


def test_meeting_in_the_future_gets_an_error_next_to_the_field(backdated, cast, login):
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(cast["mentee"]).post(
        pairing_url(backdated),
        {"action": "meeting", "held_at": future, "duration_minutes": 60, "mode": "video"},
    )
    assert response.status_code == 400
    assert "futur" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "meeting", "held_at": "pas une date", "duration_minutes": "x", "mode": "?"},
        {"action": "answer", "help_request": "999999", "answer": "x"},
        {"action": "nope"},
        {"action": "review", "kind": "final", "satisfaction": "9"},
        {"action": "closure", "kind": "unplanned", "reason": "sanction", "contact_after": "none"},
        {"action": "extension", "new_end": "2001-01-01", "reason": "x"},
    ],
)
def test_malformed_posts_never_fail_and_change_nothing(backdated, cast, login, data):
    response = login(cast["mentee"]).post(pairing_url(backdated), data)
    assert response.status_code in (302, 400)
    backdated.refresh_from_db()
    assert backdated.state == PairingState.ACTIVE
    assert not Meeting.objects.exists() and not backdated.extensions.exists()


def test_member_edits_their_own_meeting_only(backdated, cast, login):
    meeting = lifecycle.log_meeting(backdated, cast["mentee"], hours_ago(5), summary="Avant")
    edit_form = f'action="/mentorat/jumelages/{backdated.pk}/rencontres/{meeting.pk}/"'
    assert edit_form in login(cast["mentee"]).get(pairing_url(backdated)).content.decode()
    assert edit_form not in login(cast["mentor"]).get(pairing_url(backdated)).content.decode()
    url = reverse("wagtail_mentorat:edit_meeting", args=[backdated.pk, meeting.pk])
    held = timezone.localtime(hours_ago(5)).strftime("%Y-%m-%dT%H:%M")
    data = {"held_at": held, "duration_minutes": 45, "mode": "phone", "summary": "Après"}
    login(cast["mentor"]).post(url, data)
    meeting.refresh_from_db()
    assert meeting.summary == "Avant"
    login(cast["mentee"]).post(url, data)
    meeting.refresh_from_db()
    assert meeting.summary == "Après"


def test_mentor_reports_a_safety_concern_to_the_manager_only(backdated, cast, login):
    # Seed 001: the one exception to confidentiality.
    login(cast["mentor"]).post(
        pairing_url(backdated), {"action": "safety", "description": "Risque"}
    )
    concern = SafetyConcern.objects.get()
    assert concern.manager == cast["manager"]
    assert (
        "Risque" in login(cast["manager"]).get(reverse("wagtail_mentorat:manager")).content.decode()
    )
    login(cast["mentee"]).post(pairing_url(backdated), {"action": "safety", "description": "Moi"})
    assert SafetyConcern.objects.count() == 1


# --- the manager's space ---------------------------------------------------------------------


def test_manager_approves_a_pairing_of_their_staff(cast, programme, login):
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
    )
    url = reverse("wagtail_mentorat:manager_decide", args=[pairing.pk])
    other_manager = person("autre-gestionnaire")
    assert (
        login(other_manager).post(url, {"what": "pairing", "decision": "approve"}).status_code
        == 404
    )
    login(cast["manager"]).post(url, {"what": "pairing", "decision": "approve"})
    pairing.refresh_from_db()
    assert pairing.state == PairingState.APPROVED


def test_manager_decides_extension_and_closure(backdated, cast, login):
    lifecycle.request_extension(
        backdated,
        cast["mentee"],
        backdated.planned_end.replace(year=backdated.planned_end.year + 1),
        "Temps",
    )
    client = login(cast["manager"])
    extension = backdated.extensions.get()
    client.post(
        reverse("wagtail_mentorat:manager_decide", args=[backdated.pk]),
        {"what": "extension", "extension": extension.pk, "decision": "approve"},
    )
    extension.refresh_from_db()
    assert extension.status == "approved"
    lifecycle.request_closure(
        backdated,
        cast["mentee"],
        kind=ClosureKind.UNPLANNED,
        reason=ClosureReason.PERSONAL,
        exit_questions_done=True,
    )
    client.post(
        reverse("wagtail_mentorat:manager_decide", args=[backdated.pk]),
        {"what": "closure", "decision": "approve"},
    )
    backdated.refresh_from_db()
    assert backdated.state == PairingState.CLOSED


def test_manager_space_shows_states_and_dates_never_content(backdated, cast, login):
    lifecycle.log_meeting(
        backdated,
        cast["mentee"],
        hours_ago(3),
        summary="RESUME-CONFIDENTIEL",
        private_note=SECRET_NOTE,
    )
    lifecycle.ask_for_help(backdated, cast["mentee"], "QUESTION-CONFIDENTIELLE")
    html = login(cast["manager"]).get(reverse("wagtail_mentorat:manager")).content.decode()
    assert backdated.programme.name in html
    objective = backdated.agreement.objectives.first().text
    for secret in ("RESUME-CONFIDENTIEL", SECRET_NOTE, "QUESTION-CONFIDENTIELLE", objective):
        assert secret not in html


# --- confidentiality ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "director", "mentor2", "coordinator", "stranger"])
def test_outsiders_get_404_on_another_pairing_whatever_the_id(backdated, cast, login, who):
    lifecycle.log_meeting(
        backdated, cast["mentee"], hours_ago(3), summary="S", private_note=SECRET_NOTE
    )
    user = cast.get(who) or person("inconnu")
    client = login(user)
    meeting = Meeting.objects.get()
    for url in (
        pairing_url(backdated),
        reverse("wagtail_mentorat:agreement_print", args=[backdated.agreement.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(pairing_url(backdated), {"action": "accept"}).status_code == 404
    edit = reverse("wagtail_mentorat:edit_meeting", args=[backdated.pk, meeting.pk])
    assert client.post(edit, {"summary": "pirate"}).status_code == 404
    for url in (reverse("wagtail_mentorat:space"), reverse("wagtail_mentorat:my_data")):
        assert SECRET_NOTE not in client.get(url).content.decode()


def test_my_data_export_holds_my_private_notes_and_nobody_elses(backdated, cast, login):
    lifecycle.log_meeting(backdated, cast["mentee"], hours_ago(3), private_note=SECRET_NOTE)
    lifecycle.log_meeting(backdated, cast["mentor"], hours_ago(2), private_note="NOTE-DU-MENTOR")
    data = json.loads(login(cast["mentee"]).get(reverse("wagtail_mentorat:my_data")).content)
    assert [n["text"] for n in data["my_private_notes"]] == [SECRET_NOTE]
    assert "NOTE-DU-MENTOR" not in json.dumps(data)
    assert data["pairings"][0]["id"] == backdated.pk


def test_calendar_feed_has_dates_and_no_content_and_can_be_reset(backdated, cast, login):
    lifecycle.log_meeting(
        backdated, cast["mentee"], hours_ago(3), summary="RESUME", private_note=SECRET_NOTE
    )
    client = login(cast["mentee"])
    client.post(reverse("wagtail_mentorat:calendar_reset"))
    token = ParticipantProfile.objects.get(user=cast["mentee"]).calendar_token
    feed_url = reverse("wagtail_mentorat:calendar", args=[token])
    from django.test import Client

    feed = Client().get(feed_url)  # calendar apps cannot log in: the secret URL is the key
    body = feed.content.decode()
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in body and "VEVENT" in body
    assert "RESUME" not in body and SECRET_NOTE not in body
    client.post(reverse("wagtail_mentorat:calendar_reset"))
    assert Client().get(feed_url).status_code == 404
    assert Client().get(reverse("wagtail_mentorat:calendar", args=["x" * 40])).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, backdated):
    for url in (
        reverse("wagtail_mentorat:space"),
        pairing_url(backdated),
        reverse("wagtail_mentorat:manager"),
        reverse("wagtail_mentorat:my_data"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_typed_html_is_shown_as_plain_text(backdated, cast, login):
    lifecycle.log_meeting(
        backdated, cast["mentee"], hours_ago(3), summary="<script>alert(1)</script>"
    )
    html = login(cast["mentor"]).get(pairing_url(backdated)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
