"""Training sessions on request (seed 004): requests, places, waiting list, attendance."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wagtail_mentorat.training import services
from wagtail_mentorat.training.models import (
    Completion,
    SessionRegistration,
    TrainingRequest,
    TrainingSession,
)

pytestmark = pytest.mark.django_db
REGISTERED = SessionRegistration.Status.REGISTERED
WAITLISTED = SessionRegistration.Status.WAITLISTED


@pytest.fixture
def session(module):
    starts = timezone.now() + timedelta(days=10)
    return TrainingSession.objects.create(
        title="Atelier test",
        module=module,
        place="Salle 1",
        capacity=2,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )


@pytest.fixture
def people(demo_users):
    return [demo_users[name] for name in ("mentor1", "mentor2", "mentore1", "mentore2")]


def test_places_then_waiting_list_in_order(session, people):
    statuses = [services.register(person, session)[0].status for person in people]
    assert statuses == [REGISTERED, REGISTERED, WAITLISTED, WAITLISTED]
    waiting = SessionRegistration.objects.filter(status=WAITLISTED).order_by("registered_at")
    assert [services.waiting_rank(r) for r in waiting] == [1, 2]


def test_registering_twice_for_a_full_session_changes_nothing(session, people):
    for person in people[:3]:
        services.register(person, session)
    registration, created = services.register(people[2], session)
    assert created is False and registration.status == WAITLISTED
    assert SessionRegistration.objects.filter(session=session).count() == 3
    assert services.waiting_rank(registration) == 1


def test_a_freed_place_goes_to_the_first_person_waiting(session, people):
    for person in people:
        services.register(person, session)
    promoted = services.cancel_registration(people[0], session)
    assert promoted.user == people[2]
    statuses = dict(SessionRegistration.objects.values_list("user__username", "status"))
    assert statuses == {
        "mentor1": "cancelled",
        "mentor2": REGISTERED,
        "mentore1": REGISTERED,
        "mentore2": WAITLISTED,
    }
    assert services.waiting_rank(SessionRegistration.objects.get(user=people[3])) == 1


def test_cancelling_a_waiting_list_rank_promotes_nobody(session, people):
    for person in people:
        services.register(person, session)
    assert services.cancel_registration(people[3], session) is None
    assert SessionRegistration.objects.filter(status=REGISTERED).count() == 2


def test_coming_back_after_cancelling_goes_to_the_end_of_the_queue(session, people):
    for person in people:
        services.register(person, session)
    services.cancel_registration(people[2], session)
    registration, created = services.register(people[2], session)
    assert created and registration.status == WAITLISTED
    assert services.waiting_rank(registration) == 2


def test_a_session_that_started_refuses_registrations(session, people):
    session.starts_at = timezone.now() - timedelta(minutes=5)
    session.save()
    with pytest.raises(services.TrainingError):
        services.register(people[0], session)


def test_cancelling_without_registration_is_refused(session, people):
    with pytest.raises(services.TrainingError):
        services.cancel_registration(people[0], session)


def test_attendance_completes_the_module_once(session, people):
    for person in people[:2]:
        services.register(person, session)
    assert services.record_attendance(session, [people[0].pk]) == 1
    assert services.record_attendance(session, [people[0].pk]) == 1  # recorded again
    completion = Completion.objects.get()
    assert completion.user == people[0] and completion.source == "session"
    assert completion.completed_on == timezone.localdate(session.starts_at)
    assert services.has_completed(people[0], session.module, on=completion.completed_on)
    absent = SessionRegistration.objects.get(user=people[1])
    assert absent.attended is False


def test_correcting_attendance_removes_the_completion_it_gave(session, people):
    services.register(people[0], session)
    services.record_attendance(session, [people[0].pk])
    services.record_attendance(session, [])
    assert not Completion.objects.exists()


def test_attendance_does_not_complete_when_the_session_does_not_count(session, people):
    session.counts_as_completion = False
    session.save()
    services.register(people[0], session)
    assert services.record_attendance(session, [people[0].pk]) == 0
    assert not Completion.objects.exists()


def test_people_on_the_waiting_list_cannot_be_marked_present(session, people):
    for person in people[:3]:
        services.register(person, session)
    services.record_attendance(session, [people[2].pk])
    assert not Completion.objects.exists()


# ------------------------------------------------------------------ front end


def test_register_and_cancel_from_the_training_page(client_for, training_index, session):
    client = client_for("mentore1")
    url = f"{training_index.url}seances/{session.pk}/inscription/"
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Votre place à cette séance est confirmée." in response.content.decode()
    response = client.post(url, follow=True)
    assert "Vous avez déjà une place à cette séance." in response.content.decode()
    assert SessionRegistration.objects.filter(session=session).count() == 1
    response = client.post(f"{training_index.url}seances/{session.pk}/annulation/", follow=True)
    assert "Votre inscription est annulée." in response.content.decode()


def test_registering_twice_for_a_full_session_from_the_page(client_for, training_index, session):
    for name in ("mentor1", "mentor2"):
        client_for(name).post(f"{training_index.url}seances/{session.pk}/inscription/")
    client = client_for("mentore1")
    url = f"{training_index.url}seances/{session.pk}/inscription/"
    first = client.post(url, follow=True).content.decode()
    second = client.post(url, follow=True).content.decode()
    assert "vous êtes sur la liste d&#x27;attente (rang 1)" in first
    assert "Vous êtes déjà sur la liste d&#x27;attente de cette séance (rang 1)" in second
    assert SessionRegistration.objects.filter(session=session).count() == 3


def test_unknown_session_is_not_found(client_for, training_index):
    response = client_for("mentore1").post(f"{training_index.url}seances/999999/inscription/")
    assert response.status_code == 404


def test_a_participant_asks_for_training(client_for, training_index, module):
    client = client_for("mentore2")
    response = client.post(
        f"{training_index.url}demande/",
        {"topic": "Les différences culturelles", "details": "Pour mon équipe", "module": module.pk},
        follow=True,
    )
    assert "Votre demande a été transmise" in response.content.decode()
    request = TrainingRequest.objects.get()
    assert request.module == module and request.status == "open"
    assert request.requester.username == "mentore2"


@pytest.mark.parametrize("data", [{}, {"topic": "  "}, {"topic": "x", "module": "pas-un-id"}])
def test_a_bad_training_request_is_refused_cleanly(client_for, training_index, data):
    response = client_for("mentore2").post(f"{training_index.url}demande/", data, follow=True)
    assert response.status_code == 200
    assert "Votre demande n&#x27;a pas pu être envoyée" in response.content.decode()
    assert not TrainingRequest.objects.exists()


def test_the_index_lists_sessions_with_places_left(client_for, training_index, session):
    html = client_for("mentore1").get(training_index.url).content.decode()
    assert "Atelier test" in html and "2 places libres" in html


# ---------------------------------------------------------------------- admin


def test_coordinator_records_attendance_in_the_admin(client_for, session, people):
    services.register(people[0], session)
    client = client_for("coordination")
    url = f"/admin/formation/seances/{session.pk}/presences/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"attended": [people[0].pk]})
    assert response.status_code == 302
    assert Completion.objects.get().user == people[0]


def test_a_mentee_cannot_record_attendance(client_for, session):
    response = client_for("mentore1").post(f"/admin/formation/seances/{session.pk}/presences/")
    assert response.status_code in (302, 403)
    assert not Completion.objects.exists()


def test_coordinator_sees_sessions_and_requests_in_the_admin(client_for, session):
    client = client_for("coordination")
    listing = client.get("/admin/training_sessions/")
    assert listing.status_code == 200 and "Atelier test" in listing.content.decode()
    assert client.get("/admin/training_requests/").status_code == 200
    assert client.get("/admin/training_sessions/new/").status_code == 200
