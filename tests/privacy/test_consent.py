"""Consent ledger per purpose, with the notice version and withdrawal (A-2.1 s. 53.1; art. 7
GDPR): after a withdrawal the person is out of matching and receives no further email."""

import pytest
from anymail.backends.test import EmailBackend  # noqa: F401  (the backend the settings name)
from django.core import mail
from django.urls import reverse

from wagtail_mentorat import lifecycle
from wagtail_mentorat.matching import adapter
from wagtail_mentorat.models import RegistrationPage
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.privacy import consent
from wagtail_mentorat.privacy.models import Consent
from wagtail_mentorat.privacy.purposes import Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anymail_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    mail.outbox = []


def with_email(user):
    user.email = f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return user


def test_ledger_keeps_each_consent_with_its_version_and_withdrawal(cast):
    mentee = cast["mentee"]
    consent.record_registration(mentee, "2026-01")
    assert set(Consent.objects.filter(user=mentee).values_list("purpose", flat=True)) == set(
        Purpose.values
    )
    consent.withdraw(mentee, Purpose.MATCHING)
    assert not consent.has_consent(mentee, Purpose.MATCHING)
    assert consent.has_consent(mentee, Purpose.EMAIL)
    consent.give(mentee, Purpose.MATCHING, "2026-02")
    assert consent.has_consent(mentee, Purpose.MATCHING)
    lines = Consent.objects.filter(user=mentee, purpose=Purpose.MATCHING).order_by("pk")
    assert [(c.notice_version, c.withdrawn_at is not None) for c in lines] == [
        ("2026-01", True),
        ("2026-02", False),
    ]


def test_withdrawing_without_a_ledger_line_records_the_registration_consent(cast):
    consent.withdraw(cast["mentor"], Purpose.EMAIL)
    line = Consent.objects.get(user=cast["mentor"])
    assert line.purpose == Purpose.EMAIL and line.withdrawn_at is not None


def test_withdrawn_mentor_and_mentee_are_out_of_matching(cast, programme):
    request = lifecycle.open_request(programme, cast["mentee"], cast["mentee"], "Besoin")
    from wagtail_mentorat.models import ParticipantProfile

    ParticipantProfile.objects.filter(user=cast["mentor"]).update(is_mentor=True)
    assert cast["mentor"].pk in {m.id for m in adapter.load_mentors(programme)}
    assert request in adapter.waiting_requests(programme)

    consent.withdraw(cast["mentor"], Purpose.MATCHING)
    consent.withdraw(cast["mentee"], Purpose.MATCHING)
    assert cast["mentor"].pk not in {m.id for m in adapter.load_mentors(programme)}
    assert request not in adapter.waiting_requests(programme)

    consent.give(cast["mentee"], Purpose.MATCHING, "2026-01")
    assert request in adapter.waiting_requests(programme)


def test_nobody_pairs_a_person_who_withdrew_even_by_hand(cast, programme):
    from wagtail_mentorat.exceptions import RuleViolation
    from wagtail_mentorat.models import Pairing

    consent.withdraw(cast["mentee"], Purpose.MATCHING)
    with pytest.raises(RuleViolation) as error:
        lifecycle.propose_pairing(programme, [cast["mentee"]], [cast["mentor"]], cast["manager"])
    assert "withdrew their consent to matching" in str(error.value)
    assert not Pairing.objects.exists()
    consent.give(cast["mentee"], Purpose.MATCHING, "2026-01")
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
    )
    # Withdrawn between the proposal and the approval: the approval is refused.
    consent.withdraw(cast["mentor"], Purpose.MATCHING)
    with pytest.raises(RuleViolation):
        lifecycle.approve_pairing(pairing, cast["manager"])


def test_withdrawn_person_receives_no_further_email(cast, programme):
    for user in cast.values():
        with_email(user)
    consent.withdraw(cast["mentor"], Purpose.EMAIL)
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
    )
    lifecycle.approve_pairing(pairing, cast["manager"])
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert cast["mentor"].pk not in recipients
    assert cast["mentee"].pk in recipients  # the others are still told
    assert all(cast["mentor"].email not in m.to for m in mail.outbox)


def test_withdrawal_stops_emails_already_waiting(cast):
    with_email(cast["mentee"])
    row = Notification.objects.create(
        recipient=cast["mentee"], to_email=cast["mentee"].email, kind="pairing_approved",
        idempotency_key="waiting-1",
    )  # fmt: skip
    consent.withdraw(cast["mentee"], Purpose.EMAIL)
    row.refresh_from_db()
    assert row.status == Notification.Status.SKIPPED


def test_registration_records_the_ledger_with_the_notice_version(cast, programme):
    from wagtail.models import Page

    root = Page.get_first_root_node()
    page = root.add_child(
        instance=RegistrationPage(
            title="Inscription", slug="inscription", privacy_notice="<p>Avis</p>",
            privacy_notice_version="2026-07",
        )
    )  # fmt: skip
    from wagtail_mentorat.views.registration import _register

    _register(cast["mentee"], page, {"role": "mentee", "programme": programme, "need": "Aide",
                                     "urgency": "normal", "kind": "individual"})  # fmt: skip
    versions = set(
        Consent.objects.filter(user=cast["mentee"]).values_list("notice_version", flat=True)
    )
    assert versions == {"2026-07"}


def test_privacy_page_withdraws_and_gives_consent(cast, login):
    client = login(cast["mentee"])
    page = client.get(reverse("wagtail_mentorat:privacy:page"))
    assert page.status_code == 200
    client.post(
        reverse("wagtail_mentorat:privacy:consent"), {"purpose": "matching", "decision": "withdraw"}
    )
    assert not consent.has_consent(cast["mentee"], Purpose.MATCHING)
    client.post(
        reverse("wagtail_mentorat:privacy:consent"), {"purpose": "matching", "decision": "give"}
    )
    assert consent.has_consent(cast["mentee"], Purpose.MATCHING)
    assert (
        client.post(reverse("wagtail_mentorat:privacy:consent"), {"purpose": "x"}).status_code
        == 404
    )


def test_the_space_links_to_the_privacy_page(cast, login):
    html = login(cast["mentee"]).get(reverse("wagtail_mentorat:space")).content.decode()
    assert reverse("wagtail_mentorat:privacy:page") in html
