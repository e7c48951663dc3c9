"""A staff member registered by their manager consents themself (Quebec's A-2.1: consent is
the person's own, manifest, free and enlightened): until they confirm in their space they
are out of matching and of every email but the one invitation to confirm."""

import pytest
from anymail.backends.test import EmailBackend  # noqa: F401  (the backend the settings name)
from django.core import mail
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site
from wagtail.users.models import UserProfile

from wagtail_mentorat import lifecycle, registration
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.matching import adapter
from wagtail_mentorat.models import MentoringRequest, Pairing, ParticipantProfile, RegistrationPage
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.privacy import consent
from wagtail_mentorat.privacy.models import Consent
from wagtail_mentorat.privacy.purposes import Purpose

from .conftest import ProgrammeFactory, person

pytestmark = pytest.mark.django_db

NEED = "BESOIN-CONFIDENTIEL-5c1e"
CONFIRM = reverse("wagtail_mentorat:confirm_registration")
SPACE = reverse("wagtail_mentorat:space")
AWAITING_MESSAGE = "has not yet confirmed their registration"


@pytest.fixture(autouse=True)
def anymail_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    mail.outbox = []


@pytest.fixture
def page(db):
    home = Site.objects.get(is_default_site=True).root_page
    return home.add_child(
        instance=RegistrationPage(
            title="Je veux m'inscrire",
            slug="inscription",
            privacy_notice="<p>AVIS-DE-CONFIDENTIALITE</p>",
            privacy_notice_version="2026-09",
        )
    )


@pytest.fixture
def people(cast):
    for user in cast.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return cast


def form(programme, **more):
    data = {
        "role": "for_staff",
        "programme": programme.pk,
        "need": NEED,
        "urgency": "normal",
        "kind": "individual",
        "consent": "on",
    }
    data.update(more)
    return data


@pytest.fixture
def registered(people, programme, page, login, django_capture_on_commit_callbacks):
    """The manager registers the mentee (who never accepted the notice) through the page."""
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people["manager"]).post(
            page.url, form(programme, staff_member=people["mentee"].pk)
        )
    assert response.status_code == 302
    return MentoringRequest.objects.get(mentee=people["mentee"])


def confirm(client, page, decision="confirm", version=None):
    data = {"decision": decision, "notice_version": version or page.privacy_notice_version}
    return client.post(CONFIRM, data)


# --- the manager registers: no consent, out of matching, one email --------------------------


def test_a_manager_registering_staff_records_no_consent_for_them(registered, people):
    mentee, manager = people["mentee"], people["manager"]
    profile = ParticipantProfile.objects.get(user=mentee)
    assert profile.registered_by == manager
    assert profile.consent_at is None and profile.consent_version == ""
    assert not Consent.objects.filter(user=mentee).exists()
    assert consent.is_awaiting(mentee)
    assert not consent.has_consent(mentee, Purpose.MATCHING)
    assert registered.opened_by == manager and registered.status == "open"


def test_the_person_awaiting_is_out_of_matching_suggestions(registered, people, programme):
    assert registered not in adapter.waiting_requests(programme)
    assert list(adapter.awaiting_requests(programme)) == [registered]
    # As a mentor too: someone awaiting is never suggested.
    ParticipantProfile.objects.filter(user=people["mentee"]).update(is_mentor=True)
    assert people["mentee"].pk not in {m.id for m in adapter.load_mentors(programme)}


def test_nobody_pairs_a_person_awaiting_confirmation_and_the_message_says_why(
    registered, people, programme
):
    with pytest.raises(RuleViolation) as error, translation.override("en"):
        lifecycle.propose_pairing(
            programme, [people["mentee"]], [people["mentor"]], people["manager"]
        )
    text = str(error.value)
    assert AWAITING_MESSAGE in text and "withdrew" not in text
    assert not Pairing.objects.exists()


def test_withdrawn_and_awaiting_are_told_apart_in_one_query(
    registered, people, django_assert_num_queries
):
    consent.withdraw(people["mentor"], Purpose.MATCHING)
    among = [people["mentee"], people["mentor"], people["mentor2"]]
    with django_assert_num_queries(1):
        reasons = consent.excluded_reasons(Purpose.MATCHING, among)
    assert reasons == {
        people["mentee"].pk: consent.AWAITING,
        people["mentor"].pk: consent.WITHDRAWN,
    }


def test_the_invitation_is_the_only_email_and_carries_no_confidential_content(registered, people):
    rows = Notification.objects.filter(recipient=people["mentee"])
    assert [r.kind for r in rows] == [Kind.REGISTRATION_TO_CONFIRM]
    sent = [m for m in mail.outbox if people["mentee"].email in m.to]
    assert len(sent) == 1
    message = sent[0]
    body = message.body + "".join(content for content, _type in message.alternatives)
    assert NEED not in body and NEED not in message.subject
    assert people["manager"].get_full_name() in body
    assert "/mentorat/" in body


def test_no_other_email_reaches_the_person_until_they_confirm(registered, people):
    # A later event would email them: nothing is written (skipped, not held)...
    row = outbox.build(people["mentee"], Kind.PAIRING_ACTIVE, "later:1")
    assert outbox.add([row]) == []
    # ...and the invitation of another registration still goes (it is how consent is asked).
    again = outbox.build(people["mentee"], Kind.REGISTRATION_TO_CONFIRM, "reg:again:1")
    assert len(outbox.add([again])) == 1
    # Someone who withdrew their consent to email gets not even the invitation.
    consent.withdraw(people["mentee"], Purpose.EMAIL)
    third = outbox.build(people["mentee"], Kind.REGISTRATION_TO_CONFIRM, "reg:again:2")
    assert outbox.add([third]) == []


def test_registering_twice_does_not_send_the_invitation_twice(registered, people, programme):
    from wagtail_mentorat.views.registration import _register

    data = {"role": "for_staff", "staff_user": people["mentee"], "programme": programme,
            "need": NEED, "urgency": "normal", "kind": "individual"}  # fmt: skip
    with pytest.raises(RuleViolation):  # a request is already waiting: nothing happens
        _register(people["manager"], None, data)
    assert Notification.objects.filter(kind=Kind.REGISTRATION_TO_CONFIRM).count() == 1


# --- the person's space: the notice, I confirm, I decline -----------------------------------


def test_the_space_shows_the_notice_with_the_manager_programme_and_date(
    registered, people, programme, page, login
):
    html = login(people["mentee"]).get(SPACE).content.decode()
    assert 'id="confirm-registration"' in html
    assert people["manager"].get_full_name() in html
    assert programme.name in html
    assert "AVIS-DE-CONFIDENTIALITE" in html and "2026-09" in html
    assert 'value="confirm"' in html and 'value="decline"' in html
    assert "csrfmiddlewaretoken" in html
    assert reverse("wagtail_mentorat:request_mentors", args=[registered.pk]) not in html


def test_confirming_records_the_consent_as_a_self_registration_does(
    registered, people, programme, page, login
):
    client = login(people["mentee"])
    response = confirm(client, page)
    assert response.status_code == 302 and response["Location"] == SPACE
    profile = ParticipantProfile.objects.get(user=people["mentee"])
    assert profile.consent_version == "2026-09" and profile.consent_at is not None
    lines = Consent.objects.filter(user=people["mentee"])
    assert {(c.purpose, c.notice_version, c.withdrawn_at) for c in lines} == {
        (purpose, "2026-09", None) for purpose in Purpose.values
    }
    assert not consent.is_awaiting(people["mentee"])
    assert registered in adapter.waiting_requests(programme)
    assert 'id="confirm-registration"' not in client.get(SPACE).content.decode()
    pairing = lifecycle.propose_pairing(
        programme, [people["mentee"]], [people["mentor"]], people["manager"]
    )
    assert pairing.state == "proposed"


def test_confirming_twice_records_nothing_twice(registered, people, page, login):
    client = login(people["mentee"])
    confirm(client, page)
    first = list(Consent.objects.filter(user=people["mentee"]).values_list("pk", flat=True))
    at = ParticipantProfile.objects.get(user=people["mentee"]).consent_at
    response = confirm(client, page)
    assert response.status_code == 302
    assert list(Consent.objects.filter(user=people["mentee"]).values_list("pk", flat=True)) == first
    assert ParticipantProfile.objects.get(user=people["mentee"]).consent_at == at


def test_a_get_is_refused(registered, people, login):
    assert login(people["mentee"]).get(CONFIRM).status_code == 405
    assert consent.is_awaiting(people["mentee"])


def test_only_the_person_themself_can_confirm(registered, people, page, login):
    for someone in (people["manager"], people["coordinator"], person("ailleurs")):
        assert confirm(login(someone), page).status_code == 404
        assert confirm(login(someone), page, "decline").status_code == 404
    assert consent.is_awaiting(people["mentee"])
    assert not Consent.objects.filter(user=people["mentee"]).exists()
    assert MentoringRequest.objects.get(pk=registered.pk).status == "open"


def test_a_changed_notice_is_read_again_before_confirming(registered, people, page, login):
    response = confirm(login(people["mentee"]), page, version="2025-01")
    assert response.status_code == 302
    assert consent.is_awaiting(people["mentee"])
    assert not Consent.objects.filter(user=people["mentee"]).exists()


def test_an_unknown_decision_changes_nothing(registered, people, login):
    response = login(people["mentee"]).post(CONFIRM, {"decision": "maybe"})
    assert response.status_code == 302
    assert consent.is_awaiting(people["mentee"])
    assert MentoringRequest.objects.get(pk=registered.pk).status == "open"


def test_declining_withdraws_the_request_and_the_consent_to_matching(
    registered, people, programme, page, login
):
    client = login(people["mentee"])
    response = confirm(client, page, "decline")
    assert response.status_code == 302
    assert MentoringRequest.objects.get(pk=registered.pk).status == "withdrawn"
    line = Consent.objects.get(user=people["mentee"])
    assert line.purpose == Purpose.MATCHING and line.withdrawn_at is not None
    assert not consent.has_consent(people["mentee"], Purpose.MATCHING)
    assert 'id="confirm-registration"' not in client.get(SPACE).content.decode()
    # Twice: nothing more.
    confirm(client, page, "decline")
    assert Consent.objects.filter(user=people["mentee"]).count() == 1
    # Still nothing sent to them: they never consented.
    row = outbox.build(people["mentee"], Kind.PAIRING_ACTIVE, "after-decline")
    assert outbox.add([row]) == []


def test_the_awaiting_person_sees_no_suggestions_until_they_confirm(registered, people, login):
    url = reverse("wagtail_mentorat:request_mentors", args=[registered.pk])
    response = login(people["mentee"]).get(url)
    assert response.status_code == 302 and response["Location"] == SPACE


def test_the_privacy_page_says_nothing_is_given_yet(registered, people, login):
    client = login(people["mentee"])
    client.cookies["django_language"] = "en"  # the front end is French by default
    html = client.get(reverse("wagtail_mentorat:privacy:page")).content.decode()
    assert "Not given yet" in html and ">Given<" not in html
    client.post(
        reverse("wagtail_mentorat:privacy:consent"), {"purpose": "matching", "decision": "give"}
    )
    assert not Consent.objects.filter(user=people["mentee"]).exists()
    assert consent.is_awaiting(people["mentee"])


# --- who sees that it waits ----------------------------------------------------------------


def test_the_manager_space_shows_the_request_as_awaiting_confirmation(registered, people, login):
    client = login(people["manager"])
    client.cookies["django_language"] = "en"  # the front end is French by default
    html = client.get(reverse("wagtail_mentorat:manager")).content.decode()
    assert "Awaiting the person's confirmation" in html
    assert "Suggested mentor" not in html
    assert NEED not in html


def test_the_workbench_lists_the_person_as_awaiting_and_suggests_nothing(
    registered, people, programme, client
):
    from django.contrib.auth.models import Permission

    coordinator = people["coordinator"]
    coordinator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    programme.coordinators.add(coordinator)
    profile = UserProfile.get_for_user(coordinator)
    profile.preferred_language = "en"  # the admin follows the person's preference
    profile.save()
    client.force_login(coordinator)
    page = client.get(reverse("mentorat_workbench"), {"programme": programme.pk})
    assert page.status_code == 200
    html = page.content.decode()
    section = html.split("Awaiting the person's confirmation", 1)
    assert len(section) == 2, "the awaiting section is missing"
    assert people["mentee"].get_full_name() in section[1]
    assert f'value="{registered.pk}:' not in html  # nothing to assign
    assert NEED not in html


def test_withdrawing_a_request_is_for_the_person_or_their_manager(registered, people):
    with pytest.raises(RuleViolation):
        lifecycle.withdraw_request(registered, people["mentor"])
    lifecycle.withdraw_request(registered, people["manager"])
    registered.refresh_from_db()
    assert registered.status == "withdrawn"
    assert lifecycle.withdraw_request(registered, people["mentee"]).status == "withdrawn"


def test_a_request_with_a_pairing_in_progress_is_not_withdrawn(people, programme):
    request = lifecycle.open_request(programme, people["mentee"], people["mentee"], "Besoin")
    lifecycle.propose_pairing(
        programme, [people["mentee"]], [people["mentor"]], people["manager"], request=request
    )
    with pytest.raises(RuleViolation):
        lifecycle.withdraw_request(request, people["mentee"])
    request.refresh_from_db()
    assert request.status == "open"


# --- what stays as it was ------------------------------------------------------------------


def test_self_registration_is_unaffected(people, programme, page, login):
    client = login(people["mentee"])
    response = client.post(page.url, form(programme, role="mentee"))
    assert response.status_code == 302
    profile = ParticipantProfile.objects.get(user=people["mentee"])
    assert profile.registered_by is None and profile.consent_version == "2026-09"
    assert Consent.objects.filter(user=people["mentee"]).count() == len(Purpose.values)
    assert not consent.is_awaiting(people["mentee"])
    assert 'id="confirm-registration"' not in client.get(SPACE).content.decode()


def test_a_person_who_registered_themself_keeps_their_consent(
    people, programme, page, login, django_capture_on_commit_callbacks
):
    other = ProgrammeFactory()
    login(people["mentee"]).post(page.url, form(other, role="mentee"))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people["manager"]).post(
            page.url, form(programme, staff_member=people["mentee"].pk)
        )
    assert response.status_code == 302
    profile = ParticipantProfile.objects.get(user=people["mentee"])
    assert profile.registered_by is None and profile.consent_at is not None
    assert not consent.is_awaiting(people["mentee"])
    request = MentoringRequest.objects.get(mentee=people["mentee"], programme=programme)
    assert request in adapter.waiting_requests(programme)
    assert not Notification.objects.filter(kind=Kind.REGISTRATION_TO_CONFIRM).exists()


def test_matching_queries_are_the_same_with_people_awaiting(
    people, programme, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lifecycle.open_request(programme, people["mentee"], people["mentee"], "Besoin")
    ParticipantProfile.objects.filter(user=people["mentor"]).update(is_mentor=True)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            list(adapter.waiting_requests(programme))
            adapter.load_mentors(programme)
        return len(ctx)

    before = count()
    for i in range(3):
        registration.register_staff(
            people["manager"], person(f"equipe{i}", superior=people["manager"]), programme, "B"
        )
    assert count() == before
    with django_assert_num_queries(2):  # the requests and their areas: the consent is a subquery
        list(adapter.waiting_requests(programme))


def test_without_the_privacy_app_the_rule_still_holds(registered, people, page, monkeypatch):
    """The rule reads the core's profile: without the app, nothing is withdrawn, the person
    awaiting is still left out, and confirming fills the profile (no ledger)."""
    monkeypatch.setattr(consent, "is_installed", lambda: False)
    mentee = people["mentee"]
    assert set(consent.excluded_user_ids(Purpose.MATCHING)) == {mentee.pk}
    assert consent.excluded_reasons(Purpose.EMAIL, [mentee, people["mentor"]]) == {
        mentee.pk: consent.AWAITING
    }
    assert registered not in adapter.waiting_requests(registered.programme)
    assert registration.confirm(mentee, "2026-09")
    assert not Consent.objects.filter(user=mentee).exists()
    assert ParticipantProfile.objects.get(user=mentee).consent_version == "2026-09"
    assert registered in adapter.waiting_requests(registered.programme)
