"""Fixtures for the notifications: a cast with email addresses, anymail's test backend."""

import random

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError
from django.core import mail
from django.utils import translation

from tests.mentorat.conftest import ProgrammeFactory, activate, make_coordinator, person
from tests.mentorat_settings import set_mentorat
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import Pairing, Programme


@pytest.fixture(autouse=True)
def anymail_backend(settings):
    """Django's test set-up forces the locmem backend: use anymail's (STYLE pitfall 4)."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    set_mentorat(settings, NOTIFICATIONS_RETRY_BASE_SECONDS=60)
    mail.outbox = []
    with translation.override("en"):
        yield


def with_email(user):
    user.email = f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def cast(db):
    director = with_email(person("directrice", discipline="Gestion"))
    manager = with_email(person("gestionnaire", superior=director, discipline="Gestion"))
    mentee = with_email(person("mentore", superior=manager, years_experience=1))
    mentor = with_email(person("mentor", superior=director, years_experience=15))
    coordinator = make_coordinator(with_email(person("coordo", discipline="Planification")))
    return {
        "director": director,
        "manager": manager,
        "mentee": mentee,
        "mentor": mentor,
        "coordinator": coordinator,
    }


@pytest.fixture
def programme(db):
    return ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER)


@pytest.fixture
def approved(cast, programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pairing = lifecycle.propose_pairing(
            programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
        )
        pairing = lifecycle.approve_pairing(pairing, cast["manager"])
        # The mentor said yes: the first-contact reminders apply (an unanswered
        # assignment falls back to the next mentor instead).
        pairing = lifecycle.accept_assignment(pairing, cast["mentor"])
    return pairing


@pytest.fixture
def active(approved, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pairing = activate(approved, cast)
    Pairing.objects.filter(pk=pairing.pk).update(
        assigned_at=approved.assigned_at - __import__("datetime").timedelta(days=3)
    )
    pairing.refresh_from_db()
    return pairing


class FlakyBackend(AnymailTestBackend):
    """anymail's test backend that fails at random on a share of the sends, before the
    message reaches the (simulated) provider."""

    rng = random.Random(6)
    failure_rate = 1 / 3

    def post_to_esp(self, payload, message):
        if self.rng.random() < self.failure_rate:
            raise AnymailAPIError("Simulated provider outage (503)")
        return super().post_to_esp(payload, message)


class CrashAfterSendBackend(AnymailTestBackend):
    """The provider accepts the message, then the worker dies before it marks the row."""

    def send_messages(self, email_messages):
        super().send_messages(email_messages)
        raise SystemExit("worker killed")
